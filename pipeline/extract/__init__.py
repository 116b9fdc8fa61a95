"""What a reader reads in each finished file, one module per file type (pdf, html, docx).

Checks read only these, never the renderers, so they catch what a renderer drops or hides.
Each reader gives the text in the file's own reading order, one unit (paragraph, heading,
cell, line) at a time, and names the text it found that a reader cannot see: that text is
left out of the units. docs/verification.md says what each reader sees and what it does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipeline import native
from pipeline.errors import UserError


class ExtractError(UserError):
    """The file cannot be read as its type; the message names it."""


@dataclass(frozen=True)
class Hidden:
    """Text the file holds but a reader cannot see."""

    text: str
    why: str
    """What hides it: "drawn as a missing-glyph box", "hidden by CSS (display: none)", ..."""
    where: str
    """Where it is: "page 3", "div#not-a-cure", ..."""

    def __str__(self) -> str:
        return f'"{self.text}" {self.why} ({self.where})'


@dataclass(frozen=True)
class Reading:
    """What a reader reads in one file."""

    units: tuple[str, ...]
    """The visible text in reading order: each paragraph, heading, list item, cell or line."""
    hidden: tuple[Hidden, ...] = ()
    """Text in the same part of the file that a reader cannot see (left out of `units`)."""

    @property
    def text(self) -> str:
        return "\n".join(self.units)


HtmlReading = Literal["markup", "browser"]
"""How a page is read: from its own markup and style sheets (quick), or as headless Chromium
renders it (CI's strict builds)."""


@dataclass(frozen=True)
class Reader:
    """What reads one file type back."""

    suffix: str
    module: str
    """The module whose `read(path, *, everything)` reads it."""
    in_browser: str = ""
    """For a page: the function of that module that reads it as a browser renders it."""


READERS: dict[str, Reader] = {
    r.suffix: r
    for r in (
        Reader(".pdf", "pipeline.extract.pdf"),
        Reader(".html", "pipeline.extract.html", in_browser="read_rendered"),
        Reader(".docx", "pipeline.extract.docx"),
    )
}


def read(path: Path, *, everything: bool = False, html_reading: HtmlReading = "markup") -> Reading:
    """The reading of the finished file `path`, by the reader of its suffix.

    Only the article is read where the file says where it is (a PDF's /Part, a page's <main>),
    so a text the layout repeats elsewhere (a cover, a back page) does not count; `everything`
    reads the whole file instead (for the reading level). A page is read as `html_reading`
    says; other files have one way to be read."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ExtractError(f"{path}: no text extractor for {path.suffix} files")
    module = native.import_module(reader.module)
    function = reader.in_browser if html_reading == "browser" and reader.in_browser else "read"
    reading: Reading = getattr(module, function)(path, everything=everything)
    return reading


def reads_in_browser(suffix: str) -> bool:
    """Whether a file of this type is read differently in a browser (see `HtmlReading`)."""
    reader = READERS.get(suffix.lower())
    return reader is not None and bool(reader.in_browser)


def text_of(path: Path, *, html_reading: HtmlReading = "markup") -> str:
    """The article's visible text, units on lines of their own."""
    return read(path, html_reading=html_reading).text
