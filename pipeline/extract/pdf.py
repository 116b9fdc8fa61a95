"""The text a reader gets from a PDF: its pages' lines in reading order, without the running
headers and footers that repeat on every page.

Works for any sane one- or two-column PDF, ours or not (LibreOffice's PDF of the DOCX):
- in a tagged PDF, text marked as /Artifact (our running heads) is left out;
- in any PDF, a line that opens or closes at least half of the pages with the same words
  (page numbers aside) is a running head or foot and is left out. Nothing is cropped, so
  a page without margins loses no body text;
- a page set in two columns (the brochure) is read column by column: its gutter is the
  widest vertical strip near the middle that words on both sides leave empty (lines that
  cross it, such as a title across both columns, are read where they stand, between bands
  of columns). Any other page is read top to bottom, left to right.
Words split by a hyphen at a line end come back together in verification's normalisation."""

from __future__ import annotations

import bisect
import itertools
import math
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
from pdfplumber.utils import cluster_objects

EDGE_LINES = 2
"""How many lines at the top and at the foot of a page can be a running head or foot."""
GUTTER_SEARCH = (0.3, 0.7)
"""Where a gutter can lie, as fractions of the width the page's text covers."""
MIN_GUTTER = 1.0
"""The narrowest gutter, in the page's typical word heights: wider than any word space."""
MAX_CROSSING = 0.25
"""The most lines that may cross a gutter (titles set across both columns), as a share."""
MIN_COLUMN_LINES = 3
"""Lines a column needs on each side of a gutter before the page counts as two columns."""
ROW_TOLERANCE = 3
"""Words whose tops lie within this many points sit on one row (pdfplumber's default)."""
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Row:
    """Words on one row of a page, as stretches of text broken only where the gap between
    two words is wider than a gutter can be narrow (a word space never breaks them)."""

    top: float
    bottom: float
    stretches: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Gutter:
    """The whole points from `left` to `right` that no text of the columns covers."""

    left: int
    right: int

    @property
    def middle(self) -> float:
        return (self.left + self.right) / 2

    def crossed_by(self, row: Row) -> bool:
        return any(
            math.ceil(x0) <= self.right and math.floor(x1) >= self.left for x0, x1 in row.stretches
        )


def reading_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        bodies = [page.filter(_not_artifact) for page in pdf.pages]
        rows = [_rows(body) for body in bodies]
        running = running_lines([[row["text"] for row in page_rows] for page_rows in rows])
        kept: list[str] = []
        for body, page_rows in zip(bodies, rows, strict=True):
            edges = _edge_indexes(len(page_rows))
            heads = [
                r for i, r in enumerate(page_rows) if i in edges and _key(r["text"]) in running
            ]
            kept += reading_lines(_without(body, heads) if heads else body)
    return "\n".join(kept)


def running_lines(pages: list[list[str]]) -> set[str]:
    """Keys of lines that sit at the top or foot of at least half the pages with text
    (and on two pages at least)."""
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_key(lines[i]) for i in _edge_indexes(len(lines))})
    with_text = sum(1 for lines in pages if lines)
    return {key for key, n in counts.items() if n >= 2 and n * 2 >= with_text}


def reading_lines(page: Any) -> list[str]:
    """A page's lines in reading order: column by column if it has a gutter."""
    rows = layout_rows(page.extract_words())
    gutter = find_gutter(rows)
    if gutter is None:
        return _texts(page)
    bands = _bands(rows, gutter)
    # A character belongs to the band its middle lies in, cut halfway between bands, and
    # in a band of columns to the side of the gutter its middle lies on.
    cuts = [(above[1] + below[0]) / 2 for above, below in itertools.pairwise(bands)]

    def region(char: dict[str, Any]) -> tuple[int, int]:
        band = bisect.bisect(cuts, (char["top"] + char["bottom"]) / 2)
        right = not bands[band][2] and (char["x0"] + char["x1"]) / 2 > gutter.middle
        return band, int(right)

    order = [(i, side) for i, band in enumerate(bands) for side in ((0,) if band[2] else (0, 1))]
    return [
        line
        for wanted in order
        for line in _texts(
            page.filter(lambda obj, w=wanted: obj.get("object_type") == "char" and region(obj) == w)
        )
    ]


