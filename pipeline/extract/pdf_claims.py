"""Text a PDF claims is counted only where its glyphs account for it, and only where every
reader reads it.

A marked-content span's `/ActualText` replaces, for every reader, the text its glyphs would
give (pipeline/formats/pdf/logical_text.py writes one for each run of complex text, with the
texts poppler and PDFium need nested in it). So it could also say words the page never
draws, or give one reader other words than another. This reads each page's content stream
(and the forms it draws) with pikepdf and checks every span that claims a text:

- a glyph counts when it is drawn for real: not with the missing-glyph box (glyph 0, or past
  the font program's last glyph) and not in an invisible text render mode (3, 7);
- the glyphs drawn must be exactly those the span's fonts make of its text
  (pdf_shaping.py); where a font cannot be read, the characters are counted instead: a
  counted glyph stands for the characters of its ToUnicode entry and of the embedded font's
  own character map, and every character of the claim (NFKD, without white space and format
  characters) must occur no more often in it than the counted glyphs stand for it;
- the texts nested in it for particular readers hold the same letters, and read as the
  logical text in their readers (pdf_order.py; PDFium's reading is read by
  pipeline/extract/pdf.py).

What it cannot see is in docs/verification.md: where each glyph stands (a span is judged
visible or not by PDFium, as its first text object: pipeline/extract/pdf.py), and the
glyphs' order.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pikepdf

from pipeline.extract.pdf_fonts import FontCodes, font_codes
from pipeline.extract.pdf_order import poppler_reading
from pipeline.extract.pdf_shaping import shaped_as_drawn

INVISIBLE_MODES = {3, 7}
SHOWING = {"Tj", "TJ", "'", '"'}


@dataclass(eq=False)
class Claim:
    """One span's claimed text, the texts it gives particular readers, and what its glyphs
    stand for."""

    text: str
    """The logical text: the outermost span's."""
    layers: list[tuple[str, str]] = field(default_factory=list)
    """(tag, text) of each claim nested inside it, in content order: the text for poppler (a
    /Span) and the pieces of the text for PDFium (any other tag; the pieces PDFium reads as
    nothing hold a control character: pipeline/formats/pdf/logical_text.py)."""
    lang: str | None = None
    """The language it says it is in (`/Lang`): the layout shaped it in that language."""
    drawn: Counter[str] = field(default_factory=Counter)
    """Each character the glyphs drawn inside the span stand for (ToUnicode and cmap)."""
    glyphs: Counter[tuple[str, int]] = field(default_factory=Counter)
    """(font's PostScript name, glyph id) of each glyph drawn inside it for real."""
    programs: dict[str, bytes] = field(default_factory=dict)
    """The embedded program of each of those fonts, by PostScript name."""
    boxes: int = 0
    """How many of its glyphs draw the missing-glyph box."""
    shows: int = 0
    """How many text-showing operators draw inside it (PDFium reads only spans with some)."""
    read_by_pdfium: str = ""
    """What PDFium's text page gives for the span (pipeline/extract/pdf.py fills it in)."""

    def unaccounted(self) -> str:
        """The claim's characters its glyphs do not stand for (empty when accounted for)."""
        wanted = Counter(letters(self.text))
        return "".join(sorted((wanted - self.drawn).elements()))

    def problem(self, left_to_right_page: bool) -> str | None:
        """Why a reader cannot take the span's text as its logical text, or None: its glyphs
        do not account for it, a reader's text holds other characters, or poppler (on a page
        of that main direction) or PDFium reads its text in another order."""
        shaped = None
        if self.glyphs:
            shaped = shaped_as_drawn(self.text, self.lang, self.glyphs, self.programs)
        missing = self.unaccounted()
        if shaped is False:
            return (
                "claimed by the PDF (/ActualText) but not drawn: the glyphs inside the span "
                "are not those its fonts make of it"
                + (f' (no glyph stands for "{missing}")' if missing else "")
            )
        if shaped is None and missing:
            return (
                "claimed by the PDF (/ActualText) but not drawn: no glyph inside the span "
                f'stands for "{missing}"'
            )
        wanted = letters(self.text)
        poppler = next((text for tag, text in reversed(self.layers) if tag == "/Span"), self.text)
        pieces = "".join(text for tag, text in self.layers if tag != "/Span")
        pdfium = "".join(c for c in pieces if unicodedata.category(c) != "Cc") or self.text
        for reader, text in (("poppler", poppler), ("PDFium", pdfium)):
            if sorted(letters(text)) != sorted(wanted):
                return f'claimed by the PDF (/ActualText) for {reader} as "{text}": other letters'

        read = poppler_reading(poppler, left_to_right_page)
        if letters(read) != wanted:
            return f'read by poppler (pdftotext) as "{read}"'
        if self.shows and letters(self.read_by_pdfium) != wanted:
            return f'read by PDFium as "{self.read_by_pdfium}"'
        return None


def page_claims(page: pikepdf.Page) -> list[Claim]:
    """Every span of the page that claims a text, in content order (of their starts), with
    what its glyphs stand for; the forms the page draws are read where they are drawn (a
    form drawn inside a span counts for that span)."""
    if not _mentions_claims(page):
        return []  # parsing a page costs tens of milliseconds; most pages claim nothing
    found = list(_Reader(page.obj.get("/Resources")).read(page.obj, [], 0))
    return [claim for _start, claim in sorted(found, key=lambda pair: pair[0]) if claim.shows]


