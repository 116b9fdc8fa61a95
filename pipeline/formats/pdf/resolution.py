"""Raster images must print sharp: at least N pixels per inch at the size they are printed."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
from PIL import Image, UnidentifiedImageError

from pipeline.formats.htmlview import ArticleView
from pipeline.formats.pdf.paged import PrintError


def check_resolution(pdf_path: Path, view: ArticleView, min_dpi: float) -> None:
    """Measure every raster image placed in the PDF; fail naming each one printed coarser
    than `min_dpi`, with its effective resolution and what to do."""
    names = _source_names_by_pixel_size(view)
    problems = []
    with pdfplumber.open(pdf_path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            for image in page.images:
                pixels_wide, pixels_high = image["srcsize"]
                inches_wide = float(image["width"]) / 72
                inches_high = float(image["height"]) / 72
                if not inches_wide or not inches_high:
                    continue
                dpi = min(pixels_wide / inches_wide, pixels_high / inches_high)
                if dpi + 0.5 < min_dpi:
                    name = names.get((int(pixels_wide), int(pixels_high)), "an image")
                    problems.append(
                        f"{name} prints at {dpi:.0f} dpi on page {number} "
                        f'({inches_wide:.2f}" x {inches_high:.2f}", {pixels_wide} x '
                        f"{pixels_high} px); print needs at least {min_dpi:.0f} dpi: use an "
                        f"image of at least {round(inches_wide * min_dpi)} px wide"
                    )
    if problems:
        raise PrintError("; ".join(problems))


def _source_names_by_pixel_size(view: ArticleView) -> dict[tuple[int, int], str]:
    """Which source file an image in the PDF came from, told by its pixel size."""
    names: dict[tuple[int, int], str] = {}
    for source in view.images.values():
        try:
            with Image.open(source) as image:
                names.setdefault(image.size, source.name)
        except (OSError, UnidentifiedImageError):
            continue  # SVG and other vector images have no pixels to count
    return names
