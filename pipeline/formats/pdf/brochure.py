"""The print brochure: output/<id>/brochure.pdf, PDF/X-4 for a print shop. Every colour is
CMYK in the brand's print condition (figures included), with a bleed, a cover and a back page,
padded with Notes pages to whole sheets so it can be saddle-stitched; crop marks and a slug
outside the bleed when the brand asks for them.

In order: the figures are separated for print (figures.py); the booklet is laid out once
(booklet.py); its figures are checked for resolution (resolution.py); then the written file
gets the separated figures, its print condition, its version and print record (pdfx.py), its
marks (marks.py), black text set to overprint (overprint.py), and resources of its own for
each page and a tag of its own for each font subset (resources.py)."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import pikepdf

from pipeline.brand import Brand
from pipeline.formats import Job
from pipeline.formats.htmlview import ArticleView, DisclaimerView
from pipeline.formats.pdf import (
    booklet,
    figures,
    glyph_text,
    marks,
    overprint,
    paged,
    pdfx,
    resources,
)
from pipeline.formats.pdf.artifacts import running_heads_to_artifacts
from pipeline.formats.pdf.resolution import check_resolution, column_width_in
from pipeline.formats.pdf.separation import Separation
from pipeline.model import Document

NOTES_LINE_MM = 10.0
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/x-4", "pdf_tags": True}


def render(job: Job, out_dir: Path) -> Path:
    doc, brand, view = job.doc, job.brand, job.view
    assert view is not None, "the brochure is drawn from the HTML view"
    condition = brand.print_condition
    paged.icc_profile(brand)  # the profile exists, or the build says how to install it
    target = out_dir / job.file
    with tempfile.TemporaryDirectory(prefix="brochure-") as scratch:
        work = Path(scratch)
        raster_width = math.ceil(column_width_in(brand) * brand.min_image_dpi)
        prepared = figures.prepare(doc, view, Separation(brand, condition), work, raster_width)

        def article(fit: paged.Fit) -> Any:
            html = _html(
                doc,
                brand,
                view,
                "brochure.html.j2",
                fit=fit,
                pages_total="counter(pages, booklet-pages)",
            )
            return paged.lay_out(html, work, brand, **PDF_OPTIONS)

        def notes(count: int, first_page: int, total: int) -> Any:
            html = _html(
                doc,
                brand,
                view,
                "brochure-notes.html.j2",
                pages_total=f'"{total}"',
                notes_pages=count,
                first_page=first_page,
                notes_lines=_notes_lines(brand),
            )
            return paged.lay_out(html, work, brand, **PDF_OPTIONS)

        laid_out = booklet.lay_out(brand, article, notes)
        version = pdfx.Version.of(doc, view)
        # WeasyPrint's file identifier from the source, never random (pdfx.record and
        # pikepdf then replace it: see there)
        identifier = version.digest[:32].encode()
        written = laid_out.write(work / "laid-out.pdf", pdf_identifier=identifier, **PDF_OPTIONS)
        check_resolution(written, prepared, brand)
        with pikepdf.open(written) as pdf:
            running_heads_to_artifacts(pdf)  # tagged, like the accessible PDF
            glyph_text.complete(pdf)
            prepared.swap_into(pdf)
            pdfx.name_print_condition(pdf, condition)
            pdfx.drop_unused_colour_spaces(pdf)
            pdfx.record(pdf, version, prepared.lines(), laid_out.story)
            if brand.print.get("crop-marks"):
                _add_marks(pdf, doc, brand, version)
            # last: they read what the content streams draw
            overprint.overprint_black_text(pdf)
            resources.unique_subset_tags(pdf)
            resources.resources_per_page(pdf)
            pdf.save(target, deterministic_id=True)
    return target


def _html(doc: Document, brand: Brand, view: ArticleView, template: str, **context: Any) -> str:
    return paged.page_html(
        doc,
        brand,
        view,
        template,
        "print",
        bleed=brand.print["bleed"],
        back_disclaimer=back_page_disclaimer(view, brand),
        **context,
    )


def _add_marks(pdf: pikepdf.Pdf, doc: Document, brand: Brand, version: pdfx.Version) -> None:
    condition = brand.print_condition
    pages = len(pdf.pages)
    lines = [
        f"{doc.id} · version {version.id} · page {number}/{pages} · "
        f"last reviewed {doc.last_reviewed.iso} · {condition.identifier}"
        + (f" ({condition.description})" if condition.description else "")
        for number in range(1, pages + 1)
    ]
    trim = tuple(paged.length_mm(v) for v in brand.page_size)
    with marks.slug_sheets(brand, lines, (trim[0], trim[1])) as slug:
        marks.add_marks(pdf, slug, paged.length_mm(brand.print["bleed"]))


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