def _mentions_claims(page: pikepdf.Page) -> bool:
    """Whether the page's content, or a form it uses, holds the name /ActualText at all."""
    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    resources = page.obj.get("/Resources", pikepdf.Dictionary())
    forms = resources.get("/XObject", pikepdf.Dictionary()).values()
    streams += [form for form in forms if form.get("/Subtype") == pikepdf.Name.Form]
    try:
        found = any(
            b"/ActualText" in s.read_bytes() for s in streams if isinstance(s, pikepdf.Stream)
        )
    except pikepdf.PdfError:
        return True  # a stream this cannot read: parse the page
    return found or "/Properties" in resources


class _Reader:
    def __init__(self, resources: object, at: tuple[int, ...] = ()):
        self.at = at
        """Where this content is drawn: the operator counts of the forms around it."""
        resources = resources if isinstance(resources, pikepdf.Dictionary) else pikepdf.Dictionary()
        self.fonts = resources.get("/Font", pikepdf.Dictionary())
        self.properties = resources.get("/Properties", pikepdf.Dictionary())
        self.xobjects = resources.get("/XObject", pikepdf.Dictionary())
        self.codes: dict[str, FontCodes | None] = {}

    def read(
        self, owner: pikepdf.Object, outer: list[Claim | None], depth: int
    ) -> Iterator[tuple[tuple[int, ...], Claim]]:
        """(where it starts, claim) of each span in `owner`'s content."""
        spans: list[Claim | None] = list(outer)
        starts: list[tuple[int, ...]] = []
        font: FontCodes | None = None
        modes = [0]
        for count, instruction in enumerate(pikepdf.parse_content_stream(owner)):
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                continue
            operands, op = instruction.operands, str(instruction.operator)
            if op in {"BDC", "BMC"}:
                claim = self._claim(operands[1]) if op == "BDC" else None
                around = next((s for s in reversed(spans) if s is not None), None)
                if claim is not None and around is not None:
                    around.layers.append((str(operands[0]), claim.text))  # a reader's text
                    claim = None
                spans.append(claim)
                starts.append((*self.at, count))
            elif op == "EMC" and len(spans) > len(outer):
                claim, start = spans.pop(), starts.pop()
                if claim is not None:
                    yield start, claim
            elif op == "q":
                modes.append(modes[-1])
            elif op == "Q" and len(modes) > 1:
                modes.pop()
            elif op == "Tr":
                modes[-1] = int(operands[0])
            elif op == "Tf":
                font = self._font(str(operands[0]))
            elif op in SHOWING:
                claim = next((s for s in reversed(spans) if s is not None), None)
                if claim is not None:
                    self._count(claim, operands[-1], font, modes[-1] in INVISIBLE_MODES)
            elif op == "Do" and depth < 8:
                form = self.xobjects.get(str(operands[0]))
                if isinstance(form, pikepdf.Stream) and form.get("/Subtype") == "/Form":
                    inner = _Reader(form.get("/Resources", pikepdf.Dictionary()), (*self.at, count))
                    yield from inner.read(form, spans, depth + 1)
        for claim, start in zip(spans[len(outer) :], starts, strict=True):
            if claim is not None:  # a span never closed still claims its text
                yield start, claim

    def _claim(self, properties: object) -> Claim | None:
        if isinstance(properties, pikepdf.Name):
            properties = self.properties.get(str(properties))
        if isinstance(properties, pikepdf.Dictionary) and "/ActualText" in properties:
            lang = properties.get("/Lang")
            return Claim(str(properties.ActualText), lang=str(lang) if lang else None)
        return None

    def _font(self, name: str) -> FontCodes | None:
        if name not in self.codes:
            font = self.fonts.get(name)
            self.codes[name] = font_codes(font) if isinstance(font, pikepdf.Dictionary) else None
        return self.codes[name]

    def _count(self, claim: Claim, strings: object, font: FontCodes | None, hidden: bool) -> None:
        """Add what the shown strings' glyphs stand for. A font this cannot read (not an
        embedded composite font) stands for nothing: its glyphs account for no claim."""
        claim.shows += 1
        items = strings if isinstance(strings, pikepdf.Array) else [strings]
        for item in items:
            if not isinstance(item, pikepdf.String) or font is None:
                continue
            data = bytes(item)
            for at in range(0, len(data) - 1, 2):
                code = int.from_bytes(data[at : at + 2], "big")
                if code in font.missing:
                    claim.boxes += 1
                elif not hidden:
                    own = Counter(letters(font.text.get(code, "")))
                    claim.drawn += own | Counter(letters(font.nominal.get(code, "")))
                    name = font.postscript_name or ""
                    claim.glyphs[name, font.glyphs.get(code, code)] += 1
                    claim.programs.setdefault(name, font.program)


def letters(text: str) -> list[str]:
    """What a claim must account for: its characters, decomposed (NFKD: a font may map an
    Arabic presentation form or a ligature to a glyph), without white space, format
    characters (direction marks, joiners, soft hyphens) and variation selectors (which pick
    a form, as "↩︎" asks for the text one), none of which is drawn as a glyph of its own."""
    return [
        char
        for char in unicodedata.normalize("NFKD", text)
        if not char.isspace() and unicodedata.category(char) != "Cf" and not _selector(char)
    ]


def _selector(char: str) -> bool:
    return "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef"
