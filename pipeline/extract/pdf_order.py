"""How poppler and PDFium order the text a PDF claims for a run of right-to-left text.

Both take a marked-content span's `/ActualText` in place of its glyphs and then treat it as
text drawn left to right: they reorder it again, each by its own rules, and the two disagree.
So a span's logical text, the text its writer wrote, reads back out of order from both, and
no single text reads back in order from both without a direction mark after every letter
(docs/verification.md says why). Each reader is therefore given the text that its own
reordering turns into the logical one; this module says what each does, so that the PDF
writer (pipeline/formats/pdf/logical_text.py) can give it, and verification can check it.

poppler (pdftotext, Evince: `TextOutputDev.cc`, 22.12 to today) reads only a `/Span`'s
`/ActualText`, the innermost; it puts the text as one word where the span's glyphs stand, and
reorders each line of a page by its page's main direction (more left-to-right letters than
right-to-left ones, or not: `reorderText`, `primaryLR`). On a left-to-right page it reverses
each right-to-left stretch of a line in place: a stretch starts at a right-to-left letter and
runs until a left-to-right letter or a number sign (digits, and `. , : / - + % $ #`) ends it.
On a right-to-left page it reads the line backwards, right-to-left stretches reversed and the
rest forwards. Its output wraps each reversed stretch in the embeddings U+202B ... U+202C (and
left-to-right stretches on a right-to-left page in U+202A ... U+202C), for every PDF.

PDFium (Chromium, pypdfium2; measured with the build pyproject.toml pins) reads the innermost
marked content's `/ActualText`, whatever its tag, once for the span, at the span's first text
object in its own order (left to right along a line). Depending on what stands around the
span, it gives that text as it is or reversed (it reverses it when that object, or the one it
read before, holds mostly right-to-left letters), and it then reverses the order of a line's
segments (runs of right-to-left letters, of left-to-right letters, of weak characters such as
digits, marks and `.`, of neutral ones such as spaces), but not the letters inside them, when
the line has more right-to-left segments than left-to-right ones. Which of the four readings a
span gets cannot be known from the span alone; the writer reads its PDF with PDFium to learn it.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable

LRM = "\u200e"
"""A left-to-right mark: the only character the poppler text ever adds (see poppler_text)."""
POPPLER_EMBEDDINGS = "\u202a\u202b\u202c"
"""What pdftotext writes around the stretches it reverses, in every PDF."""


# -- poppler ------------------------------------------------------------------------------------


@functools.cache
def _poppler_kind(char: str) -> str:
    """poppler's class of a character (`UnicodeTypeTable.cc`): left-to-right ("L"),
    right-to-left ("R"), a number sign ("#": digits and the separators and terminators around
    numbers) or neutral ("N": spaces, marks, other punctuation). Read from the Unicode
    bidirectional classes, which poppler's table follows for the scripts in use."""
    kind = unicodedata.bidirectional(char)
    if kind == "L":
        return "L"
    if kind in ("R", "AL"):
        return "R"
    if kind in ("EN", "AN", "ES", "ET", "CS"):
        return "#"
    return "N"


def poppler_reading(text: str, left_to_right: bool) -> str:
    """What poppler gives for a line that reads `text` left to right (its `reorderText`,
    without the embeddings it wraps stretches in)."""
    kinds = [_poppler_kind(char) for char in text]
    out: list[str] = []
    if left_to_right:
        at = 0
        while at < len(text):
            end = at
            while end < len(text) and kinds[end] != "R":
                end += 1
            out.append(text[at:end])
            at = end
            while end < len(text) and kinds[end] not in "L#":
                end += 1
            out.append(text[at:end][::-1])
            at = end
        return "".join(out)
    at = len(text) - 1
    while at >= 0:
        start = at
        while start >= 0 and kinds[start] not in "L#":
            start -= 1
        out.append(text[start + 1 : at + 1][::-1])
        at = start
        while start >= 0 and kinds[start] != "R":
            start -= 1
        out.append(text[start + 1 : at + 1])
        at = start
    return "".join(out)


