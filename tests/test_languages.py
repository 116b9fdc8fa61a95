"""Every language of the notice of free language help (tests/corpus/language-help.md and
language-help-more.md, 41 languages): built once for the session with the default brand, and
read back from every format as its readers read it: the page as Chromium shows it, the DOCX,
both PDFs and the one-pager through poppler's pdftotext, through PDFium, and through
verification's own reader. Each passage must come back whole and in logical order (NFC and
white space folded, nothing else taken out), with no direction mark in what a reader copies,
and no PDF draws a missing-glyph box.

Then what verification must refuse: a claimed text (/ActualText) that holds a word the page
does not draw, a word deleted from a right-to-left line, a vowel sign or mark deleted from a
Bengali and an Arabic word, a glyph replaced by .notdef.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as fpdfraw
import pytest
from lxml import etree

from pipeline import extract
from pipeline.brand import Brand, load_brand
from pipeline.builder import Project, build
from pipeline.checks import check_output
from pipeline.extract.docx import docx_text
from pipeline.extract.pdf_claims import page_claims
from pipeline.extract.pdf_fonts import font_codes
from pipeline.extract.pdf_order import PDFIUM_READINGS, left_to_right_page, poppler_text
from pipeline.formats import render_alone
from pipeline.formats.pdf.logical_text import needs_actual_text
from pipeline.model import Document
from pipeline.source import load
from tests.browser import chromium, open_page
from tests.conftest import ROOT
from tests.glyphs import boxes

CORPUS = ROOT / "tests" / "corpus"
NOTICE = ("language-help", "language-help-more")
ITEM = re.compile(r"^- \[(?P<text>.+)\]\{lang=(?P<lang>[\w-]+)(?: dir=rtl)?\}$")
DIRECTION_MARKS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
PDF_KINDS = ("brochure_pdf", "accessible_pdf")
Operations = list[pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage]
"""A page's content stream, as pikepdf parses it."""
ONEPAGERS = ("onepager_pdf", "onepager_html")


def passages(doc_id: str, plain: bool) -> list[tuple[str, str]]:
    """(language, text) of each line of the notice: the plain summary's, or the body's
    (language-help.md's is the shared passage it includes)."""
    shared = ROOT / "styles" / "passages" / f"{doc_id}.md"
    path = shared if shared.exists() else CORPUS / f"{doc_id}.md"
    lines = path.read_text(encoding="utf-8").split("\n:::\n")
    block = lines[0] if plain else lines[1]
    found = [ITEM.match(line) for line in block.splitlines()]
    return [(match["lang"], match["text"]) for match in found if match]


FULL = passages("language-help", plain=False)
PLAIN = {doc_id: passages(doc_id, plain=True) for doc_id in NOTICE}


def fold(text: str) -> str:
    """NFC, no white space, and no list bullets: a right-to-left item's bullet stands at the
    right end of its first line, which poppler reads last or next to the text before it."""
    return re.sub(r"[\s•]+", "", unicodedata.normalize("NFC", text))


@pytest.fixture(scope="session")
def notice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The notice's two documents, built, verified and published once: their output folder."""
    root = tmp_path_factory.mktemp("notice")
    (root / "source").mkdir()
    for doc_id in NOTICE:
        shutil.copy(CORPUS / f"{doc_id}.md", root / "source")
    (root / "styles").symlink_to(ROOT / "styles", target_is_directory=True)
    report = build(Project.at(root))
    assert not report.failed, "\n".join(report.lines)
    return root / "output"


def _published(notice: Path, doc_id: str, kind: str) -> Path:
    manifest = json.loads((notice / doc_id / "manifest.json").read_text())
    assert manifest["verification"] == {"passed": True, "missing": []}
    return notice / doc_id / str(manifest["outputs"][kind]["path"])


def test_the_notice_holds_at_least_35_languages() -> None:
    assert len({lang for lang, _ in FULL}) >= 35
    assert {lang for lang, _ in FULL} == {lang for doc in PLAIN.values() for lang, _ in doc}


