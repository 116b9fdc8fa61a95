"""Which way a paragraph reads: Arabic and Hebrew paragraphs right to left, in every format
drawn from HTML.

Browsers could find out alone (`dir="auto"`, `unicode-bidi: plaintext`), WeasyPrint cannot:
it follows only `dir="rtl"` (CSS `direction`). So each text block whose first strong
character is right to left gets `dir="rtl"`, the direction HTML's `dir="auto"` would give it.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Literal

TEXT_BLOCKS = ["p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "th", "td"]
TEXT_BLOCKS += ["caption", "figcaption"]


def direction(text: str) -> Literal["ltr", "rtl"] | None:
    """The direction of the first strongly directional character (Unicode bidi classes L, R,
    AL), or None when there is none (digits, symbols, punctuation only)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in {"R", "AL"}:
            return "rtl"
    return None


def mark_right_to_left(root: Any) -> None:
    """Set `dir="rtl"` on every text block under the lxml element `root` whose text reads
    right to left, unless the source already gave it a direction."""
    for element in root.iter(*TEXT_BLOCKS):
        if element.get("dir") is None and direction(element.text_content()) == "rtl":
            element.set("dir", "rtl")
