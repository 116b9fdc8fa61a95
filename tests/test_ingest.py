"""invoke ingest: a reviewed DOCX back into its source. Each review is made by the tests on
a real build (tests/word_review.py writes the XML Word writes); the LibreOffice review is in
test_ingest_libreoffice.py, the round trips through every format in test_ingest_roundtrip.py."""

from __future__ import annotations

import base64
import re
import shutil
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from lxml import etree

from pipeline import cli
from pipeline.builder import Options, Project, build
from pipeline.ingest import IngestError, Outcome, ingest, run
from pipeline.source import load
from tests.conftest import ROOT, Built
from tests.word_review import WordReview

LEAFLET = """\
---
id: leaflet
title: Looking After Your Back
subtitle: What to do at home
lang: en-GB
last-reviewed: 2026-03
---

## Taking your tablets {#tablets}

::: plain
Take the tablets with food. Ask if you are not sure.
:::

Take **one tablet** twice a day, with a meal. Swallow it _whole_ with water.

| Dose | When |
|------|------|
| 1 tablet | Morning |
| 1 tablet | Evening |

- **Do not** take more than two tablets a day.
- Keep them out of the reach of children.

::: {.disclaimer #ask-first}
**Ask first:** talk to your pharmacist before you take other medicines with these tablets.

::: plain
Ask your pharmacist before you take other medicines.
:::
:::

## Moving about {#moving}

::: plain
Keep moving gently. Rest when it hurts.
:::

Gentle walks help your back heal. Short walks are better than long ones.

Stop and rest if the pain gets worse.
"""
ANN, BOB = "Ann Okafor", "Bob Lindqvist"


@pytest.fixture(scope="module")
def leaflet_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The leaflet's DOCX, built once; each test reviews a copy of it."""
    project = make_project(tmp_path_factory.mktemp("built"))
    report = build(project, Options(docs=("leaflet",), formats=("docx",)))
    assert not report.failed, report.summary()
    return project.output_dir / "leaflet" / "leaflet.docx"


def make_project(folder: Path, source: str = LEAFLET) -> Project:
    (folder / "source").mkdir(parents=True)
    shutil.copytree(ROOT / "styles", folder / "styles")
    (folder / "source" / "leaflet.md").write_text(source, encoding="utf-8")
    return Project.at(folder)


@pytest.fixture
def project(tmp_path: Path, leaflet_docx: Path) -> Project:
    """The leaflet's project, which vouches for the source the DOCX carries: it keeps the
    versions the build published (build/sources/), as the project that built it does."""
    project = make_project(tmp_path / "project")
    shutil.copytree(leaflet_docx.parents[2] / "build", project.root / "build")
    return project


@pytest.fixture
def review(leaflet_docx: Path, tmp_path: Path) -> WordReview:
    copy = tmp_path / "leaflet-reviewed.docx"
    shutil.copy(leaflet_docx, copy)
    return WordReview(copy)


def source(project: Project) -> str:
    return (project.source_dir / "leaflet.md").read_text(encoding="utf-8")


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    """(old line, new line) for each line that differs, when the line count is the same."""
    old, new = before.splitlines(), after.splitlines()
    assert len(old) == len(new), "lines were added or removed"
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def report_of(outcome: Outcome) -> str:
    return outcome.review.read_text(encoding="utf-8")


# -- no changes -------------------------------------------------------------------------------


def test_an_unedited_docx_gives_no_changes(project: Project, leaflet_docx: Path) -> None:
    outcome = ingest(project, leaflet_docx)
    assert outcome.exit_code == 0
    assert outcome.lines[0] == "leaflet: no changes; 0 comments"
    assert (outcome.folder / "source.patch").read_text() == ""
    assert (outcome.folder / "source.critic.md").read_text() == LEAFLET
    assert "No changes and no comments" in report_of(outcome)
    applied = ingest(project, leaflet_docx, apply=True)
    assert source(project) == LEAFLET and not applied.findings.applied


# -- tracked changes --------------------------------------------------------------------------


