"""Layout that holds for real documents: table rows never split across a column or a page
and header rows repeat where a table goes on (both PDFs); the brochure fills whole sheets
with at most one Notes page wherever spacing or type size can avoid more, and says why when
it cannot; its article is laid out once."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pytest
import weasyprint

from pipeline.brand import Brand, load_brand
from pipeline.checks import check_output
from pipeline.checks.preflight import preflight
from pipeline.formats.pdf import paged
from pipeline.model import Document
from tests.conftest import ROOT
from tests.printing import article_with, render

BRAND = load_brand(ROOT / "styles")
FIXED = dataclasses.replace(
    BRAND,
    tokens={
        **BRAND.tokens,
        "brochure": {**BRAND.brochure, "fit-spacing": [1.0, 1.0], "fit-type-size": [11.0, 11.0]},
    },
)
"""The brand, with no room to fit the text to its pages: one layout, padded as it falls."""
ROWS = 45


def table_markdown() -> str:
    """A three-column table whose cells wrap; each row's first and last cells carry its
    number (R07A ... Z07Z), so a split row shows as its two ends in different places."""
    lines = ["| Treatment | What it involves | Evidence |", "|---|------|---|"]
    for row in range(ROWS):
        words = " ".join(["injections of cells into the disc"] * (1 + row % 3 + row % 7 * 2))
        lines.append(f"| R{row:02d}A option | {words} | studied in small trials Z{row:02d}Z |")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def table_doc(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Document]:
    tmp_path = tmp_path_factory.mktemp("table")
    return tmp_path, article_with(tmp_path, table_markdown())


@pytest.mark.parametrize(("kind", "columns"), [("brochure_pdf", 2), ("accessible_pdf", 1)])
def test_table_rows_never_split_and_headers_repeat(
    table_doc: tuple[Path, Document], kind: str, columns: int
) -> None:
    tmp_path, doc = table_doc
    path = render(kind, doc, FIXED, tmp_path)
    places: dict[str, set[tuple[int, int]]] = defaultdict(set)
    headers: dict[tuple[int, int], float] = {}
    first_rows: dict[tuple[int, int], float] = {}
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            middle = (page.bbox[0] + page.bbox[2]) / 2
            for word in page.extract_words():
                place = (number, 0 if columns == 1 or word["x1"] < middle else 1)
                text = word["text"]
                if text == "Treatment":
                    headers[place] = word["top"]
                if len(text) == 4 and text[0] in "RZ" and text[1:3].isdigit():
                    places[text[1:3]].add(place)
                    first_rows[place] = min(first_rows.get(place, 1e9), word["top"])
    assert len(places) == ROWS
    split = {row: where for row, where in places.items() if len(where) != 1}
    assert not split, f"{kind}: rows split across columns or pages: {split}"
    continued = set(first_rows)
    assert len(continued) > 1, f"{kind}: the table should run over several columns or pages"
    for place in continued:
        assert place in headers, f"{kind}: no header row where the table goes on at {place}"
        assert headers[place] < first_rows[place]


def test_a_table_of_long_words_stays_inside_its_column(tmp_path: Path) -> None:
    """Four columns of cells whose words are wider than a quarter of a brochure column: the
    words are hyphenated; none runs into the gap, the next column or off the page."""
    words = "neighbourhood wheelchair comfortable arrangement interpreter appointment"
    rows = "\n".join(f"| {words} | {words[::-1]} | Or {n} | {words.upper()} |" for n in range(6))
    doc = article_with(tmp_path, f"| Keep | Pen | Or | Up |\n|---|---|---|---|\n{rows}")
    path = render("brochure_pdf", doc, FIXED, tmp_path)
    assert check_output(doc, FIXED, "brochure_pdf", path).gaps == []
    gap_mm = 8  # [print] column-gap
    pdf = pdfium.PdfDocument(path)
    try:
        for page in list(pdf)[1:-1]:  # the inside pages, between the cover and the back
            left, _bottom, right, _top = page.get_trimbox()
            middle, gap = (left + right) / 2, gap_mm / 25.4 * 72
            text = page.get_textpage()
            for index in range(text.count_chars()):
                x0, _y0, x1, _y1 = text.get_charbox(index)
                if x1 <= x0:
                    continue  # a space or a line break
                assert left <= x0 and x1 <= right, "off the page"
                assert x1 <= middle - gap / 2 + 1 or x0 >= middle + gap / 2 - 1, "in the gap"
    finally:
        pdf.close()


@pytest.fixture(scope="module")
def three_inside_pages(article: Document) -> Document:
    """The real article's first five sections and the start of the sixth: cover, three
    inside pages (the last only begun) and the back page."""
    sixth = article.sections[5]
    sixth = dataclasses.replace(sixth, body=sixth.body[:2])
    return dataclasses.replace(article, sections=(*article.sections[:5], sixth))


def test_notes_pages_only_where_the_loosest_fit_leaves_pages_blank(
    three_inside_pages: Document, tmp_path: Path
) -> None:
    padded = render("brochure_pdf", three_inside_pages, FIXED, tmp_path / "fixed")
    flight = preflight(padded, FIXED)
    assert (flight.facts["pages"], flight.facts["notes_pages"]) == (8, 3)
    assert "Notes on pages 5 to 7" in flight.report()  # where, and why

    fitted = render("brochure_pdf", three_inside_pages, BRAND, tmp_path / "fitted")
    flight = preflight(fitted, BRAND)
    assert flight.passed
    assert (flight.facts["pages"], flight.facts["notes_pages"]) == (4, 0), "set tighter: 4"


def test_the_article_is_laid_out_a_few_times(
    article: Document, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding the fit takes the tightest layout, the loosest, and a guess or two from where
    the text ends; the Notes pages are laid out on their own."""
    layouts: list[bool] = []
    real = paged.lay_out

    def counted(html: str, work_dir: Path, brand: Brand, **options: Any) -> weasyprint.Document:
        layouts.append("<article>" in html)
        return real(html, work_dir, brand, **options)

    monkeypatch.setattr(paged, "lay_out", counted)
    with pdfplumber.open(render("brochure_pdf", article, BRAND, tmp_path)) as pdf:
        assert len(pdf.pages) == 8
    assert 2 <= layouts.count(True) <= 4
    assert layouts.count(False) <= 1  # its Notes pages, on their own
