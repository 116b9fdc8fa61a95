"""The text a reader of a DOCX sees, as Word shows it with Track Changes "accepted".

Read with lxml straight from the package XML: python-docx's paragraph iterator skips the
paragraphs and runs inside content controls (w:sdt), where our disclaimers live. Deleted
text (w:delText, and anything inside w:del or w:moveFrom) is left out; inserted text (w:ins,
w:moveTo) is kept. Order: headers, body (tables and content controls where they stand),
footnotes, endnotes, footers."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

from pipeline.extract import ExtractError, Reading

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# A run's pieces of text, and what they read as.
_PIECES = {f"{W}t": None, f"{W}tab": "\t", f"{W}br": "\n", f"{W}cr": "\n"}
_PIECES |= {f"{W}noBreakHyphen": "-", f"{W}softHyphen": "\u00ad"}
_REMOVED = {f"{W}del", f"{W}moveFrom"}
# The labels of the DOCX's boxes ("In short", "Important", "In plain words"), in their own
# paragraph styles: not content.
LABEL_STYLES = {"PlainSummaryLabel", "DisclaimerLabel", "DisclaimerPlainLabel"}


def read(path: Path, *, everything: bool = False) -> Reading:
    """What Word shows, a paragraph a unit. A Word file has no part apart from its article
    (the title page and the boxes are all content), so `everything` reads the same."""
    return Reading(tuple(docx_text(path).splitlines()))


def docx_text(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            parts = (
                _sorted(names, "header")
                + ["word/document.xml"]
                + [name for name in ("word/footnotes.xml", "word/endnotes.xml") if name in names]
                + _sorted(names, "footer")
            )
            return "\n".join(_part_text(package.read(name)) for name in parts)
    except (OSError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as error:
        raise ExtractError(f"{path}: cannot read as DOCX ({error})") from None


def _sorted(names: list[str], kind: str) -> list[str]:
    pattern = re.compile(rf"word/{kind}(\d*)\.xml")
    found = [(m, name) for name in names if (m := pattern.fullmatch(name))]
    return [name for m, name in sorted(found, key=lambda item: int(item[0].group(1) or 0))]


def _part_text(xml: bytes) -> str:
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, huge_tree=True))
    lines = []
    for paragraph in root.iter(f"{W}p"):
        if any(a.tag == MC_FALLBACK for a in paragraph.iterancestors()):
            continue  # the same text box again, for old readers
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        if style is not None and style.get(f"{W}val") in LABEL_STYLES:
            continue
        lines.append(_paragraph_text(paragraph))
    return "\n".join(lines)


def _paragraph_text(paragraph: etree._Element) -> str:
    """The paragraph's own text: nested paragraphs (text boxes) come on their own."""
    pieces = []
    for element in paragraph.iter(*_PIECES):
        owner = next(element.iterancestors(f"{W}p"))
        if owner is not paragraph or any(a.tag in _REMOVED for a in element.iterancestors()):
            continue
        shown = _PIECES[element.tag]
        pieces.append(element.text or "" if shown is None else shown)
    return "".join(pieces)
