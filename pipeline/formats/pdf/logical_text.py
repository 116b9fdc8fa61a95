"""Every run of text a PDF draws reads back as it was written, in every reader.

WeasyPrint maps each glyph to the text of the first cluster it drew it in (its ToUnicode
map) and draws right-to-left runs in visual order, so a reader that rebuilds the text from
the glyphs (copy and paste, pdftotext, PDFium, a screen reader reading the tags) gets Arabic
marks, Hebrew and Persian sentence ends, Brahmic reph, pre-base vowel signs and conjuncts,
and Khmer stacks out of order or with letters lost. Only the layout knows each run's text.

**While drawing** (`install`), each run whose glyphs may not give its text is drawn inside a
marked-content span that says what it reads, in logical order (NFC), and in what language:
`/Span <</ActualText (...) /Lang (ur)>> BDC ... EMC` (PDF 32000-1, 14.9.4 and 14.9.2). WeasyPrint
has no public hook there: this module is the one place that wraps its text drawing
(`weasyprint.draw.draw_text`, called once for each text box, the piece of one inline element
on one line, whose `text` is what it draws), and `install` refuses a WeasyPrint whose drawing
it does not know.

**After writing** (`for_readers`, called by glyph_text.complete): poppler and PDFium do not
read a span's text as it is written; both reorder it again, each its own way, and no one text
reads back in order from both (pipeline/extract/pdf_order.py says what each does). So inside
the logical span each reader is given the text its own reordering turns into the logical one:

    /Span <</ActualText (logical) /Lang (ar)>> BDC      standard readers, verification
      /Span <</ActualText (for poppler)>> BDC           poppler reads the innermost /Span
        /PDFiumText <</ActualText (for PDFium)>> BDC    PDFium reads the innermost claim
          ...glyphs...
        EMC
      EMC
    EMC

A layer is written only where its reader would not read the one around it in order. poppler's
text follows its rule for the page's main direction; PDFium's depends on what stands around
the span, so the PDF is read with PDFium to learn how it reads each span. In a tagged PDF the
run's structure element (WeasyPrint tags each text box as a /Span of its own) gets the logical
text and the language too: screen readers read the tag tree. Verification checks every layer
against the glyphs drawn and against what each reader makes of it (pipeline/extract/
pdf_claims.py).
"""

from __future__ import annotations

import ctypes
import functools
import io
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pikepdf
import pydyf
import pypdfium2 as pdfium
import pypdfium2.raw as fpdf
import weasyprint
import weasyprint.draw

from pipeline.extract.pdf_order import left_to_right_page, pdfium_text, poppler_text

KNOWN_WEASYPRINT = "70."
"""The WeasyPrint whose text drawing this wraps (pyproject.toml pins it)."""
PDFIUM_TAG = pikepdf.Name("/PDFiumText")
"""The marked content that holds the text for PDFium: any tag but /Span, which poppler and
standard readers would read too."""
PDFIUM_NOTHING = "\x01"
"""The text of a PDFium layer that PDFium reads as nothing: it skips a claim with no
printable character (`CPDF_TextPage::PreMarkedContent`). A control character, not text."""
Span = pikepdf.Name.Span
SHOWING = {"Tj", "TJ", "'", '"'}
_RIGHT_TO_LEFT = {"R", "AL"}
_MARKS = {"Mn", "Mc", "Me"}


def needs_actual_text(text: str) -> bool:
    """Whether a run's glyphs may not give its text back in logical order: it holds
    right-to-left letters (drawn in visual order) or marks (vowel signs, viramas, harakat:
    reordered, stacked or merged into one glyph with their letters)."""
    return any(_complex(char) for char in set(text))


@functools.cache
def _complex(char: str) -> bool:
    if "\ufe00" <= char <= "\ufe0f":  # a variation selector picks a form: not a mark
        return False
    return unicodedata.bidirectional(char) in _RIGHT_TO_LEFT or unicodedata.category(char) in _MARKS


def actual_text(text: str) -> str:
    """The logical text of a run that reads `text`: NFC, nothing added."""
    return unicodedata.normalize("NFC", text)


class WeasyPrintChanged(RuntimeError):
    """The installed WeasyPrint is not the one whose text drawing this module wraps."""