def poppler_text(logical: str, left_to_right: bool) -> str:
    """The text that poppler's reordering (on a page of that main direction) turns into
    `logical`. Its letters, digits and punctuation come back in order; a space can come
    back on the other side of a neighbouring number or punctuation mark ("عمر 65" as
    " عمر65", on a right-to-left page "العربية: تتوفر" as "العربية :تتوفر"), as poppler
    reads any PDF. Only where it would carry a bracket or a quote across a number or a word
    does the text hold a left-to-right mark, which keeps it in place: on a left-to-right
    page after a right-to-left stretch those follow, on a right-to-left page after a
    stretch of numbers and left-to-right words they end."""
    if poppler_reading(logical, left_to_right) == logical:
        return logical
    kinds = [_poppler_kind(char) for char in logical]
    if left_to_right:
        return "".join(_left_to_right_parts(logical, kinds))
    return "".join(reversed(_right_to_left_parts(logical, kinds)))


def _left_to_right_parts(logical: str, kinds: list[str]) -> list[str]:
    """Each right-to-left stretch (from a right-to-left letter to the last one before a
    left-to-right letter or a number sign) reversed in place."""
    parts: list[str] = []
    at = 0
    while at < len(logical):
        if kinds[at] != "R":
            parts.append(logical[at])
            at += 1
            continue
        end = last = at
        while end < len(logical) and kinds[end] not in "L#":
            last = end if kinds[end] == "R" else last
            end += 1
        parts.append(logical[at : last + 1][::-1])
        if logical[last + 1 : end].strip():
            parts.append(LRM)  # brackets or quotes that poppler would carry before it
        parts.append(logical[last + 1 : end])
        at = end
    return parts


def _right_to_left_parts(logical: str, kinds: list[str]) -> list[str]:
    """The pieces poppler reads backwards, in logical order: each run without left-to-right
    letters and number signs reversed, each run between them (which holds no right-to-left
    letter) as it is."""
    parts: list[str] = []
    at = 0
    while at < len(logical):
        end = at
        while end < len(logical) and kinds[end] not in "L#":
            end += 1
        parts.append(logical[at:end][::-1])
        at = end
        while end < len(logical) and kinds[end] != "R":
            end += 1
        forward = logical[at:end]
        if _neutral_tail(forward).strip():
            forward += LRM  # it ends with brackets or quotes that poppler would move
        parts.append(forward)
        at = end
    return parts


def _neutral_tail(text: str) -> str:
    """The neutrals that end `text`."""
    start = len(text)
    while start and _poppler_kind(text[start - 1]) == "N":
        start -= 1
    return text[start:]


def left_to_right_page(text: str) -> bool:
    """poppler's main direction of a page whose words hold `text` (`primaryLR`): it has at
    least as many left-to-right letters as right-to-left ones."""
    count = 0
    for char in text:
        kind = _poppler_kind(char)
        count += 1 if kind == "L" else -1 if kind == "R" else 0
    return count >= 0


# -- PDFium -------------------------------------------------------------------------------------


@functools.cache
def _pdfium_kind(char: str) -> str:
    """PDFium's class of a character (`CFX_BidiChar`): left-to-right, right-to-left, weak
    (digits, marks, number separators, format characters) or neutral."""
    kind = unicodedata.bidirectional(char)
    if kind == "L":
        return "L"
    if kind in ("R", "AL"):
        return "R"
    if kind in ("EN", "AN", "NSM", "CS", "ES", "ET", "BN"):
        return "W"
    return "N"


def _segments(text: str) -> list[str]:
    found: list[str] = []
    kind = None
    for char in text:
        now = _pdfium_kind(char)
        if found and now == kind:
            found[-1] += char
        else:
            found.append(char)
            kind = now
    return found


def _segments_reversed(text: str) -> str:
    return "".join(reversed(_segments(text)))


PDFIUM_READINGS: dict[str, tuple[Callable[[str], str], Callable[[str], str]]] = {
    "as written": (lambda text: text, lambda text: text),
    "reversed": (lambda text: text[::-1], lambda text: text[::-1]),
    "segments reversed": (_segments_reversed, _segments_reversed),
    "reversed, then its segments": (
        lambda text: _segments_reversed(text[::-1]),
        lambda text: _segments_reversed(text)[::-1],
    ),
}
"""The ways PDFium gives a span's text: name -> (what it gives for a text, the text it turns
into a given one)."""


def pdfium_text(logical: str, written: str, read: str) -> str | None:
    """The text PDFium turns into `logical`, for a span that PDFium read as `read` when it held
    `written`; None if `read` is none of PDFium's readings of `written`."""
    for reading, undo in PDFIUM_READINGS.values():
        if reading(written) == read:
            return undo(logical)
    squeezed = "".join(read.split())
    for reading, undo in PDFIUM_READINGS.values():
        if "".join(reading(written).split()) == squeezed:
            return undo(logical)
    return None
