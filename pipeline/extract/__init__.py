"""The text a reader gets out of each finished file, one extractor per file type.

Verification reads only these, never the renderers, so it catches what a renderer drops."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lxml import html as lxml_html
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException

from pipeline.extract import docx as docxtext
from pipeline.extract import pdf as pdftext


class ExtractError(Exception):
    """The file cannot be read as its type; the message names it."""


def html_text(path: Path) -> str:
    """The text of the page's <main> (all of <body> if it has none), scripts left out."""
    try:
        tree = lxml_html.parse(str(path))
    except (OSError, ValueError) as error:
        raise ExtractError(f"{path}: cannot read as HTML ({error})") from None
    root = tree.getroot()
    if root is None:
        raise ExtractError(f"{path}: empty HTML file")
    for element in root.xpath("//script | //style | //template | //*[@hidden]"):
        element.drop_tree()
    main = root.find(".//main")
    body = main if main is not None else root.find(".//body")
    return str((body if body is not None else root).text_content())


def pdf_text(path: Path) -> str:
    """The pages' text in reading order, running headers and footers left out (pdftext)."""
    try:
        return pdftext.reading_text(path)
    except (OSError, ValueError, PdfminerException, PDFSyntaxError) as error:
        raise ExtractError(f"{path}: cannot read as PDF ({error})") from None


def docx_text(path: Path) -> str:
    """Body, tables, content controls, headers and footers, tracked deletions left out."""
    try:
        return docxtext.docx_text(path)
    except docxtext.DocxTextError as error:
        raise ExtractError(str(error)) from None


EXTRACTORS: dict[str, Callable[[Path], str]] = {
    ".html": html_text,
    ".pdf": pdf_text,
    ".docx": docx_text,
}


def text_of(path: Path) -> str:
    try:
        extractor = EXTRACTORS[path.suffix.lower()]
    except KeyError:
        raise ExtractError(f"{path}: no text extractor for {path.suffix} files") from None
    return extractor(path)
