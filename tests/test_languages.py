"""Every language of the notice of free language help (tests/corpus/language-help.md and
language-help-more.md, 41 languages): built once for the session with the default brand, and
read back from every format as its readers read it: the page as Chromium shows it, the DOCX,
both PDFs and the one-pager through poppler's pdftotext, through PDFium, and through
verification's own reader. Each passage must come back whole and in logical order (NFC, white
space folded, and without the direction marks and embeddings the PDF readers add), and no
PDF draws a missing-glyph box.

Then what verification must refuse: a claimed text (/ActualText) that holds a word the page
does not draw, a word deleted from a right-to-left line, a vowel sign or mark deleted from a
Bengali and an Arabic word, a glyph replaced by .notdef.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from lxml import etree

from pipeline import extract
from pipeline.brand import Brand, load_brand
from pipeline.builder import Project, build
from pipeline.checks import check_output
from pipeline.extract.docx import docx_text
from pipeline.extract.pdf_fonts import font_codes
from pipeline.formats import render_alone
from pipeline.formats.pdf.logical_text import actual_text, needs_actual_text
from pipeline.model import Document
from pipeline.source import load
from tests.browser import chromium, open_page
from tests.conftest import ROOT
from tests.glyphs import boxes

CORPUS = ROOT / "tests" / "corpus"
NOTICE = ("language-help", "language-help-more")
ITEM = re.compile(r"^- \[(?P<text>.+)\]\{lang=(?P<lang>[\w-]+)(?: dir=rtl)?\}$")
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
PDF_KINDS = ("brochure_pdf", "accessible_pdf")
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
    """NFC, no white space, no direction controls, and no list bullets: a right-to-left
    item's bullet stands at the right end of its first line, which poppler reads last."""
    text = BIDI_CONTROLS.sub("", unicodedata.normalize("NFC", text))
    return re.sub(r"[\s•]+", "", text)


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
    return notice / doc_id / manifest["outputs"][kind]["path"]


def test_the_notice_holds_at_least_35_languages() -> None:
    assert len({lang for lang, _ in FULL}) >= 35
    assert {lang for lang, _ in FULL} == {lang for doc in PLAIN.values() for lang, _ in doc}


def _readings(path: Path) -> dict[str, str]:
    """The text of a PDF as pdftotext, PDFium and verification's reader give it."""
    poppler = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
    document = pdfium.PdfDocument(path)
    try:
        raw = "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    return {"pdftotext": poppler.stdout, "pdfium": raw, "verification": extract.text_of(path)}


# PDFium reorders a span's text on some wrapped right-to-left lines by where the span's text
# objects stand (a line of a list item in the brochure's narrow columns): its raw text reads
# them out of order, while pdftotext and verification's reader (which takes the span's text
# as the file writes it) read them in order. Strict: the test fails once PDFium reads them.
PDFIUM_OUT_OF_ORDER = {("brochure_pdf", "fa"), ("brochure_pdf", "ur"), ("brochure_pdf", "he")}
PDFIUM_OUT_OF_ORDER |= {("accessible_pdf", "ur"), ("onepager_pdf", "ur")}


@pytest.mark.parametrize("kind", PDF_KINDS)
def test_every_language_reads_back_in_logical_order_from_both_pdfs(notice: Path, kind: str) -> None:
    path = _published(notice, "language-help", kind)
    readings = {reader: fold(text) for reader, text in _readings(path).items()}
    wrong = [
        (reader, lang)
        for reader, text in readings.items()
        for lang, passage in FULL
        if fold(passage) not in text
    ]
    known = [("pdfium", lang) for k, lang in PDFIUM_OUT_OF_ORDER if k == kind]
    assert sorted(wrong) == sorted(known)
    assert boxes(path) == []


