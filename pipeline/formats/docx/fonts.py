"""The brand font travels inside the DOCX, so a clinician's Word or LibreOffice shows it;
the fallback families for other scripts are named in Word's font slots.

Word embeds TrueType fonts "obfuscated" (ECMA-376 Part 1, 17.8.1): the first 32 bytes of
the file are XORed with a key, a GUID stored beside the reference in fontTable.xml. The
SIL Open Font License of the brand font allows embedding.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from pipeline.brand import Brand
from pipeline.formats.docx.wordml import (
    SETTINGS_ORDER,
    NewBytes,
    ensure,
    new_bytes,
    sort_children,
    xml_bytes,
)

OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
FACES = (
    ("regular", "embedRegular"),
    ("bold", "embedBold"),
    ("italic", "embedItalic"),
    ("bold-italic", "embedBoldItalic"),
)
# CT_Font's children, in schema order.
FONT_CHILDREN = [
    "altName",
    "panose1",
    "charset",
    "family",
    "notTrueType",
    "pitch",
    "sig",
    "embedRegular",
    "embedBold",
    "embedItalic",
    "embedBoldItalic",
]


def obfuscate(font: bytes, key: uuid.UUID) -> bytes:
    """The font with its first 32 bytes XORed with the key's bytes, last byte first."""
    secret = bytes.fromhex(key.hex)[::-1]
    head = bytes(byte ^ secret[i % 16] for i, byte in enumerate(font[:32]))
    return head + font[32:]


def embed_brand_font(document: WordDocument, brand: Brand, replaced: NewBytes) -> None:
    package = document.part.package
    table_part = document.part.part_related_by(RT.FONT_TABLE)
    table = etree.fromstring(table_part.blob)
    family = brand.fonts["family"]
    font = _font_entry(table, family)
    for index, (face, element_name) in enumerate(FACES, 1):
        data = brand.path(brand.fonts[face]).read_bytes()
        # A key derived from the font, not random: the same build gives the same bytes.
        key = uuid.UUID(bytes=hashlib.sha256(data).digest()[:16])
        part = Part(
            PackURI(f"/word/fonts/font{index}.odttf"),
            OBFUSCATED_FONT,
            obfuscate(data, key),
            package,
        )
        reference = OxmlElement(f"w:{element_name}")
        reference.set(qn("r:id"), table_part.relate_to(part, RT.FONT))
        reference.set(qn("w:fontKey"), "{" + str(key).upper() + "}")
        font.append(reference)
    sort_children(font, FONT_CHILDREN)
    new_bytes(replaced, table_part, xml_bytes(table))
    ensure(document.settings.element, "embedTrueTypeFonts", SETTINGS_ORDER)


def _font_entry(table: etree._Element, family: str) -> etree._Element:
    for font in table.findall(qn("w:font")):
        if font.get(qn("w:name")) == family:
            for child in list(font):
                if "}embed" in child.tag:
                    font.remove(child)
            return font
    font = etree.SubElement(table, qn("w:font"))
    font.set(qn("w:name"), family)
    for name, value in (("charset", "00"), ("family", "swiss"), ("pitch", "variable")):
        etree.SubElement(font, qn(f"w:{name}")).set(qn("w:val"), value)
    return font


# Word sets a run's characters in one of four font slots: ascii and hAnsi (Latin, Greek,
# Cyrillic, symbols), eastAsia (Chinese, Japanese, Korean) and cs (complex scripts: right to
# left and Indic). Fallback families are recognised by the script their name says they draw.
_CJK = "CJK"
_COMPLEX_SCRIPTS = (
    "Arabic", "Hebrew", "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Tamil", "Telugu",
    "Kannada", "Malayalam", "Sinhala", "Thai", "Lao", "Khmer", "Myanmar", "Syriac", "Thaana",
)  # fmt: skip
_SCRIPT_OF_LANGUAGE = {
    "ar": "Arabic", "fa": "Arabic", "ur": "Arabic", "ps": "Arabic", "he": "Hebrew",
    "yi": "Hebrew", "hi": "Devanagari", "mr": "Devanagari", "ne": "Devanagari",
    "bn": "Bengali", "pa": "Gurmukhi", "gu": "Gujarati", "ta": "Tamil", "te": "Telugu",
    "kn": "Kannada", "ml": "Malayalam", "si": "Sinhala", "th": "Thai", "lo": "Lao",
    "km": "Khmer", "my": "Myanmar",
}  # fmt: skip


def script_fonts(brand: Brand, lang: str) -> dict[str, str]:
    """The family for each of Word's font slots in a document in `lang`: the brand family
    for Latin; for East Asian text the fallback family the brand names for the language
    ([fonts] lang-families), else the first CJK one; for complex scripts the family of the
    language's script, else the first complex-script family. Word and LibreOffice fall back
    character by character for what a named family lacks. Without fallback families every
    slot names the brand family."""
    fonts: dict[str, Any] = brand.tokens["fonts"]  # lists and tables, not only strings
    family = str(fonts["family"])
    fallbacks = [str(name) for name in fonts.get("fallback-families", [])]
    by_language = {str(key): str(name) for key, name in fonts.get("lang-families", {}).items()}
    primary = lang.split("-")[0].lower()
    east_asian = [name for name in fallbacks if _CJK in name]
    chosen = by_language.get(lang) or by_language.get(primary)
    complex_ = [name for name in fallbacks if any(s in name for s in _COMPLEX_SCRIPTS)]
    script = _SCRIPT_OF_LANGUAGE.get(primary, "")
    return {
        "ascii": family,
        "hAnsi": family,
        "eastAsia": chosen if chosen in east_asian else next(iter(east_asian), family),
        "cs": next((name for name in complex_ if script and script in name), None)
        or next(iter(complex_), family),
    }
