"""The print brochure: output/<id>/brochure.pdf, PDF/X-4 for a print shop, in the format the
brand chooses ([brochure] format: a saddle-stitched booklet or a tri-fold, see
brochure_formats.py). Every colour is CMYK in the brand's print condition (figures included),
with a bleed, a cover and a back page (the web version as a QR code, the organisation's
address, the leaflet's reference code); crop marks and a slug outside the bleed when the
brand asks for them.

In order: the figures are separated for print (figures.py); the view is made ready for paper
(paper.py: link addresses, headings' last words); the text is fitted to the fewest pages the
format allows (fitting.py); its figures are checked for resolution (resolution.py); then the
written file gets the separated figures, its print condition, its version and print record
(pdfx.py), its marks (marks.py), black text set to overprint (overprint.py), and resources of
its own for each page and a tag of its own for each font subset (resources.py)."""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from markupsafe import Markup

from pipeline.brand import Brand
from pipeline.formats import Job
from pipeline.formats.htmlview import ArticleView, DisclaimerView
from pipeline.formats.pdf import (
    figures,
    fitting,
    glyph_text,
    marks,
    overprint,
    paged,
    paper,
    pdfx,
    resources,
)
from pipeline.formats.pdf.artifacts import running_heads_to_artifacts
from pipeline.formats.pdf.brochure_formats import BrochureFormat
from pipeline.formats.pdf.resolution import check_resolution, column_width_in
from pipeline.formats.pdf.separation import Separation
from pipeline.model import Document
from pipeline.text import printed_address

NOTES_LINE_MM = 10.0
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/x-4", "pdf_tags": True}


def render(job: Job, out_dir: Path) -> Path:
    doc, brand, view = job.doc, job.brand, job.view
    assert view is not None, "the brochure is drawn from the HTML view"
    condition = brand.print_condition
    layout = brand.brochure_format
    paged.icc_profile(brand)  # the profile exists, or the build says how to install it
    target = out_dir / job.file
    with tempfile.TemporaryDirectory(prefix="brochure-") as scratch:
        work = Path(scratch)
        raster_width = math.ceil(column_width_in(brand) * brand.min_image_dpi)
        prepared = figures.prepare(doc, view, Separation(brand, condition), work, raster_width)
        printed = paper.on_paper(view, _widest(view, prepared, layout, brand))
        lines = _notes_lines(layout)

        def article(fit: paged.Fit, notes_panels: int) -> Any:
            html = _html(
                doc,
                brand,
                printed,
                layout.template,
                fit=fit,
                pages_total="counter(pages, booklet-pages)",
                notes_panels=notes_panels,
                notes_lines=lines,
            )
            return paged.lay_out(html, work, brand, **PDF_OPTIONS)

        def notes(count: int, first_page: int, total: int) -> Any:
            html = _html(
                doc,
                brand,
                printed,
                "brochure-notes.html.j2",
                pages_total=f'"{total}"',
                notes_pages=count,
                first_page=first_page,
                notes_lines=lines,
            )
            return paged.lay_out(html, work, brand, **PDF_OPTIONS)

        laid_out = fitting.lay_out(brand, layout, article, notes)
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
        web=web_version(doc, brand),
        cover_title=paper.tie_last_words(doc.title),
        end_anchor=fitting.END,
        flat=True,
        **context,
    )


@dataclass(frozen=True)
class WebVersion:
    """Where the leaflet is on the web, as its back page shows it."""

    url: str
    home: str
    """The organisation's web address, short."""

    @property
    def short(self) -> str:
        return printed_address(self.url) or self.url

    @property
    def breakable(self) -> Markup:
        return paper.breakable_address(self.short)

    @property
    def qr(self) -> str:
        return paper.qr_code(self.url)


def web_version(doc: Document, brand: Brand) -> WebVersion:
    home = brand.organisation["web"]
    return WebVersion(brand.leaflet_url(doc.edition), printed_address(home) or home)


def _add_marks(pdf: pikepdf.Pdf, doc: Document, brand: Brand, version: pdfx.Version) -> None:
    condition = brand.print_condition
    pages = len(pdf.pages)
    lines = [
        f"{doc.id} · version {version.id} · page {number}/{pages} · "
        f"last reviewed {doc.last_reviewed.iso} · {condition.identifier}"
        + (f" ({condition.description})" if condition.description else "")
        for number in range(1, pages + 1)
    ]
    with marks.slug_sheets(brand, lines, brand.brochure_format.trim) as slug:
        marks.add_marks(pdf, slug, paged.length_mm(brand.print["bleed"]))


def back_page_disclaimer(view: ArticleView, brand: Brand) -> DisclaimerView | None:
    """The disclaimer the brand puts on the back page (by id), else the document's last."""
    wanted = brand.brochure.get("back-page-disclaimer")
    chosen = [d for d in view.disclaimers if d.id == wanted] or list(view.disclaimers[-1:])
    return chosen[0] if chosen else None


def _widest(
    view: ArticleView, prepared: figures.Figures, layout: BrochureFormat, brand: Brand
) -> dict[str, float]:
    """How wide each raster figure that the source does not size may print (mm): as wide as
    its pixels print sharp, and never narrower than half a column (a figure that small is
    too coarse, and the resolution check says what it needs)."""
    widest = {}
    for number, relative in enumerate(view.images, start=1):
        figure = prepared.by_number.get(number)
        if figure is None or figure.sized_by_source or figure.pixels is None:
            continue
        sharp = figure.pixels.width / brand.min_image_dpi * 25.4
        widest[relative] = max(sharp, layout.column_width / 2)
    return widest


def _notes_lines(layout: BrochureFormat) -> int:
    """Writing lines that fill a Notes page (or panel) below its title, without spilling
    over."""
    height = layout.trim[1] - layout.margins.top - layout.margins.bottom
    title = 16.0
    return max(1, math.floor((height - title) / NOTES_LINE_MM))
