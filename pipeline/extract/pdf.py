"""What a reader reads in a PDF, read with PDFium (pypdfium2), its tags and fonts with pikepdf.

Order and scope:
- a tagged PDF is read in the order of its structure tree, and only its article when the tree
  says where that is (the elements tagged /Part: our templates' <main>), so a cover or a back
  page that repeats a text does not count. Running heads are never read: they are artifacts,
  or (WeasyPrint's margin boxes in a PDF/X) marked content outside the tree. List labels
  (bullets, numbers) are left out;
- an untagged PDF is read whole, in drawing order, less its running heads and feet (lines
  with the same words, page numbers aside, at the same height, level with the top-most or
  bottom-most line of at least half of its pages) and its bullets.

Text a span claims (`/ActualText`, which poppler and PDFium read in place of its glyphs) is
read as the span's logical text, and counts only where the glyphs drawn inside the span
account for it, and poppler and PDFium both read it so (pipeline/extract/pdf_claims.py):
else it is reported as not visible, saying why. A structure element's `/ActualText` must
read as the marked content it holds.

A character a reader cannot see is left out and reported: drawn with the font's missing-glyph
box (its glyph is not in the embedded font program), drawn invisibly (render mode 3 or 7, or
fully transparent), with its middle outside the trim box (else the crop or media box) or outside
a clipping path, or in nearly the colour drawn under it (the page rendered without text).
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as fpdf

from pipeline.extract import ExtractError, Hidden, Reading
from pipeline.extract.pdf_claims import Claim, letters, page_claims
from pipeline.extract.pdf_fonts import missing_glyphs
from pipeline.extract.pdf_order import left_to_right_page

ARTICLE = "/Part"
"""The structure element of the article (WeasyPrint tags <main> as /Part)."""
LABEL = "/Lbl"
INLINE = {
    "/Span", "/NonStruct", "/Link", "/Quote", "/Code", "/Em", "/Strong", "/Sub", "/Reference",
    "/Note", "/Annot", "/BibEntry", "/Ruby", "/RB", "/RT", "/RP", "/Warichu", "/WT", "/WP",
}  # fmt: skip
"""Elements that are part of a unit of text, not a unit of their own."""
MIN_CONTRAST = 1.5
"""Text below this contrast ratio with the colour under it (WCAG's formula) is not seen."""
SCALE = 1.0
"""Pixels per point of the page rendered without text, to find the colour under each glyph."""
INVISIBLE_MODES = {fpdf.FPDF_TEXTRENDERMODE_INVISIBLE, fpdf.FPDF_TEXTRENDERMODE_CLIP}
STROKE_MODES = {fpdf.FPDF_TEXTRENDERMODE_STROKE, fpdf.FPDF_TEXTRENDERMODE_STROKE_CLIP}
LIST_LABEL = re.compile(r"[•◦▪▫‣∙●○■□▸▾\u2043]")
"""A bullet (CSS's list markers): a text object of nothing else is a list label. Numbered
labels ("2.") cannot be told from text in an untagged PDF: they are read."""
_HIGH_SURROGATE = re.compile("[\ud800-\udbff]")
_LOW_SURROGATE = re.compile("[\udc00-\udfff]")
PDFIUM_HYPHEN = "\ufffe"
"""What PDFium's text gives for a hyphen that ends a line."""
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Direction marks and embeddings: format characters that say how to order text, not text."""
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")

Box = tuple[float, float, float, float]
"""left, bottom, right, top in page space."""
Colour = tuple[int, int, int, int]
RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Drawing:
    """How one text object on a page is drawn."""

    mcid: int
    artifact: bool
    colour: Colour
    """The colour a reader sees (fill, or stroke for outlined text), RGBA."""
    invisible: bool
    label: bool
    """Its whole text is a bullet: left out of untagged PDFs, whose drawing order can put a
    list's labels after its items (a tagged PDF tags them /Lbl)."""
    clip: Box | None
    """The bounding box of its clipping paths in page space, if it has any."""
    missing: frozenset[str]
    """Characters its font draws with the missing-glyph box."""
    claim: Claim | None = None
    """The claimed text (`/ActualText`) of the span it is drawn in: PDFium gives the span's
    text once, as the characters of one of the span's objects."""


@dataclass(slots=True)
class Glyph:
    """One character of a page in PDFium's order; `drawing` is None for the spaces and line
    breaks PDFium adds between text objects."""

    char: str
    drawing: Drawing | None
    box: Box | None
    why: str | None = None
    """Why a reader cannot see it, or None."""
    x: float = 0.0
    """Where it stands on its line (the left of its box, spaces too): the order a line that
    holds right-to-left text is read in comes from where its characters stand."""


def read(path: Path, *, everything: bool = False) -> Reading:
    """The PDF's text (see the module's docstring); `everything`: the whole structure tree,
    not only the article, and running heads of untagged PDFs too."""
    try:
        document = pdfium.PdfDocument(path)
    except (pdfium.PdfiumError, OSError) as error:
        raise ExtractError(f"{path}: cannot read as PDF ({error})") from None
    try:
        with pikepdf.open(path) as pdf:
            missing = missing_glyphs(pdf)
            order = structure_order(pdf, everything)
            tagged = tag_texts(pdf)
            claims = [page_claims(page) for page in pdf.pages]
        pages = [page_glyphs(document[i], missing, claims[i]) for i in range(len(document))]
    except pikepdf.PdfError as error:
        raise ExtractError(f"{path}: cannot read as PDF ({error})") from None
    finally:
        document.close()
    if order is None:
        return _untagged(pages, everything)
    return _tagged(pages, order, tagged)


# -- reading order ------------------------------------------------------------------------------


def structure_order(
    pdf: pikepdf.Pdf, everything: bool = False
) -> list[tuple[int, int, int]] | None:
    """(page index, MCID, unit) of each marked content in the structure tree's order, where
    `unit` numbers the paragraph, heading, cell... it belongs to. Only the article's (under
    /Part) if the tree has one and not `everything`; None if the PDF is not tagged."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or "/K" not in root:
        return None
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    roles = {str(k): str(v) for k, v in root.get("/RoleMap", pikepdf.Dictionary()).items()}
    found: list[tuple[int, int, int, bool]] = []
    numbers = itertools.count()

    def walk(kid: object, page: int | None, unit: int, inside: bool) -> None:
        if isinstance(kid, pikepdf.Array):
            for item in kid:
                walk(item, page, unit, inside)
        elif isinstance(kid, int):
            if page is not None:
                found.append((page, kid, unit, inside))
        elif isinstance(kid, pikepdf.Dictionary):
            if "/Pg" in kid:
                page = pages.get(kid.Pg.objgen, page)
            if kid.get("/Type") == pikepdf.Name.MCR:
                walk(int(kid.MCID), page, unit, inside)
            elif "/S" in kid and "/K" in kid:  # not an annotation (OBJR), not empty
                role = roles.get(str(kid.S), str(kid.S))
                if role == LABEL:
                    return
                if role not in INLINE:
                    unit = next(numbers)
                walk(kid.K, page, unit, inside or role == ARTICLE)

    walk(root.K, None, -1, False)
    if not everything and any(inside for *_, inside in found):
        found = [entry for entry in found if entry[3]]
    return [(page, mcid, unit) for page, mcid, unit, _ in found]


def tag_texts(pdf: pikepdf.Pdf) -> dict[tuple[int, int], str]:
    """(page index, MCID) -> the /ActualText of the structure element that holds only that
    marked content: what a screen reader reads for it through the tag tree."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or "/K" not in root:
        return {}
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    found: dict[tuple[int, int], str] = {}
    stack: list[tuple[object, int | None, int]] = [(root.K, None, 0)]
    while stack:
        kid, page, depth = stack.pop()
        if isinstance(kid, pikepdf.Array):
            stack += [(item, page, depth) for item in kid]
        elif isinstance(kid, pikepdf.Dictionary) and depth < 200 and "/K" in kid:
            if "/Pg" in kid:
                page = pages.get(kid.Pg.objgen, page)
            kids = kid.K
            only = kids[0] if isinstance(kids, pikepdf.Array) and len(kids) == 1 else kids
            if "/ActualText" in kid and isinstance(only, int) and page is not None:
                found[page, int(only)] = str(kid.ActualText)
            stack.append((kids, page, depth + 1))
    return found


def _tagged(
    pages: list[list[Glyph]],
    order: list[tuple[int, int, int]],
    tagged: dict[tuple[int, int], str] | None = None,
) -> Reading:
    content: dict[tuple[int, int], list[Glyph]] = {}
    for number, glyphs in enumerate(pages):
        mcid = -1
        for glyph in glyphs:
            if glyph.drawing is not None:
                mcid = -1 if glyph.drawing.artifact else glyph.drawing.mcid
            if mcid >= 0:
                content.setdefault((number, mcid), []).append(glyph)
    for key, text in (tagged or {}).items():  # the tag tree must say what the page says
        glyphs = content.get(key, [])
        if letters(text) != letters("".join(g.char for g in glyphs)):
            for glyph in glyphs:
                if glyph.box is not None and glyph.why is None:
                    glyph.why = f'given by the tag tree (/ActualText) as "{text}"'

    units: list[list[Glyph]] = []
    where: list[int] = []
    last_unit = None
    for page, mcid, unit in order:
        glyphs = content.get((page, mcid), [])
        if unit != last_unit or page != where[-1]:
            units.append([])
            where.append(page)
            last_unit = unit
        units[-1] += glyphs
    return _reading(units, where)


def _untagged(pages: list[list[Glyph]], everything: bool) -> Reading:
    lines = [_lines(glyphs) for glyphs in pages]
    running = set() if everything else _running(lines)
    kept, where = [], []
    for number, page_lines in enumerate(lines):
        for key, line in page_lines:
            if (number, key) not in running:
                kept.append(line)
                where.append(number)
    return _reading(kept, where)


def _lines(glyphs: list[Glyph]) -> list[tuple[str, list[Glyph]]]:
    """The page's lines in drawing order (list labels left out), each with the key that
    tells a running head."""
    lines: list[list[Glyph]] = [[]]
    label = False
    for glyph in glyphs:
        if glyph.drawing is not None:
            label = glyph.drawing.label
        if glyph.char == "\n":
            lines.append([])
        elif glyph.char != "\r" and not label:
            lines[-1].append(glyph)
    return [(_line_key(line), line) for line in lines if any(g.box for g in line)]


def _line_key(line: list[Glyph]) -> str:
    """A line's words and height: page numbers and spacing do not tell pages apart."""
    words = _SPACE.sub(" ", _DIGITS.sub("#", "".join(g.char for g in line))).strip().casefold()
    bottom = min(g.box[1] for g in line if g.box)
    return f"{round(bottom / 2)}|{words}"


def _running(pages: list[list[tuple[str, list[Glyph]]]]) -> set[tuple[int, str]]:
    """(page index, key) of the lines that repeat at the same height as the top-most or the
    bottom-most line of at least half the pages with text (and of two pages at least)."""
    edge = {(number, key) for number, lines in enumerate(pages) for key in _edge_keys(lines)}
    counts = Counter(key for _, key in edge)
    with_text = sum(1 for lines in pages if lines)
    return {(n, key) for n, key in edge if counts[key] >= 2 and counts[key] * 2 >= with_text}


def _edge_keys(lines: list[tuple[str, list[Glyph]]]) -> set[str]:
    """Keys of the lines level with the page's top-most or bottom-most line of text."""
    extents = {key: _extent(line) for key, line in lines}
    if not extents:
        return set()
    top = max(extents.values(), key=lambda extent: extent[1])
    bottom = min(extents.values(), key=lambda extent: extent[0])
    return {
        key
        for key, (low, high) in extents.items()
        if high > top[0] or low < bottom[1]  # overlaps the top or bottom line's height
    }


def _extent(line: list[Glyph]) -> tuple[float, float]:
    boxes = [g.box for g in line if g.box]
    return min(b[1] for b in boxes), max(b[3] for b in boxes)


def _reading(units: list[list[Glyph]], pages: list[int]) -> Reading:
    """The visible text of each unit, and what was hidden in it."""
    texts: list[str] = []
    hidden: list[Hidden] = []
    for glyphs, page in zip(units, pages, strict=True):
        text = "".join(g.char for g in glyphs if g.why is None).replace("\r", "")
        if text.strip():
            texts.append(text.strip())
        hidden += _hidden(glyphs, page)
    return Reading(tuple(texts), tuple(hidden))


def _hidden(glyphs: list[Glyph], page: int) -> Iterator[Hidden]:
    """Runs of hidden characters with the same cause (with the spaces between them)."""
    run: list[Glyph] = []
    for glyph in [*glyphs, Glyph(".", None, None)]:
        same = glyph.why and (not run or run[0].why == glyph.why)
        if same or (run and glyph.why is None and glyph.char.isspace()):
            run.append(glyph)
        else:
            if run:
                text = " ".join("".join(g.char for g in run).split())
                yield Hidden(text, run[0].why or "", f"page {page + 1}")
            run = [glyph] if glyph.why else []


# -- one page -----------------------------------------------------------------------------------


def page_glyphs(
    page: pdfium.PdfPage, missing: dict[str, frozenset[str]], claims: list[Claim] | None = None
) -> list[Glyph]:
    """Every character of the page in PDFium's order, each with why it cannot be seen;
    `claims`: the page's claimed texts in content order (pdf_claims.page_claims)."""
    textpage = page.get_textpage()
    drawings = dict(_drawings(page, textpage, missing, list(claims or [])))
    raw, count = textpage.raw, textpage.count_chars()
    text = textpage.get_text_range()
    if len(text) != count:  # one character per index, whatever UTF-16 made of it
        text = "".join(chr(fpdf.FPDFText_GetUnicode(raw, i)) for i in range(count))
    text = text.replace(PDFIUM_HYPHEN, "-")
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    glyphs: list[Glyph] = []
    read_claims: set[int] = set()  # by identity: two spans may claim the same text
    for index, char in enumerate(text):
        if _LOW_SURROGATE.match(char) and glyphs and _HIGH_SURROGATE.match(glyphs[-1].char):
            pair = glyphs[-1].char + char  # PDFium counts UTF-16 units: 😀 is two
            glyphs[-1].char = pair.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
            continue
        handle = fpdf.FPDFText_GetTextObject(raw, index)
        drawing = drawings.get(_address(handle)) if handle else None
        drawn = drawing is not None and not char.isspace()
        if drawing is not None and drawing.claim is not None:
            # The span's text is read as the file writes it (its logical text), once; what
            # PDFium gives for it is kept to check that PDFium reads the same (_judge).
            claim = drawing.claim
            claim.read_by_pdfium += char
            if id(claim) not in read_claims:
                read_claims.add(id(claim))
                fpdf.FPDFText_GetCharBox(raw, index, left, right, bottom, top)
                first: Box = (left.value, bottom.value, right.value, top.value)
                glyphs += [
                    Glyph(c, drawing, first if not c.isspace() else None, x=left.value)
                    for c in claim.text
                ]
            continue
        if BIDI_CONTROLS.match(char):
            continue
        if drawn and fpdf.FPDFText_HasUnicodeMapError(raw, index):
            continue  # a glyph its font maps to no text (part of a cluster): nothing to read
        fpdf.FPDFText_GetCharBox(raw, index, left, right, bottom, top)
        box = (left.value, bottom.value, right.value, top.value) if drawn else None
        glyphs.append(Glyph(char, drawing, box, x=left.value))
    textpage.close()
    _judge(page, glyphs, left_to_right_page(text))
    return _in_reading_order(glyphs)


def _in_reading_order(glyphs: list[Glyph]) -> list[Glyph]:
    """The glyphs with each line that holds right-to-left text in the order it is written.

    PDFium gives such a line in an order of its own: left to right when most of its letters
    are left-to-right ones, else right to left, each run in its direction. So the line is
    put in the order its characters stand, left to right, and read back as the Unicode
    bidirectional algorithm's last step reads it: on a left-to-right line, each
    right-to-left run reversed; on a right-to-left line (its first and last letters, at
    the right and at the left, are right-to-left ones), the whole line reversed but each
    left-to-right run. Numbers read left to right in either. A span's claimed text stands
    on its line as one piece, already in the order it is written."""
    if not any(_direction(char) == "R" for char in {g.char for g in glyphs}):
        return glyphs
    ordered: list[Glyph] = []
    line: list[Glyph] = []
    for glyph in glyphs:
        if glyph.char in "\r\n":
            ordered += [*_line_in_order(line), glyph]
            line = []
        else:
            line.append(glyph)
    return ordered + _line_in_order(line)


def _line_in_order(line: list[Glyph]) -> list[Glyph]:
    if not any(_direction(glyph.char) == "R" for glyph in line):
        return line
    pieces: dict[int, list[Glyph]] = {}  # a span's stand-in -> its characters
    units: list[Glyph] = []
    for glyph in line:
        claim = glyph.drawing.claim if glyph.drawing is not None else None
        if (
            claim is not None
            and units
            and id(units[-1]) in pieces
            and (
                pieces[id(units[-1])][0].drawing.claim is claim  # type: ignore[union-attr]
            )
        ):
            pieces[id(units[-1])].append(glyph)
        elif claim is not None:
            stand_in = Glyph(_strongest(claim.text), None, None, x=glyph.x)
            pieces[id(stand_in)] = [glyph]
            units.append(stand_in)
        else:
            units.append(glyph)
    standing = sorted(units, key=lambda glyph: glyph.x)  # left to right
    strong = [_direction(g.char) for g in standing if _direction(g.char) != "N"]
    if strong[0] == strong[-1] == "R":  # a right-to-left line: read from the right
        runs = _runs(standing[::-1], "L")
        order = [g for run, part in runs for g in (part[::-1] if run else _numbers_forward(part))]
    else:
        runs = _runs(standing, "R")
        order = [g for run, part in runs for g in (_numbers_forward(part[::-1]) if run else part)]
    return [g for unit in order for g in pieces.get(id(unit), [unit])]


def _strongest(text: str) -> str:
    """A character that stands for a claimed text's direction on its line: right to left if
    it has right-to-left letters, else left to right if it has letters, else neutral."""
    kinds = {_direction(char) for char in text}
    return "\u05d0" if "R" in kinds else "a" if "L" in kinds else " "


def _runs(glyphs: list[Glyph], kind: str) -> list[tuple[bool, list[Glyph]]]:
    """`glyphs` in pieces: each run of letters of direction `kind` with the characters
    between them (True), and what stands between the runs (False)."""
    pieces: list[tuple[bool, list[Glyph]]] = []
    index = 0
    while index < len(glyphs):
        if _direction(glyphs[index].char) != kind:
            if not pieces or pieces[-1][0]:
                pieces.append((False, []))
            pieces[-1][1].append(glyphs[index])
            index += 1
            continue
        end = index
        for after in range(index + 1, len(glyphs)):
            found = _direction(glyphs[after].char)
            if found == kind:
                end = after
            elif found != "N":
                break
        pieces.append((True, glyphs[index : end + 1]))
        index = end + 1
    return pieces


def _numbers_forward(glyphs: list[Glyph]) -> list[Glyph]:
    """Reversed glyphs with each number in them (digits, and the signs between digits, as in
    "24/7" or "0.5") read left to right again."""
    out, index = list(glyphs), 0
    while index < len(out):
        if not out[index].char.isdigit():
            index += 1
            continue
        end = index
        while end + 1 < len(out) and (
            out[end + 1].char.isdigit()
            or (out[end + 1].char in ".,:/" and end + 2 < len(out) and out[end + 2].char.isdigit())
        ):
            end += 1
        out[index : end + 1] = out[index : end + 1][::-1]
        index = end + 1
    return out


def _direction(char: str) -> str:
    kind = unicodedata.bidirectional(char[:1]) if char else ""
    return "R" if kind in {"R", "AL"} else "L" if kind == "L" else "N"


def _judge(page: pdfium.PdfPage, glyphs: list[Glyph], left_to_right: bool) -> None:
    """Set each glyph's `why` (see the module's docstring); `left_to_right`: poppler's main
    direction of the page."""
    trim = page.get_trimbox()
    under = _background(page) if any(g.box for g in glyphs) else None
    problems: dict[int, str | None] = {}  # each claim judged once, not once per character
    for glyph in glyphs:
        drawing, box = glyph.drawing, glyph.box
        if drawing is None or box is None:
            continue
        middle = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        problem = None
        if (claim := drawing.claim) is not None:
            if id(claim) not in problems:
                problems[id(claim)] = claim.problem(left_to_right)
            problem = problems[id(claim)]
        if problem is not None:
            glyph.why = problem
        elif drawing.invisible:
            glyph.why = "drawn invisibly (text render mode or full transparency)"
        elif glyph.char in drawing.missing:
            glyph.why = (
                f"drawn as a missing-glyph box (U+{ord(glyph.char):04X}: no glyph in its font)"
            )
        elif not _inside(middle, trim):
            glyph.why = "outside the trim box"
        elif drawing.clip is not None and not _inside(middle, drawing.clip):
            glyph.why = "clipped away"
        elif under is not None and _unseen_on(drawing.colour, box, under):
            glyph.why = "in the colour of the background under it"


def _unseen_on(colour: Colour, box: Box, under: Callable[[float, float], RGB]) -> bool:
    """Whether the glyph's colour is too close to what is drawn under it, at a quarter, half
    and three quarters of its height (a line through the text, as for strike-through, is
    drawn in the text's own colour, but not at all three)."""
    x, bottom, height = (box[0] + box[2]) / 2, box[1], box[3] - box[1]
    return all(
        _contrast(colour, under(x, bottom + height * share)) < MIN_CONTRAST
        for share in (0.25, 0.5, 0.75)
    )


def _drawings(
    page: pdfium.PdfPage,
    textpage: pdfium.PdfTextPage,
    missing: dict[str, frozenset[str]],
    claims: list[Claim],
) -> Iterator[tuple[int, Drawing]]:
    """Every text object of the page (in form XObjects too) with how it is drawn; the text
    objects of each span that claims a text get the next of `claims` (both are in content
    order)."""
    spans: dict[int, Claim | None] = {}

    def walk(
        objects: list[Any], matrix: pdfium.PdfMatrix, marks: tuple[int, bool], clip: Box | None
    ) -> Iterator[tuple[int, Drawing]]:
        for obj in objects:
            kind = fpdf.FPDFPageObj_GetType(obj)
            mcid, artifact = _marks(obj, marks)
            own = _intersect(clip, _clip_box(obj, matrix))
            if kind == fpdf.FPDF_PAGEOBJ_TEXT:
                mode = fpdf.FPDFTextObj_GetTextRenderMode(obj)
                colour = _colour(obj, stroke=mode in STROKE_MODES)
                invisible = mode in INVISIBLE_MODES or colour[3] == 0
                label = bool(LIST_LABEL.fullmatch(_object_text(obj, textpage).strip()))
                font = missing.get(_font_name(obj), frozenset())
                span = _claim_span(obj)
                if span is not None and span not in spans:
                    spans[span] = claims.pop(0) if claims else Claim("", boxes=1)
                claim = spans[span] if span is not None else None
                drawing = Drawing(mcid, artifact, colour, invisible, label, own, font, claim)
                yield _address(obj), drawing
            elif kind == fpdf.FPDF_PAGEOBJ_FORM:
                count = fpdf.FPDFFormObj_CountObjects(obj)
                inner = [fpdf.FPDFFormObj_GetObject(obj, i) for i in range(count)]
                yield from walk(inner, _matrix(obj).multiply(matrix), (mcid, artifact), own)

    count = fpdf.FPDFPage_CountObjects(page)
    objects = [fpdf.FPDFPage_GetObject(page, i) for i in range(count)]
    yield from walk(objects, pdfium.PdfMatrix(), (-1, False), None)


def _background(page: pdfium.PdfPage) -> Callable[[float, float], RGB]:
    """A function giving the colour (RGB) drawn at a point of the page under any text: the
    page rendered with every text object made invisible (the page object is changed in
    memory only)."""
    for obj in page.get_objects(filter=[fpdf.FPDF_PAGEOBJ_TEXT]):
        fpdf.FPDFTextObj_SetTextRenderMode(obj, fpdf.FPDF_TEXTRENDERMODE_INVISIBLE)
    bitmap = page.render(scale=SCALE, rev_byteorder=True, draw_annots=False)
    convert = bitmap.get_posconv(page)
    (x0, y0), (x1, y1), (x2, y2) = (convert.to_bitmap(*p) for p in ((0, 0), (1, 0), (0, 1)))
    buffer, stride, channels = bytes(bitmap.buffer), bitmap.stride, bitmap.n_channels
    width, height = bitmap.width, bitmap.height

    def colour_at(x: float, y: float) -> RGB:
        column = int(x0 + (x1 - x0) * x + (x2 - x0) * y)
        row = int(y0 + (y1 - y0) * x + (y2 - y0) * y)
        if not (0 <= column < width and 0 <= row < height):
            return 255, 255, 255  # off the rendered page: paper
        at = row * stride + column * channels
        return buffer[at], buffer[at + 1], buffer[at + 2]

    return colour_at


# -- PDFium helpers -----------------------------------------------------------------------------


def _address(handle: object) -> int:
    return ctypes.addressof(handle.contents)  # type: ignore[attr-defined]


def _marks(obj: object, inherited: tuple[int, bool]) -> tuple[int, bool]:
    """The object's marked-content id (or its form's) and whether it is an artifact."""
    mcid, artifact = inherited
    own = fpdf.FPDFPageObj_GetMarkedContentID(obj)
    for index in range(fpdf.FPDFPageObj_CountMarks(obj)):
        mark = fpdf.FPDFPageObj_GetMark(obj, index)
        length = ctypes.c_ulong()
        buffer = (fpdf.FPDF_WCHAR * 64)()
        fpdf.FPDFPageObjMark_GetName(mark, buffer, ctypes.sizeof(buffer), length)
        if bytes(buffer)[: max(length.value - 2, 0)].decode("utf-16-le") == "Artifact":
            artifact = True
    return (own if own >= 0 else mcid), artifact


def _claim_span(obj: object) -> int | None:
    """The address of the object's outermost mark that claims a text (`/ActualText`), which
    every object of that marked-content span shares; None if it has none. The claims nested
    in it are the texts it gives particular readers (pdf_claims.Claim.layers)."""
    for index in range(fpdf.FPDFPageObj_CountMarks(obj)):
        mark = fpdf.FPDFPageObj_GetMark(obj, index)
        length = ctypes.c_ulong()
        if fpdf.FPDFPageObjMark_GetParamStringValue(mark, b"ActualText", None, 0, length):
            return _address(mark)
    return None


def _colour(obj: object, stroke: bool) -> Colour:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    get = fpdf.FPDFPageObj_GetStrokeColor if stroke else fpdf.FPDFPageObj_GetFillColor
    if not get(obj, r, g, b, a):
        return 0, 0, 0, 255
    return r.value, g.value, b.value, a.value


def _object_text(obj: object, textpage: pdfium.PdfTextPage) -> str:
    size = fpdf.FPDFTextObj_GetText(obj, textpage, None, 0)
    buffer = (fpdf.FPDF_WCHAR * (size // 2 + 1))()
    fpdf.FPDFTextObj_GetText(obj, textpage, buffer, size)
    return bytes(buffer)[: max(size - 2, 0)].decode("utf-16-le", errors="replace")


def _font_name(obj: object) -> str:
    font = fpdf.FPDFTextObj_GetFont(obj)
    if not font:
        return ""
    size = fpdf.FPDFFont_GetBaseFontName(font, None, 0)
    buffer = ctypes.create_string_buffer(size)
    fpdf.FPDFFont_GetBaseFontName(font, buffer, size)
    return buffer.value.decode("utf-8", errors="replace")


def _matrix(obj: object) -> pdfium.PdfMatrix:
    matrix = fpdf.FS_MATRIX()
    fpdf.FPDFPageObj_GetMatrix(obj, matrix)
    return pdfium.PdfMatrix.from_raw(matrix)


def _clip_box(obj: object, matrix: pdfium.PdfMatrix) -> Box | None:
    """The bounding box, in page space, of the area the object's clipping paths leave (their
    intersection); a curved clip counts as its bounding box."""
    clip = fpdf.FPDFPageObj_GetClipPath(obj)
    if not clip:
        return None
    box: Box | None = None
    for path in range(fpdf.FPDFClipPath_CountPaths(clip)):
        points = []
        for index in range(fpdf.FPDFClipPath_CountPathSegments(clip, path)):
            segment = fpdf.FPDFClipPath_GetPathSegment(clip, path, index)
            x, y = ctypes.c_float(), ctypes.c_float()
            if fpdf.FPDFPathSegment_GetPoint(segment, x, y):
                points.append(matrix.on_point(x.value, y.value))
        if points:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            box = _intersect(box, (min(xs), min(ys), max(xs), max(ys)))
    return box


def _intersect(first: Box | None, second: Box | None) -> Box | None:
    if first is None or second is None:
        return second if first is None else first
    return (
        max(first[0], second[0]),
        max(first[1], second[1]),
        min(first[2], second[2]),
        min(first[3], second[3]),
    )


def _inside(point: tuple[float, float], box: Box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


@functools.cache
def _contrast(colour: Colour, under: RGB) -> float:
    lighter, darker = sorted((_luminance(colour[:3]), _luminance(under)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(rgb: tuple[int, ...]) -> float:
    def linear(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
