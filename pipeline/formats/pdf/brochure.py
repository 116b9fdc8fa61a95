"""The print brochure: output/<id>/brochure.pdf, PDF/X-4 in the brand's CMYK, with a 3 mm
bleed, a cover and a back page, padded with notes pages to a multiple of 4 pages so a print
shop can saddle-stitch it."""

from __future__ import annotations

import math
import re
import shutil
import tempfile
import uuid
from pathlib import Path

import pikepdf

from pipeline.brand import Brand
from pipeline.formats.htmlview import ArticleView, DisclaimerView, article_view
from pipeline.formats.pdf import paged
from pipeline.formats.pdf.resolution import check_resolution
from pipeline.model import Document

SHEET = 4
"""Pages per folded sheet: a saddle-stitched booklet has a multiple of 4 pages."""
NOTES_LINE_MM = 10.0


def render(doc: Document, brand: Brand, out_dir: Path) -> Path:
    if brand.print.get("crop-marks"):
        raise paged.PrintError(
            "brand.toml [print] crop-marks = true: WeasyPrint draws crop marks inside the "
            "bleed (and in RGB), which print shops reject; set it to false and let the print "
            "shop add marks from the PDF's TrimBox (see docs/print.md)"
        )
    view = article_view(doc)
    target = out_dir / "brochure.pdf"
    with tempfile.TemporaryDirectory(prefix="brochure-") as scratch:
        work = Path(scratch)
        view.copy_images(work)
        draft = paged.write(_html(doc, brand, view, 0), work, work / "draft.pdf", brand, **_PDF)
        check_resolution(draft, view, brand.min_image_dpi)
        with pikepdf.open(draft) as pdf:
            pages = len(pdf.pages)
        if pages % SHEET == 0:
            shutil.move(draft, target)
        else:
            # Notes pages come before the back page and each starts a page: the pages
            # before them lay out exactly as in the draft.
            html = _html(doc, brand, view, -pages % SHEET)
            paged.write(html, work, target, brand, **_PDF)
    _stable_document_id(target)
    return target


_PDF = {"pdf_variant": "pdf/x-4"}


def _stable_document_id(path: Path) -> None:
    """WeasyPrint gives a PDF/X-4 a random xmpMM:DocumentID; derive it from the file's own
    identifier (itself derived from the HTML), so the same source gives the same bytes."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        stable = uuid.UUID(bytes=bytes(pdf.trailer.ID[0])[:16])
        xmp = re.sub(
            rb"xmp\.did:[0-9a-f-]{36}", f"xmp.did:{stable}".encode(), pdf.Root.Metadata.read_bytes()
        )
        pdf.Root.Metadata.write(xmp)
        pdf.save(path, deterministic_id=True)


def _html(doc: Document, brand: Brand, view: ArticleView, notes_pages: int) -> str:
    return paged.page_html(
        doc,
        brand,
        view,
        "brochure.html.j2",
        "print",
        bleed=brand.print["bleed"],
        notes_pages=notes_pages,
        notes_lines=_notes_lines(brand),
        back_disclaimer=back_page_disclaimer(view, brand),
    )


def back_page_disclaimer(view: ArticleView, brand: Brand) -> DisclaimerView | None:
    """The disclaimer the brand puts on the back page (by id), else the document's last."""
    wanted = brand.print.get("back-page-disclaimer")
    chosen = [d for d in view.disclaimers if d.id == wanted] or list(view.disclaimers[-1:])
    return chosen[0] if chosen else None


def _notes_lines(brand: Brand) -> int:
    """Writing lines that fill a notes page below its title, without spilling over."""
    height = paged.length_mm(brand.page_size[1])
    margins = sum(paged.length_mm(brand.page[key]) for key in ("margin-top", "margin-bottom"))
    title = 16.0
    return max(1, math.floor((height - margins - title) / NOTES_LINE_MM))
