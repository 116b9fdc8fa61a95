"""The brochure's text on the fewest pages its format allows, and no filler.

WeasyPrint lays out the cover, the article and the back page (a tri-fold: its two sides) in
one pass, at a `Fit`: a body type size and a spacing, from a ladder that runs from the
brand's tightest to its loosest ([brochure] fit-type-size and fit-spacing; spacing moves
first, then type size, as the one-pager does). The tightest fit says how many pages the text
needs, rounded up to whole sheets (a booklet's fours; a tri-fold is one sheet, and a text that
needs more is refused, saying how much is over). Then the loosest fit that keeps to those
pages is found along the ladder (pages only grow along it): where the text would end is
measured at each fit tried (the template's #article-end anchor), and the next fit tried is
where that measure says the last page fills, so two or three layouts find it where halving
the ladder took five. The text fills the pages. A
page that even the loosest fit leaves blank (a tri-fold: a panel) becomes a Notes page, and
the build says so.

A booklet's footers show its final page count as it is laid out: print.css.j2's
booklet-pages counter style rounds the pages laid out up to whole sheets. Its Notes pages are
laid out on their own, numbered on from the article, and put before the back page; a
tri-fold's Notes panels run on after the article.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import weasyprint

from pipeline.brand import Brand
from pipeline.formats.pdf.brochure_formats import BrochureFormat
from pipeline.formats.pdf.paged import Fit, PrintError

LayOut = Callable[[Fit, int], weasyprint.Document]
"""Lays out the cover, the article and the back page at a fit, with this many Notes panels
after the article (a tri-fold's; a booklet's are always 0)."""
LayOutNotes = Callable[[int, int, int], weasyprint.Document]
"""Lays out (count, first page number, booklet's page count) Notes pages."""
END = "article-end"
"""The anchor the templates put where the article ends: how far it runs, without reading
WeasyPrint's boxes."""
PX_MM = 25.4 / 96
SPACING_STEP, TYPE_STEP = 0.1, 0.25


@dataclass
class Brochure:
    article: weasyprint.Document
    """Cover, article and back page (a tri-fold: both sides)."""
    notes: weasyprint.Document | None
    """A booklet's Notes pages, which go before its back page."""
    fit: Fit
    story: list[str] = field(default_factory=list)
    """How the text was fitted to the pages, for the preflight report and the build."""

    @property
    def notes_pages(self) -> int:
        return len(self.notes.pages) if self.notes else 0

    def write(self, target: Path, **options: Any) -> Path:
        """All pages in reader order: the Notes pages go before the back page."""
        pages = self.article.pages
        if self.notes:
            pages = [*pages[:-1], *self.notes.pages, pages[-1]]
        self.article.copy(pages).write_pdf(target, **options)
        return target


def ladder(brand: Brand) -> tuple[Fit, ...]:
    """Every fit the brand allows, from the tightest to the loosest: spacing moves first,
    then type size, away from the normal fit on either side."""
    nominal = Fit.nominal(brand)
    tokens = brand.brochure
    spacing = tokens.get("fit-spacing", [1.0, 1.0])
    size = tokens.get("fit-type-size", [nominal.type_size] * 2)
    tighter = [Fit(spacing[0], t) for t in _steps(size[0], nominal.type_size, TYPE_STEP)]
    tighter += [Fit(s, nominal.type_size) for s in _steps(spacing[0], 1.0, SPACING_STEP)]
    looser = [Fit(s, nominal.type_size) for s in _steps(1.0, spacing[1], SPACING_STEP)]
    looser += [Fit(spacing[1], t) for t in _steps(nominal.type_size, size[1], TYPE_STEP)]
    return tuple(dict.fromkeys([*tighter, nominal, *looser]))


def _steps(low: float, high: float, step: float) -> list[float]:
    count = max(0, math.ceil(round((high - low) / step, 6)))
    return [round(low + i * step, 3) for i in range(count)] + [high]


def lay_out(brand: Brand, layout: BrochureFormat, article: LayOut, notes: LayOutNotes) -> Brochure:
    fits = ladder(brand)
    laid: dict[int, weasyprint.Document] = {}

    def at(index: int) -> weasyprint.Document:
        if index not in laid:
            laid[index] = article(fits[index], 0)
        return laid[index]

    needed = len(at(0).pages)
    if needed > layout.most_pages:
        raise PrintError(_too_long(layout, fits[0], at(0), needed))
    target = math.ceil(needed / layout.sheet_pages) * layout.sheet_pages
    low, high = 0, len(fits) - 1
    if len(at(high).pages) <= target:
        low = high
    full = _extent(layout, target)  # where the text ends when it fills the last page
    while high - low > 1:  # pages(low) <= target < pages(high)
        reach = {i: _reach(layout, at(i)) for i in (low, high)}
        share = (full - reach[low]) / max(reach[high] - reach[low], 1e-6)
        guess = min(max(low + round(share * (high - low)), low + 1), high - 1)
        low, high = (guess, high) if len(at(guess).pages) <= target else (low, guess)
    fit, document = fits[low], at(low)
    story = [_fitted(layout, fits, low, target, needed)]
    blank = target - len(document.pages)
    if layout.is_booklet:
        first = len(document.pages)  # they go before the back page, in its place
        filled = notes(blank, first, target) if blank else None
        if blank:
            story.append(_notes_said(f"page{'s' * (blank > 1)} {_range(first, blank)}", fit))
        return Brochure(document, filled, fit, story)
    empty = _empty_panels(layout, document)
    if empty:
        document = article(fit, empty)
        story.append(_notes_said(f"{empty} panel{'s' * (empty > 1)} of the inside", fit))
    return Brochure(document, None, fit, story)


def _fitted(
    layout: BrochureFormat, fits: tuple[Fit, ...], chosen: int, target: int, needed: int
) -> str:
    sheets = target // layout.sheet_pages
    said = (
        f"{target} pages ({sheets} sheet{'s' * (sheets > 1)}, {layout.name}): "
        f"the text set at {fits[chosen]}"
    )
    if chosen == len(fits) - 1:
        return f"{said}, the loosest the brand allows"
    if target == needed:
        return f"{said}, the loosest that keeps it to {target} pages"
    return f"{said}, the loosest that keeps it so; at its tightest ({fits[0]}) it needs {needed}"


def _notes_said(where: str, fit: Fit) -> str:
    return (
        f"Notes on {where}: the text, even at the loosest fit the brand allows ({fit}), "
        "leaves it blank"
    )


def _range(first: int, count: int) -> str:
    """`count` pages from page `first` on."""
    return f"{first}" if count == 1 else f"{first} to {first + count - 1}"


def _end(document: weasyprint.Document) -> tuple[int, float, float]:
    """(page index, x, y in mm from the page's top left) of where the article ends."""
    for index, page in enumerate(document.pages):
        if END in page.anchors:
            x, y, *_ = page.anchors[END]
            return index, x * PX_MM, y * PX_MM
    raise ValueError(f"no #{END} anchor: the brochure template must end the article with it")


def _reach(layout: BrochureFormat, document: weasyprint.Document) -> float:
    """How far the article runs: pages (a tri-fold: panels) and the last one in part."""
    if not layout.is_booklet:
        return _panels_used(layout, document)
    page, _x, y = _end(document)
    height = layout.trim[1] - layout.margins.top - layout.margins.bottom
    return page + min(max((y - layout.margins.top) / height, 0.0), 1.0)


def _extent(layout: BrochureFormat, pages: int) -> float:
    """`_reach` of an article that fills `pages` to the last line: a booklet's back page
    follows it; a tri-fold's four text panels."""
    return float(pages - 1) if layout.is_booklet else float(1 + len(layout.panels))


def _panels_used(layout: BrochureFormat, document: weasyprint.Document) -> float:
    """How many of a tri-fold's text panels the article takes, the last in part: the inside
    flap is the first, the inside page's three the next (a page 3, 4 ... laid out only to
    measure, three more each)."""
    page, x, y = _end(document)
    if page == 0:
        column = 0
    else:
        columns = layout.text_columns(2)
        inside = min(
            range(len(columns)), key=lambda i: abs(columns[i].left + columns[i].width / 2 - x)
        )
        column = 1 + (page - 1) * len(columns) + inside
    height = layout.trim[1] - layout.margins.top - layout.margins.bottom
    return column + min(max((y - layout.margins.top) / height, 0.0), 1.0)


def _empty_panels(layout: BrochureFormat, document: weasyprint.Document) -> int:
    text_panels = 1 + len(layout.panels)
    return text_panels - math.ceil(_panels_used(layout, document) or 1)


def _too_long(layout: BrochureFormat, fit: Fit, document: weasyprint.Document, pages: int) -> str:
    if layout.is_booklet:
        return (
            f"the brochure needs {pages} pages even at its tightest ({fit}); a saddle-stitched "
            f"booklet holds at most {layout.most_pages}: split the document, or shorten it"
        )
    text_panels = 1 + len(layout.panels)
    used = _panels_used(layout, document)
    over = used - text_panels
    return (
        f"the text does not fit the {layout.name} format: even at the tightest fit the brand "
        f"allows ({fit}) it needs about {used:.1f} panels, and a tri-fold has {text_panels} for "
        f"text (the inside flap and the three inside panels): about {over:.1f} "
        f"panel{'s' if round(over, 1) != 1 else ''} ({over / text_panels:.0%}) over. Shorten it, "
        f'or choose a booklet in styles/brand.toml: [brochure] format = "{_booklet_for(layout)}"'
    )


def _booklet_for(layout: BrochureFormat) -> str:
    return "a5-booklet" if layout.name.startswith("a4") else "half-letter-booklet"