def pdftotext(path: Path) -> str:
    """pdftotext's text, a column at a time on a page of two columns (below), without the
    embeddings (U+202A-U+202C) poppler's text output wraps around every stretch it
    reverses, in every PDF (`reorderText`): they are its way of writing, not characters of
    the PDF; and without the running foot ("Page 4 of 8 · Last reviewed ..."), which stands
    between the two halves of a list item that a page break splits. That is all this takes
    out."""
    pages = []
    for number, columns in enumerate(_columns(path), start=1):
        for left, width in columns:
            crop = ["-x", f"{left:.0f}", "-y", "0", "-W", f"{width:.0f}", "-H", "100000"]
            command = ["pdftotext", "-f", str(number), "-l", str(number), *crop, str(path), "-"]
            pages.append(subprocess.run(command, capture_output=True, text=True).stdout)
    return re.sub("[\u202a-\u202c]", "", _without_running_feet(pages))


def _without_running_feet(pages: list[str]) -> str:
    """The pages' text without the lines that hold a number and, numbers aside, stand on
    more than one page (a running foot: the notice's own lines hold no digits)."""
    lines = [page.splitlines() for page in pages]
    shape = [
        {re.sub(r"\d+", "#", line) for line in page if re.search(r"\d", line)} for page in lines
    ]
    running = {line for one in shape for line in one if sum(line in other for other in shape) > 1}
    return "\n".join(
        line for page in lines for line in page if re.sub(r"\d+", "#", line) not in running
    )


