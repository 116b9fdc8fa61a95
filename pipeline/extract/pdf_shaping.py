"""Whether the glyphs a span draws are the ones its fonts make of the text it claims.

Counting characters (pdf_claims: each glyph stands for the characters of its ToUnicode entry)
cannot decide for every font: a Nastaliq font builds letters from skeletons and dots that
several letters share, so no glyph's text map can say which letter it is drawn for. This
account does what the layout did, again: it shapes the claimed text with HarfBuzz, in the
installed font each of the span's embedded fonts was cut from (WeasyPrint keeps the original
glyph ids in its subsets, so a drawn glyph id is the font's own), in the span's language, and
requires the glyph ids drawn inside the span to be exactly, as a multiset per font, those the
fonts make of the text. A claimed word the span does not draw, a mark or vowel sign it lacks,
a glyph drawn as .notdef, or one word's glyphs under another word's text all fail it.

Which of the span's fonts draws which character is found as the layout finds it: the first
font, in some order of the span's fonts, whose character map has it (marks and format
characters stay with the character before them); every order is tried. What it cannot see is
in docs/verification.md: the glyphs' order and places, and a font that is not installed here.
"""

from __future__ import annotations

import functools
import itertools
import unicodedata
from collections import Counter
from pathlib import Path

import uharfbuzz as hb

from pipeline.extract.pdf_fonts import installed_font

_STICKY = {"Zs", "Cf", "Cc", "Mn", "Mc", "Me"}
"""Characters the layout sets in the font of the character before them, if it has them."""

MAX_FONTS = 4
"""Orders of at most this many fonts in one span are all tried (24); beyond, only the order
they are first drawn in."""


def shaped_as_drawn(
    text: str, lang: str | None, drawn: Counter[tuple[str, int]], programs: dict[str, bytes]
) -> bool | None:
    """Whether the fonts make exactly the glyphs `drawn` ((PostScript name, glyph id) ->
    how often) of `text`. A font is the installed one of its name, else its embedded program
    (`programs`, by name: WeasyPrint keeps no substitution tables in it, which is enough for
    the spaces and punctuation a Latin brand family draws in a run of another script); None
    if neither can be read, so this cannot tell."""
    names = list(dict.fromkeys(name for name, _ in drawn))
    fonts = {name: _font(name, programs.get(name, b"")) for name in names}
    if not names or any(font is None for font in fonts.values()):
        return None
    orders = itertools.permutations(names) if len(names) <= MAX_FONTS else [tuple(names)]
    for order in orders:
        if _shaped(text, lang, [(name, fonts[name]) for name in order]) == drawn:
            return True
    return False


def _shaped(
    text: str, lang: str | None, fonts: list[tuple[str, hb.Font | None]]
) -> Counter[tuple[str, int]]:
    """The glyphs the fonts make of `text`, each run in the direction it was set in."""
    shaped: Counter[tuple[str, int]] = Counter()
    for name, font, piece in _runs(text, fonts):
        shaped.update((name, glyph) for glyph in _shape(font, piece, lang, _direction(text, piece)))
    return shaped


def _runs(text: str, fonts: list[tuple[str, hb.Font | None]]) -> list[tuple[str, hb.Font, str]]:
    """`text` in runs of one font each, in logical order, as Pango chooses: each character in
    the first of `fonts` that has it, but spaces, format characters and marks in the font
    before them if it has them (Pango never changes fonts for a space: `itemize.c`).
    Characters no font has are left out: they were not drawn, or drawn as .notdef."""
    runs: list[tuple[str, hb.Font, str]] = []
    for char in text:
        chosen = None
        if runs and unicodedata.category(char) in _STICKY and _has(runs[-1][1], char):
            chosen = runs[-1][0], runs[-1][1]
        else:
            chosen = next(((n, f) for n, f in fonts if f is not None and _has(f, char)), None)
        if chosen is None:
            continue
        if runs and runs[-1][0] == chosen[0]:
            runs[-1] = (runs[-1][0], runs[-1][1], runs[-1][2] + char)
        else:
            runs.append((chosen[0], chosen[1], char))
    return runs


def _direction(text: str, piece: str) -> str:
    """The direction a run was set in: its own letters', or for a run of neutral characters
    (spaces, punctuation, brackets, which are mirrored right to left) the text's: right to
    left if it holds right-to-left letters."""
    kinds = {unicodedata.bidirectional(char) for char in piece}
    if kinds & {"R", "AL"}:
        return "rtl"
    if "L" in kinds:
        return "ltr"
    return "rtl" if any(unicodedata.bidirectional(c) in ("R", "AL") for c in text) else "ltr"


def _shape(font: hb.Font, piece: str, lang: str | None, direction: str) -> list[int]:
    buffer = hb.Buffer()
    buffer.add_str(piece)
    buffer.guess_segment_properties()
    buffer.direction = direction
    if lang:
        buffer.language = lang
    buffer.flags = hb.BufferFlags.REMOVE_DEFAULT_IGNORABLES
    hb.shape(font, buffer)
    return [info.codepoint for info in buffer.glyph_infos]


def _has(font: hb.Font, char: str) -> bool:
    return font.get_nominal_glyph(ord(char)) is not None


def _font(name: str, program: bytes) -> hb.Font | None:
    source = installed_font(name)
    if source is not None:
        return _installed(*source)
    return _embedded(program) if program else None


@functools.cache
def _installed(file: Path, index: int) -> hb.Font:
    return hb.Font(hb.Face(hb.Blob.from_file_path(str(file)), index))


@functools.lru_cache(maxsize=64)
def _embedded(program: bytes) -> hb.Font:
    return hb.Font(hb.Face(hb.Blob(program)))
