"""Does every section and disclaimer come through in each finished output, in source order?

Expected text comes from the model; found text from the files (pipeline.extract). Both are
normalised only for what formats legitimately change."""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

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
Problem = Literal["missing", "out of order", "not visible"]

# White space, soft hyphens and hyphens: line breaking and hyphenation move them around.
_BREAKABLE = re.compile(r"[\s\u00ad\u200b\-\u2010\u2011]+")


# The vowel signs and viramas of the Brahmic scripts (Devanagari to Sinhala, Thai, Lao,
# Myanmar, Khmer). A PDF maps each glyph it draws back to text, and a shaped cluster's glyphs
# come in drawing order (a vowel sign drawn before its consonant reads before it) or map to
# the wrong marks: the letters are what a PDF's text reliably gives back.
_BRAHMIC_MARKS = re.compile(
    "["
    + "".join(
        chr(code)
        for first, last in ((0x0900, 0x0DFF), (0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF))
        for code in range(first, last + 1)
        if unicodedata.category(chr(code)) in {"Mn", "Mc"}
    )
    + "]"
)


def comparable(text: str) -> str:
    """Ligatures and compatibility forms (NFKC), straight quotes, no case, no Brahmic vowel
    signs: what every format gives back of a text, whatever it does to draw it."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return _BRAHMIC_MARKS.sub("", text)


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

    @property
    def needle(self) -> str:
        """What is looked for in the output's text (see Haystack.occurrences)."""
        return normalise(self.text) + (MARK if self.marked else "")


@dataclass(frozen=True)
class Gap:
    output: str
    id: str
    kind: str
    part: str
    problem: Problem
    text: str
    """The expected text (shortened); for "not visible", the text a reader cannot see."""
    why: str = ""
    """For "not visible": what hides it, and where."""

    def __str__(self) -> str:
        why = f" ({self.why})" if self.why else ""
        return (
            f'{self.output}: {self.kind} "{self.id}" {self.part} {self.problem}: "{self.text}"{why}'
        )

    def as_json(self) -> dict[str, str]:
        found = asdict(self)
        if not self.why:
            del found["why"]
        return found


def expected(doc: Document, scope: Scope) -> Iterator[Expected]:
    """What must come through, in source order: the full text for "full" outputs, the plain
    wording for one-pagers."""
    if scope == "plain":
        for ident, kind, blocks in doc.plain_parts:
            yield from _each(ident, kind, "plain", blocks)
        return
    for section in doc.sections:
        heading = [{"t": "Plain", "c": list(section.heading)}]
        yield from _each(section.id, "section", "heading", heading)
        for item in section.body:
            if isinstance(item, Disclaimer):
                yield from _each(item.id, "disclaimer", "wording", item.wording)
            else:
                yield from _each(section.id, "section", "body", [item])


def _each(ident: str, kind: PartKind, part: str, blocks: Sequence[Block]) -> Iterator[Expected]:
    """Each unit of text of `blocks`, in order; a unit with a footnote mark in it as its
    pieces around the mark (every format writes the mark as it likes: a number, a symbol, or
    nothing in the text); then the text of each footnote."""
    marked, notes = _marked_notes(blocks)
    for text in paragraphs(marked):
        pieces = text.split(MARK)
        for i, piece in enumerate(pieces):
            if piece.strip():
                yield Expected(ident, kind, part, piece, marked=i < len(pieces) - 1)
    for note in notes:
        for text in paragraphs(note):
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


def check(
    doc: Document,
    output: str,
    scope: Scope | Sequence[Scope],
    found: str,
    hidden: Sequence[Hidden] = (),
) -> list[Gap]:
    """Every expected text of `scope` (or of each of several scopes, each in its own order:
    a DOCX puts each plain summary between a heading and its body), found in order in
    `found` (what a reader reads in the output); a gap for each that is not. Each text of
    `hidden` (what the output holds but a reader cannot see) is a gap too, named by the
    expected text it belongs to, else by the document."""
    haystack = Haystack(found)
    items: list[Expected] = []
    in_order: set[int] = set()
    for each in (scope,) if isinstance(scope, str) else scope:
        first = len(items)
        items += expected(doc, each)
        in_order |= {first + i for i in _found(haystack, items[first:])}
    needles = [item.needle for item in items]
    unseen = [normalise(h.text) for h in hidden]
    claimed: set[int] = set()
    gaps = []
    for index, (item, needle) in enumerate(zip(items, needles, strict=True)):
        if index in in_order:
            continue
        word = _unmarked(needle)
        mine = [i for i, text in enumerate(unseen) if text and (text in word or word in text)]
        for i in mine:
            # Name what a reader misses: the hidden part of the text, or all of it.
            shown = hidden[i].text if unseen[i] in word else item.text
            gaps.append(_gap(output, item, "not visible", shown, _why(hidden[i])))
        claimed.update(mine)
        if not mine:
            problem: Problem = "out of order" if haystack.occurrences(needle) else "missing"
            gaps.append(_gap(output, item, problem, item.text))
    for i, h in enumerate(hidden):
        if i not in claimed:
            gaps.append(
                Gap(output, doc.id, "document", "text", "not visible", _short(h.text), _why(h))
            )
    return gaps


