"""What pandoc's DOCX lacks, added with python-docx: language everywhere (spell-check), the
brand's page, header and footer with real fields, Track Changes on, Word's list styles, the
brand font embedded, each disclaimer in locked content controls tagged with its id, and the
source it was built from (`embedded`)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import docx
from docx.document import Document as WordDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches
from docx.text.paragraph import Paragraph
from lxml import etree

from pipeline import svgclean, tools
from pipeline.brand import Brand
from pipeline.formats.docx import embedded
from pipeline.formats.docx.bookmarks import bookmark_name
from pipeline.formats.docx.fonts import embed_brand_font
from pipeline.formats.docx.images import inches, print_ppi
from pipeline.formats.docx.scripts import name_run_fonts
from pipeline.formats.docx.wordml import (
    SETTINGS_ORDER,
    NewBytes,
    ensure,
    new_bytes,
    save,
    sort_children,
)
from pipeline.labels import Labels
from pipeline.model import Document
from pipeline.svgclean import clean_svg

LOCKED_STYLES = {"Disclaimer": "approved wording", "DisclaimerPlain": "plain wording"}
"""Style ids of a disclaimer's paragraphs that are locked (not its labels), and what each is."""
LIST_STYLES = {"bullet": "ListBullet"}  # any other number format is a numbered list
NUMBERED_LIST = "ListNumber"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_SVG_BLIP = "{http://schemas.microsoft.com/office/drawing/2016/SVG/main}svgBlip"
_EMU_PER_INCH = 914400


class FinishError(Exception):
    """pandoc's DOCX is not what the finisher expects; a bug, not a user's mistake."""


def finish(path: Path, doc: Document, brand: Brand, labels: Labels) -> None:
    document = docx.Document(str(path))
    _properties(document, doc, brand, labels)
    _language(document, doc.lang)
    name_run_fonts(document, brand)
    _page(document, brand)
    _header_and_footer(document, doc, labels)
    _review_settings(document)
    _list_styles(document)
    _lock_disclaimers(document, doc)
    _check_accessibility(document)
    replaced: NewBytes = {}
    _sharpen_svg_fallbacks(document, print_ppi(brand), replaced)
    embed_brand_font(document, brand, replaced)
    _embed_source(document, doc)
    # One write, every entry dated the review date: a full disk fails here, and only here.
    path.write_bytes(save(document, replaced, doc.last_reviewed.as_date()))


# What Word writes in a new document (seen in files Word 365 saved: pandoc's
# test/docx/comments.docx, superdoc's WordOriginatedComments.docx): compatibilityMode 15 is
# what keeps Word out of Compatibility Mode, where modern comments and paragraph ids are off.
WORD_COMPAT = {
    "compatibilityMode": "15",
    "overrideTableStyleFontSizeAndJustification": "1",
    "enableOpenTypeFeatures": "1",
    "doNotFlipMirrorIndents": "1",
    "differentiateMultirowTableHeaders": "1",
}
_WORD_URI = "http://schemas.microsoft.com/office/word"


def _review_settings(document: WordDocument) -> None:
    """Track Changes on; a move recorded as a move (the template's w:doNotTrackMoves made
    Word record it as a deletion and an insertion: ingest places both, but the report then
    loses that it was a move); the current Word's compatibility settings."""
    settings = document.settings.element
    ensure(settings, "trackRevisions", SETTINGS_ORDER)
    for old in settings.findall(qn("w:doNotTrackMoves")):
        settings.remove(old)
    compat = ensure(settings, "compat", SETTINGS_ORDER)
    for setting in compat.findall(qn("w:compatSetting")):
        if setting.get(qn("w:name")) in WORD_COMPAT:
            compat.remove(setting)
    for name, value in WORD_COMPAT.items():
        element = etree.SubElement(compat, qn("w:compatSetting"))
        element.set(qn("w:name"), name)
        element.set(qn("w:uri"), _WORD_URI)
        element.set(qn("w:val"), value)


def _properties(document: WordDocument, doc: Document, brand: Brand, labels: Labels) -> None:
    """pandoc set them from the metadata; python-docx makes sure, and adds who last saved."""
    core = document.core_properties
    core.title = doc.title
    core.subject = doc.subtitle or doc.title
    core.author = brand.organisation["name"]
    core.keywords = ", ".join(("patient education", brand.organisation["department"], doc.id))
    core.last_modified_by = brand.organisation["name"]
    core.language = doc.lang
    core.comments = (
        f"{labels('last-reviewed', date=labels.date(doc.last_reviewed))}; {doc.source_path}"
    )


