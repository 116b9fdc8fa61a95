"""Crop marks and a slug outside the bleed, for `[print] crop-marks = true`.

WeasyPrint 70 draws its own marks inside the bleed, in RGB. Instead, each page's MediaBox
grows beyond its BleedBox (TrimBox and BleedBox stay exact), and the paper gained carries:
- crop marks in registration colour (all four inks) at each corner, on the lines of the trim,
  starting MARK_GAP beyond the bleed;
- a slug below the bleed: document, version, page n/N, date and print condition, set by
  WeasyPrint in the brand's font (one sheet per page, drawn over the page as a form). It
  wraps between the bottom crop marks; one too long for the paper there stops the build.

Both are page artifacts (`/Artifact` with `/Type /Page`, PDF's kind for cut marks), so a
preflight can tell them from what is printed on the page.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline.brand import Brand
from pipeline.formats.pdf import paged
from pipeline.templates import environment

MM = 72 / 25.4
MARK_GAP = 2.0
"""Millimetres between the bleed's edge and a crop mark."""
MARK_LENGTH = 5.0
BEYOND_BLEED = 10.0
"""Millimetres of paper the sheet has beyond the bleed, for the marks and the slug."""
SHEET_EDGE = 1.0
"""Millimetres the slug keeps clear of the sheet's edge."""
ARTIFACT = b"/Artifact <</Type /Page>> BDC"


def sheet_margin(bleed_mm: float) -> float:
    """Millimetres from the trim to the sheet's edge."""
    return bleed_mm + BEYOND_BLEED


def slug_sheets(brand: Brand, lines: list[str], trim_mm: tuple[float, float]) -> pikepdf.Pdf:
    """One sheet per line, each the size of the sheet a page prints on, its line set just
    below the bleed, wrapped between the two bottom crop marks (on the trim's edges)."""
    bleed = paged.length_mm(brand.print["bleed"])
    margin = sheet_margin(bleed)
    sheet = (trim_mm[0] + 2 * margin, trim_mm[1] + 2 * margin)
    clear = MARK_GAP + 1.0  # of each crop mark
    slug = (  # left, top, width, height
        margin + clear,
        margin + trim_mm[1] + bleed + MARK_GAP,
        trim_mm[0] - 2 * clear,
        BEYOND_BLEED - MARK_GAP - SHEET_EDGE,
    )
    html = (
        environment(brand)
        .get_template("brochure-slug.html.j2")
        .render(
            lines=lines,
            sheet=sheet,
            slug=slug,
            fonts_url=brand.path("fonts").resolve().as_uri() + "/",
            icc_url=paged.icc_profile(brand).as_uri(),
        )
    )
    with tempfile.TemporaryDirectory(prefix="slug-") as scratch:
        written = paged.lay_out(html, Path(scratch), brand).write_pdf()
    _check_fits(written, lines, sheet[1], slug)
    return pikepdf.open(io.BytesIO(written))


def _check_fits(
    written: bytes, lines: list[str], sheet_height: float, slug: tuple[float, ...]
) -> None:
    """Each sheet shows its whole slug, inside the slug's area (PDFium's reading). WeasyPrint
    carries lines that do not fit over to the next sheet, where they would print over that
    page's slug; and a line that did not wrap would run over a crop mark."""
    left, top, width, height = (v * MM for v in slug)
    bottom = sheet_height * MM - top - height
    pdf = pdfium.PdfDocument(written)
    try:
        for number, line in enumerate(lines, start=1):
            page = pdf[number - 1]
            shown = page.get_textpage().get_text_range()
            bounds = [text.get_bounds() for text in page.get_objects([pdfium_c.FPDF_PAGEOBJ_TEXT])]
            inside = all(
                x0 > left - 0.5 and x1 < left + width + 0.5 and y0 > bottom - 0.5
                for x0, y0, x1, _y1 in bounds
            )
            if not inside or "".join(shown.split()) != "".join(line.split()):
                raise paged.PrintError(
                    f"the slug of page {number} does not fit in the {slug[2]:.0f} x "
                    f"{slug[3]:.0f} mm below the bleed: {line!r}; shorten the print "
                    "condition ([print] output-condition in brand.toml)"
                )
    finally:
        pdf.close()


def add_marks(pdf: pikepdf.Pdf, slug: pikepdf.Pdf, bleed_mm: float) -> None:
    """Grow every page's sheet and draw its crop marks and its slug (`slug`'s page of the
    same number) on the paper beyond the bleed."""
    margin = sheet_margin(bleed_mm) * MM
    for page, sheet in zip(pdf.pages, slug.pages, strict=True):
        left, bottom, right, top = (float(v) for v in page.trimbox)
        page.obj.BleedBox = pikepdf.Array([float(v) for v in page.bleedbox])
        page.obj.TrimBox = pikepdf.Array([left, bottom, right, top])
        page.mediabox = pikepdf.Array(
            [left - margin, bottom - margin, right + margin, top + margin]
        )
        if "/CropBox" in page.obj:
            del page.obj.CropBox
        form = pdf.copy_foreign(sheet.as_form_xobject())
        name = page.add_resource(form, pikepdf.Name.XObject, prefix="Slug")
        drawing = [
            b"Q",
            ARTIFACT,
            b"q 0.25 w 1 1 1 1 K",
            *_crop_marks((left, bottom, right, top), bleed_mm * MM),
            b"Q",
            f"q 1 0 0 1 {left - margin:.3f} {bottom - margin:.3f} cm {name} Do Q".encode(),
            b"EMC",
        ]
        page.contents_add(b"q", prepend=True)
        page.contents_add(b"\n".join(drawing))


def _crop_marks(trim: tuple[float, float, float, float], bleed: float) -> list[bytes]:
    """Eight strokes, two per corner, on the trim lines, all beyond the bleed."""
    left, bottom, right, top = trim
    near, far = bleed + MARK_GAP * MM, bleed + (MARK_GAP + MARK_LENGTH) * MM
    strokes = []
    for x, outward_x in ((left, -1), (right, 1)):
        for y, outward_y in ((bottom, -1), (top, 1)):
            strokes.append((x + outward_x * near, y, x + outward_x * far, y))
            strokes.append((x, y + outward_y * near, x, y + outward_y * far))
    return [f"{x0:.3f} {y0:.3f} m {x1:.3f} {y1:.3f} l S".encode() for x0, y0, x1, y1 in strokes]