def test_insertions_and_deletions_by_two_authors(project: Project, review: WordReview) -> None:
    review.insert(
        "Gentle walks help", "Gentle walks", " and stretches", ANN, "2026-11-20T09:30:00Z"
    )
    review.delete("Stop and rest", " and rest", BOB, "2026-11-21T14:05:00Z")
    review.save()
    outcome = ingest(project, review.path, apply=True)
    assert outcome.exit_code == 0
    assert changed_lines(LEAFLET, source(project)) == [
        (
            "Gentle walks help your back heal. Short walks are better than long ones.",
            "Gentle walks and stretches help your back heal. "
            "Short walks are better than long ones.",
        ),
        ("Stop and rest if the pain gets worse.", "Stop if the pain gets worse."),
    ]
    text = report_of(outcome)
    assert "Ann Okafor, 2026-11-20 09:30: inserted “and stretches”" in text
    assert "Bob Lindqvist, 2026-11-21 14:05: deleted “and rest”" in text
    assert text.index("Ann Okafor") < text.index("Bob Lindqvist"), "in source order"
    critic = (outcome.folder / "source.critic.md").read_text()
    assert "Gentle walks{++ and stretches++} help" in critic
    assert "Stop{-- and rest--} if the pain" in critic
    # The old file is kept, and the patch is what was applied.
    assert (outcome.folder / "source.before-1.md").read_text() == LEAFLET
    assert "+Stop if the pain gets worse." in (outcome.folder / "source.patch").read_text()


def test_a_move(project: Project, review: WordReview) -> None:
    review.move(
        "Gentle walks help", " Short walks are better than long ones.", "Stop and rest", ANN
    )
    review.save()
    outcome = ingest(project, review.path, apply=True)
    assert changed_lines(LEAFLET, source(project)) == [
        (
            "Gentle walks help your back heal. Short walks are better than long ones.",
            "Gentle walks help your back heal.",
        ),
        (
            "Stop and rest if the pain gets worse.",
            "Stop and rest if the pain gets worse. Short walks are better than long ones.",
        ),
    ]
    text = report_of(outcome)
    assert "moved “Short walks are better than long ones.” away from here" in text
    assert "moved “Short walks are better than long ones.” here" in text


def test_a_new_paragraph_and_a_deleted_one(project: Project, review: WordReview) -> None:
    review.add_paragraph("Gentle walks help", "Swimming is good for your back too.", ANN)
    review.delete_paragraph("Stop and rest", BOB)
    review.save()
    outcome = ingest(project, review.path, apply=True)
    expected = LEAFLET.replace(
        "Short walks are better than long ones.\n\nStop and rest if the pain gets worse.\n",
        "Short walks are better than long ones.\n\nSwimming is good for your back too.\n",
    )
    assert source(project) == expected
    text = report_of(outcome)
    assert "### Added: new paragraph" in text and "### Deleted: paragraph" in text
    assert "Ann Okafor, 2026-11-20 09:30: inserted “Swimming is good for your back too.”" in text
    assert "joined this paragraph with the next" in text


def test_a_new_plain_summary_paragraph_goes_inside_its_box(
    project: Project, review: WordReview
) -> None:
    review.add_paragraph("Keep moving gently", "Walk a little every day.", ANN)
    review.save()
    ingest(project, review.path, apply=True)
    assert (
        "::: plain\nKeep moving gently. Rest when it hurts.\n\nWalk a little every day.\n:::\n"
        in source(project)
    )
    load(project.source_dir / "leaflet.md", project.root)