def layout_rows(words: Sequence[dict[str, Any]]) -> list[Row]:
    """The words (pdfplumber's) as rows, top to bottom."""
    if not words:
        return []
    narrowest = MIN_GUTTER * statistics.median(w["bottom"] - w["top"] for w in words)
    rows = []
    for cluster in cluster_objects(list(words), lambda w: w["top"], ROW_TOLERANCE):
        stretches: list[tuple[float, float]] = []
        for word in sorted(cluster, key=lambda w: w["x0"]):
            if stretches and word["x0"] - stretches[-1][1] < narrowest:
                stretches[-1] = (stretches[-1][0], max(stretches[-1][1], word["x1"]))
            else:
                stretches.append((word["x0"], word["x1"]))
        top, bottom = min(w["top"] for w in cluster), max(w["bottom"] for w in cluster)
        rows.append(Row(top, bottom, tuple(stretches)))
    return sorted(rows, key=lambda row: row.top)


def find_gutter(rows: Sequence[Row]) -> Gutter | None:
    """The vertical strip between two columns of text, if the rows are set in two: the
    widest strip near the middle crossed by the fewest rows, if that is few."""
    stretches = [stretch for row in rows for stretch in row.stretches]
    if not stretches:
        return None
    start = min(x0 for x0, _ in stretches)
    width = max(x1 for _, x1 in stretches) - start
    lo, hi = (math.ceil(start + width * share) for share in GUTTER_SEARCH)
    # crossing[x]: how many rows have text over x (a row's stretches never overlap).
    crossing = [0] * (hi - lo + 1)
    for x0, x1 in stretches:
        for x in range(max(lo, math.ceil(x0)), min(hi, math.floor(x1)) + 1):
            crossing[x - lo] += 1
    fewest = min(crossing)
    run = _widest_run([count == fewest for count in crossing])
    if run is None:
        return None
    gutter = Gutter(lo + run[0], lo + run[1])
    left = sum(1 for row in rows if any(x1 < gutter.left for _, x1 in row.stretches))
    right = sum(1 for row in rows if any(x0 > gutter.right for x0, _ in row.stretches))
    if fewest > MAX_CROSSING * len(rows) or min(left, right) < MIN_COLUMN_LINES:
        return None
    return gutter


def _bands(rows: Sequence[Row], gutter: Gutter) -> list[tuple[float, float, bool]]:
    """(top, bottom, spanning) of each run of rows, top to bottom, that either all sit in
    the columns or all cross the gutter."""
    bands: list[tuple[float, float, bool]] = []
    for row in rows:
        spanning = gutter.crossed_by(row)
        if bands and bands[-1][2] == spanning:
            bands[-1] = (bands[-1][0], max(bands[-1][1], row.bottom), spanning)
        else:
            bands.append((row.top, row.bottom, spanning))
    return bands


def _widest_run(flags: list[bool]) -> tuple[int, int] | None:
    """First and last index of the longest run of True."""
    best: tuple[int, int] | None = None
    start = None
    for index, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            if best is None or index - 1 - start > best[1] - best[0]:
                best = (start, index - 1)
            start = None
    return best


def _rows(page: Any) -> list[dict[str, Any]]:
    """The page's text lines across its whole width, top to bottom (for running heads)."""
    return [line for line in page.extract_text_lines(strip=True) if line["text"]]


def _texts(page: Any) -> list[str]:
    return [line["text"] for line in _rows(page)]


def _not_artifact(obj: dict[str, Any]) -> bool:
    return bool(obj.get("tag") != "Artifact")


def _without(page: Any, lines: list[dict[str, Any]]) -> Any:
    """The page without the characters of these text lines."""

    def outside(obj: dict[str, Any]) -> bool:
        return not any(
            obj["top"] >= line["top"] - 0.5
            and obj["bottom"] <= line["bottom"] + 0.5
            and obj["x0"] >= line["x0"] - 0.5
            and obj["x1"] <= line["x1"] + 0.5
            for line in lines
        )

    return page.filter(lambda obj: obj.get("object_type") != "char" or outside(obj))


def _edge_indexes(count: int) -> set[int]:
    return set(range(min(EDGE_LINES, count))) | set(range(max(count - EDGE_LINES, 0), count))


def _key(line: str) -> str:
    """A line as a running head: page numbers and spacing do not tell pages apart."""
    return _SPACE.sub(" ", _DIGITS.sub("#", line)).strip().casefold()
