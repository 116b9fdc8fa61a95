"""Approved wording is guarded through ingest: no route by which a review could touch a
disclaimer changes it without an approval by its id, and with `--approve-disclaimer ID` the
approved change, and only it, is applied. Whether an edit touches a disclaimer is decided
from the source as it is today and the merge's result, never from the DOCX's own copy of
its source, which ingest believes only when the project kept the same bytes.

Each review is written by tests/word_review.py, with the XML Word writes, on a DOCX the
pipeline built; the hiding of approved wording is in test_hidden_wording.py."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from pipeline.builder import Options, Project, build, sources
from pipeline.checks.verify import normalise
from pipeline.extract import text_of
from pipeline.formats.docx.embedded import NAMESPACE
from pipeline.ingest import IngestError, guard, ingest, run, trust, units
from tests.conftest import ARTICLE_ID, ROOT
from tests.test_ingest_roundtrip import ARTICLE, article_project
from tests.word_review import WordReview

# The leaflet as it is today (its second version: the first said "with a meal.").
LEAFLET = """\
---
id: leaflet
title: Looking After Your Back
lang: en-GB
last-reviewed: 2026-03
---

## Taking your tablets {#tablets}

::: plain
Take the tablets with food.
:::

Take one tablet twice a day, with a meal or a snack.