def install() -> None:
    """Wrap WeasyPrint's text drawing, once per process (idempotent)."""
    draw: Any = weasyprint.draw
    if getattr(draw.draw_text, "with_actual_text", False):
        return
    if not weasyprint.__version__.startswith(KNOWN_WEASYPRINT):
        raise WeasyPrintChanged(
            f"WeasyPrint {weasyprint.__version__} is installed; pipeline/formats/pdf/"
            f"logical_text.py knows how {KNOWN_WEASYPRINT}x draws text: check it, then the pin"
        )
    original = draw.draw_text

    @functools.wraps(original)
    def draw_text(stream: Any, textbox: Any, *args: Any, **kwargs: Any) -> Any:
        if not needs_actual_text(textbox.text):
            return original(stream, textbox, *args, **kwargs)
        claim = pydyf.Dictionary({"ActualText": pydyf.String(actual_text(textbox.text))})
        if textbox.style["lang"]:
            claim["Lang"] = pydyf.String(textbox.style["lang"])
        stream.begin_marked_content("Span", claim)
        try:
            return original(stream, textbox, *args, **kwargs)
        finally:
            stream.end_marked_content()

    draw_text.with_actual_text = True  # type: ignore[attr-defined]
    draw.draw_text = draw_text


# -- after writing: each reader's text ----------------------------------------------------------


@dataclass(eq=False)
class _Run:
    """One span of logical text in a content stream, and the layers written inside it."""

    owner: _Content
    start: int
    """Index of its BDC among the owner's instructions."""
    page: int
    logical: str
    lang: str | None
    mcid: int | None
    """The marked-content id around it (its structure element's), on a page's own content."""
    end: int = -1
    shows: list[tuple[int, int, int]] = field(default_factory=list)
    """(index, text object, glyph codes) of each text-showing operator inside it, where the
    text object counts the BT operators before it."""
    poppler: str | None = None
    pdfium: str = ""

    def pieces(self) -> list[tuple[int, int, str]]:
        """(first, last instruction index, text) of each PDFium layer: the text on the
        operator that shows the most glyphs (PDFium skips an object too narrow to see), and
        PDFium's no-text on the others, so that PDFium reads the span once however its
        objects fall into its lines (it reads a span again after another object)."""
        if not self.shows:
            return []
        holder = max(self.shows, key=lambda show: show[2])
        pieces: list[tuple[int, int, str]] = []
        for block in dict.fromkeys(show[1] for show in self.shows):
            at = [index for index, obj, _ in self.shows if obj == block]
            if block != holder[1]:
                pieces.append((at[0], at[-1], PDFIUM_NOTHING))
                continue
            before = [index for index in at if index < holder[0]]
            after = [index for index in at if index > holder[0]]
            if before:
                pieces.append((before[0], before[-1], PDFIUM_NOTHING))
            pieces.append((holder[0], holder[0], self.pdfium))
            if after:
                pieces.append((after[0], after[-1], PDFIUM_NOTHING))
        return pieces


@dataclass(eq=False)
class _Content:
    """A content stream (a page's or a form's) and the runs in it."""

    holder: pikepdf.Object
    instructions: list[Any]
    runs: list[_Run] = field(default_factory=list)

    def write(self, pdf: pikepdf.Pdf) -> None:
        before: dict[int, list[Any]] = defaultdict(list)
        after: dict[int, list[Any]] = defaultdict(list)
        bdc, emc = pikepdf.Operator("BDC"), pikepdf.Operator("EMC")
        for run in self.runs:
            if run.poppler is not None:
                claim = pikepdf.Dictionary(ActualText=pikepdf.String(run.poppler))
                after[run.start].append(pikepdf.ContentStreamInstruction([Span, claim], bdc))
                before[run.end].append(pikepdf.ContentStreamInstruction([], emc))
            for first, last, text in run.pieces():
                claim = pikepdf.Dictionary(ActualText=pikepdf.String(text))
                before[first].append(pikepdf.ContentStreamInstruction([PDFIUM_TAG, claim], bdc))
                after[last].insert(0, pikepdf.ContentStreamInstruction([], emc))
        out: list[Any] = []
        for index, instruction in enumerate(self.instructions):
            out += [*before[index], instruction, *after[index]]
        data = pikepdf.unparse_content_stream(out)
        if isinstance(self.holder, pikepdf.Page):
            self.holder.Contents = pdf.make_stream(data)
        else:
            self.holder.write(data)


