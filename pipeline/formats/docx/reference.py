"""The Word reference document pandoc styles the DOCX from, made from the brand tokens.

It starts from pandoc's own default reference.docx (so every style pandoc uses exists) and
sets the brand's font and colours on the styles a clinician sees in Word's styles pane, and
adds ours: "Plain Summary", "Disclaimer", "Disclaimer Plain" and their labels, "List Bullet",
"List Number", "Header", "Footer".
Built at render time from the brand, never committed, so it cannot drift from brand.toml.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.styles.style import BaseStyle
from lxml import etree

from pipeline import pandoc
from pipeline.brand import Brand
from pipeline.formats.docx.fonts import script_fonts
from pipeline.formats.docx.wordml import NewBytes, new_bytes, save, sort_children, xml_bytes

# Type sizes are not brand tokens (the web scales with the reader's settings); these are
# the print sizes of a Word page, in points.
BODY_PT = 11


@dataclass(frozen=True)
class StyleSpec:
    size: float
    colour: str
    """A brand colour name."""
    bold: bool = False
    before: float = 0
    after: float = 6
    line: float | None = None
    """Line spacing as a multiple (1.15), or None to inherit."""
    keep_with_next: bool = False
    centred: bool | None = None


STYLES = {
    "Normal": StyleSpec(BODY_PT, "text", line=1.15),
    "Body Text": StyleSpec(BODY_PT, "text", before=0, after=8),
    "First Paragraph": StyleSpec(BODY_PT, "text", before=0, after=8),
    "Compact": StyleSpec(BODY_PT, "text", before=0, after=3),
    "Title": StyleSpec(26, "primary", bold=True, after=6, line=1.0, centred=False),
    "Subtitle": StyleSpec(13, "muted", after=6, line=1.15, centred=False),
    "Date": StyleSpec(BODY_PT, "muted", after=18, centred=False),
    "Heading 1": StyleSpec(17, "primary", bold=True, before=20, after=6, keep_with_next=True),
    "Heading 2": StyleSpec(14, "primary", bold=True, before=14, after=4, keep_with_next=True),
    "Heading 3": StyleSpec(12, "text", bold=True, before=12, after=3, keep_with_next=True),
    "Image Caption": StyleSpec(9.5, "muted", after=10),
    "Table Caption": StyleSpec(9.5, "muted", after=4),
}
LABEL = StyleSpec(9.5, "primary", bold=True, before=6, after=0, keep_with_next=True)
ACCENT_LABEL = dataclasses.replace(LABEL, colour="disclaimer-accent")
# Styles pandoc does not have that a clinician expects (Word's own names), based on ...
ADDED = {
    "List Bullet": ("Compact", StyleSpec(BODY_PT, "text", before=0, after=3)),
    "List Number": ("Compact", StyleSpec(BODY_PT, "text", before=0, after=3)),
    "Plain Summary": ("Body Text", StyleSpec(BODY_PT, "text", before=4, after=10)),
    "Disclaimer": ("Body Text", StyleSpec(BODY_PT, "text", before=6, after=10)),
    # The plain wording shares the disclaimer's box (same borders: Word draws one box).
    "Disclaimer Plain": ("Disclaimer", StyleSpec(BODY_PT, "text", before=0, after=10)),
    # Each box's label ("In short", "Important", "In plain words") sits inside its box.
    "Plain Summary Label": ("Plain Summary", LABEL),
    "Disclaimer Label": ("Disclaimer", ACCENT_LABEL),
    "Disclaimer Plain Label": ("Disclaimer Plain", ACCENT_LABEL),
    "Header": ("Normal", StyleSpec(9, "muted", after=0)),
    "Footer": ("Normal", StyleSpec(9, "muted", after=0)),
}
WORD_BUILT_IN = {"List Bullet", "List Number", "Header", "Footer"}
# ... and their boxes: (border colour, border width in eighths of a point, shading colour).
BOXES = {
    "Plain Summary": ("primary", 12, "summary-background"),
    "Disclaimer": ("disclaimer-accent", 36, "disclaimer-background"),
}
CHARACTER_COLOURS = {"Hyperlink": "primary"}


@functools.cache
def pandoc_default_reference() -> bytes:
    """pandoc's own reference.docx, from the pandoc that pypandoc bundles."""
    return pandoc.run(["--print-default-data-file", "reference.docx"])