def test_a_comment_with_a_reply_and_a_point_comment(project: Project, review: WordReview) -> None:
    review.comment(
        "Gentle walks help",
        "Short walks",
        "How short is short?",
        ANN,
        replies=((BOB, "Ten minutes; I will add it."),),
    )
    review.comment("Stop and rest if the pain", "", "Should we say when to call the clinic?", BOB)
    review.save()
    outcome = ingest(project, review.path)
    assert outcome.exit_code == 0 and outcome.lines[0] == "leaflet: no changes; 3 comments"
    text = report_of(outcome)
    assert "### Comment by Ann Okafor, 2026-11-20 09:30" in text
    assert "- On “Short walks” (paragraph)" in text
    assert "> How short is short?" in text
    assert "- Reply by Bob Lindqvist, 2026-11-20 09:30:\n\n  > Ten minutes; I will add it." in text
    assert "### Comment by Bob Lindqvist" in text
    assert (
        "At a point in the paragraph after “Stop and rest if the pain” (it highlights no text)"
        in text
    )
    assert text.index("How short") < text.index("when to call"), "in source order"
    critic = (outcome.folder / "source.critic.md").read_text()
    assert (
        "{==Short walks==}{>>Ann Okafor, 2026-11-20 09:30: How short is short? / "
        "reply by Bob Lindqvist, 2026-11-20 09:30: Ten minutes; I will add it.<<}"
    ) in critic
    assert (
        "worse. {>>Bob Lindqvist, 2026-11-20 09:30: Should we say when to call the clinic?<<}"
        in critic
    )


def test_an_untracked_edit_is_applied_and_noted(project: Project, review: WordReview) -> None:
    review.untracked_replace("Gentle walks help", "Short walks", "Several short walks")
    review.save()
    outcome = ingest(project, review.path, apply=True)
    assert "Several short walks are better than long ones." in source(project)
    text = report_of(outcome)
    assert "Edited with Track Changes off" in text
    assert "listed in their sections below like the others, but carry nobody's name" in text
    assert "changed Moving about: “Gentle walks help your back heal." in text


def test_an_edit_inside_a_disclaimer_waits_for_approval(
    project: Project, review: WordReview
) -> None:
    review.replace("Ask your pharmacist before", "other medicines", "any other medicine", ANN)
    review.replace("Gentle walks help", "heal", "get better", BOB)
    review.save()
    outcome = ingest(project, review.path, apply=True)
    assert outcome.exit_code == 1, "a disclaimer edit is left for a person"
    assert (
        "  held back: disclaimer ask-first (approve with --approve-disclaimer ask-first)"
        in outcome.lines
    )
    assert changed_lines(LEAFLET, source(project)) == [
        (
            "Gentle walks help your back heal. Short walks are better than long ones.",
            "Gentle walks help your back get better. Short walks are better than long ones.",
        )
    ], "everything else is applied; the disclaimer is not"
    text = report_of(outcome)
    assert "HELD BACK: it changes approved wording (disclaimer `ask-first`)" in text
    assert "`leaflet ingest leaflet-reviewed.docx --apply --approve-disclaimer ask-first`" in text
    critic = (outcome.folder / "source.critic.md").read_text()
    assert (
        "{>>This change waits for approval: disclaimer ask-first "
        "(--approve-disclaimer ask-first)<<}" in critic
    )

    once = source(project)

    approved = ingest(project, review.path, apply=True, approve=["ask-first"])
    assert approved.exit_code == 0
    assert "Ask your pharmacist before you take any other medicine." in source(project)
    # Each apply keeps the source it replaced; the second never overwrites the first's copy.
    assert sorted(p.name for p in approved.folder.glob("source.before*")) == [
        "source.before-1.md",
        "source.before-2.md",
    ]
    assert (approved.folder / "source.before-1.md").read_text() == LEAFLET
    assert (approved.folder / "source.before-2.md").read_text() == once
    assert "the file before is `source.before-2.md`" in report_of(approved)
    with pytest.raises(IngestError, match="no such disclaimer"):
        ingest(project, review.path, approve=["not-a-disclaimer"])


