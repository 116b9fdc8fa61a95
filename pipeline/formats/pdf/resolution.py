"""Raster figures must print sharp: at least the brand's resolution at the size they print.

The advice names the pixel width that is enough the first time. A figure whose source sets
its width or height prints at that size whatever its pixels, so it needs that width times
the resolution. A figure sized by its own pixels grows with them (96 to the inch, as on
screen) until it fills its column, so it needs the column's width times the resolution.
"""

from __future__ import annotations

import math
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline.brand import Brand
from pipeline.formats.pdf.figures import Figures
from pipeline.formats.pdf.paged import PrintError


def check_resolution(pdf_path: Path, figures: Figures, brand: Brand) -> None:
    """Measure every figure placed in the laid-out brochure (its stand-in tells which); fail
    naming each one printed coarser than the brand's resolution, and what to use instead."""
    wanted = brand.min_image_dpi
    problems = []
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        for number, page in enumerate(pdf, start=1):
            for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
                # PDFium's resolution at the size the image is drawn on the page
                placed = image.get_metadata()
                dpi = min(placed.horizontal_dpi, placed.vertical_dpi)
                if not dpi or dpi + 0.5 >= wanted:
                    continue
                pixels_wide, pixels_high = placed.width, placed.height
                figure = figures.of(image.get_bitmap().to_pil())
                name = figure.name if figure else "an image"
                inches = pixels_wide / placed.horizontal_dpi
                if figure is None or figure.sized_by_source:
                    needed, why = inches, "the size the source gives it"
                else:
                    needed, why = column_width_in(brand), "the width of a column, which it fills"
                problems.append(
                    f"{name} prints at {dpi:.0f} dpi on page {number} ({inches:.2f} x "
                    f"{pixels_high / placed.vertical_dpi:.2f} in, {pixels_wide} x {pixels_high} "
                    "px); print needs "
                    f"at least {wanted:.0f} dpi: use an image at least "
                    f"{math.ceil(needed * wanted - 1e-6)} px wide (it prints {needed:.2f} in "
                    f"wide: {why})"
                )
    finally:
        pdf.close()
    if problems:
        raise PrintError("; ".join(problems))


def column_width_in(brand: Brand) -> float:
    """The width of one of the brochure's text columns, in inches."""
    return brand.brochure_format.column_width / 25.4