def test_every_language_reads_back_from_the_one_pager_pdfs(notice: Path) -> None:
    for doc_id, lines in PLAIN.items():
        path = _published(notice, doc_id, "onepager_pdf")
        readings = {reader: fold(text) for reader, text in _readings(path).items()}
        wrong = [
            (r, lang) for r, text in readings.items() for lang, p in lines if fold(p) not in text
        ]
        known = [("pdfium", lang) for k, lang in PDFIUM_OUT_OF_ORDER if k == "onepager_pdf"]
        assert wrong == [w for w in known if w[1] in dict(lines)], doc_id
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
            page.close()


def test_the_pdfs_say_what_each_complex_run_reads(notice: Path) -> None:
    """The spans are there: a screen reader's text comes from them, not from the glyphs."""
    with pikepdf.open(_published(notice, "language-help", "accessible_pdf")) as pdf:
        claimed = "".join(
            str(operands[1].ActualText)
            for page in pdf.pages
            for operands, operator in pikepdf.parse_content_stream(page, "BDC")
            if isinstance(operands[1], pikepdf.Dictionary) and "/ActualText" in operands[1]
        )
    arabic = dict(FULL)["ar"]
    assert actual_text(arabic) in claimed  # one line in the accessible PDF's wide column
    assert "বিনামূল্যে" in claimed and "কর্মীকে" in claimed
    assert needs_actual_text(arabic) and not needs_actual_text(dict(FULL)["es"])


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
"""
ARABIC = "[العربية: تتوفر لك خدمات المساعدة اللغوية مجانًا. اسأل أي موظف.]{lang=ar dir=rtl}"
BENGALI = "[বাংলা: আপনার জন্য বিনামূল্যে ভাষা সহায়তা পরিষেবা উপলব্ধ। যেকোনো কর্মীকে জিজ্ঞাসা করুন।]{lang=bn}"


def _doc(folder: Path, arabic: str = ARABIC, bengali: str = BENGALI) -> Document:
    source = folder / "source" / "x.md"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(LEAFLET.format(arabic=arabic, bengali=bengali), encoding="utf-8")
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


def _rewrite(source: Path, target: Path, change: object) -> Path:
    """The PDF with each page's content operators passed through `change`."""
    with pikepdf.open(source) as pdf:
        for page in pdf.pages:
            operations = change(list(pikepdf.parse_content_stream(page)))  # type: ignore[operator]
            page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(operations))
        pdf.save(target)
    return target


def _claims(operations: list) -> list:
    return [
        operands[1]
        for operands, operator in operations
        if str(operator) == "BDC"
        and isinstance(operands[1], pikepdf.Dictionary)
        and "/ActualText" in operands[1]
    ]


def test_a_claimed_word_the_page_does_not_draw_fails(
    leaflet: Document, brand: Brand, accessible: Path, tmp_path: Path
) -> None:
    """The Bengali line's span claims a word its glyphs do not draw: the PDF reads whole, in
    order, but verification finds the claim unaccounted for."""

    def claim_more(operations: list) -> list:
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
        fonts = {str(k): font_codes(f) for k, f in pdf.pages[0].Resources.Font.items()}
    jeem = {
        code.to_bytes(2, "big")
        for codes in fonts.values()
        if codes is not None
        for code, text in codes.text.items()
        if "ج" in text
    }

    def notdef(operations: list) -> list:
        """The glyphs that stand for ج (once in the line, in مجانًا) become glyph 0."""
        changed = []
        for operands, operator in operations:
            if str(operator) == "TJ":
                items = []
                for item in operands[0]:
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
    runs = {}
    for run in body.iter(f"{w}r"):
        language = run.find(f"{w}rPr/{w}lang")
        if language is not None:
            runs.setdefault(language.get(f"{w}val"), run)
    fonts = {lang: run.find(f"{w}rPr/{w}rFonts") for lang, run in runs.items()}
    assert fonts["bn"].get(f"{w}cs") == "Noto Sans Bengali"
    assert fonts["km"].get(f"{w}cs") == "Noto Sans Khmer"
    assert fonts["ar"].get(f"{w}cs") == "Noto Sans Arabic"
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