def _columns(path: Path) -> list[list[tuple[float, float]]]:
    """Each page's columns, (left, width) in points from its crop box's left edge: split
    where no text stands in the middle third. poppler's own order of a two-column page can
    put one column's lines between the other's (a list item's hanging bullet starts a block
    of its own, whatever the script); a reader selects a column, and so does this."""
    found = []
    with pdfium.PdfDocument(path) as document:
        for page in document:
            crop = page.get_cropbox()
            width = crop[2] - crop[0]
            spans = [obj.get_bounds() for obj in page.get_objects([fpdfraw.FPDF_PAGEOBJ_TEXT])]
            free = [
                x
                for x in range(int(crop[0] + width / 3), int(crop[0] + 2 * width / 3))
                if not any(left < x < right for left, _, right, _ in spans)
            ]
            if not free:
                found.append([(0.0, width)])
                continue
            gutter = free[len(free) // 2] - crop[0]
            found.append([(0.0, gutter), (gutter, width - gutter)])
    return found


def pdfium_text(path: Path) -> str:
    """The text PDFium's text page gives (what Chromium's viewer copies and searches)."""
    document = pdfium.PdfDocument(path)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def _readings(path: Path) -> dict[str, str]:
    """The text of a PDF as pdftotext, PDFium and verification's reader give it."""
    return {
        "pdftotext": pdftotext(path),
        "pdfium": pdfium_text(path),
        "verification": extract.text_of(path),
    }


def _wrong(path: Path, lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(reader, language) of each passage a reader does not give whole and in order, and of
    each reader that gives a direction mark anywhere (language "marks")."""
    readings = _readings(path)
    wrong = [
        (reader, lang)
        for reader, text in readings.items()
        for lang, passage in lines
        if fold(passage) not in fold(text)
    ]
    return wrong + [
        (reader, "marks") for reader, t in readings.items() if DIRECTION_MARKS.search(t)
    ]


@pytest.mark.parametrize("kind", PDF_KINDS)
def test_every_language_reads_back_in_logical_order_from_both_pdfs(notice: Path, kind: str) -> None:
    """Wrapped right-to-left list items in the brochure's columns too, with no mark added."""
    path = _published(notice, "language-help", kind)
    assert _wrong(path, FULL) == []
    assert boxes(path) == []


def test_every_language_reads_back_from_the_one_pager_pdfs(notice: Path) -> None:
    for doc_id, lines in PLAIN.items():
        path = _published(notice, doc_id, "onepager_pdf")
        assert _wrong(path, lines) == [], doc_id
        assert boxes(path) == []


def test_every_language_reads_back_from_the_docx(notice: Path) -> None:
    text = fold(docx_text(_published(notice, "language-help", "docx")))
    assert [lang for lang, passage in FULL if fold(passage) not in text] == []


def test_every_language_reads_back_from_both_pages_in_chromium(notice: Path) -> None:
    with chromium() as browser:
        for doc_id, kind, lines in (
            ("language-help", "html", FULL),
            *((doc_id, "onepager_html", PLAIN[doc_id]) for doc_id in NOTICE),
        ):
            page = open_page(browser, _published(notice, doc_id, kind))
            shown = fold(page.inner_text("body"))
            assert [lang for lang, p in lines if fold(p) not in shown] == [], (doc_id, kind)
            langs = page.evaluate(
                "() => [...document.querySelectorAll('[lang]')].map(e => [e.lang, e.dir])"
            )
            for lang, _ in lines:
                assert [lang, "rtl" if lang in {"ar", "fa", "ur", "he"} else ""] in langs, lang
            if "ur" in dict(lines):  # Nastaliq, with the room between lines it needs
                urdu = page.evaluate(
                    "() => { const s = getComputedStyle(document.querySelector('[lang=ur]'));"
                    " return [s.fontFamily, parseFloat(s.lineHeight) / parseFloat(s.fontSize)]; }"
                )
                assert urdu[0].startswith('"Noto Nastaliq Urdu"') and urdu[1] >= 1.9, urdu
            page.close()


def _spans(path: Path) -> list[tuple[str, pikepdf.Dictionary, list[tuple[str, str]]]]:
    """(tag, property list, layers) of each outermost span that claims a text, with the
    (tag, text) of the claims nested in it."""
    found: list[tuple[str, pikepdf.Dictionary, list[tuple[str, str]]]] = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            open_: list[int | None] = []
            for instruction in pikepdf.parse_content_stream(page, "BMC BDC EMC"):
                operands, operator = instruction.operands, instruction.operator
                if str(operator) == "EMC":
                    open_.pop()
                    continue
                properties = operands[1] if str(operator) == "BDC" else None
                if (
                    not isinstance(properties, pikepdf.Dictionary)
                    or "/ActualText" not in properties
                ):
                    open_.append(None)
                    continue
                around = next((at for at in reversed(open_) if at is not None), None)
                if around is not None:
                    found[around][2].append((str(operands[0]), str(properties.ActualText)))
                    open_.append(None)
                else:
                    found.append((str(operands[0]), copy.copy(properties), []))
                    open_.append(len(found) - 1)
    return found


def test_the_pdfs_say_what_each_complex_run_reads(notice: Path) -> None:
    """Each run states its logical text (NFC, nothing added) and language, for standard
    readers, and inside it gives poppler and PDFium the texts they turn into it; the tag
    tree's element for the run says the same, for screen readers."""
    path = _published(notice, "language-help", "accessible_pdf")
    spans = _spans(path)
    arabic = dict(FULL)["ar"]  # one line in the accessible PDF's wide column
    tag, claim, layers = next(span for span in spans if str(span[1].ActualText) == arabic)
    assert tag == "/Span" and str(claim.Lang) == "ar"
    poppler = [text for layer, text in layers if layer == "/Span"]
    assert poppler == [poppler_text(arabic, left_to_right=True)] and poppler != [arabic]
    assert any(layer == "/PDFiumText" and text.strip() for layer, text in layers)
    logical = {str(span[1].ActualText) for span in spans}
    assert {"বিনামূল্যে", "কর্মীকে"} <= {word for text in logical for word in text.split()}
    assert not any(DIRECTION_MARKS.search(text) for text in logical)
    with pikepdf.open(path) as pdf:
        elements = [
            element
            for element in pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree).values()
            if isinstance(element, pikepdf.Array)
            for element in element
            if isinstance(element, pikepdf.Dictionary)
        ]
        assert any(str(e.get("/ActualText", "")) == arabic and e.Lang == "ar" for e in elements)
    assert needs_actual_text(arabic) and not needs_actual_text(dict(FULL)["es"])


def test_urdu_is_drawn_in_nastaliq_in_every_pdf(notice: Path) -> None:
    """Urdu readers expect Nastaliq: the Urdu runs' glyphs come from Noto Nastaliq Urdu."""
    urdu = dict(FULL)["ur"]
    for doc_id, kind in (
        *((d, k) for d in NOTICE[:1] for k in PDF_KINDS),
        *((d, "onepager_pdf") for d in NOTICE if "ur" in dict(PLAIN[d])),
    ):
        path = _published(notice, doc_id, kind)
        with pikepdf.open(path) as pdf:
            claims = [claim for page in pdf.pages for claim in page_claims(page)]
        fonts = {name for c in claims if c.lang == "ur" for name, _ in c.glyphs}
        assert "NotoNastaliqUrdu-Regular" in fonts, (kind, fonts)
        assert any(c.text in urdu for c in claims if c.lang == "ur"), kind


# -- what verification refuses ------------------------------------------------------------


@pytest.fixture(scope="module")
def brand() -> Brand:
    return load_brand(ROOT / "styles")


LEAFLET = """---
id: x
title: Languages
lang: en-US
last-reviewed: 2026-11
# Test text: two lines of the notice of free language help.
---

## Help {{#help}}

::: plain
Help is free.
:::

{arabic}

{bengali}

{urdu}
"""
ARABIC = "[العربية: تتوفر لك خدمات المساعدة اللغوية مجانًا. اسأل أي موظف.]{lang=ar dir=rtl}"
BENGALI = "[বাংলা: আপনার জন্য বিনামূল্যে ভাষা সহায়তা পরিষেবা উপলব্ধ। যেকোনো কর্মীকে জিজ্ঞাসা করুন।]{lang=bn}"
URDU = "[اردو: زبان سے متعلق مدد کی خدمات آپ کے لیے مفت دستیاب ہیں۔]{lang=ur dir=rtl}"  # noqa: RUF001


def _doc(folder: Path, arabic: str = ARABIC, bengali: str = BENGALI, urdu: str = URDU) -> Document:
    source = folder / "source" / "x.md"
    source.parent.mkdir(parents=True, exist_ok=True)
    text = LEAFLET.format(arabic=arabic, bengali=bengali, urdu=urdu)
    source.write_text(text, encoding="utf-8")
    return load(source, folder)


@pytest.fixture(scope="module")
def leaflet(tmp_path_factory: pytest.TempPathFactory) -> Document:
    return _doc(tmp_path_factory.mktemp("leaflet"))


@pytest.fixture(scope="module")
def accessible(tmp_path_factory: pytest.TempPathFactory, leaflet: Document, brand: Brand) -> Path:
    out = tmp_path_factory.mktemp("accessible")
    return render_alone("accessible_pdf", leaflet, brand, out)


def _gaps(doc: Document, brand: Brand, path: Path) -> list[str]:
    return [str(gap) for gap in check_output(doc, brand, "accessible_pdf", path).gaps]


def test_the_unchanged_pdf_verifies(leaflet: Document, brand: Brand, accessible: Path) -> None:
    assert _gaps(leaflet, brand, accessible) == []


def _rewrite(source: Path, target: Path, change: Callable[[Operations], Operations]) -> Path:
    """The PDF with each page's content operators passed through `change`."""
    with pikepdf.open(source) as pdf:
        for page in pdf.pages:
            operations = change(pikepdf.parse_content_stream(page))
            page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(operations))
        pdf.save(target)
    return target