def _found(haystack: Haystack, items: Sequence[Expected]) -> set[int]:
    """Indices of the `items` found: in their order, or anywhere for one not `ordered`."""
    needles = [item.needle for item in items]
    ordered = [i for i, item in enumerate(items) if item.ordered]
    in_order = {ordered[i] for i in haystack.in_order([needles[i] for i in ordered])}
    return in_order | {
        i for i, item in enumerate(items) if not item.ordered and haystack.occurrences(needles[i])
    }


def found_in_order(texts: Sequence[str], found: str) -> set[int]:
    """Indices of the `texts` that `found` holds, normalised, in their order (the matcher
    `check` uses, for any texts)."""
    return Haystack(found).in_order([normalise(text) for text in texts])


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

    Finding: an index from the first few characters at each word's edge to where they
    occur; each expected text is compared only where its first characters occur."""

    PREFIX = 4

    def __init__(self, found: str) -> None:
        pieces = _BREAKABLE.split(comparable(found))
        self.text = "".join(pieces)
        length = len(self.text)
        edges = set(itertools.accumulate(map(len, pieces), initial=0))
        self.edges = edges | {
            i
            for i in range(1, length)
            if not (self.text[i - 1].isalnum() and self.text[i].isalnum())
        }
        self._found: dict[str, list[int]] = {}
        self.starts: dict[str, list[int]] = {}
        for start in sorted(self.edges):
            for size in range(1, self.PREFIX + 1):
                if start + size <= length:
                    self.starts.setdefault(self.text[start : start + size], []).append(start)

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
                return word != needle and end < len(text) and text[end].isdigit()

            self._found[needle] = [
                start
                for start in self.starts.get(word[: self.PREFIX], [])
                if text.startswith(word, start) and ends(start + len(word))
            ]
        return self._found[needle]

    def in_order(self, needles: Sequence[str]) -> set[int]:
        """Indices of the needles that, found without overlap and in their order, cover the
        most text. Taking each needle where it first occurs after the one before finds them
        all when they are all there, in one pass; otherwise the order is the weighted longest
        increasing subsequence over every occurrence of every needle, so that a text found
        out of place (a heading in the contents, a back-page copy, a table cell "No") cannot
        drag the blame onto the texts after it: O(k log n) for k occurrences in a text of n
        characters, with no cap on k."""
        cursor = 0
        for needle in needles:
            if needle:
                places = self.occurrences(needle)
                at = bisect.bisect_left(places, cursor)
                if at == len(places):
                    return self._best_chain(needles)
                cursor = places[at] + len(_unmarked(needle))
        return set(range(len(needles)))

    def _best_chain(self, needles: Sequence[str]) -> set[int]:
        best = _PrefixMax(len(self.text) + 1)
        links: dict[tuple[int, int], tuple[int, int] | None] = {}
        top: tuple[int, tuple[int, int] | None] = (0, None)
        for i, needle in enumerate(needles):
            # A needle never follows itself: score all its places before recording any.
            scored = [(start, best.upto(start)) for start in self.occurrences(needle)]
            for start, (score, previous) in scored:
                links[(i, start)] = previous
                length = len(_unmarked(needle))
                total = (score + length, (i, start))
                best.record(start + length, total)
                top = max(top, total, key=lambda entry: entry[0])
        chosen = {i for i, needle in enumerate(needles) if not needle}
        link = top[1]
        while link is not None:
            chosen.add(link[0])
            link = links[link]
        return chosen


def _unmarked(needle: str) -> str:
    return needle.removesuffix(MARK)


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
