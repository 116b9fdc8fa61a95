"""Does every section and disclaimer come through in each finished output, in source order?

Expected text comes from the model; found text from the files (pipeline.extract). Both are
normalised only for what formats legitimately change."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Literal

from pipeline.model import Disclaimer, Document, PartKind, Scope
from pipeline.text import paragraphs, stringify

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
    }
)
# White space, soft hyphens and hyphens: line breaking and hyphenation move them around.
_BREAKABLE = re.compile(r"[\s\u00ad\u200b\-\u2010\u2011]+")


def normalise(text: str) -> str:
    """Ligatures and compatibility forms (NFKC), straight quotes, no case, and none of the
    characters that line breaking adds or removes."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return _BREAKABLE.sub("", text)


@dataclass(frozen=True)
class Expected:
    id: str
    kind: PartKind
    part: str
    """Which part of it: "heading", "body", "wording", "plain"."""
    text: str


@dataclass(frozen=True)
class Gap:
    output: str
    id: str
    kind: str
    part: str
    problem: Literal["missing", "out of order"]
    text: str

    def __str__(self) -> str:
        return f'{self.output}: {self.kind} "{self.id}" {self.part} {self.problem}: "{self.text}"'

    def as_json(self) -> dict[str, str]:
        return asdict(self)


def expected(doc: Document, scope: Scope) -> Iterator[Expected]:
    """What must come through, in source order: the full text for "full" outputs, the plain
    wording for one-pagers."""
    if scope == "plain":
        for ident, kind, blocks in doc.plain_parts:
            yield from _each(ident, kind, "plain", paragraphs(blocks))
        return
    for section in doc.sections:
        yield Expected(section.id, "section", "heading", stringify(section.heading))
        for item in section.body:
            if isinstance(item, Disclaimer):
                yield from _each(item.id, "disclaimer", "wording", paragraphs(item.wording))
            else:
                yield from _each(section.id, "section", "body", paragraphs([item]))


def _each(ident: str, kind: PartKind, part: str, texts: Iterable[str]) -> Iterator[Expected]:
    for text in texts:
        yield Expected(ident, kind, part, text)


def check(doc: Document, output: str, scope: Scope, found: str) -> list[Gap]:
    """Every expected text, found in order in `found`; a gap for each that is not."""
    haystack = normalise(found)
    items = list(expected(doc, scope))
    needles = [normalise(item.text) for item in items]
    in_order = _longest_in_order(needles, haystack)
    gaps = []
    for index, (item, needle) in enumerate(zip(items, needles, strict=True)):
        if index in in_order:
            continue
        problem: Literal["missing", "out of order"] = (
            "out of order" if needle in haystack else "missing"
        )
        shown = item.text if len(item.text) <= 80 else item.text[:77] + "..."
        gaps.append(Gap(output, item.id, item.kind, item.part, problem, shown))
    return gaps


def _longest_in_order(needles: list[str], haystack: str, most: int = 50) -> set[int]:
    """Indices of the needles that, found without overlap and in order, cover the most text.

    A weighted longest-increasing-subsequence over every place each needle occurs, so that a
    short heading that also occurs elsewhere cannot drag the blame onto the sections after it."""
    places = [_occurrences(needle, haystack, most) for needle in needles]
    # best[(i, start)] = (covered length of the best chain ending at needle i found at start,
    #                     the previous link of that chain)
    best: dict[tuple[int, int], tuple[int, tuple[int, int] | None]] = {}
    for i, starts in enumerate(places):
        for start in starts:
            score, previous = len(needles[i]), None
            for (j, other), (other_score, _) in best.items():
                # Only an earlier needle can come before: a needle found twice (a disclaimer
                # repeated on a back page) must not count twice.
                ends_before = j < i and other + len(needles[j]) <= start
                if ends_before and other_score + len(needles[i]) > score:
                    score, previous = other_score + len(needles[i]), (j, other)
            best[(i, start)] = (score, previous)
    if not best:
        return set()
    link: tuple[int, int] | None = max(best, key=lambda key: best[key][0])
    chosen = set()
    while link is not None:
        chosen.add(link[0])
        link = best[link][1]
    return chosen


def _occurrences(needle: str, haystack: str, most: int) -> list[int]:
    starts: list[int] = []
    at = haystack.find(needle)
    while at >= 0 and len(starts) < most and needle:
        starts.append(at)
        at = haystack.find(needle, at + 1)
    return starts
