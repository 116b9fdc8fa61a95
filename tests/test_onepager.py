"""The plain-language one-pager: exactly one page, every plain summary and plain disclaimer
wording in order, a next step, and the same browser checks as the article page."""

from __future__ import annotations

import collections
import dataclasses
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from pipeline.brand import length_mm, load_brand
from pipeline.builder import Options, build
from pipeline.formats import onepager, render_alone, weasy
from pipeline.formats.htmlview import article_view
from pipeline.model import Disclaimer, Document
from pipeline.source import load
from pipeline.text import paragraphs
from tests.browser import (
    axe_violations,
    chromium,
    describe_violations,
    horizontal_overflow,
    open_page,
)
from tests.conftest import ROOT, Built
from tests.test_build import make_project
from tests.test_source import GOOD, line_of

BRAND = load_brand(ROOT / "styles")


def char_sizes(pdf_path: Path) -> collections.Counter[float]:
    with pdfplumber.open(pdf_path) as pdf:
        return collections.Counter(round(char["size"], 1) for char in pdf.pages[0].chars)


# -- the real article ------------------------------------------------------------------------


def test_the_pdf_is_exactly_one_brand_page(built: Built) -> None:
    with pikepdf.open(built.path("onepager_pdf")) as pdf:
        assert len(pdf.pages) == 1
        width, height = (float(v) for v in pdf.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (612, 792)  # US Letter, the brand's size
    sizes = char_sizes(built.path("onepager_pdf"))
    body = sizes.most_common(1)[0][0]
    assert body >= 11, f"body type {body} pt: readable at arm's length needs 11 pt or more"
    assert min(sizes) >= 10, f"text at {min(sizes)} pt: nothing may be below 10 pt"


def test_the_pdf_uses_the_brand_font(built: Built) -> None:
    with pdfplumber.open(built.path("onepager_pdf")) as pdf:
        fonts = {char["fontname"].split("+")[-1] for char in pdf.pages[0].chars}
    assert fonts and all(font.startswith("Atkinson-Hyperlegible") for font in fonts), fonts


@pytest.mark.parametrize("kind", ["onepager_pdf", "onepager_html"])
def test_both_carry_title_next_step_organisation_date_and_full_article(
    built: Built, kind: str
) -> None:
    text = " ".join(extract_all(built.path(kind)).split())
    doc = built.doc
    assert doc.title in text
    # The label is set in capitals on paper (text-transform), so compare without case.
    assert "what to do next" in text.casefold()
    next_step = " ".join(paragraphs(doc.sections[-1].plain)).casefold()
    after_label = text.casefold().split("what to do next", 1)[1]
    assert next_step in after_label, "the next step is the source's last section"
    assert BRAND.organisation["contact"] in text
    assert BRAND.organisation["name"] in text
    assert f"Last reviewed {doc.last_reviewed.human}" in text
    assert onepager.article_url(doc, BRAND) in text.replace(" ", "")


def extract_all(path: Path) -> str:
    """All the text of the one-pager, header and footer included (not only <main>)."""
    if path.suffix == ".pdf":
        with pdfplumber.open(path) as pdf:
            return "\n".join(page.extract_text() for page in pdf.pages)
    return re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))


def test_the_html_links_to_the_article_page_beside_it(built: Built) -> None:
    page = built.path("onepager_html").read_text(encoding="utf-8")
    assert 'href="index.html"' in page
    assert (built.path("onepager_html").parent / "index.html").is_file()


def test_the_manifest_records_the_reading_level(built: Built) -> None:
    for kind in ("onepager_pdf", "onepager_html"):
        reading = built.manifest["outputs"][kind]["readability"]
        assert reading["passed"] is True
        assert reading["ceiling"] == BRAND.readability["onepager-max-grade"]
        assert reading["target"] == BRAND.readability["plain-target-grade"]
        assert 0 < reading["onepager"]["fk"] <= reading["target"]
        ids = [i for s in built.doc.sections for i in [s.id, *(d.id for d in s.disclaimers)]]
        assert [part["id"] for part in reading["parts"]] == ids
        assert all(part["fk"] <= reading["ceiling"] for part in reading["parts"])
    hardest = max(
        (built.manifest["outputs"][k]["readability"] for k in ("onepager_pdf", "onepager_html")),
        key=lambda reading: reading["onepager"]["fk"],
    )
    assert built.manifest["readability"] == hardest, "the landing page shows the hardest"


# -- verification and mutations --------------------------------------------------------------


def test_both_onepagers_verify(built: Built) -> None:
    assert built.manifest["verification"] == {"passed": True, "missing": []}
    assert {"onepager_pdf", "onepager_html"} <= set(built.manifest["outputs"])


def gaps_for(mutable: Built, kind: str) -> list[tuple[str, str]]:
    return [(gap["id"], gap["problem"]) for gap in mutable.verify() if gap["output"] == kind]