def test_an_edit_across_a_bold_word_keeps_the_formatting_that_survived(
    project: Project, review: WordReview
) -> None:
    # "**Do not** take more": the reviewer retypes "not take" (bold "not", plain " take") plain.
    review.replace("take more than two", "not take", "never take", ANN, bold=False)
    # "Swallow it _whole_ with water": the source's own spelling of italics stays.
    review.replace("Swallow it", "with water", "with a glass of water", BOB)
    review.save()
    ingest(project, review.path, apply=True)
    assert changed_lines(LEAFLET, source(project)) == [
        (
            "Take **one tablet** twice a day, with a meal. Swallow it _whole_ with water.",
            "Take **one tablet** twice a day, with a meal. "
            "Swallow it _whole_ with a glass of water.",
        ),
        (
            "- **Do not** take more than two tablets a day.",
            "- **Do** never take more than two tablets a day.",
        ),
    ]


def test_edits_to_a_heading_a_plain_summary_a_list_item_and_a_table_cell(
    project: Project, review: WordReview
) -> None:
    review.replace("Taking your tablets", "tablets", "medicine", ANN)
    review.replace("Take the tablets with food", "with food", "with a meal", ANN)
    review.replace("Keep them out of the reach", "the reach of children", "children's reach", ANN)
    review.replace("Morning", "Morning", "Breakfast", ANN)
    review.save()
    outcome = ingest(project, review.path, apply=True)
    assert outcome.exit_code == 0
    assert changed_lines(LEAFLET, source(project)) == [
        ("## Taking your tablets {#tablets}", "## Taking your medicine {#tablets}"),
        (
            "Take the tablets with food. Ask if you are not sure.",
            "Take the tablets with a meal. Ask if you are not sure.",
        ),
        ("| 1 tablet | Morning |", "| 1 tablet | Breakfast |"),
        ("- Keep them out of the reach of children.", "- Keep them out of children's reach."),
    ]
    load(project.source_dir / "leaflet.md", project.root)


def test_text_typed_into_a_label_is_reported_and_not_applied(
    project: Project, review: WordReview
) -> None:
    review.insert("In plain words", "In plain words", " for everyone", ANN)
    review.save()
    outcome = ingest(project, review.path, apply=True)
    assert source(project) == LEAFLET
    assert (
        "Text typed into the label “In plain words”, which the build writes: "
        "“In plain words for everyone”; not applied"
    ) in report_of(outcome)


def test_a_formatting_only_change_is_reported_and_not_applied(
    project: Project, review: WordReview
) -> None:
    review.make_bold("Gentle walks help", "Short walks", ANN)
    review.save()
    outcome = ingest(project, review.path, apply=True)
    assert source(project) == LEAFLET
    assert outcome.lines[0] == "leaflet: no changes; 0 comments"
    assert (
        "Formatting changed by Ann Okafor, 2026-11-20 09:30 on “Short walks”: not applied"
        in report_of(outcome)
    )


def test_edits_that_would_break_the_source_rules_are_reported_not_applied(
    project: Project, review: WordReview
) -> None:
    """Deleting a section's only plain-summary paragraph leaves an empty summary: the DOCX
    is fine, the merge is not. The report is written, the source stays, exit code 1."""
    review.delete_paragraph("Keep moving gently", ANN)
    review.replace("Gentle walks help", "heal", "get better", ANN)
    review.save()
    outcome = ingest(project, review.path, apply=True)
    assert outcome.exit_code == 1
    assert source(project) == LEAFLET
    assert not list(outcome.folder.glob("source.before*")), "nothing applied, nothing kept"
    # The line of the summary's "::: plain" in the source: the one before its text.
    line = LEAFLET.splitlines().index("Keep moving gently. Rest when it hurts.")
    problem = f'source/leaflet.md:{line}: the plain summary of "moving" is empty; write it'
    assert outcome.lines[1:3] == [
        "  not applied: with these edits source/leaflet.md would break its rules:",
        f"    {problem}",
    ]
    text = report_of(outcome)
    assert "## Not applied\n" in text and f"- {problem}\n" in text
    assert text.count("**NOT APPLIED: see “Not applied” above**") == 2, "both edits"
    assert (
        "+Gentle walks help your back get better." in (outcome.folder / "source.patch").read_text()
    )


