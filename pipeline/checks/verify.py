"""Does every section and disclaimer come through in each finished output, in source order?

Expected text comes from the model; found text from the files (pipeline.extract). Both are
normalised only for what formats legitimately change."""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.checks.finished import Finished, Gap, OutputCheck, Problem
from pipeline.extract import Hidden
from pipeline.model import Block, Disclaimer, Document, PartKind, Scope
from pipeline.text import paragraphs

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


def comparable(text: str) -> str:
    """Ligatures and compatibility forms (NFKC), straight quotes, no case: what every format
    gives back of a text, whatever it does to draw it."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()


def normalise(text: str) -> str:
    """`comparable`, and none of the characters that line breaking adds or removes."""
    return _BREAKABLE.sub("", comparable(text))


@dataclass(frozen=True)
class Expected:
    id: str
    kind: PartKind
    part: str
    """Which part of it: "heading", "body", "wording", "plain", "footnote"."""
    text: str
    ordered: bool = True
    """False for a footnote: formats put notes in different places (after their block on a
    page, at the end of a Word file), so a note is looked for anywhere in the output."""
    marked: bool = False
    """A footnote's mark follows the text: it may end where the mark's number starts,
    directly after a letter ("a sink²"), not only at a word's edge."""
    after_mark: bool = False
    """A footnote's mark comes before the text: it may start right after the mark's number,
    as text written without spaces does ("水。¹离水池"), not only at a word's edge."""

    @property
    def needle(self) -> str:
        """What is looked for in the output's text (see Haystack.occurrences)."""
        before, after = (MARK if self.after_mark else ""), (MARK if self.marked else "")
        return before + normalise(self.text) + after


def expected(doc: Document, scope: Scope, addresses: bool = False) -> Iterator[Expected]:
    """What must come through, in source order: the full text for "full" outputs, the plain
    wording for one-pagers. `addresses`: the output prints each link's address after its
    text (text.printed_link), and must."""
    if scope == "plain":
        for ident, kind, blocks in doc.plain_parts:
            yield from _each(ident, kind, "plain", blocks, addresses)
        return
    for section in doc.sections:
        heading = [{"t": "Plain", "c": list(section.heading)}]
        yield from _each(section.id, "section", "heading", heading, addresses)
        for item in section.body:
            if isinstance(item, Disclaimer):
                yield from _each(item.id, "disclaimer", "wording", item.wording, addresses)
            else:
                yield from _each(section.id, "section", "body", [item], addresses)


def _each(
    ident: str, kind: PartKind, part: str, blocks: Sequence[Block], addresses: bool
) -> Iterator[Expected]:
    """Each unit of text of `blocks`, in order; a unit with a footnote mark in it as its
    pieces around the mark (every format writes the mark as it likes: a number, a symbol, or
    nothing in the text); then the text of each footnote."""
    marked, notes = _marked_notes(blocks)
    # the alt text is not printed
    for text in paragraphs(marked, alt_captions=False, addresses=addresses):
        pieces = text.split(MARK)
        for i, piece in enumerate(pieces):
            if piece.strip():
                yield Expected(
                    ident, kind, part, piece, marked=i < len(pieces) - 1, after_mark=i > 0
                )
    for note in notes:
        for text in paragraphs(note, addresses=addresses):
            yield Expected(ident, kind, "footnote", text, ordered=False)


MARK = "\x00"
"""Where a footnote's mark stands in the expected text."""


def _marked_notes(blocks: Sequence[Block]) -> tuple[list[Block], list[list[Block]]]:
    """A copy of `blocks` with each footnote replaced by `MARK`, and the notes' blocks."""
    notes: list[list[Block]] = []

    def mark(value: Any) -> Any:
        if isinstance(value, dict):
            if value.get("t") == "Note":
                notes.append(value["c"])
                return {"t": "Str", "c": MARK}
            return {key: mark(item) for key, item in value.items()}
        if isinstance(value, list):
            return [mark(item) for item in value]
        return value

    return mark(list(blocks)), notes


