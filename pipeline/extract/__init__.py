"""What a reader reads in each finished file, one module per file type (pdf, html, docx).

Checks read only these, never the renderers, so they catch what a renderer drops or hides.
Each reader gives the text in the file's own reading order, one unit (paragraph, heading,
cell, line) at a time, and names the text it found that a reader cannot see: that text is
left out of the units. docs/verification.md says what each reader sees and what it does not.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path


class ExtractError(Exception):
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


READERS = {".pdf": "pipeline.extract.pdf", ".html": "pipeline.extract.html"}


def read(path: Path, *, strict: bool = False, everything: bool = False) -> Reading:
    """The reading of the finished file `path`, by its suffix.

    Only the article is read where the file says where it is (a PDF's /Part, a page's <main>),
    so a text the layout repeats elsewhere (a cover, a back page) does not count; `everything`
    reads the whole file instead (for the reading level). `strict` reads HTML as headless
    Chromium renders it instead of from the page's own markup and stylesheets."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        from pipeline.extract import docx

        try:
            return Reading(tuple(docx.docx_text(path).splitlines()))
        except docx.DocxTextError as error:
            raise ExtractError(str(error)) from None
    if suffix not in READERS:
        raise ExtractError(f"{path}: no text extractor for {path.suffix} files")
    reader = importlib.import_module(READERS[suffix])
    reading: Reading = reader.read(path, strict=strict, everything=everything)
    return reading


def text_of(path: Path, *, strict: bool = False) -> str:
    """The article's visible text, units on lines of their own."""
    return read(path, strict=strict).text
