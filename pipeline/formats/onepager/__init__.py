"""The plain-language one-pager, shared by onepager_html and onepager_pdf: one template pair
(styles/templates/onepager.*.j2) and the fitting that keeps the printed page to exactly one.

Fitting (`make`, the work both one-pagers share, done once per document): WeasyPrint lays
the page out with the most generous `Fit` first, then tightens the spacing, then the type
size, never below 10 pt. Text is never cut: if even the tightest fit overflows, both
one-pagers are written at that fit (kept for inspection with the rejected edition) and fail,
saying by how much and which plain texts are longest.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import weasyprint

from pipeline.brand import Brand, length_mm
from pipeline.formats import Unfit, weasy
from pipeline.formats.htmlview import ArticleView, write_brand_assets
from pipeline.labels import labels_for
from pipeline.model import Document, Language
from pipeline.templates import environment
from pipeline.text import paragraphs

PAGE = "onepager.html.j2"
STYLESHEET = "onepager.css.j2"
ARTICLE_PAGE = "index.html"
"""The html format's page, beside the one-pager in the output folder."""
TALL_MM = 5000
"""A page height that holds any one-pager's text, to measure how much it takes."""


@dataclass(frozen=True)
class Fit:
    font_size: float
    """Printed body type, in pt."""
    spacing: float
    """Vertical space between blocks, as a multiple of the stylesheet's generous default."""

    @property
    def line_height(self) -> float:
        """Lines close up a little as the spacing tightens: 1.45 down to 1.33."""
        return round(1.25 + 0.2 * self.spacing, 3)

    def __str__(self) -> str:
        return f"{self.font_size:g} pt type, spacing {self.spacing:.0%}"


LARGEST, SMALLEST = 13.0, 10.0
"""Printed type sizes, pt: 10 pt is the floor (NIH, CDC: no smaller for patients)."""
# Spacing first, at the largest type; then the type size, half a point at a time.
FITS = tuple(Fit(LARGEST, spacing) for spacing in (1.0, 0.8, 0.6, 0.4)) + tuple(
    Fit(LARGEST - step / 2, 0.4) for step in range(1, int((LARGEST - SMALLEST) * 2) + 1)
)
TIGHTEST = FITS[-1]


@dataclass(frozen=True)
class PageLayout:
    fit: Fit
    """The most generous fit that keeps the page to one, else the tightest."""
    document: weasyprint.Document
    """The printed one-pager, laid out at that fit."""
    overflow: str = ""
    """When even the tightest fit runs over one page: by how much, and what to do."""

    def check(self, path: Path) -> None:
        """Raise Unfit for the written one-pager `path` when the page runs over."""
        if self.overflow:
            raise Unfit(self.overflow, path)


def article_url(doc: Document, brand: Brand) -> str:
    """Where the full article is published: the brand's `[organisation] web`, and under it
    `leaflet-path` with the document's id."""
    return brand.leaflet_url(doc.edition)


def page_html(
    doc: Document,
    brand: Brand,
    view: ArticleView,
    on_paper: bool,
    languages: tuple[Language, ...] = (),
) -> str:
    """The one-pager as HTML. On paper (the PDF) the full article is its web address; on
    screen it is a link to index.html beside the one-pager, with the address for print, and
    the document's other `languages` are linked."""
    url = article_url(doc, brand)
    return (
        environment(brand)
        .get_template(PAGE)
        .render(
            doc=doc,
            view=view,
            article_url=url,
            article_href=url if on_paper else ARTICLE_PAGE,
            labels=labels_for(brand.styles_dir, doc.lang),
            languages=() if on_paper else languages,
            page="onepager.html",
        )
    )


def stylesheet(brand: Brand, fit: Fit, page_height: str | None = None) -> str:
    width, height = brand.page_size
    page = {
        "width": width,
        "height": page_height or height,
        **{key.replace("-", "_"): value for key, value in brand.page.items()},
    }
    return environment(brand).get_template(STYLESHEET).render(fit=fit, page=page)


def write_page(
    html: str, css: str, brand: Brand, view: ArticleView, out_dir: Path, name: str = "onepager.html"
) -> Path:
    """The page `name` with its assets (fonts, logo, stylesheet, images) into out_dir."""
    assets = write_brand_assets(brand, out_dir)
    (assets / "onepager.css").write_text(css, encoding="utf-8")
    # A stylesheet of its own, linked with a media query: WeasyPrint skips it quietly, where
    # an @media (prefers-color-scheme) block would make it warn.
    (assets / "onepager-dark.css").write_text(brand.css_variables("dark"), encoding="utf-8")
    view.copy_images(out_dir, shown_in=html)
    target = out_dir / name
    target.write_text(html, encoding="utf-8")
    return target


