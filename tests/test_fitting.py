"""Fitting the brochure's text to its format's pages (formats/pdf/fitting.py), with layouts
that a test makes up: how many pages each fit gives, and where on the last the text ends.
Fast: nothing is laid out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from pipeline.formats.pdf import fitting
from pipeline.formats.pdf.brochure_formats import FORMATS
from pipeline.formats.pdf.paged import Fit, PrintError
from tests.brochures import brand_in

pytestmark = pytest.mark.fast

BRAND = brand_in("letter-booklet")
LADDER = fitting.ladder(BRAND)
PX = 96 / 25.4


@dataclass
class Page:
    anchors: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)


@dataclass
class Laid:
    pages: list[Page]


def made_up(
    reach: dict[Fit, float], layout_name: str = "letter-booklet"
) -> tuple[Callable[[Fit, int], Laid], Callable[[int, int, int], Laid], list[tuple[Fit, int]]]:
    """A layout function: at each fit, the article (cover first) ends `reach` pages in (a
    tri-fold: panels), the fraction the part of the last page it fills; and a log of it."""
    layout = FORMATS[layout_name]
    log: list[tuple[Fit, int]] = []

    def article(fit: Fit, notes_panels: int) -> Laid:
        log.append((fit, notes_panels))
        whole, part = divmod(reach[fit], 1)
        height = layout.trim[1] - layout.margins.top - layout.margins.bottom
        y = (layout.margins.top + part * height) * PX
        if layout.is_booklet:
            pages = [Page() for _ in range(int(whole) + 2)]  # the cover, ..., the back page
            pages[int(whole)].anchors[fitting.END] = (0, y, 0, y)
            return Laid(pages)
        panel = int(whole)  # 0: the flap; 1 to 3 the inside; 4, 5, 6: a page 3 ...
        page = 0 if panel == 0 else 1 + (panel - 1) // 3
        column = layout.text_columns(2)[(panel - 1) % 3] if panel else layout.text_columns(1)[0]
        pages = [Page() for _ in range(max(page + 1, 2))]
        x = (column.left + 1) * PX
        pages[page].anchors[fitting.END] = (x, y, x, y)
        return Laid(pages)

    def notes(count: int, first: int, total: int) -> Laid:
        log.append((Fit(0, 0), count))
        return Laid([Page() for _ in range(count)])

    return article, notes, log


def test_the_ladder_runs_from_the_tightest_to_the_loosest_spacing_first() -> None:
    assert LADDER[0] == Fit(0.8, 10.5) and LADDER[-1] == Fit(1.4, 12.0)
    assert Fit(1.0, 11.0) in LADDER
    middle = LADDER.index(Fit(1.0, 11.0))
    assert all(fit.type_size == 11.0 for fit in LADDER[middle - 2 : middle + 5])  # spacing first
    sizes = [fit.type_size for fit in LADDER]
    assert sizes == sorted(sizes)


def test_the_fewest_sheets_then_the_loosest_fit_that_keeps_them() -> None:
    """At its tightest the text ends on page 3 (after the cover): 5 pages, so 8 it is; the
    loosest fit that keeps the text to 8 pages (ending on page 6, before the back page) is
    taken, and no Notes page is needed."""
    step = 4.5 / (len(LADDER) - 1)
    reach = {fit: 3.3 + index * step for index, fit in enumerate(LADDER)}  # ends on page 3 to 7
    article, notes, log = made_up(reach)
    chosen = fitting.lay_out(BRAND, FORMATS["letter-booklet"], article, notes)
    assert len(chosen.article.pages) == 8 and chosen.notes is None
    keeps = [fit for fit in LADDER if reach[fit] < 7]
    assert chosen.fit == keeps[-1]
    assert len(log) <= 4, "the fit is found in a few layouts"
    assert "8 pages (2 sheets, letter-booklet)" in chosen.story[0]


def test_notes_pages_only_where_the_loosest_fit_leaves_pages_blank() -> None:
    reach = {fit: 3.05 + index * 0.02 for index, fit in enumerate(LADDER)}  # on page 3
    article, notes, log = made_up(reach)
    chosen = fitting.lay_out(BRAND, FORMATS["letter-booklet"], article, notes)
    assert chosen.fit == LADDER[-1]
    assert len(chosen.article.pages) == 5 and chosen.notes_pages == 3
    assert chosen.story[1].startswith("Notes on pages 5 to 7: the text, even at the loosest")
    assert log[-1] == (Fit(0, 0), 3)


def test_a_text_that_fills_its_pages_needs_no_notes() -> None:
    reach = dict.fromkeys(LADDER, 2.95)  # two inside pages, the second full
    article, notes, _log = made_up(reach)
    chosen = fitting.lay_out(BRAND, FORMATS["letter-booklet"], article, notes)
    assert len(chosen.article.pages) == 4 and chosen.notes is None and len(chosen.story) == 1


def test_a_booklet_longer_than_saddle_stitching_holds_is_refused() -> None:
    reach = dict.fromkeys(LADDER, 70.5)
    article, notes, _log = made_up(reach)
    with pytest.raises(PrintError, match=r"needs 72 pages even at its tightest .* at most 64"):
        fitting.lay_out(BRAND, FORMATS["letter-booklet"], article, notes)


@pytest.mark.parametrize(
    ("name", "booklet"), [("letter-trifold", "half-letter"), ("a4-trifold", "a5")]
)
def test_a_text_too_long_for_a_tri_fold_is_refused_saying_how_much(name: str, booklet: str) -> None:
    reach = dict.fromkeys(LADDER, 5.5)  # the flap, three inside panels, one more and a half
    article, notes, _log = made_up(reach, name)
    with pytest.raises(PrintError) as refused:
        fitting.lay_out(brand_in(name), FORMATS[name], article, notes)
    message = str(refused.value)
    assert "it needs about 5.5 panels" in message and "about 1.5 panels (38%) over" in message
    assert f'[brochure] format = "{booklet}-booklet"' in message


def test_a_tri_fold_fills_its_empty_panels_with_notes() -> None:
    reach = {fit: 1.2 + index * 0.01 for index, fit in enumerate(LADDER)}  # the first inside panel
    article, notes, log = made_up(reach, "letter-trifold")
    chosen = fitting.lay_out(brand_in("letter-trifold"), FORMATS["letter-trifold"], article, notes)
    assert chosen.fit == LADDER[-1]
    assert log[-1] == (LADDER[-1], 2)  # laid out again with two Notes panels
    assert "Notes on 2 panels of the inside" in chosen.story[-1]
