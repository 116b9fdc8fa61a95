"""The characters approved wording (a disclaimer's full and plain text) may not hold: those
that draw nothing where they stand.

A reader sees approved wording as its drawn glyphs, and a character
that draws nothing can change what they see without changing the text a check compares (a
right-to-left override shows "erus" for "sure"; a zero-width space breaks a word where no
space shows). So approved wording holds no format character (Unicode category Cf: bidi
overrides, isolates and marks, zero-width spaces, word joiners, tags) nor any other character
Unicode says to draw as nothing (Default_Ignorable_Code_Point), except a zero-width joiner or
non-joiner between two letters of a script that needs them (Arabic, Persian, the Indic
scripts) or between two pictographs (an emoji sequence), and a variation selector after a
symbol (☎️)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

ZWNJ, ZWJ = "\u200c", "\u200d"
_JOINING_SCRIPTS = (
    (0x0600, 0x08FF),  # Arabic, Syriac, Thaana, N'Ko, Samaritan, Mandaic, Arabic Extended
    (0x0900, 0x0DFF),  # Devanagari to Sinhala
    (0x0F00, 0x10FF),  # Tibetan, Myanmar
    (0x1780, 0x18AF),  # Khmer, Mongolian
    (0xA8E0, 0xA8FF),  # Devanagari Extended
    (0xFB50, 0xFDFF),  # Arabic Presentation Forms-A
    (0xFE70, 0xFEFF),  # Arabic Presentation Forms-B (but not U+FEFF, a Cf)
)
_IGNORABLE = (
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x115F, 0x1160),  # Hangul fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180B, 0x180F),  # Mongolian free variation selectors and vowel separator
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
    (0xFFF0, 0xFFF8),
    (0xE0000, 0xE0FFF),  # tags and variation selectors supplement
)
"""Default_Ignorable_Code_Point characters that are not format characters (Cf)."""
_SELECTORS = (0xFE0E, 0xFE0F)
"""Text and emoji presentation selectors: after a symbol, they choose how it is drawn."""


def invisible(text: str) -> Iterator[tuple[int, str]]:
    """(index, character) of each character in `text` that draws nothing where it stands."""
    for index, char in enumerate(text):
        if not _draws_nothing(char):
            continue
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        if char in (ZWNJ, ZWJ) and _joins(before, after):
            continue
        if ord(char) in _SELECTORS and before and unicodedata.category(before) == "So":
            continue
        yield index, char


def name(char: str) -> str:
    """A character as a message names it: U+202E (RIGHT-TO-LEFT OVERRIDE)."""
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'unnamed')})"


def _draws_nothing(char: str) -> bool:
    code = ord(char)
    return unicodedata.category(char) == "Cf" or any(lo <= code <= hi for lo, hi in _IGNORABLE)


def _joins(before: str, after: str) -> bool:
    """Does a joiner between these two characters do a script's work?"""
    if not before or not after:
        return False
    if unicodedata.category(before) == unicodedata.category(after) == "So":
        return True  # an emoji sequence
    return all(
        unicodedata.category(char)[0] in "LM" and _in_joining_script(char)
        for char in (before, after)
    )


def _in_joining_script(char: str) -> bool:
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in _JOINING_SCRIPTS)
