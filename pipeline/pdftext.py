"""The text a reader gets from a PDF: its pages' lines in reading order, without the running
headers and footers that repeat on every page.

Works for any sane single-column PDF, ours or not (LibreOffice's PDF of the DOCX):
- in a tagged PDF, text marked as /Artifact (our running heads) is left out;
- in any PDF, a line that opens or closes at least half of the pages with the same words
  (page numbers aside) is a running head or foot and is left out. Nothing is cropped, so
  a page without margins loses no body text.
Lines are read top to bottom, left to right, as a reader of a one-column page does; words
split by a hyphen at a line end come back together in verification's normalisation."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pdfplumber

EDGE_LINES = 2
"""How many lines at the top and at the foot of a page can be a running head or foot."""
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


def page_lines(path: Path) -> list[list[str]]:
    """Each page's text lines, top to bottom, artifacts left out."""
    with pdfplumber.open(path) as pdf:
        return [_lines(page) for page in pdf.pages]


def reading_text(path: Path) -> str:
    pages = page_lines(path)
    running = running_lines(pages)
    kept = []
    for lines in pages:
        edges = _edge_indexes(len(lines))
        kept += [line for i, line in enumerate(lines) if not (i in edges and _key(line) in running)]
    return "\n".join(kept)


def running_lines(pages: list[list[str]]) -> set[str]:
    """Keys of lines that sit at the top or foot of at least half the pages with text
    (and on two pages at least)."""
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_key(lines[i]) for i in _edge_indexes(len(lines))})
    with_text = sum(1 for lines in pages if lines)
    return {key for key, n in counts.items() if n >= 2 and n * 2 >= with_text}


def _lines(page: Any) -> list[str]:
    body = page.filter(lambda obj: obj.get("tag") != "Artifact")
    return [line["text"] for line in body.extract_text_lines(strip=True) if line["text"]]


def _edge_indexes(count: int) -> set[int]:
    return set(range(min(EDGE_LINES, count))) | set(range(max(count - EDGE_LINES, 0), count))


def _key(line: str) -> str:
    """A line as a running head: page numbers and spacing do not tell pages apart."""
    return _SPACE.sub(" ", _DIGITS.sub("#", line)).strip().casefold()