def run(finished: Finished) -> OutputCheck:
    """The check "verify": what the format must carry, found in what a reader reads."""
    found = finished.reading
    fmt = finished.format
    gaps = check(finished.doc, fmt.name, fmt.verified, found.text, found.hidden, fmt.link_addresses)
    return OutputCheck(gaps=gaps)


def check(
    doc: Document,
    output: str,
    scope: Scope | Sequence[Scope],
    found: str,
    hidden: Sequence[Hidden] = (),
    addresses: bool = False,
) -> list[Gap]:
    """Every expected text of `scope` (or of each of several scopes, each in its own order:
    a DOCX puts each plain summary between a heading and its body), found in order in
    `found` (what a reader reads in the output); a gap for each that is not. Each text of
    `hidden` (what the output holds but a reader cannot see) is a gap too, named by the
    expected text it belongs to, else by the document. `addresses`: the output is paper,
    where each link is followed by its address (see `expected`)."""
    haystack = Haystack(found)
    items: list[Expected] = []
    placed: dict[int, int] = {}
    for each in (scope,) if isinstance(scope, str) else scope:
        first = len(items)
        items += expected(doc, each, addresses)
        placed |= {first + i: at for i, at in _placed(haystack, items[first:]).items()}
    needles = [item.needle for item in items]
    taken = sorted(
        bound for i, at in placed.items() for bound in (at, at + len(_unmarked(needles[i])))
    )
    elsewhere = functools.cache(lambda needle: haystack.elsewhere(needle, taken))
    unseen = [normalise(h.text) for h in hidden]
    claimed: set[int] = set()
    gaps = []
    for index, (item, needle) in enumerate(zip(items, needles, strict=True)):
        if not needle or index in placed:
            continue
        if not item.ordered and haystack.occurrences(needle):
            continue
        word = _unmarked(needle)
        mine = [i for i, text in enumerate(unseen) if _overlaps(text, needle)]
        for i in mine:
            # Name what a reader misses: the hidden part of the text, or all of it.
            shown = hidden[i].text if unseen[i] in word else item.text
            gaps.append(_gap(output, item, "not visible", shown, _why(hidden[i])))
        claimed.update(mine)
        if not mine:
            # Out of order only if it stands somewhere on its own: a "No" that occurs only
            # inside the texts found in place (a cell of another row, a word of a paragraph)
            # is missing.
            problem: Problem = "out of order" if elsewhere(needle) else "missing"
            gaps.append(_gap(output, item, problem, item.text))
    everything = [*expected(doc, "full"), *expected(doc, "plain")]
    for i, h in enumerate(hidden):
        if i not in claimed:
            # Text the output shows beside what it is verified for (a disclaimer's plain
            # wording on the page): named by the part it is, else by the document.
            owner = next((e for e in everything if _overlaps(unseen[i], e.needle)), None)
            ident, kind, part = (
                (owner.id, owner.kind, owner.part) if owner else (doc.id, "document", "text")
            )
            gaps.append(Gap(output, ident, kind, part, "not visible", _short(h.text), _why(h)))
    return gaps


def _overlaps(unseen: str, needle: str) -> bool:
    word = _unmarked(needle)
    return bool(unseen and word) and (unseen in word or word in unseen)


def _placed(haystack: Haystack, items: Sequence[Expected]) -> dict[int, int]:
    """Where each ordered one of `items` stands in the haystack, in their order: index ->
    position (the others are looked for anywhere)."""
    ordered = [i for i, item in enumerate(items) if item.ordered]
    chain = haystack.in_order([items[i].needle for i in ordered])
    return {ordered[i]: at for i, at in chain.items()}


def found_in_order(texts: Sequence[str], found: str) -> set[int]:
    """Indices of the `texts` that `found` holds, normalised, in their order (the matcher
    `check` uses, for any texts)."""
    needles = [normalise(text) for text in texts]
    empty = {i for i, needle in enumerate(needles) if not needle}
    return set(Haystack(found).in_order(needles)) | empty