::: {.disclaimer #ask-first}
Talk to your pharmacist before you take other medicines with these tablets.

- Tell them about every medicine you take.
- Tell them if you are pregnant.

::: plain
Ask your pharmacist first.
:::
:::

Keep the tablets in a cool, dry place.

## Moving about {#moving}

::: plain
Keep moving gently.
:::

Gentle walks help your back heal. Rest when it hurts.

::: {.disclaimer #not-a-cure}
Walking is not a cure for back pain. It eases the pain for some people.

::: plain
Walking is not a cure.
:::
:::
"""
FIRST_VERSION = LEAFLET.replace("with a meal or a snack.", "with a meal.")
OTHER = LEAFLET.replace("id: leaflet", "id: other").replace(
    "title: Looking After Your Back", "title: Caring For Your Neck"
)
ANN = "Ann Okafor"
BYSTANDER = {
    # A change to the other disclaimer in the same review: approving one id leaves it held.
    "ask-first": ("Walking is not a cure.", "not a cure", "no cure"),
    "not-a-cure": ("Ask your pharmacist first.", "first", "before you start"),
}


@dataclass(frozen=True)
class Route:
    """A way a review could touch disclaimer `target`: `review` makes it in the DOCX."""

    target: str
    review: Callable[[WordReview], None]
    approved: tuple[tuple[str, str], ...]
    """What the source says once the change is approved: (old, new) in LEAFLET, each once.
    Empty: the change cannot be applied even when approved (it would break a rule)."""
    docx: str = "current"
    """Which DOCX is reviewed: "current", "first" (of the first version) or "other" (of
    another document, relabelled as this one)."""
    base: Callable[[bytes], bytes] | None = None
    """Doctors the source the DOCX carries (its sha256 made to match)."""
    applied: tuple[tuple[str, str], ...] = ()
    """Changes applied without approval: the review's edits outside approved wording."""
    held: bool = True


def _restyle_and_replace(
    review: WordReview, paragraph: str, style: str, change: tuple[str, str]
) -> None:
    """The paragraph's style changed, then a phrase in it replaced, both tracked."""
    review.restyle(paragraph, style, ANN)
    review.replace(paragraph, *change, ANN)


def _delete_paragraphs(review: WordReview, *paragraphs: str) -> None:
    for paragraph in paragraphs:
        review.delete_paragraph(paragraph, ANN)


ROUTES = {
    "tracked replace": Route(
        "ask-first",
        lambda r: r.replace("Talk to your pharmacist", "other medicines", "herbal remedies", ANN),
        (("take other medicines with", "take herbal remedies with"),),
    ),
    "tracked insert": Route(
        "not-a-cure",
        lambda r: r.insert("for back pain", "for back pain", " or neck pain", ANN),
        (("cure for back pain.", "cure for back pain or neck pain."),),
    ),
    "tracked delete": Route(
        "not-a-cure",
        lambda r: r.delete("for back pain", " It eases the pain for some people.", ANN),
        (("back pain. It eases the pain for some people.\n", "back pain.\n"),),
    ),
    "paragraph deleted": Route(
        "ask-first",
        lambda r: r.delete_paragraph("Talk to your pharmacist", ANN),
        (("Talk to your pharmacist before you take other medicines with these tablets.\n", ""),),
    ),
    "moved out": Route(
        "not-a-cure",
        lambda r: r.move(
            "for back pain", " It eases the pain for some people.", "Gentle walks", ANN
        ),
        (
            ("Rest when it hurts.\n", "Rest when it hurts. It eases the pain for some people.\n"),
            ("back pain. It eases the pain for some people.\n", "back pain.\n"),
        ),
    ),
    "moved in": Route(
        "not-a-cure",
        lambda r: r.move("Gentle walks", " Rest when it hurts.", "for back pain", ANN),
        (
            ("help your back heal. Rest when it hurts.\n", "help your back heal.\n"),
            ("for some people.\n", "for some people. Rest when it hurts.\n"),
        ),
    ),
    "new list item": Route(
        "ask-first",
        lambda r: r.add_paragraph(
            "Tell them if you are pregnant.", "It is a guaranteed cure for everyone.", ANN
        ),
        (("you are pregnant.\n", "you are pregnant.\n- It is a guaranteed cure for everyone.\n"),),
    ),
    "new paragraph after the last one": Route(
        "not-a-cure",
        lambda r: r.add_paragraph("for back pain", "Walking cures everyone.", ANN),
        (("for some people.\n", "for some people.\n\nWalking cures everyone.\n"),),
    ),
    "Enter in the middle": Route(
        "not-a-cure",
        lambda r: r.split_paragraph("for back pain", "It eases the pain for some people.", ANN),
        (("back pain. It eases", "back pain.\n\nIt eases"),),
    ),
    "style changed from the disclaimer style": Route(
        "ask-first",
        lambda r: _restyle_and_replace(
            r, "Talk to your pharmacist", "BodyText", ("Talk to", "Speak with")
        ),
        (("Talk to your pharmacist before", "Speak with your pharmacist before"),),
    ),
    "style changed to the disclaimer style": Route(
        # The paragraph after the disclaimer dressed as one: still body text in the source,
        # and in every output outside the disclaimer's box; its edit is applied as such.
        "ask-first",
        lambda r: _restyle_and_replace(
            r, "Keep the tablets in a cool", "Disclaimer", ("a cool, dry place", "a locked box")
        ),
        (),
        applied=(("in a cool, dry place.", "in a locked box."),),
        held=False,
    ),
    "untracked edit": Route(
        "ask-first",
        lambda r: r.untracked_replace("Talk to your pharmacist", "other medicines", "any medicine"),
        (("take other medicines with", "take any medicine with"),),
    ),
    "edit of the plain wording": Route(
        "ask-first",
        lambda r: r.replace("Ask your pharmacist first.", "first", "before you start", ANN),
        (("Ask your pharmacist first.", "Ask your pharmacist before you start."),),
    ),
    "whole disclaimer deleted": Route(
        "not-a-cure",
        lambda r: _delete_paragraphs(r, "for back pain", "Walking is not a cure."),
        (),
    ),
    "doctored base": Route(
        "ask-first",
        lambda r: r.replace(
            "Talk to your pharmacist",
            "Talk to your pharmacist before",
            "You need not ask anyone before",
            ANN,
        ),
        (("Talk to your pharmacist before", "You need not ask anyone before"),),
        base=lambda data: data.replace(b"{.disclaimer #ask-first}", b"{.note #ask-first}"),
    ),
    "base from another document": Route(
        "not-a-cure",
        lambda r: r.replace("for back pain", "not a cure", "a cure", ANN),
        (("Walking is not a cure for back pain.", "Walking is a cure for back pain."),),
        docx="other",
    ),
    "base of an older real version": Route(
        "ask-first",
        lambda r: r.replace("Talk to your pharmacist", "other medicines", "herbal remedies", ANN),
        (("take other medicines with", "take herbal remedies with"),),
        docx="first",
    ),
}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project that built and published the leaflet's first version, then its second
    (the source today), and another document; beside it, each one's DOCX."""
    root = tmp_path_factory.mktemp("published")
    project = new_project(root / "project", FIRST_VERSION)
    assert not build(project, Options(docs=("leaflet",), formats=("docx",))).failed
    shutil.copy(project.output_dir / "leaflet" / "leaflet.docx", root / "first.docx")
    (project.source_dir / "leaflet.md").write_text(LEAFLET, encoding="utf-8")
    (project.source_dir / "other.md").write_text(OTHER, encoding="utf-8")
    assert not build(project, Options(formats=("docx",))).failed
    shutil.copy(project.output_dir / "leaflet" / "leaflet.docx", root / "current.docx")
    shutil.copy(project.output_dir / "other" / "other.docx", root / "other.docx")
    relabel(root / "other.docx", "other", "leaflet")
    return root


def new_project(folder: Path, text: str = LEAFLET) -> Project:
    (folder / "source").mkdir(parents=True)
    shutil.copytree(ROOT / "styles", folder / "styles")
    (folder / "source" / "leaflet.md").write_text(text, encoding="utf-8")
    return Project.at(folder)


def copy_of(published: Path, folder: Path) -> Project:
    """The published project as it is today, with the versions its build kept."""
    shutil.copytree(published / "project", folder, ignore=shutil.ignore_patterns("output"))
    return Project.at(folder)


def rewrite_base(docx: Path, change: Callable[[etree._Element, bytes], bytes]) -> None:
    """The DOCX with the source it carries changed by `change` (given the part's root and
    the source's bytes, it returns the new bytes), its sha256 made to match."""
    with zipfile.ZipFile(docx) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    for name, data in parts.items():
        if name.startswith("customXml/") and f'<source xmlns="{NAMESPACE}"'.encode() in data:
            root = etree.fromstring(data)
            new = change(root, base64.b64decode(root.text or ""))
            root.text = base64.b64encode(new).decode()
            root.set("sha256", hashlib.sha256(new).hexdigest())
            parts[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def doctor(docx: Path, transform: Callable[[bytes], bytes]) -> None:
    rewrite_base(docx, lambda _root, data: transform(data))


def relabel(docx: Path, old: str, new: str) -> None:
    """A DOCX of document `old` made to claim it is of document `new`."""

    def claim(root: etree._Element, data: bytes) -> bytes:
        root.set("id", new)
        root.set("path", f"source/{new}.md")
        return data

    rewrite_base(docx, claim)
    with zipfile.ZipFile(docx) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    parts["docProps/custom.xml"] = parts["docProps/custom.xml"].replace(
        f">{old}<".encode(), f">{new}<".encode()
    )
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def replaced(text: str, changes: tuple[tuple[str, str], ...]) -> str:
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def boxes(text: str) -> dict[str, str]:
    return {box.id: box.text for box in guard.boxes(units.read(text))}


def held_line(ident: str) -> str:
    return f"  held back: disclaimer {ident} (approve with --approve-disclaimer {ident})"


def reviewed(published: Path, tmp_path: Path, route: Route) -> Path:
    docx = tmp_path / "reviewed.docx"
    shutil.copy(published / f"{route.docx}.docx", docx)
    with WordReview(docx) as review:
        route.review(review)
        review.replace(*BYSTANDER[route.target], ANN)
    if route.base is not None:
        doctor(docx, route.base)
    return docx


# -- the table of routes --------------------------------------------------------------------


@pytest.mark.parametrize("name", ROUTES)
def test_no_route_changes_a_disclaimer_without_approval(
    published: Path, tmp_path: Path, name: str
) -> None:
    route = ROUTES[name]
    bystander = next(ident for ident in BYSTANDER if ident != route.target)
    docx = reviewed(published, tmp_path, route)
    project = copy_of(published, tmp_path / "project")
    path = project.source_dir / "leaflet.md"

    outcome = ingest(project, docx, apply=True)
    assert outcome.exit_code == 1
    assert (held_line(route.target) in outcome.lines) == route.held, outcome.lines
    assert held_line(bystander) in outcome.lines
    text = path.read_text(encoding="utf-8")
    assert text == replaced(LEAFLET, route.applied)
    assert boxes(text) == boxes(LEAFLET), "every disclaimer as it was, byte for byte"
    report = outcome.review.read_text()
    if route.held:
        assert f"### Disclaimer `{route.target}`" in report
        assert (
            f"`leaflet ingest reviewed.docx --apply --approve-disclaimer {route.target}`" in report
        )

    # Approved by its id: that change, and only it (the other disclaimer's stays held).
    project = copy_of(published, tmp_path / "approved")
    path = project.source_dir / "leaflet.md"
    outcome = ingest(project, docx, apply=True, approve=[route.target])
    assert held_line(route.target) not in outcome.lines
    assert held_line(bystander) in outcome.lines
    if route.held and not route.approved:  # the approved change would break the rules
        assert outcome.findings.broken_rules and not outcome.findings.applied
    assert path.read_text(encoding="utf-8") == replaced(LEAFLET, route.applied + route.approved)


def test_the_table_reaches_every_route_the_issue_names() -> None:
    assert set(ROUTES) >= {
        "tracked replace", "tracked insert", "tracked delete", "moved out", "moved in",
        "new list item", "new paragraph after the last one", "Enter in the middle",
        "style changed from the disclaimer style", "style changed to the disclaimer style",
        "untracked edit", "edit of the plain wording", "doctored base",
        "base from another document", "base of an older real version",
    }  # fmt: skip


# -- whose copy of the source ingest believes ---------------------------------------------------


def test_the_build_keeps_each_version_it_publishes_outside_output(published: Path) -> None:
    kept = sources.folder(Project.at(published / "project"), "leaflet")
    assert sorted(p.read_text(encoding="utf-8") for p in kept.iterdir()) == sorted(
        [FIRST_VERSION, LEAFLET]
    )
    assert not kept.is_relative_to(published / "project" / "output")
    for path in kept.iterdir():
        assert path.name == hashlib.sha256(path.read_bytes()).hexdigest() + ".md"


def test_a_base_is_believed_only_when_the_project_kept_the_same_bytes(
    published: Path, tmp_path: Path
) -> None:
    project = copy_of(published, tmp_path / "project")
    assert trust.vouch(project, "leaflet", LEAFLET.encode()).startswith(
        "a version the build published"
    )
    assert trust.vouch(project, "leaflet", FIRST_VERSION.encode())
    assert trust.vouch(project, "leaflet", (LEAFLET + "\n").encode()) == "", "one byte more"
    assert trust.vouch(project, "leaflet", OTHER.encode()) == "", "another document's"
    assert trust.vouch(project, "other", OTHER.encode())


def test_a_base_committed_to_git_is_believed_without_the_store(tmp_path: Path) -> None:
    project = new_project(tmp_path / "project", FIRST_VERSION)
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=project.root, check=True)
    subprocess.run([*git, "add", "source"], cwd=project.root, check=True)
    subprocess.run([*git, "commit", "-qm", "first"], cwd=project.root, check=True)
    path = project.source_dir / "leaflet.md"
    path.write_text(LEAFLET, encoding="utf-8")
    subprocess.run([*git, "commit", "-qam", "second"], cwd=project.root, check=True)
    assert trust.vouch(project, "leaflet", FIRST_VERSION.encode()).startswith(
        "a version committed to git (commit "
    )
    assert trust.vouch(project, "leaflet", LEAFLET.encode())
    assert trust.vouch(project, "leaflet", OTHER.encode()) == ""
    path.write_text(LEAFLET + "Not committed.\n", encoding="utf-8")
    assert trust.vouch(project, "leaflet", path.read_bytes()) == "", "a working copy is not"


def test_with_a_base_nobody_vouches_for_a_change_next_to_a_disclaimer_is_held(
    published: Path, tmp_path: Path
) -> None:
    """The DOCX's own copy of its source, believed only when the project kept it: here one
    byte is added to it, so every change in or next to a disclaimer waits for approval, and
    the report says why. A change far from any disclaimer is applied."""
    docx = tmp_path / "reviewed.docx"
    shutil.copy(published / "current.docx", docx)
    with WordReview(docx) as review:
        review.replace("Keep the tablets in a cool", "cool, dry", "cool and dry", ANN)
        review.replace("Keep moving gently.", "gently", "a little every day", ANN)
    doctor(docx, lambda data: data + b"\n")
    project = copy_of(published, tmp_path / "project")

    outcome = ingest(project, docx, apply=True)
    assert outcome.exit_code == 1
    assert held_line("ask-first") in outcome.lines
    assert (project.source_dir / "leaflet.md").read_text() == LEAFLET.replace(
        "Keep moving gently.", "Keep moving a little every day."
    )
    report = outcome.review.read_text()
    assert "**The source this DOCX carries could not be vouched for.**" in report
    assert "Its own lines stay as they are: the change is next to it" in report
    assert "### Changed: paragraph (next to disclaimer ask-first)" in report

    # The same review of the DOCX as the build made it: nothing is held.
    docx = tmp_path / "genuine.docx"
    shutil.copy(published / "current.docx", docx)
    with WordReview(docx) as review:
        review.replace("Keep the tablets in a cool", "cool, dry", "cool and dry", ANN)
    outcome = ingest(copy_of(published, tmp_path / "genuine"), docx, apply=True)
    assert outcome.exit_code == 0, outcome.lines
    assert "could not be vouched for" not in outcome.review.read_text()


def test_approval_names_a_disclaimer_of_the_source_today(published: Path, tmp_path: Path) -> None:
    """An id only a doctored base has cannot be approved (it names nothing the project
    holds)."""
    docx = tmp_path / "reviewed.docx"
    shutil.copy(published / "current.docx", docx)
    doctor(docx, lambda data: data.replace(b"#ask-first}", b"#made-up}"))
    project = copy_of(published, tmp_path / "project")
    with pytest.raises(IngestError, match="no such disclaimer"):
        ingest(project, docx, approve=["made-up"])


# -- what review.md says ----------------------------------------------------------------------


def test_review_md_names_each_held_change_with_id_before_after_who_when_and_flag(
    published: Path, tmp_path: Path
) -> None:
    docx = tmp_path / "r.docx"
    shutil.copy(published / "current.docx", docx)
    with WordReview(docx) as review:
        review.replace("Talk to your pharmacist", "other medicines", "herbal remedies", ANN)
        review.untracked_replace("for back pain", "for back pain", "for any pain")
    outcome = ingest(copy_of(published, tmp_path / "project"), docx)
    report = outcome.review.read_text()
    section = report[report.index("## Held back: changes to approved wording") :]
    first = section[section.index("### Disclaimer `ask-first`") :]
    assert first.startswith(
        "### Disclaimer `ask-first`\n\n"
        "- Approve with `--approve-disclaimer ask-first`:\n"
        "  `leaflet ingest r.docx --apply --approve-disclaimer ask-first`\n"
        "- A change: Ann Okafor, 2026-11-20 09:30: replaced “other medicines” with "
        "“herbal remedies”\n"
        "- Before and after, in the source:\n"
    )
    assert (
        "  -Talk to your pharmacist before you take other medicines with these tablets.\n"
        "  +Talk to your pharmacist before you take herbal remedies with these tablets.\n"
    ) in first
    second = section[section.index("### Disclaimer `not-a-cure`") :]
    assert "- A change: made with Track Changes off: no name or date on it" in second
    assert "  +Walking is not a cure for any pain. It eases the pain for some people." in second
    assert "a version the build published (kept as build/sources/leaflet/" in report


# -- the guard on the result ------------------------------------------------------------------


def test_the_result_is_guarded_when_an_edits_own_check_misses(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard on the result (the merged source's disclaimers against today's) holds an
    edit that the check of each edit on its own did not see."""
    docx = tmp_path / "reviewed.docx"
    shutil.copy(published / "current.docx", docx)
    with WordReview(docx) as review:
        review.replace("Talk to your pharmacist", "other medicines", "herbal remedies", ANN)
        review.replace("Keep moving gently.", "gently", "a little every day", ANN)
    monkeypatch.setattr(run, "_touched", lambda *args: set())  # each edit's own check
    project = copy_of(published, tmp_path / "project")
    outcome = ingest(project, docx, apply=True)
    assert held_line("ask-first") in outcome.lines
    assert (project.source_dir / "leaflet.md").read_text() == LEAFLET.replace(
        "Keep moving gently.", "Keep moving a little every day."
    )


def test_the_result_is_guarded_as_pandoc_reads_it_where_its_lines_check_misses(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The merged source's disclaimers as pandoc reads them are compared too (a footnote or
    a link reference defined outside a disclaimer's lines is part of what it says): with the
    check of the lines blind, the reading still holds the change back."""
    docx = tmp_path / "reviewed.docx"
    shutil.copy(published / "current.docx", docx)
    with WordReview(docx) as review:
        review.replace("Talk to your pharmacist", "other medicines", "herbal remedies", ANN)
        review.replace("Keep moving gently.", "gently", "a little every day", ANN)
    monkeypatch.setattr(guard, "changed_boxes", lambda *args, **kwargs: set())
    project = copy_of(published, tmp_path / "project")
    outcome = ingest(project, docx, apply=True)
    assert held_line("ask-first") in outcome.lines
    assert (project.source_dir / "leaflet.md").read_text() == LEAFLET.replace(
        "Keep moving gently.", "Keep moving a little every day."
    )


def test_pandoc_reading_a_disclaimer_differently_is_a_change_to_it() -> None:
    """A footnote a disclaimer uses, defined outside its lines: changing the note changes
    what the disclaimer says, though none of its lines changed."""
    ours = LEAFLET.replace("for some people.\n", "for some people.[^1]\n") + (
        "\n[^1]: For most people, it helps.\n"
    )
    theirs = ours.replace("For most people, it helps.", "For everyone, it cures.")
    assert boxes(ours) == boxes(theirs)
    assert guard.read_differently(ours, theirs) == {"not-a-cure"}
    assert guard.read_differently(ours, ours) == set()
    moved = ours.replace("::: {.disclaimer #not-a-cure}", "::: {.disclaimer #not-a-cure lang=fr}")
    assert guard.read_differently(ours, moved) == {"not-a-cure"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: t.replace("#not-a-cure}", "#not-a-cure .skip-link}"), {"not-a-cure"}),
        (lambda t: t.replace("{.disclaimer #ask-first}", "{.note #ask-first}"), {"ask-first"}),
        (lambda t: t.replace("#ask-first}", "#ask-later}"), {"ask-first", "ask-later"}),
        (
            lambda t: t.replace(
                "Walking is not a cure.\n:::\n:::\n", "Walking is not a cure.\n:::\n"
            ),
            {"not-a-cure"},
        ),
        (lambda t: t.replace("## Moving about {#moving}\n", ""), {"not-a-cure"}),
        (lambda t: t.replace("Rest when it hurts.\n", "Rest when it hurts.\n\nNew.\n"), set()),
    ],
    ids=["class", "fence", "id", "closing fence", "section", "a paragraph elsewhere"],
)
def test_a_disclaimers_structure_section_and_existence_are_its_own(
    change: Callable[[str], str], expected: set[str]
) -> None:
    ours = units.read(LEAFLET)
    assert guard.changed_boxes(ours, units.read(change(LEAFLET)), borders=False) == expected


def test_order_among_disclaimers_is_guarded() -> None:
    first = LEAFLET[LEAFLET.index("::: {.disclaimer #ask-first}") : LEAFLET.index("\nKeep the")]
    second = LEAFLET[LEAFLET.index("::: {.disclaimer #not-a-cure}") :]
    swapped = LEAFLET.replace(first, "@@").replace(second, first).replace("@@", second.rstrip("\n"))
    assert guard.changed_boxes(units.read(LEAFLET), units.read(swapped), False) >= {"ask-first"}


# -- the findings, end to end -------------------------------------------------------------------


def test_a_doctored_base_cannot_rewrite_the_articles_disclaimer(tmp_path: Path) -> None:
    """Finding 1: the embedded copy renames the disclaimer's class, its sha256 recomputed,
    and a tracked replacement rewrites its wording. Held back; the source, and every output
    built from it after the review's other edit is applied, keep the approved wording."""
    project = article_project(tmp_path / "project")
    assert not build(project, Options(docs=(ARTICLE_ID,))).failed
    folder = project.output_dir / ARTICLE_ID
    docx = tmp_path / "r.docx"
    shutil.copy(folder / f"{ARTICLE_ID}.docx", docx)
    approved = (
        "is not a guaranteed cure nor does it promise to fully reverse the degenerative process"
    )
    forged = "is a proven cure that fully reverses the degenerative process"
    with WordReview(docx) as review:
        review.replace("Not a Guaranteed Cure:", approved, forged, "Mallory")
        review.replace("Pain can be mild or severe.", "severe", "very bad", "Mallory")
    doctor(docx, lambda data: data.replace(b"{.disclaimer #not-a-cure}", b"{.note #not-a-cure}"))

    outcome = ingest(project, docx, apply=True)
    assert outcome.exit_code == 1
    assert held_line("not-a-cure") in outcome.lines
    source = (project.source_dir / f"{ARTICLE_ID}.md").read_text()
    assert source == ARTICLE.replace("Pain can be mild or severe.", "Pain can be mild or very bad.")
    report = outcome.review.read_text()
    assert "could not be vouched for" in report
    assert "### Changed: paragraph (in disclaimer not-a-cure)" in report

    assert not build(project, Options(docs=(ARTICLE_ID,))).failed
    outputs = json.loads((folder / "manifest.json").read_text())["outputs"]
    assert len(outputs) == 6
    for kind, entry in outputs.items():
        found = normalise(text_of(folder / entry["path"]))
        assert normalise("Pain can be mild or very bad.") in found, f"{kind} was rebuilt"
        if kind.startswith("onepager"):
            assert normalise("This is not a sure cure.") in found, kind
        else:
            assert normalise(approved) in found, kind
            assert normalise(forged) not in found, kind


def test_a_new_bullet_in_a_disclaimer_waits_for_approval_then_reaches_every_output(
    published: Path, tmp_path: Path
) -> None:
    """Finding 2: Enter after a disclaimer's last bullet, and a sentence typed there. Held
    back (the build keeps the approved wording in every output); approved, it is in all."""
    docx = tmp_path / "r.docx"
    shutil.copy(published / "current.docx", docx)
    sentence = "It is a guaranteed cure for everyone."
    with WordReview(docx) as review:
        review.add_paragraph("Tell them if you are pregnant.", sentence, ANN)
        review.replace("Keep moving gently.", "gently", "a little every day", ANN)
    project = copy_of(published, tmp_path / "project")
    outcome = ingest(project, docx, apply=True)
    assert outcome.exit_code == 1 and held_line("ask-first") in outcome.lines
    folder = project.output_dir / "leaflet"

    def every_output() -> dict[str, str]:
        report = build(project, Options(docs=("leaflet",)))
        assert not report.failed, report.lines
        outputs = json.loads((folder / "manifest.json").read_text())["outputs"]
        assert len(outputs) == 6
        return {kind: normalise(text_of(folder / e["path"])) for kind, e in outputs.items()}

    for kind, found in every_output().items():
        assert normalise("Keep moving a little every day.") in found, kind
        assert normalise(sentence) not in found, kind

    outcome = ingest(project, docx, apply=True, approve=["ask-first"])
    assert outcome.exit_code == 0, outcome.lines
    for kind, found in every_output().items():
        if not kind.startswith("onepager"):  # the one-pagers carry the plain wording
            assert normalise(sentence) in found, kind


def test_an_approved_change_cannot_bring_an_invisible_character(
    published: Path, tmp_path: Path
) -> None:
    """Approved or not, what ingest would write into approved wording keeps its rules: a
    right-to-left override typed into a disclaimer leaves the source as it is, with the
    line and the fix."""
    docx = tmp_path / "r.docx"
    shutil.copy(published / "current.docx", docx)
    with WordReview(docx) as review:
        review.replace("Ask your pharmacist first.", "first", "\u202etsrif\u202c", ANN)
    project = copy_of(published, tmp_path / "project")
    outcome = ingest(project, docx, apply=True, approve=["ask-first"])
    assert outcome.exit_code == 1
    assert (project.source_dir / "leaflet.md").read_text() == LEAFLET
    line = LEAFLET.splitlines().index("Ask your pharmacist first.") + 1
    assert (
        f'source/leaflet.md:{line}: disclaimer "ask-first" holds the invisible character '
        "U+202E (RIGHT-TO-LEFT OVERRIDE)"
    ) in "\n".join(outcome.findings.broken_rules)
    report = outcome.review.read_text()
    assert "approved with `--approve-disclaimer ask-first`" in report
    assert "## Not applied" in report