def _claims(operations: Operations) -> list[pikepdf.Dictionary]:
    return [
        properties
        for instruction in operations
        if str(instruction.operator) == "BDC"
        and isinstance(properties := instruction.operands[1], pikepdf.Dictionary)
        and "/ActualText" in properties
    ]


def test_a_claimed_word_the_page_does_not_draw_fails(
    leaflet: Document, brand: Brand, accessible: Path, tmp_path: Path
) -> None:
    """The Bengali line's span claims a word its glyphs do not draw: the PDF reads whole, in
    order, but verification finds the claim unaccounted for."""

    def claim_more(operations: Operations) -> Operations:
        for claim in _claims(operations):
            if "বাংলা" in str(claim.ActualText):
                claim.ActualText = pikepdf.String(str(claim.ActualText).replace("বাংলা:", "বাংলা: ঔষধ"))
        return operations

    forged = _rewrite(accessible, tmp_path / "forged.pdf", claim_more)
    doc = _doc(tmp_path / "src", bengali=BENGALI.replace("বাংলা:", "বাংলা: ঔষধ"))
    gaps = _gaps(doc, brand, forged)
    assert len(gaps) == 1 and "not visible" in gaps[0] and "claimed by the PDF" in gaps[0], gaps
    assert 'stands for "ঔধষ"' in gaps[0], gaps


