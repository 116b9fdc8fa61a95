"""The brochure's formats, one entry each: what `[brochure] format` in styles/brand.toml may
name (the names are a contract: other tools set them), and everything that follows from the
choice: the trim, how it is folded or bound, how many pages it may have, its margins, its
columns or panels and the size of its cover title.

A booklet is saddle-stitched: sheets folded once and stapled in the fold, so its pages come
in fours. A tri-fold is one sheet printed on both sides and roll-folded (letter fold) into
three panels a side: page 1 is the outside (inside flap, back panel, cover panel, left to
right), page 2 the inside (three panels). The panel that folds in is narrower, so that it
nests inside the others instead of buckling against the fold; how much narrower follows the
print shops' folding guides (docs/printing.md cites them).

Lengths are millimetres. Nothing here reads a file: brand.py checks the name against this
table when the brand loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

INCH = 25.4

Fold = Literal["saddle-stitch", "roll-fold"]


@dataclass(frozen=True)
class Margins:
    top: float
    bottom: float
    inside: float
    """At the spine (booklets) or at a fold (a tri-fold panel's both sides)."""
    outside: float


@dataclass(frozen=True)
class Column:
    """Where one column of text stands on a page, from the trim's left edge."""

    left: float
    width: float

    @property
    def right(self) -> float:
        return self.left + self.width


@dataclass(frozen=True)
class BrochureFormat:
    name: str
    trim: tuple[float, float]
    """Width and height of a page as printed (a tri-fold: the flat sheet)."""
    fold: Fold
    margins: Margins
    columns: int
    """Text columns on an inside page (a tri-fold: one per panel)."""
    column_gap: float
    title_size: float
    """The cover title, in pt."""
    type_scale: float = 1.0
    """The back page's type and QR code, relative to a tri-fold panel's: a letter or A4
    page has room for larger."""
    panels: tuple[float, ...] = ()
    """A tri-fold's panels on the inside page, left to right; the last folds in."""
    safe: float = 5.0
    """No text nearer than this to the trim or to a fold (the cutting and folding tolerance
    print shops ask designers to keep clear)."""

    @property
    def template(self) -> str:
        """The page template (styles/templates/) that places its cover, article and back."""
        return "brochure.html.j2" if self.is_booklet else "brochure-trifold.html.j2"

    @property
    def sheet_pages(self) -> int:
        """Pages are printed in multiples of this: 4 a folded sheet, 2 a tri-fold's sides."""
        return 4 if self.fold == "saddle-stitch" else 2

    @property
    def most_pages(self) -> int:
        """The longest brochure of this format: a booklet's footer counts up to
        MOST_BOOKLET_PAGES (print.css.j2's booklet-pages); a tri-fold is one sheet."""
        return MOST_BOOKLET_PAGES if self.fold == "saddle-stitch" else 2

    @property
    def is_booklet(self) -> bool:
        return self.fold == "saddle-stitch"

    @property
    def binding(self) -> str:
        """The finishing a print shop reads: "saddle stitch" or "roll fold (letter fold)"."""
        return "saddle stitch" if self.is_booklet else "roll fold (letter fold), 6 panels"

    @property
    def finished(self) -> tuple[float, float]:
        """The size as handed out: a booklet's page, a tri-fold's cover panel."""
        return (self.panels[0], self.trim[1]) if self.panels else self.trim

    @property
    def column_width(self) -> float:
        """Every text column's width: a tri-fold's is its narrowest panel's, so one column
        width serves every panel (CSS columns are all alike)."""
        if self.panels:
            return min(self.panels) - 2 * self.margins.inside
        text = self.trim[0] - self.margins.inside - self.margins.outside
        return (text - (self.columns - 1) * self.column_gap) / self.columns

    @property
    def folds(self) -> tuple[float, ...]:
        """Where the sheet is folded on the inside page (page 2), from its left edge; on the
        outside page (page 1) the same folds stand mirrored."""
        edges = [sum(self.panels[: i + 1]) for i in range(len(self.panels) - 1)]
        return tuple(edges)

    def text_columns(self, page: int) -> tuple[Column, ...]:
        """The text columns of page `page` (1-based): a booklet's left pages (even) have the
        spine on the right; a tri-fold's outside page has text on its inside flap only (its
        back and cover panels are laid out apart), its inside page on every panel."""
        if self.panels:
            return self._panel_columns() if page % 2 == 0 else (self._flap_column(),)
        left = self.margins.outside if page % 2 == 0 else self.margins.inside
        step = self.column_width + self.column_gap
        return tuple(Column(left + i * step, self.column_width) for i in range(self.columns))

    def _flap_column(self) -> Column:
        flap = self.panels[-1]  # the panel that folds in, at the left of the outside page
        return Column(self.margins.inside, flap - 2 * self.margins.inside)

    def _panel_columns(self) -> tuple[Column, ...]:
        """Equal columns whose middles stand as near the panels' middles as one step allows
        (the panels differ by a fraction of a millimetre to a few): least squares."""
        middles = [sum(self.panels[:i]) + width / 2 for i, width in enumerate(self.panels)]
        count = len(middles)
        step = (middles[-1] - middles[0]) / (count - 1)
        first = sum(middle - i * step for i, middle in enumerate(middles)) / count
        width = self.column_width
        return tuple(Column(first + i * step - width / 2, width) for i in range(count))

    @property
    def panel_gap(self) -> float:
        """A tri-fold's gap between text columns across a fold."""
        columns = self._panel_columns()
        return columns[1].left - columns[0].right


MOST_BOOKLET_PAGES = 64
"""Saddle stitching holds up to about 64 pages of text paper (16 sheets) before the fold
bulges and the inner pages creep out too far; longer is a perfect-bound book."""

_BOOKLET = Margins(top=20, bottom=20, inside=18, outside=18)
_SMALL_BOOKLET = Margins(top=16, bottom=17, inside=15, outside=13)

FORMATS: dict[str, BrochureFormat] = {
    f.name: f
    for f in (
        # Two columns of about 47 characters at 11 pt, as the brochure has always been.
        BrochureFormat("letter-booklet", (8.5 * INCH, 11 * INCH), "saddle-stitch",
                       _BOOKLET, columns=2, column_gap=8, title_size=34, type_scale=1.25),
        BrochureFormat("a4-booklet", (210, 297), "saddle-stitch",
                       _BOOKLET, columns=2, column_gap=8, title_size=34, type_scale=1.25),
        # One column of about 60 characters: the size of most leaflet racks.
        BrochureFormat("half-letter-booklet", (5.5 * INCH, 8.5 * INCH), "saddle-stitch",
                       _SMALL_BOOKLET, columns=1, column_gap=0, title_size=25, type_scale=1.1),
        BrochureFormat("a5-booklet", (148, 210), "saddle-stitch",
                       _SMALL_BOOKLET, columns=1, column_gap=0, title_size=25, type_scale=1.1),
        # Letter: two panels of 3 11/16 in and the folding-in one of 3 5/8 in (1/16 in less);
        # A4: 100, 100 and 97 mm. Text keeps 5/16 in (about 8 mm) from each fold and edge.
        BrochureFormat("letter-trifold", (11 * INCH, 8.5 * INCH), "roll-fold",
                       Margins(top=14, bottom=12, inside=8, outside=8), columns=3,
                       column_gap=0, title_size=24,
                       panels=(3.6875 * INCH, 3.6875 * INCH, 3.625 * INCH)),
        BrochureFormat("a4-trifold", (297, 210), "roll-fold",
                       Margins(top=14, bottom=12, inside=9, outside=9), columns=3,
                       column_gap=0, title_size=24, panels=(100, 100, 97)),
    )
}  # fmt: skip
"""Every brochure format, by the name brand.toml gives it."""

DEFAULT = "letter-booklet"