def _gap(output: str, item: Expected, problem: Problem, text: str, why: str = "") -> Gap:
    return Gap(output, item.id, item.kind, item.part, problem, _short(text), why)


def _why(hidden: Hidden) -> str:
    return f"{hidden.why}, {hidden.where}"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "..."


class Haystack:
    """Found text, normalised, where an expected text may start or end only at a word's
    edge (a space, a hyphen, a line break or punctuation in the text as found), so that
    "No" is never found inside "Note".

    Finding: every word's edge, sorted by the KEY characters that follow it, so the edges
    where a text starts are one range, found by bisection, whatever the texts share."""

    KEY = 64

    def __init__(self, found: str) -> None:
        pieces = _BREAKABLE.split(comparable(found))
        self.text = text = "".join(pieces)
        edges = set(itertools.accumulate(map(len, pieces), initial=0))
        self.edges = edges | {
            i for i in range(1, len(text)) if not (text[i - 1].isalnum() and text[i].isalnum())
        }
        keyed = sorted((text[start : start + self.KEY], start) for start in self.edges)
        self._keys = [key for key, _ in keyed]
        self._starts = [start for _, start in keyed]
        self._found: dict[str, list[int]] = {}

    def occurrences(self, needle: str) -> list[int]:
        """Every start of `needle` (normalised) from one word's edge to another's, in order.
        A needle that ends with MARK (a footnote's mark follows it) may also end where a
        digit follows a letter: the mark's number, set directly after the word."""
        if not needle:
            return []
        if needle not in self._found:
            text, edges = self.text, self.edges
            word = _unmarked(needle)

            def ends(end: int) -> bool:
                if end in edges:
                    return True
                return needle.endswith(MARK) and end < len(text) and text[end].isdigit()

            key = word[: self.KEY]
            first = bisect.bisect_left(self._keys, key)
            last = bisect.bisect_left(self._keys, key + "\U0010ffff", first)
            starts = self._starts[first:last]
            if needle.startswith(MARK):  # also right after the mark's number
                starts = [
                    *starts,
                    *(
                        m.start()
                        for m in re.finditer(re.escape(word), text)
                        if text[m.start() - 1 : m.start()].isdigit()
                    ),
                ]
            self._found[needle] = sorted(
                {
                    start
                    for start in starts
                    if text.startswith(word, start) and ends(start + len(word))
                }
            )
        return self._found[needle]

    def in_order(self, needles: Sequence[str]) -> dict[int, int]:
        """The needles that, found without overlap and in their order, cover the most text:
        index -> where it starts (empty needles are left out).

        When every needle is there, taking each where it first occurs after the one before
        finds them all in one pass. Otherwise they are aligned as patience diff aligns lines:
        see `_align`."""
        places: dict[int, int] = {}
        cursor = 0
        for i, needle in enumerate(needles):
            if needle:
                found = self.occurrences(needle)
                at = bisect.bisect_left(found, cursor)
                if at == len(found):
                    return self._align(needles)
                places[i] = found[at]
                cursor = found[at] + len(_unmarked(needle))
        return places

    def _align(self, needles: Sequence[str]) -> dict[int, int]:
        """The heaviest chain over a few places per needle (see `_by_rank`), ranked in the
        whole text and again between anchors: the needles found once in the output and
        once among the needles (as patience diff anchors on unique lines), of which the
        heaviest chain in order stays. So a "No" in each of 2,000 rows is compared with a few
        places, not 2,000: linear, with no cap on how often a text occurs. The heaviest chain
        over every place is as hard as a longest common subsequence; this one can miss it
        where one repeated text changes in several places between two anchors, and then
        names a few texts more than needed."""
        counts = Counter(needles)
        everywhere = self._by_rank(needles, range(len(needles)), 0, len(self.text))
        anchors = {
            i: found
            for i, found in everywhere.items()
            if counts[needles[i]] == 1 == len(self.occurrences(needles[i]))
        }
        kept = sorted(self._best_chain(needles, anchors).items())
        bounds = [(-1, 0, 0)]
        bounds += [(i, at, at + len(_unmarked(needles[i]))) for i, at in kept]
        bounds += [(len(needles), len(self.text), len(self.text))]
        for (before, _, low), (after, high, _) in itertools.pairwise(bounds):
            between = self._by_rank(needles, range(before + 1, after), low, high)
            for i, found in between.items():
                everywhere[i] = sorted(set(everywhere[i] + found))
        return self._best_chain(needles, everywhere)

    def _by_rank(
        self, needles: Sequence[str], indices: range, low: int, high: int
    ) -> dict[int, list[int]]:
        """The places between `low` and `high` where each needle of `indices` may stand: the
        k-th of equal needles at the k-th of their places counted from the first or from the
        last, or one either side (two swapped). So one of them missing, or one more found (in
        a label), before or after it does not move it off its own place."""
        wanted = Counter(needles[i] for i in indices)
        rank: Counter[str] = Counter()
        places = {}
        for i in indices:
            needle = needles[i]
            if needle:
                found = self.occurrences(needle)
                last = high - len(_unmarked(needle))
                found = found[bisect.bisect_left(found, low) : bisect.bisect_right(found, last)]
                k, spare = rank[needle], len(found) - wanted[needle]
                rank[needle] += 1
                near = {k - 1, k, k + 1, k + spare - 1, k + spare, k + spare + 1}
                places[i] = [found[r] for r in sorted(near) if 0 <= r < len(found)]
        return places

    def _best_chain(self, needles: Sequence[str], places: dict[int, list[int]]) -> dict[int, int]:
        """The chain of places, one per needle at most, in the needles' order and without
        overlap, that covers the most text (a weighted longest increasing subsequence):
        O(k log n) for k places in a text of n characters."""
        best = _PrefixMax(len(self.text) + 1)
        links: dict[tuple[int, int], tuple[int, int] | None] = {}
        top: tuple[int, tuple[int, int] | None] = (0, None)
        for i in sorted(places):
            length = len(_unmarked(needles[i]))
            # A needle never follows itself: score all its places before recording any.
            scored = [(start, best.upto(start)) for start in places[i]]
            for start, (score, previous) in scored:
                links[(i, start)] = previous
                total = (score + length, (i, start))
                best.record(start + length, total)
                top = max(top, total, key=lambda entry: entry[0])
        chain = {}
        link = top[1]
        while link is not None:
            chain[link[0]] = link[1]
            link = links[link]
        return chain

    def elsewhere(self, needle: str, taken: Sequence[int]) -> bool:
        """Whether `needle` occurs where it overlaps none of the `taken` spans (their starts
        and ends, in order, as one list)."""
        length = len(_unmarked(needle))
        # A place is inside a span iff an odd number of bounds are at or before it.
        return any(
            bisect.bisect_right(taken, at) % 2 == 0
            and bisect.bisect_left(taken, at + length) == bisect.bisect_right(taken, at)
            for at in self.occurrences(needle)
        )


def _unmarked(needle: str) -> str:
    return needle.removesuffix(MARK).removeprefix(MARK)


class _PrefixMax:
    """A Fenwick tree of the best (score, link) recorded at each position; `upto(p)` gives
    the best recorded at positions <= p."""

    def __init__(self, size: int) -> None:
        self.tree: list[tuple[int, tuple[int, int] | None]] = [(0, None)] * (size + 1)

    def record(self, position: int, entry: tuple[int, tuple[int, int] | None]) -> None:
        position += 1
        while position < len(self.tree):
            if entry[0] > self.tree[position][0]:
                self.tree[position] = entry
            position += position & -position

    def upto(self, position: int) -> tuple[int, tuple[int, int] | None]:
        position += 1
        found: tuple[int, tuple[int, int] | None] = (0, None)
        while position > 0:
            if self.tree[position][0] > found[0]:
                found = self.tree[position]
            position -= position & -position
        return found