def _language(document: WordDocument, lang: str) -> None:
    """The language on the document defaults and every style that names one, so Word and
    LibreOffice spell-check in the article's language."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    r_pr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    language = r_pr.find(qn("w:lang"))
    if language is None:
        language = etree.SubElement(r_pr, qn("w:lang"))
    for element in styles.iter(qn("w:lang")):
        element.set(qn("w:val"), lang)
    for style in document.styles:
        if style.type is not None and style.element.rPr is not None:
            own = style.element.rPr.find(qn("w:lang"))
            if own is None:
                own = OxmlElement("w:lang")
                style.element.rPr.append(own)
                sort_children(style.element.rPr, _R_PR_ORDER)
            own.set(qn("w:val"), lang)
    theme = document.settings.element.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), lang)


# CT_RPr order, for the elements styles here carry.
_R_PR_ORDER = [
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
    "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect",
    "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout",
    "specVanish", "oMath",
]  # fmt: skip


def _page(document: WordDocument, brand: Brand) -> None:
    width, height = brand.page_size
    page = brand.page
    for section in document.sections:
        section.page_width, section.page_height = Inches(inches(width)), Inches(inches(height))
        section.top_margin = Inches(inches(page["margin-top"]))
        section.bottom_margin = Inches(inches(page["margin-bottom"]))
        section.left_margin = Inches(inches(page["margin-inside"]))
        section.right_margin = Inches(inches(page["margin-outside"]))
        section.header_distance = section.footer_distance = Inches(inches(page["margin-top"]) / 2)


def _header_and_footer(document: WordDocument, doc: Document, labels: Labels) -> None:
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.style = document.styles["Header"]
    header.add_run(doc.title)
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    reviewed = labels("last-reviewed", date=labels.date(doc.last_reviewed))
    footer.add_run(f"{reviewed} \u00b7 ")
    fields = {"page": ("PAGE", "1"), "pages": ("NUMPAGES", "1")}
    for index, part in enumerate(re.split(r"\{([a-z]+)\}", labels.text("page-of"))):
        if index % 2:
            _field(footer, *fields[part])
        elif part:
            footer.add_run(part)


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A complex field (begin, instruction, separate, result, end) that Word and LibreOffice
    update when they lay the pages out."""
    parts: list[tuple[str, str | None]] = [
        ("begin", None),
        ("instr", f" {instruction} \\* MERGEFORMAT "),
        ("separate", None),
        ("text", shown),
        ("end", None),
    ]
    for kind, text in parts:
        run = paragraph.add_run().element
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run.append(element)


def _list_styles(document: WordDocument) -> None:
    """pandoc styles list items "Compact"; Word users know "List Bullet" and "List Number".
    The numbering (w:numPr) stays: it says the level and where a list restarts."""
    numbering = document.part.numbering_part.element
    formats: dict[tuple[str, str], str] = {}
    abstract_of = {
        num.get(qn("w:numId")): num.find(qn("w:abstractNumId")).get(qn("w:val"))
        for num in numbering.findall(qn("w:num"))
    }
    for abstract in numbering.findall(qn("w:abstractNum")):
        for level in abstract.findall(qn("w:lvl")):
            number_format = level.find(qn("w:numFmt"))
            formats[(abstract.get(qn("w:abstractNumId")), level.get(qn("w:ilvl")))] = (
                number_format.get(qn("w:val")) if number_format is not None else "decimal"
            )
    for p_pr in document.element.body.iter(qn("w:pPr")):
        number = p_pr.find(qn("w:numPr"))
        style = p_pr.find(qn("w:pStyle"))
        if number is None or style is None or style.get(qn("w:val")) not in {"Compact", "BodyText"}:
            continue
        num_id = number.find(qn("w:numId")).get(qn("w:val"))
        level = number.find(qn("w:ilvl")).get(qn("w:val"))
        kind = formats.get((abstract_of.get(num_id, ""), level), "decimal")
        style.set(qn("w:val"), LIST_STYLES.get(kind, NUMBERED_LIST))