def for_readers(pdf: pikepdf.Pdf) -> None:
    """Give each reader of `pdf` its text for every span of logical text, and each span's
    structure element the logical text (see the module's docstring)."""
    contents, runs = _runs(pdf)
    if not runs:
        return
    with _pdfium(pdf) as document:
        directions = [left_to_right_page(_page_text(page)) for page in document]
    for run in runs:
        text = poppler_text(run.logical, directions[run.page])
        run.poppler = text if text != run.logical else None
        run.pdfium = run.logical
    for content in contents:
        content.write(pdf)
    with _pdfium(pdf) as document:
        readings = _span_readings(document, runs)
    for run, read in zip(runs, readings, strict=True):
        if read is not None and "".join(read.split()) != "".join(run.logical.split()):
            run.pdfium = pdfium_text(run.logical, run.logical, read) or run.logical
    for content in contents:
        content.write(pdf)
    _tag(pdf, runs)


def _runs(pdf: pikepdf.Pdf) -> tuple[list[_Content], list[_Run]]:
    """Every span of logical text (a /Span whose /ActualText no claim surrounds), in the order
    PDFium meets them: content order, a form's where the page draws it (once)."""
    contents: list[_Content] = []
    runs: list[_Run] = []
    seen: set[tuple[int, int]] = set()

    def walk(holder: Any, resources: Any, page: int, depth: int) -> None:
        if b"/ActualText" not in _content_bytes(holder):
            return
        content = _Content(holder, list(pikepdf.parse_content_stream(holder)))
        contents.append(content)
        forms = resources.get("/XObject", pikepdf.Dictionary()) if resources else {}
        marks: list[tuple[_Run | None, int | None]] = []  # open marked content: run, MCID
        blocks = 0
        for index, (operands, operator) in enumerate(content.instructions):
            op = str(operator)
            if op in {"BDC", "BMC"}:
                properties: Any = operands[1] if op == "BDC" else None
                mcid = _mcid(properties)
                inside = any(run is not None for run, _ in marks)
                run = None
                if _claims(operands, properties) and not inside:
                    around = next((m for _, m in reversed(marks) if m is not None), None)
                    lang = properties.get("/Lang")
                    text = str(properties.ActualText)
                    run = _Run(content, index, page, text, str(lang) if lang else None, around)
                    content.runs.append(run)
                    runs.append(run)
                marks.append((run, mcid))
            elif op == "EMC" and marks:
                run, _ = marks.pop()
                if run is not None:
                    run.end = index
            elif op == "BT":
                blocks += 1
            elif op in SHOWING:
                for run, _ in marks:
                    if run is not None:
                        run.shows.append((index, blocks, _codes(operands[-1])))
            elif op == "Do" and depth < 8:
                form: Any = forms.get(str(operands[0]))
                is_form = isinstance(form, pikepdf.Stream) and form.get("/Subtype") == "/Form"
                if is_form and form.objgen not in seen:
                    seen.add(form.objgen)
                    walk(form, form.get("/Resources"), page, depth + 1)
        content.runs = [run for run in content.runs if run.end >= 0]

    for number, page in enumerate(pdf.pages):
        walk(page, page.obj.get("/Resources"), number, 0)
    runs = [run for run in runs if run.end >= 0]
    return [content for content in contents if content.runs], runs


