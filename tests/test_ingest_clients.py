"""Reviews written as each word processor writes them (tests/word_review.py's CLIENTS names
the public files each client's XML was learned from): Word 365 in its current mode, Word in
Compatibility Mode, Google Docs and ONLYOFFICE. LibreOffice writes its own review through
UNO in test_ingest_libreoffice.py.

Each review is made on the real DOCX of a leaflet, and ingest must read it as the reviewer
meant it: every edit placed in its own line of the source, every comment kept apart from
the others with its replies, and each change described by its words and its author."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from pipeline.builder import Options, Project, build
from pipeline.ingest import IngestError, Outcome, ingest
from tests.test_ingest import LEAFLET, make_project
from tests.word_review import WordReview

ANN, BOB = "Ann Okafor", "Bob Lindqvist"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("clients"))
    assert not build(project, Options(docs=("leaflet",), formats=("docx",))).failed
    return project.output_dir / "leaflet" / "leaflet.docx"


@pytest.fixture
def project(tmp_path: Path, built: Path) -> Project:
    """The leaflet's project, keeping the versions the build published (so it vouches for
    the source the DOCX carries)."""
    project = make_project(tmp_path / "project")
    shutil.copytree(built.parents[2] / "build", project.root / "build")
    return project


def review(built: Path, folder: Path, client: str) -> WordReview:
    copy = folder / f"{client}.docx"
    shutil.copy(built, copy)
    return WordReview(copy, client)


def changes(project: Project) -> list[tuple[str, str]]:
    """(line before, line after) for each changed line of the leaflet (same line count)."""
    after = (project.source_dir / "leaflet.md").read_text().splitlines()
    before = LEAFLET.splitlines()
    assert len(before) == len(after), "\n".join(after)
    return [(a, b) for a, b in zip(before, after, strict=True) if a != b]


def report(outcome: Outcome) -> str:
    return outcome.review.read_text()


def test_a_word_365_review(built: Path, project: Project, tmp_path: Path) -> None:
    with review(built, tmp_path, "word") as word:
        word.replace("Gentle walks help", "heal", "get better", ANN)
        word.insert("Gentle walks help", "Short walks", " every day", ANN)
        word.delete_inserted("Gentle walks help", " every", BOB)
        word.add_row("Morning", ["2 tablets", "Night"], ANN)
        word.soft_break("Keep them out", "reach", "and sight", ANN)
        word.soft_hyphen("Take one tablet", "tablet", 3)
        word.format_paragraph("Stop and rest", BOB)
        word.unlock("talk to your pharmacist", BOB)
        word.comment("Take one tablet", "twice a day", "With food?", ANN, ((BOB, "Yes."),))
        word.comment("Swallow it", "whole", "Can it be crushed?", BOB, resolved=True)
        word.comment(
            "Gentle walks help",
            "Short walks",
            "These two belong together.",
            ANN,
            to=("Stop and rest", "Stop and rest"),
        )
    outcome = ingest(project, word.path, apply=True)
    text = report(outcome)
    assert outcome.exit_code == 0, text
    source = (project.source_dir / "leaflet.md").read_text()
    assert "| 1 tablet | Morning |\n| 2 tablets | Night |\n| 1 tablet | Evening |" in source
    assert "Gentle walks help your back get better. Short walks day are better" in source
    assert "- Keep them out of the reach and sight of children." in source
    assert "\u00ad" not in source and "\\\n" not in source
    assert outcome.lines[0] == "leaflet: 3 changes (3 applied); 4 comments"
    assert f"{BOB}, 2026-11-20 09:30: deleted “every”, which {ANN} had inserted" in text
    assert "### Added: new table row" in text
    assert "on the paragraph “Stop and rest if the pain gets worse.”" in text
    assert (
        f"The content control that locks disclaimer ask-first was taken away by {BOB}, "
        "2026-11-20 09:30**"
    ) in text
    assert "> With food?" in text and "- Reply by Bob Lindqvist" in text
    assert "### Comment by Bob Lindqvist, 2026-11-20 09:30 (resolved)" in text
    assert "On “Short walks every day are better than long ones. ¶ Stop and rest”" in text


def test_a_review_in_compatibility_mode(built: Path, project: Project, tmp_path: Path) -> None:
    """No paragraph ids and no commentsExtended.xml: 24 comments stay 24 comments (they
    became one comment with 23 replies), and a reply is a comment of its own."""
    targets = {
        "Take one tablet": ["tablet", "twice", "meal", "Swallow", "whole", "water"],
        "Gentle walks help": ["Gentle", "help", "back", "heal", "Short", "better", "long"],
        "Stop and rest": ["Stop", "rest", "pain", "worse"],
        "Keep moving gently": ["moving", "gently", "hurts"],
        "Ask your pharmacist": ["pharmacist", "medicines"],
    }
    phrases = [(words, phrase) for words, found in targets.items() for phrase in found]
    with review(built, tmp_path, "word-compatibility") as word:
        word.comment("Take one tablet", "Take", "With food?", ANN, ((BOB, "Yes."),))
        for number, (words, phrase) in enumerate(phrases, 2):
            word.comment(words, phrase, f"Comment {number}.", ANN)
        word.unlock("Ask your pharmacist")  # with Track Changes off: the control is gone
    outcome = ingest(project, word.path)
    text = report(outcome)
    assert len(phrases) + 2 == 24
    assert outcome.lines[0].endswith("; 24 comments"), outcome.lines[0]
    assert text.count("### Comment by") == 24, "none merged into another"
    assert "- Reply by" not in text, "nothing says it replies"
    assert "### Comment by Ann Okafor, no date" in text
    assert (
        "**The content control that locks disclaimer ask-first was taken away** around "
        "“Ask your pharmacist before you take other medicines.”"
    ) in text
    assert outcome.exit_code == 0, text


GENTLE = "Gentle walks help your back heal. Short walks are better than long ones."
STOP = "Stop and rest if the pain gets worse."


@pytest.mark.parametrize(
    ("client", "said"),
    [
        ("word", ["moved this paragraph away from here", "moved this paragraph here"]),
        ("word-compatibility", [f"deleted “{GENTLE}”", f"inserted “{GENTLE}”"]),
    ],
)
def test_a_paragraph_moved_whole(
    built: Path, project: Project, tmp_path: Path, client: str, said: list[str]
) -> None:
    """Recorded as a move (Word's current files: the DOCX no longer sets
    w:doNotTrackMoves), or as a deletion and an insertion (with it, and in files from
    before): it lands in the same place."""
    with review(built, tmp_path, client) as word:
        if client == "word":
            word.move_paragraph("Gentle walks help", "Stop and rest", ANN)
        else:
            word.delete_paragraph("Gentle walks help", ANN)
            word.add_paragraph("Stop and rest", GENTLE, ANN)
    outcome = ingest(project, word.path, apply=True)
    text = report(outcome)
    assert outcome.exit_code == 0, text
    assert changes(project) == [(GENTLE, STOP), (STOP, GENTLE)]
    for words in said:
        assert f"{ANN}, 2026-11-20 09:30: {words}" in text


def test_a_google_docs_review(built: Path, project: Project, tmp_path: Path) -> None:
    with review(built, tmp_path, "google") as docs:
        docs.replace("Gentle walks help", "heal", "get better", ANN)
        docs.comment("Gentle walks help", "get better", "Better than heal.", BOB)
        docs.comment("Gentle walks help", "get better", "Agreed.", ANN)
    xml = zipfile.ZipFile(docs.path).read("word/document.xml").decode()
    assert xml.index("get better") < xml.index("heal"), "Google writes the insertion first"
    outcome = ingest(project, docs.path, apply=True)
    text = report(outcome)
    assert outcome.exit_code == 0, text
    assert changes(project) == [
        (
            "Gentle walks help your back heal. Short walks are better than long ones.",
            "Gentle walks help your back get better. Short walks are better than long ones.",
        )
    ]
    assert f"- {ANN}, 2026-11-20 09:30: replaced “heal” with “get better”" in text
    assert outcome.lines[0] == "leaflet: 1 change (1 applied); 2 comments"
    assert "- Reply by" not in text


def test_a_file_google_docs_wrote_again_is_refused_clearly(built: Path, tmp_path: Path) -> None:
    """Google Docs writes a new package: no custom properties, no custom XML, so neither the
    document's id nor the source it was built from come back (its exports have neither:
    superdoc's gdocs-tracked-changes.docx)."""
    written = tmp_path / "from-google.docx"
    with zipfile.ZipFile(built) as source, zipfile.ZipFile(written, "w") as target:
        for info in source.infolist():
            if not info.filename.startswith(("customXml/", "docProps/")):
                target.writestr(info, source.read(info))
    with pytest.raises(IngestError, match="Google Docs"):
        ingest(make_project(tmp_path / "project"), written)


def test_an_onlyoffice_review(built: Path, project: Project, tmp_path: Path) -> None:
    with review(built, tmp_path, "onlyoffice") as office:
        office.replace("Stop and rest", "worse", "much worse", ANN)
        office.comment(
            "Take one tablet", "twice a day", "With food?", ANN, ((BOB, "Yes."), (ANN, "Ok.")),
            resolved=True,
        )  # fmt: skip
        office.comment("Swallow it", "whole", "Can it be crushed?", BOB)
    outcome = ingest(project, office.path, apply=True)
    text = report(outcome)
    assert outcome.exit_code == 0, text
    assert changes(project) == [
        ("Stop and rest if the pain gets worse.", "Stop and rest if the pain gets much worse.")
    ]
    assert outcome.lines[0] == "leaflet: 1 change (1 applied); 4 comments"
    assert "### Comment by Ann Okafor, 2026-11-20 09:30 (resolved)" in text
    assert text.count("- Reply by") == 2
