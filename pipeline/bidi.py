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


def mark_directions(root: Any) -> None:
    """Give every text block under the lxml element `root` the direction its text reads in,
    where that differs from the direction it would inherit (an English item in a Hebrew
    list item goes back to left to right). A direction the source gave stays."""
    for element in root.iter(*TEXT_BLOCKS):
        wanted = direction(element.text_content())
        if element.get("dir") is None and wanted not in {None, _inherited(element)}:
            element.set("dir", wanted)


def _inherited(element: Any) -> str:
    for ancestor in element.iterancestors():
        if ancestor.get("dir") in {"ltr", "rtl"}:
            return str(ancestor.get("dir"))
    return "ltr"