def _codes(strings: Any) -> int:
    """How many two-byte codes a text-showing operator's strings hold."""
    items = strings if isinstance(strings, pikepdf.Array) else [strings]
    return sum(len(bytes(item)) // 2 for item in items if isinstance(item, pikepdf.String))


def _content_bytes(holder: Any) -> bytes:
    if isinstance(holder, pikepdf.Page):
        contents = holder.obj.get("/Contents")
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        return b"".join(s.read_bytes() for s in streams if isinstance(s, pikepdf.Stream))
    return bytes(holder.read_bytes())


def _claims(operands: Any, properties: Any) -> bool:
    return (
        operands[0] == pikepdf.Name.Span
        and isinstance(properties, pikepdf.Dictionary)
        and "/ActualText" in properties
    )


def _mcid(properties: Any) -> int | None:
    if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
        return int(properties.MCID)
    return None


@contextmanager
def _pdfium(pdf: pikepdf.Pdf) -> Iterator[pdfium.PdfDocument]:
    """The PDF as it stands, opened with PDFium."""
    buffer = io.BytesIO()
    pdf.save(buffer)
    document = pdfium.PdfDocument(buffer.getvalue())
    try:
        yield document
    finally:
        document.close()


def _page_text(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        return str(textpage.get_text_range())
    finally:
        textpage.close()


def _span_readings(document: pdfium.PdfDocument, runs: list[_Run]) -> list[str | None]:
    """What PDFium reads for each run: the characters its text page gives for the text
    objects of the run's span. The spans PDFium meets, in order, are the runs that show
    text; None for all if they do not pair up."""
    found: list[str] = []
    for page in document:
        textpage = page.get_textpage()
        spans: dict[int, int] = {}  # span mark address -> index into found
        of_object: dict[int, int] = {}  # text object address -> index into found
        for obj in _text_objects(page):
            address = _outer_claim(obj)
            if address is None:
                continue
            if address not in spans:
                spans[address] = len(found)
                found.append("")
            of_object[ctypes.addressof(obj.contents)] = spans[address]
        raw = textpage.raw
        for index in range(textpage.count_chars()):
            handle = fpdf.FPDFText_GetTextObject(raw, index)
            at = of_object.get(ctypes.addressof(handle.contents)) if handle else None
            if at is not None:
                found[at] += chr(fpdf.FPDFText_GetUnicode(raw, index))
        textpage.close()
    showing = [run for run in runs if run.shows]
    if len(showing) != len(found):
        return [None] * len(runs)
    read = dict(zip(map(id, showing), found, strict=True))
    return [read.get(id(run)) for run in runs]


def _text_objects(page: pdfium.PdfPage) -> Iterator[Any]:
    def walk(objects: list[Any]) -> Iterator[Any]:
        for obj in objects:
            kind = fpdf.FPDFPageObj_GetType(obj)
            if kind == fpdf.FPDF_PAGEOBJ_TEXT:
                yield obj
            elif kind == fpdf.FPDF_PAGEOBJ_FORM:
                count = fpdf.FPDFFormObj_CountObjects(obj)
                yield from walk([fpdf.FPDFFormObj_GetObject(obj, i) for i in range(count)])

    count = fpdf.FPDFPage_CountObjects(page)
    yield from walk([fpdf.FPDFPage_GetObject(page, i) for i in range(count)])


def _outer_claim(obj: Any) -> int | None:
    """The address of the object's outermost mark that claims a text: every object of that
    marked-content sequence shares it."""
    for index in range(fpdf.FPDFPageObj_CountMarks(obj)):
        mark = fpdf.FPDFPageObj_GetMark(obj, index)
        length = ctypes.c_ulong()
        if fpdf.FPDFPageObjMark_GetParamStringValue(mark, b"ActualText", None, 0, length):
            return ctypes.addressof(mark.contents)
    return None


def _tag(pdf: pikepdf.Pdf, runs: list[_Run]) -> None:
    """Give each run's structure element (one that holds only the run's marked content, as
    WeasyPrint tags a text box) the run's logical text and language."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or "/ParentTree" not in root:
        return
    tree = pikepdf.NumberTree(root.ParentTree)
    for run in runs:
        page = pdf.pages[run.page]
        if run.mcid is None or not isinstance(run.owner.holder, pikepdf.Page):
            continue
        key = page.obj.get("/StructParents")
        if key is None or int(key) not in tree:
            continue
        elements = tree[int(key)]
        if not isinstance(elements, pikepdf.Array) or run.mcid >= len(elements):
            continue
        element = elements[run.mcid]
        kids = element.get("/K")
        if kids == run.mcid or (isinstance(kids, pikepdf.Array) and list(kids) == [run.mcid]):
            element.ActualText = pikepdf.String(run.logical)
            if run.lang:
                element.Lang = pikepdf.String(run.lang)
