"""Each run of the DOCX names the face and language of its script, so Word and LibreOffice
set it right without the brand's fonts: Word sets a run's characters in one of four font
slots (ascii and hAnsi, eastAsia, cs: complex scripts, right to left and Indic) and reads its
language from `w:lang` (`w:val`, `w:eastAsia`, `w:bidi` for complex scripts). pandoc writes
a marked run's language as `w:lang w:val` and `w:rtl`; this adds the slot's face (the
brand's family for the language, else the fallback family named after the run's script),
the language in the slot Word reads for that script, and `w:bidi` on paragraphs that read
right to left."""

from __future__ import annotations

from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from fontTools import unicodedata as ucd
from lxml import etree

from pipeline.bidi import direction
from pipeline.brand import Brand
from pipeline.formats.docx.wordml import sort_children

COMPLEX = {
    "Arab", "Hebr", "Deva", "Beng", "Guru", "Gujr", "Taml", "Telu", "Knda", "Mlym", "Sinh",
    "Thai", "Laoo", "Khmr", "Mymr", "Tibt", "Syrc", "Thaa",
}  # fmt: skip
"""Scripts Word sets in the complex-script slot."""
EAST_ASIAN = {"Hani", "Hira", "Kana", "Hang", "Bopo"}
R_PR_ORDER = [
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "color",
    "sz",
    "szCs",
    "u",
    "rtl",
    "cs",
    "lang",
]
P_PR_ORDER = ["pStyle", "keepNext", "keepLines", "numPr", "bidi", "spacing", "ind", "jc"]


def name_run_fonts(document: WordDocument, brand: Brand) -> None:
    """Every run with letters of a script the brand family lacks: its face and language."""
    body = document.element.body
    for paragraph in body.iter(qn("w:p")):
        text = "".join(paragraph.itertext())
        if direction(text) == "rtl":
            p_pr = paragraph.find(qn("w:pPr"))
            if p_pr is None:
                p_pr = etree.SubElement(paragraph, qn("w:pPr"))
                paragraph.insert(0, p_pr)
            if p_pr.find(qn("w:bidi")) is None:
                etree.SubElement(p_pr, qn("w:bidi"))
                sort_children(p_pr, P_PR_ORDER)
    for run in body.iter(qn("w:r")):
        text = "".join(t.text or "" for t in run.iter(qn("w:t")))
        script = _script(text)
        if script is None:
            continue
        r_pr = run.find(qn("w:rPr"))
        if r_pr is None:
            r_pr = etree.Element(qn("w:rPr"))
            run.insert(0, r_pr)
        language = r_pr.find(qn("w:lang"))
        lang = language.get(qn("w:val")) if language is not None else None
        family = _family(brand, lang, script)
        if family is None:
            continue
        fonts = r_pr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = etree.SubElement(r_pr, qn("w:rFonts"))
        slots = (
            ("cs",)
            if script in COMPLEX
            else ("eastAsia",)
            if script in EAST_ASIAN
            else ("ascii", "hAnsi")
        )
        for slot in slots:
            fonts.set(qn(f"w:{slot}"), family)
        if lang and script in COMPLEX | EAST_ASIAN:
            language.set(qn("w:bidi" if script in COMPLEX else "w:eastAsia"), lang)
        sort_children(r_pr, R_PR_ORDER)


def _script(text: str) -> str | None:
    """The script of the run's first letter that is not Latin, else "Latn" (None: no
    letters)."""
    scripts = [ucd.script(char) for char in text if char.isalpha()]
    return next((str(s) for s in scripts if s not in {"Zyyy", "Zinh", "Zzzz", "Latn"}), None) or (
        "Latn" if scripts else None
    )


def _family(brand: Brand, lang: str | None, script: str) -> str | None:
    """The brand's family for the language ([fonts] lang-families), else the first fallback
    family named after the script ("Noto Sans Bengali"; CJK: the first CJK family)."""
    families = brand.lang_families
    if lang and (lang in families or lang.split("-")[0] in families):
        return families.get(lang) or families[lang.split("-")[0]]
    if script == "Latn":  # the brand family's, unless the language has its own family
        return None
    name = "CJK" if script in EAST_ASIAN else ucd.script_name(script)
    return next((family for family in brand.fallback_families if name in family), None)