def test_a_source_changed_while_ingesting_is_left_as_it_is(
    project: Project, review: WordReview, monkeypatch: pytest.MonkeyPatch
) -> None:
    review.replace("Gentle walks help", "heal", "get better", ANN)
    review.save()
    meanwhile = LEAFLET.replace("Stop and rest", "Stop, sit and rest")
    read = run.find

    def find_then_edit(at: Project, docx: Path, approved: Sequence[str] = ()) -> run.Findings:
        findings = read(at, docx, approved)
        (project.source_dir / "leaflet.md").write_text(meanwhile)  # another editor saves
        return findings

    monkeypatch.setattr(run, "find", find_then_edit)
    outcome = ingest(project, review.path, apply=True)
    assert outcome.exit_code == 1
    assert source(project) == meanwhile
    assert "  not applied: source/leaflet.md changed while ingesting; run again" in outcome.lines
    assert "changed while this ingest read it, so it was left as it is" in report_of(outcome)


# -- what ingest writes -------------------------------------------------------------------


def test_reviewer_text_is_never_read_as_markup(project: Project, review: WordReview) -> None:
    """A name, a comment and an edit that would be HTML, a script or a link in a Markdown
    viewer show as the characters they are; a link the source may not hold is left out."""
    review.comment(
        "Gentle walks help",
        "Short walks",
        "<script>alert(1)</script> see [this](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
    )
    review.replace("Gentle walks help", "heal", "heal <b>now</b>", ANN)
    review.insert_link("Stop and rest", "worse.", " More", "javascript:alert(1)", ANN)
    review.save()
    outcome = ingest(project, review.path)
    for name in ("review.md", "source.critic.md"):
        text = (outcome.folder / name).read_text()
        for markup in ("<script", "<img", "<b>", "](javascript:"):  # unless escaped
            assert not re.search(r"(?<!\\)" + re.escape(markup), text), (name, markup)
        assert "\\<script\\>alert(1)\\</script\\>" in text, name
    report = report_of(outcome)
    assert "### Comment by \\<img src=x onerror=alert(1)\\>, 2026-11-20 09:30" in report
    assert 'NOT APPLIED: the reviewer\'s link "javascript:alert(1)" in it is not allowed' in report
    critic = (outcome.folder / "source.critic.md").read_text()
    assert "{>>on “Short walks”: \\<img src=x onerror=alert(1)\\>, 2026-11-20 09:30:" in critic


def test_a_review_is_written_outside_output_whatever_the_docx_is_called(
    project: Project, leaflet_docx: Path, tmp_path: Path
) -> None:
    names = {"...docx": "review", "Dr. Ann's review (final).docx": "Dr.-Ann-s-review-final"}
    for name, folder in names.items():
        docx = tmp_path / name
        shutil.copy(leaflet_docx, docx)
        outcome = ingest(project, docx)
        assert outcome.folder == project.reviews_dir / "leaflet" / folder
        assert outcome.lines[-1] == f"review: build/reviews/leaflet/{folder}/review.md"
    assert sorted(p.name for p in (project.reviews_dir / "leaflet").iterdir()) == sorted(
        names.values()
    )
    assert not list(project.output_dir.rglob("*")), "nothing of a review is served"


def test_links_in_source_are_never_followed(project: Project, review: WordReview) -> None:
    """The rules check copies source/ with a link to itself, a link to nowhere and a link to
    a folder elsewhere (it could be gigabytes): as links, never followed."""
    (project.source_dir / "loop").symlink_to(".", target_is_directory=True)
    (project.source_dir / "gone.png").symlink_to("missing.png")
    elsewhere = project.root.parent / "elsewhere"
    elsewhere.mkdir()
    (project.source_dir / "elsewhere").symlink_to(elsewhere, target_is_directory=True)
    review.replace("Gentle walks help", "heal", "get better", ANN)
    review.save()
    outcome = ingest(project, review.path, apply=True)
    assert outcome.exit_code == 0, report_of(outcome)
    assert "Gentle walks help your back get better." in source(project)