def test_a_glyph_replaced_by_notdef_fails(
    leaflet: Document, brand: Brand, accessible: Path, tmp_path: Path
) -> None:
    """One glyph of the Arabic span drawn as glyph 0: its letters are no longer drawn."""

    with pikepdf.open(accessible) as pdf:
        fonts = {
            str(k): font_codes(f)
            for k, f in pdf.pages[0].Resources.Font.items()
            if isinstance(f, pikepdf.Dictionary)
        }
    jeem = {
        code.to_bytes(2, "big")
        for codes in fonts.values()
        if codes is not None
        for code, text in codes.text.items()
        if "ج" in text
    }

    def notdef(operations: Operations) -> Operations:
        """The glyphs that stand for ج (once in the line, in مجانًا) become glyph 0."""
        changed: Operations = []
        for instruction in operations:
            operands: Iterable[pikepdf.Object] = instruction.operands
            operator = instruction.operator
            if str(operator) == "TJ":
                items: list[pikepdf.Object] = []
                for item in instruction.operands[0]:
                    if isinstance(item, pikepdf.String):
                        data = bytes(item)
                        pairs = [data[at : at + 2] for at in range(0, len(data), 2)]
                        item = pikepdf.String(b"".join(b"\0\0" if p in jeem else p for p in pairs))
                    items.append(item)
                operands = [pikepdf.Array(items)]
            changed.append(pikepdf.ContentStreamInstruction(operands, operator))
        return changed

    gaps = _gaps(leaflet, brand, _rewrite(accessible, tmp_path / "notdef.pdf", notdef))
    assert any("not visible" in gap and "العربية" in gap for gap in gaps), gaps


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param(ARABIC.replace(" خدمات", ""), id="a word deleted from a right-to-left line"),
        pytest.param(
            ARABIC.replace("مجانًا", "مجانا"), id="the tanween deleted from an Arabic word"
        ),
        pytest.param(
            BENGALI.replace("জিজ্ঞাসা", "জজ্ঞাসা"), id="a vowel sign deleted from a Bengali word"
        ),
        pytest.param(BENGALI.replace("কর্মীকে", "কমীকে"), id="a reph deleted from a Bengali word"),
    ],
)
def test_a_pdf_that_drops_a_word_or_a_mark_fails(
    leaflet: Document, brand: Brand, changed: str, tmp_path: Path
) -> None:
    """The PDF laid out from the leaflet with the change, verified against the leaflet."""
    arabic, bengali = (changed, BENGALI) if "lang=ar" in changed else (ARABIC, changed)
    doc = _doc(tmp_path / "src", arabic, bengali)
    path = render_alone("accessible_pdf", doc, brand, tmp_path)
    gaps = _gaps(leaflet, brand, path)
    assert len(gaps) == 1 and "missing" in gaps[0] and 'section "help" body' in gaps[0], gaps


