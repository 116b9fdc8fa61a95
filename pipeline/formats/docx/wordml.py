"""Small helpers for WordprocessingML: Word refuses files whose elements are out of the
schema's order, so new elements go where the schema puts them; and new bytes for the parts
python-docx does not model, written into the saved package."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Sequence
from io import BytesIO

from docx.document import Document as WordDocument
from docx.opc.part import Part
from docx.oxml.ns import qn
from lxml import etree

# CT_Settings, up to the elements we add or meet (ECMA-376 Part 1, 17.15.1.78).
SETTINGS_ORDER = [
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts",
    "embedSystemFonts", "saveSubsetFonts", "saveFormsData", "mirrorMargins",
    "alignBordersAndEdges", "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter",
    "gutterAtTop", "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle",
    "proofState", "formsDesign", "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
    "stylePaneSortMethod", "documentType", "mailMerge", "revisionView", "trackRevisions",
    "doNotTrackMoves", "doNotTrackFormatting", "documentProtection",
    "autoFormatOverride", "styleLockTheme", "styleLockQFSet", "defaultTabStop",
    "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps",
    "showEnvelope", "summaryLength", "clickAndTypeStyle", "defaultTableStyle",
    "evenAndOddHeaders", "bookFoldRevPrinting", "bookFoldPrinting", "bookFoldPrintingSheets",
    "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin",
    "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning",
    "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars",
    "noLineBreaksAfter", "noLineBreaksBefore", "savePreviewPicture",
    "doNotValidateAgainstSchema", "saveInvalidXml", "ignoreMixedContent",
    "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml", "saveXmlDataOnly",
    "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags", "alwaysMergeEmptyNamespace",
    "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids",
]  # fmt: skip


def _ranks(order: Sequence[str]) -> dict[str, int]:
    return {qn(f"w:{name}"): i for i, name in enumerate(order)}


def sort_children(parent: etree._Element, order: Sequence[str]) -> None:
    """Put the children of `parent` in the schema's `order` (element names without "w:");
    any the order does not name go last, as they stood."""
    rank = _ranks(order)
    for child in sorted(parent, key=lambda child: rank.get(child.tag, len(order))):
        parent.append(child)


def insert_ordered(parent: etree._Element, child: etree._Element, order: Sequence[str]) -> None:
    """Insert `child` into `parent` after every sibling the schema puts before it."""
    rank = _ranks(order)
    mine = rank[child.tag]
    for index, sibling in enumerate(parent):
        if rank.get(sibling.tag, len(order)) > mine:
            parent.insert(index, child)
            return
    parent.append(child)


def ensure(parent: etree._Element, name: str, order: Sequence[str]) -> etree._Element:
    """The `w:name` child of `parent`, added in schema order if missing."""
    found = parent.find(qn(f"w:{name}"))
    if found is None:
        found = etree.Element(qn(f"w:{name}"))
        insert_ordered(parent, found, order)
    return found


NewBytes = dict[str, bytes]
"""New bytes for parts python-docx keeps as plain bytes (font table, theme, images), by
their name in the package. It has no public way to change such a part, so `save` writes
them into the saved package."""


def new_bytes(replaced: NewBytes, part: Part, data: bytes) -> None:
    replaced[part.partname.membername] = data


def save(document: WordDocument, replaced: NewBytes, day: dt.date | None = None) -> bytes:
    """The package's bytes, with the `replaced` parts' new bytes; each entry dated `day` when
    given (same source, same bytes), not the time of the build."""
    saved, rewritten = BytesIO(), BytesIO()
    document.save(saved)  # in memory: python-docx leaves a half-closed zip on a full disk
    with zipfile.ZipFile(saved) as built, zipfile.ZipFile(rewritten, "w") as target:
        for entry in built.infolist():
            name = entry.filename
            when = (day.year, day.month, day.day, 0, 0, 0) if day else entry.date_time
            data = replaced[name] if name in replaced else built.read(entry)
            target.writestr(zipfile.ZipInfo(name, when), data, zipfile.ZIP_DEFLATED)
    return rewritten.getvalue()


def xml_bytes(root: etree._Element) -> bytes:
    """A part's XML as Word writes it: UTF-8, with a standalone declaration."""
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))