def _lock_disclaimers(document: WordDocument, doc: Document) -> None:
    """The text of each disclaimer, its approved and its plain wording (between the bookmark
    pandoc made from its id), goes into content controls tagged with the id and locked:
    reviewers can comment on it but not change it. Its labels stay outside.

    One inline control per paragraph, not one block control around them: LibreOffice (7.4)
    drops the bold and italics of every run inside a block-level control."""
    body = document.element.body
    starts = {start.get(qn("w:name")): start for start in body.iter(qn("w:bookmarkStart"))}
    control_ids = itertools.count(1_800_001)  # w:id of each content control, unique
    for disclaimer in doc.disclaimers:
        start = starts.get(bookmark_name(disclaimer.id))
        if start is None:
            raise FinishError(f'pandoc wrote no bookmark for disclaimer "{disclaimer.id}"')
        mark = start.get(qn("w:id"))
        paragraphs = []
        for sibling in start.itersiblings():
            if sibling.tag == qn("w:bookmarkEnd") and sibling.get(qn("w:id")) == mark:
                break
            paragraphs += list(sibling.iter(qn("w:p")))
        else:
            raise FinishError(f'the bookmark of disclaimer "{disclaimer.id}" has no end')
        for paragraph in paragraphs:
            style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            what = LOCKED_STYLES.get("" if style is None else style.get(qn("w:val")))
            if what is None:
                continue
            control = _content_control(disclaimer.id, what, next(control_ids))
            holder = control.find(qn("w:sdtContent"))
            for child in list(paragraph):
                if child.tag != qn("w:pPr"):
                    holder.append(child)
            paragraph.append(control)


def _content_control(ident: str, what: str, number: int) -> etree._Element:
    control = OxmlElement("w:sdt")
    properties = OxmlElement("w:sdtPr")
    for name, value in (
        ("alias", f"Disclaimer {ident} ({what}, locked)"),
        ("tag", ident),
        ("id", str(number)),
        ("lock", "contentLocked"),
    ):
        element = OxmlElement(f"w:{name}")
        element.set(qn("w:val"), value)
        properties.append(element)
    control.append(properties)
    control.append(OxmlElement("w:sdtContent"))
    return control


def _embed_source(document: WordDocument, doc: Document) -> None:
    """The exact source file, as a custom XML part of the main document (`embedded`)."""
    data = doc.source_text.encode("utf-8")
    package = document.part.package
    item = Part(
        PackURI("/customXml/item1.xml"),
        CT.XML,
        embedded.source_xml(doc.id, doc.source_path, data),
        package,
    )
    properties = Part(
        PackURI("/customXml/itemProps1.xml"),
        CT.OFC_CUSTOM_XML_PROPERTIES,
        embedded.item_properties_xml(data),
        package,
    )
    item.relate_to(properties, RT.CUSTOM_XML_PROPS)
    document.part.relate_to(item, RT.CUSTOM_XML)


def _check_accessibility(document: WordDocument) -> None:
    """What Word's accessibility checker asks for and the source guarantees: alt text on
    every picture."""
    for properties in document.element.body.iter(f"{_WP}docPr"):
        if not (properties.get("descr") or "").strip():
            raise FinishError("pandoc wrote a picture without alt text")


def _sharpen_svg_fallbacks(document: WordDocument, ppi: int, replaced: NewBytes) -> None:
    """pandoc embeds each SVG as it is, and renders its PNG fallback (for Word before 2016)
    at 96 dpi whatever --dpi says: embed the SVG drawn again as shapes only (svgclean), and
    render the fallback from it at print resolution for the size it is shown at."""
    for drawing in document.element.body.iter(f"{_WP}inline", f"{_WP}anchor"):
        blip = drawing.find(f".//{_A}blip")
        svg = None if blip is None else blip.find(f".//{_SVG_BLIP}")
        if svg is None or blip.get(qn("r:embed")) is None:
            continue
        width_px = round(int(drawing.find(f"{_WP}extent").get("cx")) / _EMU_PER_INCH * ppi)
        embedded = document.part.related_parts[svg.get(qn("r:embed"))]
        source = clean_svg(embedded.blob)
        new_bytes(replaced, embedded, source)
        fallback = document.part.related_parts[blip.get(qn("r:embed"))]
        png = tools.run(
            "rsvg-convert",
            ["--format=png", f"--width={width_px}", "--keep-aspect-ratio"],
            input=source,
            timeout=svgclean.SECONDS,
            memory_mb=svgclean.MEMORY_MB,
        )
        new_bytes(replaced, fallback, png)