def test_a_plain_disclaimer_sentence_removed_from_the_html_is_caught(mutable: Built) -> None:
    page = mutable.path("onepager_html")
    html = page.read_text(encoding="utf-8")
    assert html.count("Experts are still studying this a lot.") == 1
    page.write_text(html.replace("Experts are still studying this a lot.", ""), encoding="utf-8")
    assert gaps_for(mutable, "onepager_html") == [("still-researched", "missing")]


def test_two_summaries_swapped_in_the_html_are_caught(mutable: Built) -> None:
    page = mutable.path("onepager_html")
    html = page.read_text(encoding="utf-8")
    first, second = (" ".join(paragraphs(s.plain)) for s in mutable.doc.sections[:2])
    swapped = html.replace(first, "\0").replace(second, first).replace("\0", second)
    page.write_text(swapped, encoding="utf-8")
    gaps = gaps_for(mutable, "onepager_html")
    assert len(gaps) == 1 and gaps[0][1] == "out of order"
    assert gaps[0][0] in {"overview", "spine"}


def render_pdf_of(doc: Document, into: Path, tmp_path: Path) -> None:
    """Render `doc` (a mutated model) and put its PDF in place of `into`."""
    out = tmp_path / "render"
    out.mkdir()
    shutil.copyfile(render_alone("onepager_pdf", doc, BRAND, out), into)


def test_a_pdf_without_a_plain_disclaimer_is_caught(mutable: Built, tmp_path: Path) -> None:
    doc = mutable.doc
    sections = list(doc.sections)
    last = sections[-1]
    body = tuple(
        i for i in last.body if not (isinstance(i, Disclaimer) and i.id == "consult-clinician")
    )
    sections[-1] = dataclasses.replace(last, body=body)
    render_pdf_of(
        dataclasses.replace(doc, sections=tuple(sections)), mutable.path("onepager_pdf"), tmp_path
    )
    assert gaps_for(mutable, "onepager_pdf") == [("consult-clinician", "missing")]


def test_two_summaries_swapped_in_the_pdf_are_caught(mutable: Built, tmp_path: Path) -> None:
    doc = mutable.doc
    first, second = doc.sections[1], doc.sections[2]
    sections = list(doc.sections)
    sections[1] = dataclasses.replace(first, plain=second.plain)
    sections[2] = dataclasses.replace(second, plain=first.plain)
    render_pdf_of(
        dataclasses.replace(doc, sections=tuple(sections)), mutable.path("onepager_pdf"), tmp_path
    )
    gaps = gaps_for(mutable, "onepager_pdf")
    assert len(gaps) == 1 and gaps[0][1] == "out of order"
    assert gaps[0][0] in {first.id, second.id}


# -- fitting and failing ---------------------------------------------------------------------
@pytest.mark.fast
def test_fits_tighten_spacing_first_then_type_never_below_10pt() -> None:
    fits = onepager.FITS
    sizes = [fit.font_size for fit in fits]
    assert sizes == sorted(sizes, reverse=True) and min(sizes) == 10
    first_smaller = sizes.index(next(s for s in sizes if s < sizes[0]))
    spacings = [fit.spacing for fit in fits[:first_smaller]]
    assert spacings == sorted(spacings, reverse=True) and len(set(spacings)) > 1
    assert len({fit.spacing for fit in fits[first_smaller:]}) == 1


def with_plain(summary: str) -> str:
    """The sample source with this plain summary for its first section."""
    assert "Your back may hurt." in GOOD
    return GOOD.replace("Your back may hurt.", summary)


