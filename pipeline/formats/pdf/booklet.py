"""The brochure as a saddle-stitched booklet of whole sheets (4 pages each), laid out once.

WeasyPrint lays out the cover, the article and the back page in one pass. Their footers
already show the booklet's final page count: print.css.j2's `booklet-pages` counter style
rounds the pages laid out up to whole sheets. The Notes pages that fill the last sheet are
laid out on their own, numbered on from the article, and put before the back page.

A last sheet that would need more than one Notes page wastes paper. Only then is the article
laid out again, tighter or looser within the brand's limits (spacing first, then type size),
until a layout needs at most one; if none does, the booklet keeps its first layout and says
why it padded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import weasyprint

from pipeline.brand import Brand
from pipeline.formats.pdf.paged import MAX_PAGES, Fit, PrintError

SHEET = 4
"""Pages per folded sheet."""

LayOut = Callable[[Fit], weasyprint.Document]
"""Lays out the cover, the article and the back page with a fit."""
LayOutNotes = Callable[[int, int, int], weasyprint.Document]
"""Lays out (count, first page number, booklet's page count) Notes pages."""


def padding(pages: int) -> int:
    """Notes pages that fill the last sheet."""
    return -pages % SHEET


@dataclass
class Booklet:
    article: weasyprint.Document
    """Cover, article pages and back page."""
    notes: weasyprint.Document | None
    fit: Fit
    story: list[str] = field(default_factory=list)
    """How the pages were fitted to whole sheets, for the preflight report."""

    @property
    def notes_pages(self) -> int:
        return len(self.notes.pages) if self.notes else 0

    def write(self, target: Path, **options: Any) -> Path:
        """All pages in reader order: the Notes pages go before the back page."""
        pages = self.article.pages
        notes = self.notes.pages if self.notes else []
        combined = self.article.copy([*pages[:-1], *notes, pages[-1]])
        combined.write_pdf(target, **options)
        return target


def lay_out(brand: Brand, article: LayOut, notes: LayOutNotes) -> Booklet:
    nominal = Fit.nominal(brand)
    first = article(nominal)
    chosen, fit, counts = first, nominal, {nominal: len(first.pages)}
    story = []
    if padding(len(first.pages)) > 1:
        for trial in _trials(brand, len(first.pages)):
            document = article(trial)
            counts[trial] = len(document.pages)
            if padding(len(document.pages)) <= 1:
                chosen, fit = document, trial
                story.append(
                    f"laid out again with {_describe(trial, nominal)}: at {_describe(nominal)} "
                    f"it took {padding(len(first.pages))} Notes pages to fill the last sheet"
                )
                break
        else:
            story.append(
                f"padded with {padding(len(first.pages))} Notes pages: the article, cover and "
                f"back page fill {_pages(counts.values())} pages within the brand's limits "
                f"({_limits(brand)}), and every one of these leaves more than one page of the "
                "last sheet blank"
            )
    pages = len(chosen.pages)
    if pages > MAX_PAGES:
        raise PrintError(
            f"the brochure runs to {pages} pages; a saddle-stitched booklet of more than "
            f"{MAX_PAGES} pages cannot be printed: split the document"
        )
    extra = padding(pages)
    filled = notes(extra, pages, pages + extra) if extra else None
    return Booklet(chosen, filled, fit, story)


def _trials(brand: Brand, pages: int) -> list[Fit]:
    """Fits to try, spacing first, then type size: towards one page fewer when the last
    sheet has one page (3 to pad), towards one page more when it has two."""
    nominal = Fit.nominal(brand)
    spacing = brand.print.get("fit-spacing", [1, 1])
    size = brand.print.get("fit-type-size", [nominal.type_size] * 2)
    tighter = [Fit(spacing[0], nominal.type_size), Fit(spacing[0], size[0])]
    looser = [Fit(spacing[1], nominal.type_size), Fit(spacing[1], size[1])]
    ordered = tighter + looser if padding(pages) == SHEET - 1 else looser + tighter
    return [fit for fit in dict.fromkeys(ordered) if fit != nominal]


def _describe(fit: Fit, nominal: Fit | None = None) -> str:
    spacing = f"spacing x{fit.spacing:.3g}"
    if nominal is None or fit.type_size != nominal.type_size:
        return f"{spacing} and {fit.type_size:g} pt type"
    return spacing


def _pages(counts: Any) -> str:
    found = sorted(set(counts))
    return f"{found[0]}" if len(found) == 1 else f"{found[0]} to {found[-1]}"


def _limits(brand: Brand) -> str:
    spacing = brand.print.get("fit-spacing", [1, 1])
    size = brand.print.get("fit-type-size", [Fit.nominal(brand).type_size] * 2)
    return f"spacing x{spacing[0]:g} to x{spacing[1]:g}, type {size[0]:g} to {size[1]:g} pt"
