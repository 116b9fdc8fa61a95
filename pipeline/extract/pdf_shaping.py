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

Which of the span's fonts drew which character is not in the file: a character only one of
them has is theirs; one that several have (a space, a digit, punctuation) goes where the
layout puts it, to the font before it if it is a space or a mark, else to a font whose own
glyph for it was drawn. What it cannot see is in docs/verification.md: the glyphs' order and
places, and a font that is not installed here.
"""

from __future__ import annotations

import functools
import unicodedata
from collections import Counter
from pathlib import Path

import uharfbuzz as hb

from pipeline.extract.pdf_fonts import installed_font

_STICKY = {"Zs", "Cf", "Cc", "Mn", "Mc", "Me"}
"""Characters the layout sets in the font of the character before them, if it has them."""


def shaped_as_drawn(
    text: str, lang: str | None, drawn: Counter[tuple[str, int]], programs: dict[str, bytes]
) -> bool | None:
    """Whether the fonts make exactly the glyphs `drawn` ((PostScript name, glyph id) ->
    how often) of `text`. A font is the installed one of its name, else its embedded program
    (`programs`, by name: WeasyPrint keeps no substitution tables in it, which is enough for
    the spaces and punctuation a Latin brand family draws in a run of another script); None
    if neither can be read, so this cannot tell."""
    names = list(dict.fromkeys(name for name, _ in drawn))
    fonts = [(name, _font(name, programs.get(name, b""))) for name in names]
    if not names or any(font is None for _, font in fonts):
        return None
    shaped: Counter[tuple[str, int]] = Counter()
    for name, font, piece in _runs(text, fonts, drawn):
        shaped.update((name, glyph) for glyph in _shape(font, piece, lang, _direction(text, piece)))
    blanks = {_nominal(font, char) for char in set(text) if char.isspace() for font in fonts}
    return _without(shaped, blanks) == _without(drawn, blanks)


def _without(
    glyphs: Counter[tuple[str, int]], blanks: set[tuple[str, int]]
) -> Counter[tuple[str, int]]:
    """The glyphs but the fonts' spaces: which font the layout set a space in (the one before
    it, after it, or neither) does not change the text, and comparing ignores white space."""
    return Counter({key: count for key, count in glyphs.items() if key not in blanks})


def _runs(
    text: str, fonts: list[tuple[str, hb.Font | None]], drawn: Counter[tuple[str, int]]
) -> list[tuple[str, hb.Font, str]]:
    """`text` in runs of one font each, in logical order. A character that one of the fonts
    has goes to it; one that several have, to the font before it if that has it and it is a
    space, mark or format character (Pango does not change fonts for those: `itemize.c`),
    else to the first whose own glyph for it is drawn and not yet given to another character
    (the layout chose by its font stack, which the file does not record). Characters no font
    has are left out: they were not drawn, or drawn as .notdef."""
    runs: list[tuple[str, hb.Font, str]] = []
    unclaimed = Counter(drawn)
    for char in text:
        having = [(n, f) for n, f in fonts if f is not None and _has(f, char)]
        if not having:
            continue
        chosen = having[0]
        if len(having) > 1:
            if runs and unicodedata.category(char) in _STICKY and _has(runs[-1][1], char):
                chosen = runs[-1][0], runs[-1][1]
            else:
                chosen = next((h for h in having if unclaimed[_nominal(h, char)] > 0), chosen)
        unclaimed[_nominal(chosen, char)] -= 1
        if runs and runs[-1][0] == chosen[0]:
            runs[-1] = (runs[-1][0], runs[-1][1], runs[-1][2] + char)
        else:
            runs.append((chosen[0], chosen[1], char))
    return runs


def _nominal(font: tuple[str, hb.Font], char: str) -> tuple[str, int]:
    return font[0], font[1].get_nominal_glyph(ord(char)) or 0


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
