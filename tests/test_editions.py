"""One document, one edition: a new edition is published whole or not at all; the last good
edition stays byte for byte, and the landing page, the manifest and the build say the current
source failed, why, and which edition readers get. Plain means every plain part: both
one-pagers are gated, each part against the ceiling, the page against the target. A brand
that still holds a placeholder is named at every build, and fails a strict one."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from lxml import html as lxml_html

from pipeline.brand import load_brand
from pipeline.builder import Options, Project, build
from pipeline.formats import FORMATS
from pipeline.placeholders import placeholders
from tests.test_build import make_project, manifest_of, run_invoke, snapshot, without_manifest
from tests.test_source import GOOD, line_of

HARD = (
    "Mesenchymal stromal cell administration represents an investigational regenerative "
    "methodology necessitating comprehensive multidisciplinary evaluation."
)
"""Test text: one sentence at about grade 33 (Flesch-Kincaid)."""
TOO_LONG = "Rest can help you. " * 260
"""Test text: far more than one page holds at the smallest type."""
EDITS: dict[str, tuple[Callable[[str], str], str]] = {
    "a plain summary too hard to read": (
        lambda text: text.replace("Your back may hurt.", HARD),
        "above the ceiling of grade 8 for any part",
    ),
    "a one-pager that runs over its page": (
        lambda text: text.replace("Your back may hurt.", TOO_LONG),
        "the plain text does not fit on one Letter page",
    ),
}


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small document, built and published in every format."""
    root = tmp_path_factory.mktemp("edition")
    report = build(make_project(root, {"sample": GOOD}))
    assert not report.failed, report.lines
    return root


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edit_that_fails_keeps_the_last_good_edition_and_says_so(
    good: Path, tmp_path: Path, edit: str
) -> None:
    shutil.copytree(good, tmp_path / "project", symlinks=True)
    project = Project.at(tmp_path / "project")
    published = project.output_dir / "sample"
    before, edition = snapshot(published), manifest_of(project, "sample")
    change, why = EDITS[edit]
    source = project.source_dir / "sample.md"
    source.write_text(change(GOOD).replace("Pain can vary widely.", "Pain can vary a lot."))

    report = build(project)

    assert report.failed
    assert any(why in line for line in report.lines), report.lines
    # Every published file, byte for byte: the body edit reached no format.
    assert without_manifest(snapshot(published)) == without_manifest(before)
    manifest = manifest_of(project, "sample")
    for key in ("source_sha256", "last_reviewed", "review_due", "verification"):
        assert manifest[key] == edition[key], key
    fields = ("path", "sha256", "files", "key", "verified", "source_sha256")
    for kind, entry in manifest["outputs"].items():
        assert {f: entry[f] for f in fields} == {f: edition["outputs"][kind][f] for f in fields}
        assert entry["stale"] is True, kind
    failed = manifest["rejected"]
    assert failed["source_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert failed["formats"] == ["onepager_pdf", "onepager_html"]
    assert failed["kept_in"] == "build/rejected/sample"
    assert any(why in line for line in failed["problems"])
    said = f"last good edition (last reviewed 2026-01, source {edition['source_sha256'][:12]})"
    assert any("NOT published" in line and said in line for line in report.lines)
    assert report.documents["sample"].rejected == "build/rejected/sample"
    states = {kind: o.state for (_, kind), o in report.outcomes.items()}
    assert states == {
        kind: "failed" if FORMATS[kind].scope == "plain" else "held back" for kind in FORMATS
    }
    assert report.files() == 0, "no file of the edition reached readers"

    # The landing page: the edition readers get verified, the current source failed, why.
    page = lxml_html.fromstring((project.output_dir / "index.html").read_bytes())
    verified = page.xpath("//dt[.='Verified']/following-sibling::dd[1]")[0].text_content()
    assert verified == "yes: every section and disclaimer, in every format, in the edition " + (
        "readers get"
    )
    (current,) = page.xpath("//dt[.='Current source']/following-sibling::dd[1]")
    text = " ".join(current.text_content().split())
    # One problem once, after both one-pagers it is found in.
    assert text.startswith(
        "FAILED, so its new edition is not published: onepager_pdf, onepager_html: "
    )
    assert text.count(why) == 1
    assert why in text
    readers_get = edition["source_sha256"][:12]
    assert text.endswith(
        f"Readers get the last good edition: last reviewed 2026-01, source {readers_get}."
    )
    assert not page.xpath("//dt[.='Not current']")

    # The rejected edition, whole: every format, the one-pagers as they came out.
    rejected = project.rejected_dir / "sample"
    kept = json.loads((rejected / "manifest.json").read_text())
    assert set(kept["outputs"]) == set(FORMATS)
    for kind, entry in kept["outputs"].items():
        assert (rejected / entry["path"]).is_file(), kind
        assert entry["verified"] is (FORMATS[kind].scope == "full"), kind
    assert "Pain can vary a lot." in (rejected / kept["outputs"]["html"]["path"]).read_text()
    if "runs over" in edit:
        with pikepdf.open(rejected / kept["outputs"]["onepager_pdf"]["path"]) as pdf:
            assert len(pdf.pages) > 1, "at its tightest layout, running over"

    # Back to the published source: nothing to render, the edition is current again.
    source.write_text(GOOD)
    again = build(project)
    assert not again.failed, again.lines
    assert {o.state for o in again.outcomes.values()} == {"up to date"}
    assert "rejected" not in manifest_of(project, "sample")
    assert not rejected.exists()
    page = lxml_html.fromstring((project.output_dir / "index.html").read_bytes())
    assert not page.xpath("//dt[.='Current source']")


def test_a_one_pager_pdf_built_alone_is_gated(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": GOOD.replace("Your back may hurt.", HARD)})
    report = build(project, Options(formats=("onepager_pdf",)))
    assert report.failed
    where = f"source/sample.md:{line_of(GOOD, 'Your back may hurt.')}"
    assert any(
        line.startswith(f"sample: onepager_pdf: readability: {where}: the plain summary of ")
        for line in report.lines
    ), report.lines
    assert not (project.output_dir / "sample").exists()


def test_one_hard_summary_among_easy_ones_fails_naming_its_line(tmp_path: Path) -> None:
    """Ten easy summaries and one at grade 33: the page as a whole stays under its target,
    and the hard part alone fails, named by its file:line and its hardest sentence."""
    easy = "\n".join(
        f"## Step {n} {{#step-{n}}}\n\n::: plain\nRest a bit. Then walk a bit.\n:::\n\n"
        f"Take it slow on day {n}.\n"
        for n in range(1, 11)
    )
    hard = f"## Why {{#why}}\n\n::: plain\nWe help you heal.\n{HARD}\n:::\n\nMore text.\n"
    text = GOOD.split("## Symptoms")[0] + easy + "\n" + hard
    project = make_project(tmp_path, {"sample": text})
    report = build(project, Options(formats=("onepager_html",)))
    assert report.failed
    failures = [line for line in report.lines if "readability:" in line]
    # The grades are textstat's (their syllable counts follow its hyphenation dictionary);
    # what the writer is told around them is the pipeline's.
    assert len(failures) == 1
    said = re.fullmatch(
        re.escape(
            f"sample: onepager_html: readability: source/sample.md:{line_of(text, HARD)}: the "
            'plain summary of section "why" reads at grade '
        )
        + r"([\d.]+)"
        + re.escape(
            " (Flesch-Kincaid), above the ceiling of grade 8 for any part ([readability] "
            f'onepager-max-grade in styles/brand.toml); its hardest sentence: "{HARD}" (grade '
        )
        + r"([\d.]+)"
        + re.escape("); shorten its sentences and words"),
        failures[0],
    )
    assert said, failures[0]
    part, sentence = float(said.group(1)), float(said.group(2))
    assert 8 < part < sentence, "the part over the ceiling, its hardest sentence harder still"
    notes = [line for line in report.lines if "reading level" in line]
    graded = re.search(r"one-pager FK grade ([\d.]+)", notes[0])
    assert graded, notes[0]
    grade = float(graded.group(1))
    assert grade <= 6, "the page as a whole is under its target: only the part fails"


def test_check_estimates_the_reading_gate_from_the_source(tmp_path: Path) -> None:
    make_project(tmp_path, {"sample": GOOD.replace("Your back may hurt.", HARD)})
    result = run_invoke(tmp_path, "check")
    assert result.returncode == 0, "a warning: the build decides"
    where = f"source/sample.md:{line_of(GOOD, 'Your back may hurt.')}"
    assert (
        f"sample: likely to fail the one-pagers' reading gate: {where}: the plain summary of "
        'section "symptoms" reads at grade '
    ) in result.stderr
    assert HARD in result.stderr


# -- placeholders ------------------------------------------------------------------------------

SAMPLE_BRAND = """\
[organisation]
# PLACEHOLDER: the sample's name.
name = "Riverbend Health"
department = "Patient Education"
contact = "Call 555-0100 or write to patient.education@example.org."

[colors.primary]
srgb = "#0B4F6C"   # a colour, not a comment
# PLACEHOLDER: a mark a blank line ends.

[onepager]
article-url = "https://leaflets.riverbend.test/{id}/"
other = "https://www.real-hospital.org/{id}/"  # PLACEHOLDER: still to confirm
"""


@pytest.mark.fast
def test_each_placeholder_is_named_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "brand.toml").write_text(SAMPLE_BRAND)
    brand = load_brand(Path(__file__).resolve().parent.parent / "styles")
    found = placeholders(type(brand)(tmp_path, brand.tokens, brand.colours))
    assert [(p.line, p.table, p.key, p.why.split(":")[0]) for p in found] == [
        (3, "organisation", "name", "is marked PLACEHOLDER"),
        (5, "organisation", "contact", 'holds "example.org", an address reserved for examples'),
        (5, "organisation", "contact", 'holds "555-0100", a telephone number reserved for fiction'),
        (
            12,
            "onepager",
            "article-url",
            'holds "leaflets.riverbend.test", an address reserved for examples',
        ),
        (13, "onepager", "other", "is marked PLACEHOLDER"),
    ]
    assert str(found[0]) == (
        f'{tmp_path / "brand.toml"}:3: [organisation] name = "Riverbend Health" is marked '
        "PLACEHOLDER: replace it with your organisation's own, and delete the mark"
    )


def test_placeholders_warn_at_every_build_and_fail_a_strict_one(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    toml = project.styles_dir / "brand.toml"
    text = toml.read_text()
    contact = 'contact = "Ask your care team, or call the clinic that gave you this leaflet."'
    assert contact in text
    toml.write_text(text.replace(contact, 'contact = "Call us on (555) 555-0123."'))
    named = [
        (line_of(toml.read_text(), 'name = "Riverbend Health"'), "name"),
        (line_of(toml.read_text(), "logo = "), "logo"),
        (line_of(toml.read_text(), "contact = "), "contact"),
        (line_of(toml.read_text(), "address = "), "address"),
        (line_of(toml.read_text(), "phone = "), "phone"),
        (line_of(toml.read_text(), "web = "), "web"),
        # the print shop's order details the sample brand cannot know ([print])
        (line_of(toml.read_text(), "quantity = "), "quantity"),
        (line_of(toml.read_text(), "delivery = "), "delivery"),
        (line_of(toml.read_text(), 'contact = "PLACEHOLDER'), "contact"),
        (line_of(toml.read_text(), "purchase-order = "), "purchase-order"),
    ]
    expected = [rf"^styles/brand.toml:{line}: \[\w+\] {key} = " for line, key in named]

    for _ in range(2):  # every build, also one with nothing to do
        report = build(project, Options(formats=("html",)))
        assert not report.failed
        warned = [m.text for m in report.messages if m.level == "warning"]
        assert len(warned) == len(expected), warned
        for pattern, line in zip(expected, warned, strict=True):
            assert re.match(pattern, line), (pattern, line)

    result = run_invoke(tmp_path, "build", "--strict", "--formats", "html")
    assert result.returncode == 1
    refused = [line for line in result.stderr.splitlines() if line.startswith("styles/")]
    assert len(refused) == len(expected), result.stderr
    assert all(line.endswith("(an error with --strict)") for line in refused)

    for (number, key), new in zip(
        named,
        (
            '"Lakeside Clinic"',
            '"images/logo.svg"',
            '"Call us."',
            '["2 Lake Road", "Lakeside"]',
            '"800 000 0000"',
            '"https://leaflets.lakeside-clinic.org/"',
            '"2500"',
            '"Lakeside Clinic, 1 Lake Road, by March 1"',
            '"A. Buyer, (608) 262-1234"',
            '"PO-2026-001"',
        ),
        strict=True,
    ):
        lines = toml.read_text().split("\n")
        lines[number - 1] = f"{key} = {new}"
        toml.write_text("\n".join(lines))
    toml.write_text(toml.read_text().replace("PLACEHOLDER", "Replaced"))
    report = build(project, Options(formats=("html",), placeholders="error"))
    assert not report.failed and not [m for m in report.messages if m.level == "warning"]
