"""Every run of text a PDF draws reads back as it was written: a run whose glyphs do not give
its characters in logical order is drawn inside a marked-content span that says what it reads
(`/Span <</ActualText (...)>> BDC ... EMC`, PDF 32000-1, 14.9.4).

WeasyPrint maps each glyph to the text of the first cluster it drew it in (its ToUnicode
map) and draws right-to-left runs in visual order, so a reader that rebuilds the text from
the glyphs (copy and paste, pdftotext, PDFium, a screen reader reading the tags) gets Arabic
marks, Hebrew and Persian sentence ends, Brahmic reph, pre-base vowel signs and conjuncts,
and Khmer stacks out of order or with letters lost. Only the layout knows each run's text, so
the span is written while the run is drawn. WeasyPrint has no public hook there: this
module is the one place that wraps its text drawing (`weasyprint.draw.draw_text`, called
once for each text box, the piece of one inline element on one line, whose `text` is what
it draws), and `install` refuses a WeasyPrint whose drawing it does not know.

Right-to-left text: poppler and PDFium both take a span's text as if it stood in the order
its glyphs are drawn, left to right, and reorder it again (poppler reverses each run of
right-to-left letters, PDFium reverses the order of the runs). A left-to-right mark (U+200E,
an invisible format character) after each right-to-left letter and mark keeps both from
reordering anything, so both give the text back in logical order; readers that take the
span's text as it is (as the standard says) get the same words with invisible marks.
Verification checks that the glyphs drawn account for each span's text
(pipeline/extract/pdf_claims.py).
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

import pydyf
import weasyprint
import weasyprint.draw

KNOWN_WEASYPRINT = "70."
"""The WeasyPrint whose text drawing this wraps (pyproject.toml pins it)."""
LRM = "\u200e"
_RIGHT_TO_LEFT = {"R", "AL"}
_HELD = {"R", "AL", "NSM"}
"""What a left-to-right mark follows, in a span with right-to-left letters."""
_MARKS = {"Mn", "Mc", "Me"}


def needs_actual_text(text: str) -> bool:
    """Whether a run's glyphs may not give its text back in logical order: it holds
    right-to-left letters (drawn in visual order) or marks (vowel signs, viramas, harakat:
    reordered, stacked or merged into one glyph with their letters)."""
    return any(_complex(char) for char in set(text))


@functools.cache
def _complex(char: str) -> bool:
    if "\ufe00" <= char <= "\ufe0f":  # a variation selector picks a form: not a mark
        return False
    return unicodedata.bidirectional(char) in _RIGHT_TO_LEFT or unicodedata.category(char) in _MARKS


def actual_text(text: str) -> str:
    """The span's text for a run that reads `text`: NFC, with a left-to-right mark after
    each right-to-left letter and mark when it holds right-to-left letters (see above)."""
    text = unicodedata.normalize("NFC", text)
    if not any(unicodedata.bidirectional(char) in _RIGHT_TO_LEFT for char in text):
        return text
    held = (char + LRM if unicodedata.bidirectional(char) in _HELD else char for char in text)
    return "".join(held)


class WeasyPrintChanged(RuntimeError):
    """The installed WeasyPrint is not the one whose text drawing this module wraps."""


def install() -> None:
    """Wrap WeasyPrint's text drawing, once per process (idempotent)."""
    draw: Any = weasyprint.draw
    if getattr(draw.draw_text, "with_actual_text", False):
        return
    if not weasyprint.__version__.startswith(KNOWN_WEASYPRINT):
        raise WeasyPrintChanged(
            f"WeasyPrint {weasyprint.__version__} is installed; pipeline/formats/pdf/"
            f"logical_text.py knows how {KNOWN_WEASYPRINT}x draws text: check it, then the pin"
        )
    original = draw.draw_text

    @functools.wraps(original)
    def draw_text(stream: Any, textbox: Any, *args: Any, **kwargs: Any) -> Any:
        if not needs_actual_text(textbox.text):
            return original(stream, textbox, *args, **kwargs)
        claim = pydyf.Dictionary({"ActualText": pydyf.String(actual_text(textbox.text))})
        stream.begin_marked_content("Span", claim)
        try:
            return original(stream, textbox, *args, **kwargs)
        finally:
            stream.end_marked_content()

    draw_text.with_actual_text = True  # type: ignore[attr-defined]
    draw.draw_text = draw_text