# -- the three-way merge ------------------------------------------------------------------


def test_a_paragraph_changed_on_both_sides_is_a_conflict(
    project: Project, review: WordReview
) -> None:
    review.replace("Gentle walks help", "heal", "get better", ANN)
    review.replace("Stop and rest", "gets worse", "is worse", ANN)
    review.save()
    ours = LEAFLET.replace("help your back heal", "help your back to heal")
    (project.source_dir / "leaflet.md").write_text(ours)
    outcome = ingest(project, review.path, apply=True)
    assert outcome.exit_code == 1
    assert "  conflict in moving: the source changed that paragraph too" in outcome.lines
    assert changed_lines(ours, source(project)) == [
        ("Stop and rest if the pain gets worse.", "Stop and rest if the pain is worse.")
    ], "the other paragraph is applied, the conflicting one keeps the source's version"
    text = report_of(outcome)
    assert "CONFLICT" in text
    assert (  # side by side: the base, the source now, the reviewer's
        "- When the DOCX was built: “Gentle walks help your back heal. Short walks are better "
        "than long ones.”\n"
        "- In source/leaflet.md now: “Gentle walks help your back to heal. Short walks are "
        "better than long ones.”\n"
        "- The reviewer's: “Gentle walks help your back get better. Short walks are better "
        "than long ones.”\n"
    ) in text
    patch = (outcome.folder / "source.patch").read_text()
    assert "get better" not in patch, "a conflict is left out of the patch"


# -- bad input ----------------------------------------------------------------------------


def ingest_task(docx: Path, output: Path, *approve: str) -> int:
    """The exit code of `leaflet ingest` (in this repository's project: never with --apply
    here) for this DOCX."""
    approving = [f"--approve-disclaimer={ident}" for ident in approve]
    return cli.main(["--project", str(ROOT), "ingest", str(docx), f"--output={output}", *approving])


def test_bad_input_stops_with_a_clear_error_and_exit_code_2(
    project: Project, leaflet_docx: Path, tmp_path: Path
) -> None:
    not_a_zip = tmp_path / "notes.docx"
    not_a_zip.write_text("just text")
    locked = tmp_path / "locked.docx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    truncated = tmp_path / "truncated.docx"
    truncated.write_bytes(leaflet_docx.read_bytes()[:3000])
    foreign = tmp_path / "foreign.docx"
    without_base = tmp_path / "without-base.docx"
    elsewhere = tmp_path / "elsewhere.docx"  # its id would name a file outside source/
    tampered = tmp_path / "tampered.docx"  # its base edited after the build, sha256 kept
    with zipfile.ZipFile(leaflet_docx) as built:
        with zipfile.ZipFile(tampered, "w") as target:
            for info in built.infolist():
                data = built.read(info)
                if info.filename == "customXml/item1.xml":
                    root = etree.fromstring(data)
                    base = base64.b64decode(root.text or "").replace(b"one tablet", b"two")
                    root.text = base64.b64encode(base).decode()
                    data = etree.tostring(root)
                target.writestr(info.filename, data)
        with zipfile.ZipFile(elsewhere, "w") as target:
            for info in built.infolist():
                data = built.read(info)
                if info.filename == "docProps/custom.xml":
                    data = data.replace(b">leaflet<", b">../../outside<")
                target.writestr(info.filename, data)
        with zipfile.ZipFile(foreign, "w") as target:
            for info in built.infolist():
                if not info.filename.startswith(("customXml/", "docProps/custom")):
                    target.writestr(info.filename, built.read(info))
        with zipfile.ZipFile(without_base, "w") as target:
            for info in built.infolist():
                if not info.filename.startswith("customXml/"):
                    target.writestr(info.filename, built.read(info))
    for docx, message in (
        (not_a_zip, "is not a readable DOCX"),
        (truncated, "is not a readable DOCX"),
        (locked, "is password-protected"),
        (foreign, "was not built by this pipeline"),
        (without_base, "does not carry the source it was built from"),
        (elsewhere, "is not a document id"),
        (tampered, "the embedded source does not match its sha256; the file is damaged"),
        (tmp_path / "missing.docx", "no such file"),
    ):
        with pytest.raises(IngestError, match=message):
            ingest(project, docx)
        assert ingest_task(docx, tmp_path / "output") == 2, docx.name
    assert not (project.reviews_dir / "leaflet").exists(), "nothing written"
    assert source(project) == LEAFLET


