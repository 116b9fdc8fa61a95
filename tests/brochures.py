"""The brochure in every format the brand may choose, on the real article and the corpus,
built once for the test session (tests/test_brochure_formats.py), and how a print buyer reads
one: its pages' lines column by column, with their size and weight, as pdfplumber gives them.
"""

from __future__ import annotations

import dataclasses
import functools
import multiprocessing
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber

from pipeline.brand import Brand, load_brand
from pipeline.checks import OutputCheck, check_output
from pipeline.formats import render_alone
from pipeline.formats.pdf.brochure_formats import FORMATS as BROCHURE_FORMATS
from pipeline.formats.pdf.brochure_formats import BrochureFormat
from pipeline.formats.pdf.paged import PrintError
from pipeline.model import Document
from pipeline.source import load
from tests.conftest import ARTICLE_ID, ROOT
from tests.printing import trimbox

MM = 72 / 25.4
Word = dict[str, Any]
"""A word as pdfplumber extracts it (text, x0, x1, top, bottom, size, fontname), its place
in mm from the trim's top left once read into a column."""
CORPUS = ROOT / "tests" / "corpus"
DOC_IDS = (ARTICLE_ID, *sorted(path.stem for path in CORPUS.glob("*.md")))


def brand_in(name: str, brand: Brand | None = None) -> Brand:
    """The real brand (or `brand`) with its brochure in the format `name`."""
    brand = brand or load_brand(ROOT / "styles")
    tokens = {**brand.tokens, "brochure": {**brand.brochure, "format": name}}
    return dataclasses.replace(brand, tokens=tokens)


@dataclass
class Printed:
    """One document's brochure in one format: the file, or why it was refused."""

    layout: BrochureFormat
    doc: Document
    brand: Brand
    path: Path | None
    refused: str = ""
    check: OutputCheck | None = None

    @property
    def file(self) -> Path:
        """The brochure's PDF (a test that asks for a refused one's fails)."""
        assert self.path is not None, self.refused
        return self.path

    @functools.cached_property
    def pages(self) -> list[PageLines]:
        with pdfplumber.open(self.file) as pdf:
            return [PageLines.read(page, self.layout, n) for n, page in enumerate(pdf.pages, 1)]

    @property
    def text_pages(self) -> list[PageLines]:
        """The pages that carry the article: not the cover, back or Notes pages (a
        tri-fold: both sides, read on their text columns)."""
        pages = self.pages if not self.layout.is_booklet else self.pages[1:-1]
        return [page for page in pages if not page.is_notes]


def build(root: Path) -> dict[tuple[str, str], Printed]:
    """Every document (the article and the corpus) in every brochure format, rendered by
    the real renderer in a project under `root`, and checked (verification and preflight):
    on every core, as forked workers (each brochure is laid out alone, on one core)."""
    source = root / "source"
    shutil.copytree(CORPUS, source)
    shutil.copy(ROOT / "source" / f"{ARTICLE_ID}.md", source)
    (root / "styles").symlink_to(ROOT / "styles", target_is_directory=True)
    docs = {ident: load(source / f"{ident}.md", root) for ident in DOC_IDS}
    cases = [(name, ident) for name in BROCHURE_FORMATS for ident in docs]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(os.cpu_count() or 1, mp_context=context) as pool:
        made = pool.map(functools.partial(_print, root, docs), cases)
        built = {}
        for (name, ident), (path, refused, check) in zip(cases, made, strict=True):
            layout, brand = BROCHURE_FORMATS[name], brand_in(name)
            built[name, ident] = Printed(layout, docs[ident], brand, path, refused, check)
    return built


def _print(
    root: Path, docs: dict[str, Document], case: tuple[str, str]
) -> tuple[Path | None, str, OutputCheck | None]:
    """One document's brochure in one format, and its checks; or why it was refused."""
    name, ident = case
    brand = brand_in(name)
    out = root / "output" / name / ident
    out.mkdir(parents=True)
    try:
        path = render_alone("brochure_pdf", docs[ident], brand, out)
    except PrintError as error:
        return None, str(error), None
    return path, "", check_output(docs[ident], brand, "brochure_pdf", path)


@dataclass(frozen=True)
class Line:
    """One line of one column: its text, where it stands (mm from the trim's top left),
    its largest type size, and whether it is all bold."""

    text: str
    left: float
    right: float
    top: float
    bottom: float
    size: float
    bold: bool


@dataclass
class PageLines:
    number: int
    columns: list[list[Line]]
    """The page's text columns (its format's), each its lines from the top; text outside
    every column (running heads, the cover, the back) is left out."""
    notes: bool

    @property
    def is_notes(self) -> bool:
        return self.notes

    @classmethod
    def read(cls, page: pdfplumber.page.Page, layout: BrochureFormat, number: int) -> PageLines:
        trim = trimbox(page)
        top_limit = layout.margins.top - 1
        bottom_limit = layout.trim[1] - layout.margins.bottom + 1
        columns: list[list[Word]] = [[] for _ in layout.text_columns(number)]
        words = page.extract_words(extra_attrs=["size", "fontname"], keep_blank_chars=False)
        for word in words:
            x0, x1 = (word["x0"] - trim[0]) / MM, (word["x1"] - trim[0]) / MM
            top, bottom = (word["top"] - trim[1]) / MM, (word["bottom"] - trim[1]) / MM
            if top < top_limit or bottom > bottom_limit:
                continue
            for index, column in enumerate(layout.text_columns(number)):
                if column.left - 1 <= x0 and x1 <= column.right + 1:
                    columns[index].append(
                        {**word, "x0": x0, "x1": x1, "top": top, "bottom": bottom}
                    )
        lines = [list(_lines(column)) for column in columns]
        notes = any(line.text == "Notes" for column in lines for line in column[:1])
        return cls(number, lines, notes)


def _lines(words: list[Word]) -> Iterator[Line]:
    """Words grouped into lines: a word whose height overlaps a line's by more than a third
    of its own is on it (a superscript too)."""
    for group in _overlapping(sorted(words, key=lambda w: (w["top"], w["x0"]))):
        group.sort(key=lambda w: w["x0"])
        yield Line(
            text=" ".join(w["text"] for w in group),
            left=min(w["x0"] for w in group),
            right=max(w["x1"] for w in group),
            top=min(w["top"] for w in group),
            bottom=max(w["bottom"] for w in group),
            size=max(w["size"] for w in group),
            bold=all("Bold" in w["fontname"] for w in group),
        )


def _overlapping(words: list[Word]) -> Iterator[list[Word]]:
    group: list[Word] = []
    top = bottom = 0.0
    for word in words:
        overlap = min(bottom, word["bottom"]) - max(top, word["top"])
        if group and overlap <= (word["bottom"] - word["top"]) / 3:
            yield group
            group = []
        if not group:
            top, bottom = word["top"], word["bottom"]
        group.append(word)
        top, bottom = min(top, word["top"]), max(bottom, word["bottom"])
    if group:
        yield group