def test_a_summary_too_long_for_one_page_fails_saying_by_how_much(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": with_plain("Rest can help you. " * 260)})
    report = build(project, Options(formats=("onepager_pdf",)))
    assert report.failed
    [line] = [line for line in report.lines if "does not fit" in line]
    assert line.startswith("sample: onepager_pdf: the plain text does not fit")
    assert re.search(r"runs \d+ mm over, about \d+ lines", line), line
    assert line.endswith(
        'shorten the longest plain texts ("symptoms" at source/sample.md:8, 1040 words)'
    ), line
    assert "Traceback" not in "\n".join(report.lines)
    assert not (project.output_dir / "sample" / "onepager.pdf").exists()
    # Kept for inspection as it came out: at the tightest layout, running over its page.
    kept = project.rejected_dir / "sample" / "onepager_pdf" / "onepager.pdf"
    with pikepdf.open(kept) as pdf:
        assert len(pdf.pages) == 2
    assert char_sizes(kept).most_common(1)[0][0] == onepager.SMALLEST


def test_too_many_sections_is_named_as_the_cause_not_the_longest_summary(
    tmp_path: Path,
) -> None:
    many = GOOD + "".join(
        f"\n## Part {n} {{#part-{n}}}\n\n::: plain\nRest, drink water and call us if it gets "
        "worse.\n:::\n\nMore text.\n"
        for n in range(40)
    )
    project = make_project(tmp_path, {"sample": many})
    report = build(project, Options(formats=("onepager_pdf",)))
    [line] = [line for line in report.lines if "does not fit" in line]
    assert re.search(
        r"it holds 42 sections and 1 plain disclaimer, \d+ words, the longest only \d+: too many "
        r"parts for one page, not one long one; merge sections or split the leaflet "
        r"\(source/sample\.md:8 onwards\)$",
        line,
    ), line


def test_the_overflow_it_names_is_the_overflow(tmp_path: Path) -> None:
    # A page as much taller as the message says holds the text (at the tightest fit); one
    # 2 mm less than that does not.
    project = make_project(tmp_path, {"sample": with_plain("Rest can help you. " * 260)})
    doc = load(project.source_dir / "sample.md", project.root)
    view = article_view(doc)
    html = onepager.page_html(doc, BRAND, view, on_paper=True)
    layout = onepager.make(doc, BRAND, view)
    found = re.search(r"runs (\d+) mm over", layout.overflow)
    assert found, layout.overflow
    over = int(found.group(1))

    def pages(taller_mm: int) -> int:
        height = f"{length_mm(BRAND.page_size[1]) + taller_mm}mm"
        css = onepager.stylesheet(BRAND, onepager.TIGHTEST, height)
        onepager.write_page(html, css, BRAND, view, tmp_path / "page")
        return len(weasy.fenced(html, tmp_path / "page", BRAND).render().pages)

    assert over > 10
    assert pages(over) == 1 and pages(over - 2) == 2


def test_a_longer_summary_tightens_the_type_but_stays_on_one_page(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": with_plain("Rest can help you. " * 180)})
    report = build(project, Options(formats=("onepager_pdf",)))
    assert not report.failed, report.lines
    path = project.output_dir / "sample" / "onepager.pdf"
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 1
    body = char_sizes(path).most_common(1)[0][0]
    assert 10 <= body < onepager.LARGEST


def test_a_hard_sentence_fails_the_reading_level_naming_summary_and_sentence(
    tmp_path: Path,
) -> None:
    hard = (
        "Intervertebral degeneration necessitates comprehensive multidisciplinary evaluation "
        "considering individual physiological characteristics and radiological documentation."
    )
    project = make_project(tmp_path, {"sample": with_plain(hard)})
    report = build(project, Options(formats=("onepager_html",)))
    assert report.failed
    failures = [line for line in report.lines if "reads at grade" in line]
    where = f"source/sample.md:{line_of(with_plain(hard), hard[:30])}"
    assert any(
        line.startswith(
            f"sample: onepager_html: readability: {where}: the plain summary of "
            'section "symptoms" reads at grade '
        )
        and "above the ceiling of grade 8" in line
        for line in failures
    ), report.lines
    assert any("must reach grade 6 or lower" in line for line in failures), report.lines
    for line in failures:
        assert 'section "symptoms"' in line and f'"{hard}" (grade ' in line and where in line
    assert any("NOT published" in line for line in report.lines)
    problems = [m.text for m in report.messages if m.level == "error"]
    assert not any("NOT published" in line for line in problems), "a consequence, not a problem"
    assert not (project.output_dir / "sample" / "onepager.html").exists()


# -- in a real browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.mark.parametrize(
    ("width", "dark"), [(1280, False), (320, False), (1280, True), (320, True)]
)
def test_axe_finds_nothing(built: Built, browser: Browser, width: int, dark: bool) -> None:
    page = open_page(browser, built.path("onepager_html"), width=width, dark=dark)
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    assert horizontal_overflow(page) == 0
    enhanced = Axe().run(
        page, options={"runOnly": {"type": "rule", "values": ["color-contrast-enhanced"]}}
    )
    assert enhanced.response["violations"] == [], "text contrast below 7:1"
    page.context.close()


def test_page_structure_focus_and_print(built: Built, browser: Browser, tmp_path: Path) -> None:
    page = open_page(browser, built.path("onepager_html"))
    assert page.get_attribute("html", "lang") == built.doc.lang
    assert page.locator("h1").count() == 1
    for landmark in ("banner", "main", "contentinfo"):
        assert page.get_by_role(landmark).count() == 1, landmark
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0, "the skip link shows when focused"
    link = page.locator('a[href="index.html"]')
    link.focus()
    outline = link.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline not in ("none", ""), "a focused link has a visible outline"
    printed = tmp_path / "printed.pdf"
    page.pdf(path=str(printed), prefer_css_page_size=True, print_background=True)
    with pikepdf.open(printed) as pdf:
        assert len(pdf.pages) == 1, "the HTML one-pager prints on one page too"
    page.context.close()