def make(doc: Document, brand: Brand, view: ArticleView | None) -> PageLayout:
    """The one-pager laid out as printed, once per document: both one-pagers take their fit
    from it (they print the same text; only a link's target differs)."""
    assert view is not None, "the one-pager is drawn from the HTML view"
    html = page_html(doc, brand, view, on_paper=True)
    with tempfile.TemporaryDirectory(prefix="onepager-") as folder:
        work = Path(folder)
        layout = _first_fit(FITS, html, brand, view, work)
        if layout is not None:
            return layout
        tall = _layout(html, stylesheet(brand, TIGHTEST, f"{TALL_MM}mm"), brand, view, work)
        tightest = _layout(html, stylesheet(brand, TIGHTEST), brand, view, work)
        return PageLayout(TIGHTEST, tightest, _overflow_message(doc, brand, tall))


def _first_fit(
    fits: tuple[Fit, ...], html: str, brand: Brand, view: ArticleView, work: Path
) -> PageLayout | None:
    """The page laid out at the first of `fits` that keeps it to one page. Fits only get
    tighter along the list, so the most generous is tried first (most leaflets fit it), then
    the rest are halved: about four layouts where trying each would take up to eleven."""
    first = _layout(html, stylesheet(brand, fits[0]), brand, view, work)
    if len(first.pages) == 1:
        return PageLayout(fits[0], first)
    best, low, high = None, 1, len(fits) - 1
    while low <= high:
        middle = (low + high) // 2
        document = _layout(html, stylesheet(brand, fits[middle]), brand, view, work)
        if len(document.pages) == 1:
            best, high = PageLayout(fits[middle], document), middle - 1
        else:
            low = middle + 1
    return best


def _layout(
    html: str, css: str, brand: Brand, view: ArticleView, work: Path
) -> weasyprint.Document:
    write_page(html, css, brand, view, work)  # the stylesheet, fonts and images it links to
    return weasy.fenced(html, work, brand).render()


def _overflow_message(doc: Document, brand: Brand, tall: weasyprint.Document) -> str:
    # The page's text area from the brand (as the stylesheet's @page sets it); the height the
    # text takes from what is drawn on a page tall enough for all of it, read back with
    # PDFium. (WeasyPrint's public Page gives only the page's own size and anchors.) What is
    # drawn ends a last paragraph's margin short of what the page needs: round up.
    top, bottom = (length_mm(brand.page[f"margin-{side}"]) for side in ("top", "bottom"))
    available = length_mm(brand.page_size[1]) - top - bottom
    over_mm = math.ceil(max(_drawn_depth_mm(tall) - top - available, 0))
    line_mm = TIGHTEST.font_size * TIGHTEST.line_height * 25.4 / 72
    lines = max(1, round(over_mm / line_mm))
    return (
        f"the plain text does not fit on one {brand.page['size'].title()} page: at the "
        f"tightest layout ({TIGHTEST}) it runs {over_mm} mm over, about {lines} "
        f"line{'s' if lines != 1 else ''}. The one-pager never cuts text and never goes below "
        f"{TIGHTEST.font_size:g} pt; {_overflow_cause(doc)}"
    )


def _overflow_cause(doc: Document) -> str:
    """What makes the one-pager too long, and where: a few long plain texts, or too many
    parts (each a heading and a summary, however short)."""
    where = {section.id: doc.where(section) for section in doc.sections}
    where |= {disclaimer.id: doc.where(disclaimer) for disclaimer in doc.disclaimers}
    parts = longest_plain(doc)
    total = sum(words for _ident, words in parts) or 1
    sections = len(doc.sections)
    if len(parts) > 1 and parts[0][1] * 4 < total:  # none holds a quarter of the words
        return (
            f"it holds {sections} section{'s' * (sections != 1)} and {len(parts) - sections} "
            f"plain disclaimer{'s' * (len(parts) - sections != 1)}, {total} words, the longest "
            f"only {parts[0][1]}: too many parts for one page, not one long one; merge "
            f"sections or split the leaflet ({doc.where(doc.sections[0])} onwards)"
        )
    longest = ", ".join(
        f'"{ident}" at {where.get(ident, doc.source_path)}, {words} words'
        for ident, words in parts[:3]
        if words * len(parts) >= total
    )
    return f"shorten the longest plain texts ({longest})"


def _drawn_depth_mm(document: weasyprint.Document) -> float:
    """How far down its first page the lowest thing drawn reaches, from the page's top."""
    pdf = pdfium.PdfDocument(document.write_pdf())
    try:
        page = pdf[0]
        lowest = min(item.get_bounds()[1] for item in page.get_objects(max_depth=1))
        return float(page.get_height() - lowest) * 25.4 / 72
    finally:
        pdf.close()


def longest_plain(doc: Document) -> list[tuple[str, int]]:
    """(section or disclaimer id, words of its plain text), longest first."""
    counts = [(ident, _words(blocks)) for ident, _kind, blocks in doc.plain_parts]
    return sorted(counts, key=lambda item: -item[1])


def _words(blocks: Iterable[Any]) -> int:
    return sum(len(text.split()) for text in paragraphs(blocks))