def write_reference(brand: Brand, target: Path, lang: str) -> Path:
    """The reference document for `brand` and a document in `lang`, written to `target`."""
    document = docx.Document(BytesIO(pandoc_default_reference()))
    styles = document.styles
    for name, spec in STYLES.items():
        _apply(styles[name], spec, brand)
    for name, (base, spec) in ADDED.items():
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH, builtin=name in WORD_BUILT_IN)
        style.style_id = name.replace(" ", "")  # Word's own ids: "Header", "ListBullet"
        style.base_style = styles[base]
        style.quick_style = True
        _apply(style, spec, brand)
    for name, (border, width, fill) in BOXES.items():
        _box(styles[name], brand.colour(border).srgb, width, brand.colour(fill).srgb)
    for name, colour in CHARACTER_COLOURS.items():
        styles[name].font.color.rgb = _rgb(brand.colour(colour).srgb)
    # Every style (and the document defaults) names the brand font itself, and the fallback
    # fonts for East Asian and complex scripts: Word's theme fonts would otherwise win.
    slots = script_fonts(brand, lang)
    for element in styles.element.iter(qn("w:rFonts")):
        _set_font_attributes(element, slots)
    replaced: NewBytes = {}
    _brand_theme_fonts(document, slots, replaced)
    target.write_bytes(save(document, replaced))
    return target


def _apply(style: BaseStyle, spec: StyleSpec, brand: Brand) -> None:
    font = style.font  # type: ignore[attr-defined]
    font.name = brand.fonts["family"]
    font.size = Pt(spec.size)
    # Bold is a toggle property: only say "bold", never "not bold", or a bold run in the
    # text could flip back (LibreOffice does that).
    font.bold = True if spec.bold else None
    font.italic = None
    font.color.rgb = _rgb(brand.colour(spec.colour).srgb)
    paragraph = style.paragraph_format  # type: ignore[attr-defined]
    paragraph.space_before = Pt(spec.before)
    paragraph.space_after = Pt(spec.after)
    if spec.line is not None:
        paragraph.line_spacing = spec.line
    if spec.keep_with_next:
        paragraph.keep_with_next = True
        paragraph.keep_together = True
    if spec.centred is False:
        paragraph.alignment = None
    # No letter-spacing (pandoc's Subtitle has some): Atkinson Hyperlegible is spaced for reading.
    for spacing in style.element.findall(f"{qn('w:rPr')}/{qn('w:spacing')}"):
        spacing.getparent().remove(spacing)
    # Drop theme colour links, so the brand colour is what Word shows.
    for colour in style.element.iter(qn("w:color")):
        for attribute in ("w:themeColor", "w:themeShade", "w:themeTint"):
            colour.attrib.pop(qn(attribute), None)


def _box(style: BaseStyle, border: str, width: int, fill: str) -> None:
    """A thick coloured rule on the left, thin ones above and below and a tinted background:
    set apart at a glance. Paragraphs with the same borders share one box, so a label and
    its text (and a disclaimer's two wordings) are one box; two disclaimers in a row are one
    box too, each beginning with its "Important" label."""
    p_pr = style.element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side, size, space in (
        ("top", 4, 4),
        ("left", width, 8),
        ("bottom", 4, 4),
    ):
        line = OxmlElement(f"w:{side}")
        for key, value in {
            "val": "single",
            "sz": str(size),
            "space": str(space),
            "color": border[1:].upper(),
        }.items():
            line.set(qn(f"w:{key}"), value)
        borders.append(line)
    shading = OxmlElement("w:shd")
    for key, value in {"val": "clear", "color": "auto", "fill": fill[1:].upper()}.items():
        shading.set(qn(f"w:{key}"), value)
    indent = OxmlElement("w:ind")
    indent.set(qn("w:left"), "227")  # 4 mm inside the page margin, so the rule shows
    indent.set(qn("w:right"), "113")
    p_pr.extend((borders, shading, indent))
    sort_children(p_pr, P_PR_ORDER)  # CT_PPrBase order: ..., pBdr, shd, ..., spacing, ind, ...


P_PR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "widowControl",
    "numPr",
    "pBdr",
    "shd",
    "tabs",
    "spacing",
    "ind",
    "contextualSpacing",
    "jc",
    "outlineLvl",
]


def _set_font_attributes(element: etree._Element, slots: dict[str, str]) -> None:
    attrib = element.attrib
    for key in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        attrib.pop(qn(f"w:{key}"), None)
    for key, family in slots.items():
        attrib[qn(f"w:{key}")] = family


# The theme's font elements for each of Word's font slots.
_THEME_SLOTS = {"latin": "ascii", "ea": "eastAsia", "cs": "cs"}


def _brand_theme_fonts(
    document: docx.document.Document, slots: dict[str, str], replaced: NewBytes
) -> None:
    """The theme's heading and body fonts, too: what Word offers as "(Headings)"/"(Body)"."""
    for part in document.part.package.iter_parts():
        if str(part.partname).startswith("/word/theme/"):
            root = etree.fromstring(part.blob)
            a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
            for element, slot in _THEME_SLOTS.items():
                for font in root.iter(f"{a}{element}"):
                    if font.getparent().tag in {f"{a}majorFont", f"{a}minorFont"}:
                        font.set("typeface", slots[slot])
            new_bytes(replaced, part, xml_bytes(root))


def _rgb(hex_colour: str) -> docx.shared.RGBColor:
    return docx.shared.RGBColor.from_string(hex_colour[1:].upper())