def test_the_docx_names_each_runs_face_and_language(notice: Path) -> None:
    """So Word and LibreOffice set each script right without the brand's fonts."""
    with zipfile.ZipFile(_published(notice, "language-help", "docx")) as package:
        body = etree.fromstring(package.read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    runs: dict[str, etree._Element] = {}
    for run in body.iter(f"{w}r"):
        language = run.find(f"{w}rPr/{w}lang")
        if language is not None:
            runs.setdefault(language.get(f"{w}val"), run)
    fonts = {lang: run.find(f"{w}rPr/{w}rFonts") for lang, run in runs.items()}
    assert fonts["bn"].get(f"{w}cs") == "Noto Sans Bengali"
    assert fonts["km"].get(f"{w}cs") == "Noto Sans Khmer"
    assert fonts["ar"].get(f"{w}cs") == "Noto Sans Arabic"
    assert fonts["ur"].get(f"{w}cs") == "Noto Nastaliq Urdu"
    assert fonts["ja"].get(f"{w}eastAsia") == "Noto Sans CJK JP"
    assert fonts["zh-Hant"].get(f"{w}eastAsia") == "Noto Sans CJK TC"
    assert fonts["am"].get(f"{w}hAnsi") == "Noto Sans Ethiopic"
    assert fonts["vi"].get(f"{w}ascii") == "Noto Sans"
    assert runs["ar"].find(f"{w}rPr/{w}lang").get(f"{w}bidi") == "ar"
    assert runs["ar"].find(f"{w}rPr/{w}rtl") is not None
    assert runs["ar"].getparent().find(f"{w}pPr/{w}bidi") is not None
    assert runs["bn"].getparent().find(f"{w}pPr/{w}bidi") is None


def test_a_variation_selector_is_no_mark_to_claim_or_account_for() -> None:
    """The footnote back-link "↩︎" asks for the arrow's text form (U+FE0E): it needs no
    claimed text, and a claim holding one need not find a glyph for the selector."""
    from pipeline.extract.pdf_claims import Claim

    assert not needs_actual_text("↩\ufe0e")
    claim = Claim("مجانًا\ufe0e")
    claim.drawn.update("مجانًا")
    assert claim.unaccounted() == ""
    claim.drawn.subtract("ً")
    assert claim.unaccounted() == "ً"


def _forge(operations: Operations, lang: str, change: Callable[[str, str, str], str]) -> Operations:
    """The operations with each text claimed for the span in `lang` (its logical text, and
    the texts inside it for poppler and for PDFium) passed through change(tag, text,
    logical text)."""
    logical = None
    depth = 0
    for instruction in operations:
        operands, op = instruction.operands, str(instruction.operator)
        if op in {"BDC", "BMC"}:
            properties = operands[1] if op == "BDC" else pikepdf.Dictionary()
            claims = isinstance(properties, pikepdf.Dictionary) and "/ActualText" in properties
            if logical is not None:
                depth += 1
                if claims and str(properties.ActualText).strip("\x01"):
                    text = str(properties.ActualText)
                    properties.ActualText = pikepdf.String(change(str(operands[0]), text, logical))
            elif claims and str(properties.get("/Lang")) == lang:
                logical = str(properties.ActualText)
                properties.ActualText = pikepdf.String(change("", logical, logical))
        elif op == "EMC" and logical is not None:
            if depth == 0:
                logical = None
            else:
                depth -= 1
    return operations


def _same_order(old: str, new: str) -> Callable[[str, str, str], str]:
    """A change that writes `new` for `old` in every text of a span, each in the order its
    reader needs (the layer's order is found from the logical text)."""

    def change(tag: str, text: str, logical: str) -> str:
        forged = logical.replace(old, new)
        if tag == "":
            return forged
        if tag == "/Span":
            assert poppler_text(logical, left_to_right=True) == text
            return poppler_text(forged, left_to_right=True)
        undo = next(undo for _, undo in PDFIUM_READINGS.values() if undo(logical) == text)
        return undo(forged)

    return change


def test_a_nastaliq_word_replaced_by_another_of_the_same_length_fails(
    leaflet: Document, brand: Brand, accessible: Path, tmp_path: Path
) -> None:
    """Every text the Urdu span claims says "fee" (فیس) where its glyphs draw "free" (مفت),
    each in its reader's order, and the source says "fee" too: every reader would read the
    forged word. Nastaliq draws letters from shared skeletons, so counting characters cannot
    tell; the glyphs Noto Nastaliq Urdu makes of the claimed text are not those drawn."""
    change = _same_order("مفت", "فیس")
    forged = _rewrite(accessible, tmp_path / "fee.pdf", lambda ops: _forge(ops, "ur", change))
    doc = _doc(tmp_path / "src", urdu=URDU.replace("مفت", "فیس"))
    gaps = _gaps(doc, brand, forged)
    assert len(gaps) == 1 and "not visible" in gaps[0] and "فیس" in gaps[0], gaps
    assert "not those its fonts make of it" in gaps[0], gaps
    with pikepdf.open(forged) as pdf:
        urdu = next(c for page in pdf.pages for c in page_claims(page) if c.lang == "ur")
    assert "فیس" in urdu.text and {name for name, _ in urdu.glyphs} >= {"NotoNastaliqUrdu-Regular"}


@pytest.mark.parametrize(
    ("reader", "tag"), [("poppler (pdftotext)", "/Span"), ("PDFium", "/PDFiumText")]
)
def test_a_text_a_reader_reads_in_another_order_fails(
    leaflet: Document, brand: Brand, accessible: Path, tmp_path: Path, reader: str, tag: str
) -> None:
    """The Arabic span's text for one reader has two words swapped: the glyphs still
    account for it, the logical text is right, but that reader reads the words swapped."""

    def swap(layer: str, text: str, logical: str) -> str:
        if layer != tag:
            return text
        for one, other in (("خدمات", "اللغوية"), ("تامدخ", "ةيوغللا")):  # poppler's reversed
            text = text.replace(one, "\0").replace(other, one).replace("\0", other)
        return text

    forged = _rewrite(accessible, tmp_path / "swapped.pdf", lambda ops: _forge(ops, "ar", swap))
    gaps = _gaps(leaflet, brand, forged)
    assert len(gaps) == 1 and "not visible" in gaps[0] and f"read by {reader} as" in gaps[0], gaps


def test_a_right_to_left_page_reads_in_order(brand: Brand, tmp_path: Path) -> None:
    """A page with more right-to-left letters than left-to-right ones, which poppler reads
    line by line from the right: its text for poppler is written for that, and both readers
    give every line in order."""
    lines = [(lang, text) for lang, text in FULL if lang in {"ar", "fa", "ur", "he"}] * 3
    body = "\n\n".join(f"[{text}]{{lang={lang} dir=rtl}}" for lang, text in lines)
    doc = _doc(tmp_path, arabic=body, bengali="", urdu="")
    path = render_alone("accessible_pdf", doc, brand, tmp_path)
    with pdfium.PdfDocument(path) as document:
        assert not left_to_right_page(document[0].get_textpage().get_text_range())
    assert _wrong(path, lines) == []
    layers = [(str(claim.ActualText), dict(layers)) for _, claim, layers in _spans(path)]
    assert all(texts["/Span"] == poppler_text(text, left_to_right=False) for text, texts in layers)


def test_a_tag_tree_that_says_other_words_fails(
    leaflet: Document, brand: Brand, accessible: Path, tmp_path: Path
) -> None:
    """The Urdu run's structure element (what a screen reader reads) says "fee" where the
    page draws and claims "free"."""
    with pikepdf.open(accessible) as pdf:
        tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
        for elements in tree.values():
            for element in elements if isinstance(elements, pikepdf.Array) else []:
                text = str(element.get("/ActualText", "")) if element is not None else ""
                if "مفت" in text:
                    element.ActualText = pikepdf.String(text.replace("مفت", "فیس"))
        pdf.save(tmp_path / "tags.pdf")
    gaps = _gaps(leaflet, brand, tmp_path / "tags.pdf")
    assert len(gaps) == 1 and "not visible" in gaps[0] and "given by the tag tree" in gaps[0], gaps
