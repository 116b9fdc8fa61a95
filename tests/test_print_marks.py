"""Crop marks and a slug outside the bleed (`[print] crop-marks = true`): the sheet grows
beyond the BleedBox, TrimBox and BleedBox stay exact, the marks are in registration colour
and never reach into the bleed, and the slug's text can be read outside the trim, wrapped
between the crop marks when it is long, never off the sheet."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from pipeline.brand import Brand, length_mm
from pipeline.checks.preflight import preflight
from pipeline.formats.pdf.paged import PrintError
from pipeline.model import Document
from tests.printing import article_with, brand_with, render, trimbox

MM = 72 / 25.4


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Document, Brand, Path]:
    tmp_path = tmp_path_factory.mktemp("marks")
    brand = brand_with(crop_marks=True)
    doc = article_with(tmp_path, "")
    return doc, brand, render("brochure_pdf", doc, brand, tmp_path)


def box(page: pikepdf.Page, key: str) -> list[float]:
    return [float(v) for v in page.obj[key]]


def mark_strokes(page: pikepdf.Page) -> tuple[list[tuple[float, float]], list[str]]:
    """The points of every path, and every colour operator, inside the page's printer's-mark
    artifacts (/Artifact with /Type /Page)."""
    points: list[tuple[float, float]] = []
    colours: list[str] = []
    depth = 0
    for instruction in pikepdf.parse_content_stream(page):
        operator, operands = str(instruction.operator), list(instruction.operands)
        if operator == "BDC" and operands[0] == "/Artifact" and operands[1].get("/Type") == "/Page":
            depth += 1
        elif operator == "EMC" and depth:
            depth -= 1
        elif depth and operator in ("m", "l"):
            points.append((float(operands[0]), float(operands[1])))
        elif depth and operator in ("K", "k", "RG", "rg", "G", "g", "SC", "SCN", "sc", "scn"):
            colours.append(f"{' '.join(str(v) for v in operands)} {operator}")
    return points, colours


def test_the_sheet_grows_beyond_the_bleed_and_the_boxes_stay_exact(
    marked: tuple[Document, Brand, Path],
) -> None:
    _doc, brand, path = marked
    bleed = length_mm(brand.print["bleed"]) * MM
    width, height = (length_mm(v) * MM for v in brand.page_size)
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            trim, bleed_box, media = box(page, "/TrimBox"), box(page, "/BleedBox"), page.mediabox
            assert trim == pytest.approx([0, 0, width, height], abs=0.01)
            assert bleed_box == pytest.approx(
                [-bleed, -bleed, width + bleed, height + bleed], abs=0.01
            )
            assert (
                float(media[0]) < bleed_box[0] - 5 * MM and float(media[2]) > bleed_box[2] + 5 * MM
            )
            assert (
                float(media[1]) < bleed_box[1] - 5 * MM and float(media[3]) > bleed_box[3] + 5 * MM
            )


def test_crop_marks_lie_outside_the_bleed_in_registration_colour(
    marked: tuple[Document, Brand, Path],
) -> None:
    _doc, _brand, path = marked
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            left, bottom, right, top = box(page, "/BleedBox")
            trim = box(page, "/TrimBox")
            points, colours = mark_strokes(page)
            assert len(points) == 16, f"page {number}: not eight crop marks"
            for x, y in points:
                assert x < left or x > right or y < bottom or y > top, (
                    f"page {number}: a mark at {x:.1f},{y:.1f} reaches into the bleed"
                )
                assert x in (trim[0], trim[2]) or y in (trim[1], trim[3]), "not on a trim line"
            assert colours == ["1 1 1 1 K"], f"page {number}: marks not in registration colour"


def test_the_slug_can_be_read_below_the_bleed(marked: tuple[Document, Brand, Path]) -> None:
    doc, brand, path = marked
    with pikepdf.open(path) as pdf:
        version = str(pdf.open_metadata()["xmpMM:VersionID"])
    with pdfplumber.open(path) as pdf:
        pages = len(pdf.pages)
        for number, page in enumerate(pdf.pages, start=1):
            trim_bottom = trimbox(page)[3]  # pdfplumber: top-down coordinates
            bleed = length_mm(brand.print["bleed"]) * MM
            below = [c["text"] for c in page.chars if c["top"] > trim_bottom + bleed]
            slug = "".join(below)
            assert doc.id in slug
            assert f"version {version}" in slug
            assert f"page {number}/{pages}" in slug
            assert doc.last_reviewed.iso in slug
            assert brand.print["output-condition-identifier"] in slug


def test_a_brochure_with_marks_passes_preflight(marked: tuple[Document, Brand, Path]) -> None:
    # Registration colour is all four inks: the preflight's ink limit spares printer's marks.
    _doc, brand, path = marked
    flight = preflight(path, brand)
    assert flight.failures == []
    assert flight.facts["marks"] is True
    assert re.search(
        r"^Marks +crop marks in registration colour \(all four inks\) and a slug, outside the "
        "bleed; not counted in the total ink$",
        flight.ticket(),
        re.M,
    )


LONG_CONDITION = (
    "Offset commercial and specialty printing according to ISO 12647-2:2013, paper type 1 "
    "(premium coated, 115 g/m2), positive-acting plates, amplitude-modulated screening at 60 "
    "lines/cm, tone value increase curves A (CMY) and B (K), characterised as FOGRA51"
)


def test_a_long_print_condition_wraps_between_the_crop_marks(tmp_path: Path) -> None:
    brand = brand_with(crop_marks=True, output_condition=LONG_CONDITION)
    path = render("brochure_pdf", article_with(tmp_path, ""), brand, tmp_path)
    bleed = length_mm(brand.print["bleed"]) * MM
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            left, _top, right, trim_bottom = trimbox(page)  # the bottom crop marks' lines
            slug = [c for c in page.chars if c["top"] > trim_bottom + bleed]
            assert len({round(c["top"]) for c in slug}) > 1, "not wrapped"
            assert all(left < c["x0"] and c["x1"] < right for c in slug)
            assert all(c["bottom"] < page.mediabox[3] for c in slug), "off the sheet"
            text = "".join(c["text"] for c in slug)
            assert "".join(LONG_CONDITION.split()) in "".join(text.split())


def test_a_print_condition_too_long_for_the_slug_stops_the_build(tmp_path: Path) -> None:
    brand = brand_with(crop_marks=True, output_condition=LONG_CONDITION * 3)
    with pytest.raises(
        PrintError, match=r"the slug of page 1 does not fit in the \d+ x 7 mm below the bleed"
    ):
        render("brochure_pdf", article_with(tmp_path, ""), brand, tmp_path)