def test_the_task_exits_0_when_nothing_is_left_and_1_when_something_is(
    built: Built, tmp_path: Path
) -> None:
    output = tmp_path / "output"
    assert ingest_task(built.path("docx"), output) == 0
    reviewed = tmp_path / "reviewed.docx"
    shutil.copy(built.path("docx"), reviewed)
    with WordReview(reviewed) as review:
        review.replace("This is not a sure cure.", "sure", "certain", ANN)
    assert ingest_task(reviewed, output) == 1, "a disclaimer edit waits for approval"
    assert ingest_task(reviewed, output, "not-a-cure") == 0
    folder = tmp_path / "build" / "reviews" / built.doc.id / "reviewed"
    assert "not-a-cure" in (folder / "review.md").read_text()


# -- the rest of what a source may hold -------------------------------------------------------

RICH = """\
---
id: rich
title: "Pictures: and more"
lang: en-GB
last-reviewed: 2026-02-03
---

## Pictures {#pictures}

::: plain
Some pictures.
:::

![A red photo](images/photo.png)

Text with an inline ![icon](images/drawing.svg) picture.

| Dose | When |
|---|---|
| 1 | Morning |

Table: Doses by time

1. First
2. Second
    - nested *one*
    - nested two

> A quote here.

See <https://example.org> and [the site](https://example.org/x "t").
"""


def test_pictures_captions_quotes_and_links(tmp_path: Path) -> None:
    from PIL import Image

    project = make_project(tmp_path / "project", "")
    (project.source_dir / "leaflet.md").unlink()
    images = project.source_dir / "images"
    images.mkdir()
    Image.new("RGB", (900, 600), (200, 80, 40)).save(images / "photo.png")
    (images / "drawing.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48"><rect width="48" '
        'height="48" fill="#0B4F6C"/></svg>'
    )
    path = project.source_dir / "rich.md"
    path.write_text(RICH)
    assert not build(project, Options(docs=("rich",), formats=("docx",))).failed
    docx = project.output_dir / "rich" / "rich.docx"
    assert ingest(project, docx).lines[0] == "rich: no changes; 0 comments"

    reviewed = tmp_path / "rich-reviewed.docx"
    shutil.copy(docx, reviewed)
    with WordReview(reviewed) as review:
        review.replace("Pictures: and more", "and more", "and words", ANN)
        review.replace("A red photo", "red", "bright red", ANN)
        review.replace("Text with an inline", "an inline", "a small inline", ANN)
        review.replace("Doses by time", "Doses", "Tablets", ANN)
        review.replace("nested two", "two", "three", ANN)
        review.replace("A quote here.", "quote", "short quote", ANN)
        review.replace("the site", "the site", "our site", ANN)
    outcome = ingest(project, reviewed, apply=True)
    assert outcome.exit_code == 0, outcome.lines
    assert changed_lines(RICH, path.read_text()) == [
        ('title: "Pictures: and more"', 'title: "Pictures: and words"'),
        ("![A red photo](images/photo.png)", "![A bright red photo](images/photo.png)"),
        (
            "Text with an inline ![icon](images/drawing.svg) picture.",
            "Text with a small inline ![icon](images/drawing.svg) picture.",
        ),
        ("Table: Doses by time", "Table: Tablets by time"),
        ("    - nested two", "    - nested three"),
        ("> A quote here.", "> A short quote here."),
        (
            'See <https://example.org> and [the site](https://example.org/x "t").',
            'See <https://example.org> and [our site](https://example.org/x "t").',
        ),
    ]
    load(path, project.root)
