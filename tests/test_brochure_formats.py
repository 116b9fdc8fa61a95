"""The brochure in each format the brand may choose ([brochure] format), on the real article
and every corpus document, built once (tests/brochures.py), read as a print buyer reads it:
trim and page count, text inside the safe area, the fewest pages with no filler, columns
that balance and headings that keep with their text, link addresses printed, no web arrows,
a back page with the organisation's address, the leaflet's reference code and a QR code
that scans to the web version."""

from __future__ import annotations

import itertools
import json
import re
import statistics
import unicodedata
from pathlib import Path
from typing import Any

import pdfplumber
import pikepdf
import pypdfium2 as pdfium
import pytest
import zxingcpp

from pipeline.checks import check_output
from pipeline.formats.htmlview import article_view
from pipeline.formats.pdf import brochure, paper
from pipeline.formats.pdf.brochure_formats import FORMATS as BROCHURE_FORMATS
from pipeline.labels import labels_for
from pipeline.model import Disclaimer, Document
from pipeline.source import load
from pipeline.text import nodes, stringify
from tests.brochures import DOC_IDS, MM, Line, PageLines, Printed, brand_in, build
from tests.conftest import ARTICLE_ID, ROOT
from tests.leaflet import leaflet
from tests.leaflet import section as source_section
from tests.printing import render, trimbox

# The documents each tri-fold takes: the others are too long for one sheet and refused
# (test_a_tri_fold_takes_only_the_short_leaflets). Every test of a document's brochure runs
# on the cases that are printed, so a case that is refused unexpectedly fails, never skips.
TRI_FOLDS = {
    "letter-trifold": ("hand-washing", "language-help-more", "resting-well", "visiting-hours"),
    "a4-trifold": ("language-help-more", "resting-well", "visiting-hours"),
}
CASES = [
    (name, ident)
    for name, layout in BROCHURE_FORMATS.items()
    for ident in DOC_IDS
    if layout.is_booklet or ident in TRI_FOLDS[name]
]
TWO_COLUMN_BOOKLETS = [n for n, f in BROCHURE_FORMATS.items() if f.is_booklet and f.columns > 1]
Built = dict[tuple[str, str], Printed]


@pytest.fixture(scope="session")
def brochures(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build(tmp_path_factory.mktemp("brochures"))


def printed(brochures: Built, name: str, ident: str) -> Printed:
    found = brochures[name, ident]
    assert not found.refused, found.refused
    return found


def full_text(path: Path) -> list[str]:
    """Each page's text as PDFium reads it."""
    pdf = pdfium.PdfDocument(path)
    try:
        return [page.get_textpage().get_text_bounded() for page in pdf]
    finally:
        pdf.close()


# -- trim, pages and fitting ----------------------------------------------------------------


@pytest.mark.parametrize(("name", "ident"), CASES)
def test_trim_and_page_count_are_the_formats(brochures: Built, name: str, ident: str) -> None:
    found = printed(brochures, name, ident)
    layout = found.layout
    assert found.check is not None
    assert found.check.passed, (found.check.gaps, found.check.problems)
    with pikepdf.open(found.file) as pdf:
        pages = len(pdf.pages)
        for page in pdf.pages:
            left, bottom, right, top = (float(v) / MM for v in page.obj.TrimBox)
            assert (right - left, top - bottom) == pytest.approx(layout.trim, abs=0.1)
    # the print shop's ticket, from preflight reading the file: sizes and sheets as folded
    ticket = json.loads(found.check.reports["print-job.json"])
    width, height = layout.trim
    assert ticket["format"] == name and ticket["pages"] == pages
    if layout.is_booklet:
        assert pages % 4 == 0, f"{pages} pages cannot be saddle-stitched"
        assert ticket["finished_size_mm"] == pytest.approx([width, height], abs=0.1)
        assert ticket["flat_size_mm"] == pytest.approx([2 * width, height], abs=0.1)
    else:
        assert pages == 2, "a tri-fold is one sheet, printed on both sides"
        assert ticket["finished_size_mm"] == pytest.approx([layout.panels[0], height], abs=0.1)
        assert ticket["flat_size_mm"] == pytest.approx([width, height], abs=0.1)
        assert ticket["sheets"].startswith("1 sheet printed on both sides"), ticket["sheets"]
        assert f"{layout.panels[-1]:.1f} mm inside flap" in ticket["finishing"]


@pytest.mark.parametrize("name", [n for n, f in BROCHURE_FORMATS.items() if not f.is_booklet])
def test_too_long_for_a_tri_fold_is_refused_saying_by_how_much(brochures: Built, name: str) -> None:
    refused = brochures[name, ARTICLE_ID].refused
    over = re.search(
        r"needs about ([\d.]+) panels.* has 4 .*about ([\d.]+) panels \((\d+)%\) over", refused
    )
    assert over, refused
    needed, excess, share = float(over[1]), float(over[2]), int(over[3])
    assert needed > 4 and excess == pytest.approx(needed - 4, abs=0.11)
    assert share == pytest.approx(excess / 4 * 100, abs=2)
    assert re.search(r'\[brochure\] format = "(half-letter|a5)-booklet"', refused)
    # the short leaflets fit one
    assert all(brochures[name, ident].path for ident in ("resting-well", "visiting-hours"))


@pytest.mark.parametrize("name", TRI_FOLDS)
def test_a_tri_fold_takes_only_the_short_leaflets(brochures: Built, name: str) -> None:
    """The documents a tri-fold prints are the cases the tests below read; every other one
    is refused as too long for it."""
    taken = [ident for ident in DOC_IDS if brochures[name, ident].path]
    assert taken == [ident for ident in DOC_IDS if ident in TRI_FOLDS[name]]
    for ident in sorted(set(DOC_IDS) - set(taken)):
        assert f"the text does not fit the {name} format" in brochures[name, ident].refused


@pytest.mark.parametrize(("name", "ident"), CASES)
def test_no_notes_page_where_the_text_fits(brochures: Built, name: str, ident: str) -> None:
    """A Notes page (a tri-fold: panel) only where even the loosest fit the brand allows
    leaves one blank, just before the back page; and the build says so."""
    found = printed(brochures, name, ident)
    notes = [page.number for page in found.pages if page.is_notes]
    fitting = "\n".join(found.check.notes) if found.check else ""
    loosest = "the loosest the brand allows"
    if found.layout.is_booklet:
        notes_too = [
            n for n, text in enumerate(full_text(found.file), 1) if "\nNotes\r" in "\n" + text
        ]
        notes = sorted(set(notes) | set(notes_too))
        last = len(found.pages)
        assert notes == list(range(last - len(notes), last)), "Notes pages only before the back"
    if notes:
        assert loosest in fitting and "Notes on" in fitting, fitting
    text_pages = [page for page in found.text_pages if any(page.columns)]
    assert len(text_pages) == len(found.text_pages), "a page without text and not a Notes page"


@pytest.mark.parametrize("name", [n for n, f in BROCHURE_FORMATS.items() if f.columns == 2])
def test_the_article_fills_its_booklet_without_filler(brochures: Built, name: str) -> None:
    """Today's letter booklet printed the article on 8 pages: a half-empty page and a Notes
    page among them."""
    found = printed(brochures, name, ARTICLE_ID)
    assert not [page for page in found.pages if page.is_notes]
    last = found.text_pages[-1]
    deepest = max(column[-1].bottom for column in last.columns if column)
    text_height = found.layout.trim[1] - found.layout.margins.bottom - found.layout.margins.top
    assert deepest - found.layout.margins.top > text_height / 4, "a nearly empty last page"


# -- where the text stands ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "ident"), CASES)
def test_text_is_inside_the_safe_area(brochures: Built, name: str, ident: str) -> None:
    found = printed(brochures, name, ident)
    layout, safe = found.layout, found.layout.safe
    pdf = pdfium.PdfDocument(found.file)
    try:
        for number, page in enumerate(pdf, start=1):
            left, bottom, right, top = page.get_trimbox()
            width = right - left
            folds = [fold * MM for fold in layout.folds]
            folds += [width - fold for fold in folds] if number % 2 else []
            text = page.get_textpage()
            for index in range(text.count_chars()):
                x0, y0, x1, y1 = text.get_charbox(index)
                if x1 <= x0 or text.get_text_range(index, 1).isspace():
                    continue
                where = f"page {number}: {text.get_text_range(max(index - 10, 0), 20)!r}"
                assert x0 - left >= safe * MM - 0.5 and right - x1 >= safe * MM - 0.5, where
                assert y0 - bottom >= safe * MM - 0.5 and top - y1 >= safe * MM - 0.5, where
                for fold in folds if number % 2 == 0 else folds[len(layout.folds) :]:
                    assert not (fold - safe * MM < x1 and x0 < fold + safe * MM), (
                        f"at a fold: {where}"
                    )
    finally:
        pdf.close()


def headings(doc: Document) -> list[str]:
    """The text of every heading the document prints: sections' and subheadings'."""
    found = [section.title for section in doc.sections]
    for section in doc.sections:
        for node in nodes([b for b in section.body if not isinstance(b, Disclaimer)]):
            if node["t"] == "Header":
                found.append(stringify(node["c"][2]))
    return found


def _words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def heading_ends(found: Printed) -> list[tuple[PageLines, int, Line, str]]:
    """(page, column, line, heading) for the last line of each heading printed."""
    wanted = [_words(h) for h in headings(found.doc)]
    ends = []
    for page in found.text_pages:
        for index, column in enumerate(page.columns):
            for line in column:
                text = _words(line.text)
                for heading in wanted:
                    if (line.bold or line.size > 12.3) and heading.endswith(text) and len(text) > 1:
                        ends.append((page, index, line, heading))
    return ends


@pytest.mark.parametrize(("name", "ident"), CASES)
def test_headings_keep_with_their_text_and_their_last_words(
    brochures: Built, name: str, ident: str
) -> None:
    """No heading is the last line of a column, and none ends in one word alone ("What
    degenerative disc disease / is")."""
    found = printed(brochures, name, ident)
    ends = heading_ends(found)
    assert ends, "no heading found"
    for page, index, line, heading in ends:
        column = page.columns[index]
        assert line is not column[-1], f"page {page.number}: {heading!r} ends column {index + 1}"
        if len(heading.split()) > 1 and line.text != heading:
            assert len(line.text.split()) > 1, (
                f"page {page.number}: {heading!r} ends in a word alone"
            )


@pytest.mark.parametrize(("name", "ident"), CASES)
def test_the_cover_title_ends_in_two_words(brochures: Built, name: str, ident: str) -> None:
    found = printed(brochures, name, ident)
    with pdfplumber.open(found.file) as pdf:
        words = pdf.pages[0].extract_words(extra_attrs=["size"])
    title = [w for w in words if w["size"] == pytest.approx(found.layout.title_size, abs=0.1)]
    lines: dict[int, list[str]] = {}
    for word in title:
        lines.setdefault(round(word["bottom"]), []).append(word["text"])
    assert " ".join(" ".join(lines[k]) for k in sorted(lines)) == found.doc.title
    if len(found.doc.title.split()) > 1:
        assert len(lines[max(lines)]) > 1, f"a word alone on the title's last line: {lines}"


@pytest.mark.parametrize(("name", "ident"), [(n, i) for n, i in CASES if n in TWO_COLUMN_BOOKLETS])
def test_the_last_page_balances_its_columns(brochures: Built, name: str, ident: str) -> None:
    """A booklet's last page of text: its columns end within a line of each other, or as
    near as the blocks that would have to move allow (a box, a figure or a heading with
    what follows it moves whole; a paragraph keeps two lines together). One column has
    nothing to balance; a tri-fold's panels fill in reading order."""
    found = printed(brochures, name, ident)
    page = found.text_pages[-1]
    columns = [column for column in page.columns if column]
    if len(columns) < 2:
        blocks = units(columns[0])
        assert len(blocks) == 1, f"page {page.number}: {len(blocks)} blocks in one column"
        return
    bottoms = [column[-1].bottom for column in columns]
    pitch = statistics.median(
        b.top - a.top for a, b in zip(columns[0], columns[0][1:], strict=False)
    )
    # the right one longer: its first block could move left; the left one: its last, right
    moving = units(columns[1])[0] if bottoms[1] > bottoms[0] else units(columns[0])[-1]
    allowed = max(pitch, moving[-1].bottom - moving[0].top + pitch)
    assert abs(bottoms[1] - bottoms[0]) <= allowed + 1, (page.number, bottoms, allowed)


def units(column: list[Line]) -> list[list[Line]]:
    """The column's lines in the blocks that move whole between columns: lines with more
    than a line's spacing between them part blocks; a heading sticks to what follows."""
    pitches = [b.top - a.top for a, b in itertools.pairwise(column)]
    pitch = statistics.median(pitches) if pitches else 0
    blocks: list[list[Line]] = [[column[0]]]
    for before, line in itertools.pairwise(column):
        heading = before.bold and before.size > line.size + 0.5
        if line.top - before.top > pitch * 1.3 and not heading:
            blocks.append([])
        blocks[-1].append(line)
    return blocks


# -- what paper needs ----------------------------------------------------------------------


PRINTED_LINKS = {
    "appointments": ["our website (www.example.org/appointments)"],
    "hand-washing": [
        "at www.example.org/patient-education,",
        "write to patient.education@example.org or call 555-0100.",
    ],
}
ADDRESSES = {
    "appointments": ["www.example.org/appointments"],
    "hand-washing": ["www.example.org/patient-education"],
}


@pytest.mark.parametrize(("name", "ident"), [(n, i) for n, i in CASES if i in PRINTED_LINKS])
def test_links_print_their_addresses(brochures: Built, name: str, ident: str) -> None:
    found = printed(brochures, name, ident)
    pages = [page.replace("\ufffe", "-").replace("\u200b", "") for page in full_text(found.file)]
    text = " ".join(" ".join(pages).split())
    unwrapped = re.sub(r"(?<=[/.]) (?=\S)|(?<=\S) (?=\.[a-z])", "", text)
    for wanted in PRINTED_LINKS[ident]:
        assert wanted in unwrapped, wanted
    assert "https://" not in text and "mailto:" not in text and "tel:" not in text
    assert "+15555550100" not in text
    # each address, and the back page's, wraps only after a slash or before a dot
    web = found.brand.leaflet_url(ident).removeprefix("https://").rstrip("/")
    for address in [*ADDRESSES[ident], web]:
        pieces = re.split(r"(?<=/)|(?=\.)", address)
        wrapping = r"\s*".join(re.escape(piece) for piece in pieces)
        assert any(re.search(wrapping, page) for page in pages), f"{address} broken elsewhere"


def test_verification_expects_the_printed_addresses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A brochure that prints a link without its address is missing text."""
    doc = load(ROOT / "tests" / "corpus" / "appointments.md", ROOT)
    brand = brand_in("letter-booklet")
    monkeypatch.setattr(paper, "_links", lambda fragment: fragment)
    path = render("brochure_pdf", doc, brand, tmp_path)
    gaps = check_output(doc, brand, "brochure_pdf", path).gaps
    assert [(g.id, g.part, g.problem) for g in gaps] == [("next", "body", "missing")]


@pytest.mark.parametrize(("name", "ident"), CASES)
def test_no_web_arrows_on_paper(brochures: Built, name: str, ident: str) -> None:
    found = printed(brochures, name, ident)
    assert not any("\u21a9" in text for text in full_text(found.file))


# -- the back page --------------------------------------------------------------------------


def back_text(found: Printed) -> str:
    """The back page's text (a tri-fold: its back panel, the middle of page 1)."""
    pages = full_text(found.file)
    if found.layout.is_booklet:
        return " ".join(pages[-1].split())
    layout = found.layout
    left = layout.panels[-1]
    right = left + layout.panels[1]
    pdf = pdfium.PdfDocument(found.file)
    try:
        page = pdf[0]
        height = page.get_height()
        text = page.get_textpage().get_text_bounded(left * MM, 0, right * MM, height)
    finally:
        pdf.close()
    return " ".join(text.split())


@pytest.mark.parametrize(("name", "ident"), CASES)
def test_the_back_page_does_a_back_pages_job(brochures: Built, name: str, ident: str) -> None:
    found = printed(brochures, name, ident)
    text = back_text(found)
    organisation = found.brand.organisation
    for line in [organisation["name"], *organisation["address"], organisation["phone"]]:
        assert line in text, line
    assert "www.example.org" in text
    assert f"{found.doc.id.upper()} · {found.doc.last_reviewed.iso}" in text
    assert found.brand.organisation["also-available"] in text
    assert "BEFORE YOU DECIDE" not in text.upper()
    view = article_view(found.doc)
    chosen = brochure.back_page_disclaimer(view, found.brand)
    if chosen is not None:  # under its own label, else the language's "Important"
        label = chosen.label or labels_for(found.brand.styles_dir, found.doc.lang)("important")
        assert label.upper() in text


@pytest.mark.parametrize(("name", "ident"), CASES)
def test_the_qr_code_scans_to_the_web_version(brochures: Built, name: str, ident: str) -> None:
    found = printed(brochures, name, ident)
    pdf = pdfium.PdfDocument(found.file)
    try:
        page = pdf[len(pdf) - 1 if found.layout.is_booklet else 0]
        dpi = 200
        picture = page.render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        pdf.close()
    (code,) = zxingcpp.read_barcodes(picture)
    assert code.text == found.brand.leaflet_url(found.doc.edition)
    extra = code.extra  # zxing-cpp: a dict of what the symbology adds
    assert isinstance(extra, dict), extra
    modules = 17 + 4 * int(extra["Version"])
    corners = [tuple(map(int, corner.split("x"))) for corner in str(code.position).split()]
    symbol = (max(x for x, _ in corners) - min(x for x, _ in corners)) / dpi * 25.4
    assert symbol * (modules + 8) / modules >= 20, f"{symbol:.1f} mm without its quiet zone"


def test_a_translation_s_web_version_is_in_its_language_s_folder() -> None:
    """The Spanish brochure's QR code goes to the Spanish web page (output/<id>/es-US/, as
    published), not the English one."""
    brand = brand_in("letter-booklet")
    english = brand.leaflet_url("ddd-stem-cell-therapy")
    assert english == "https://www.example.org/patient-education/ddd-stem-cell-therapy/"
    assert brand.leaflet_url("ddd-stem-cell-therapy.es-US") == f"{english}es-US/"


def test_the_qr_code_is_black_ink_alone(brochures: Built) -> None:
    found = printed(brochures, "letter-booklet", ARTICLE_ID)
    with pikepdf.open(found.file) as pdf:
        back = pdf.pages[-1]
        strokes = [
            [float(v) for v in instruction.operands]
            for instruction in pikepdf.parse_content_stream(back, "SCN K")
        ]
        for _name, form in back.Resources.get("/XObject", {}).items():
            strokes += [
                [float(v) for v in instruction.operands]
                for instruction in pikepdf.parse_content_stream(form, "SCN K")
            ]
    assert [0.0, 0.0, 0.0, 1.0] in strokes


# -- layout a designer would not let pass ----------------------------------------------------


def test_figures_are_centred_in_their_column(brochures: Built) -> None:
    """bubbles.png is 50 % of a column wide: today it printed flush left, a ragged gap at its
    right."""
    for name in BROCHURE_FORMATS:
        found = brochures[name, "hand-washing"]
        if found.path is None:
            continue
        with pdfplumber.open(found.path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                trim = trimbox(page)
                for image in page.images:
                    middle = ((image["x0"] + image["x1"]) / 2 - trim[0]) / MM
                    columns = found.layout.text_columns(number)
                    column = min(columns, key=lambda c: abs(c.left + c.width / 2 - middle))
                    if not column.left <= middle <= column.right:
                        continue  # the logo, the QR code
                    width = (image["x1"] - image["x0"]) / MM
                    assert abs(middle - (column.left + column.width / 2)) < 1, (name, number, width)


def test_a_narrow_table_column_is_as_wide_as_its_content(brochures: Built) -> None:
    """The questions table's "#" column took a third of the width (pandoc's widths from the
    pipe table's dashes) while the question column wrapped."""
    for name in BROCHURE_FORMATS:
        found = brochures[name, "appointments"]
        if found.path is None:
            continue
        with pdfplumber.open(found.path) as pdf:
            for page in pdf.pages:
                words = page.extract_words()
                hash_sign = [w for w in words if w["text"] == "#"]
                question = [w for w in words if w["text"] == "Question"]
                if hash_sign and question:
                    assert question[0]["x0"] - hash_sign[0]["x0"] < 12 * MM, name
                    break
            else:
                pytest.fail(f"{name}: no questions table header")


def test_disclaimers_in_a_row_read_as_one_group(brochures: Built) -> None:
    """Three disclaimers follow one another in the article's "expectations", two in its
    last section: each group shows its label once, and every word of each (verification
    reads them all)."""
    found = printed(brochures, "letter-booklet", ARTICLE_ID)
    groups = 0
    for section in found.doc.sections:
        previous = None
        for item in section.body:
            if isinstance(item, Disclaimer) and not (
                isinstance(previous, Disclaimer) and previous.label == item.label
            ):
                groups += 1
            previous = item
    inside = " ".join(full_text(found.file)[1:-1])
    assert inside.count("IMPORTANT") == groups < len(list(found.doc.disclaimers))
    assert found.check is not None and not found.check.gaps


def test_quotes_definitions_and_superscripts_are_styled_for_print(brochures: Built) -> None:
    found = printed(brochures, "letter-booklet", "hand-washing")
    with pdfplumber.open(found.file) as pdf:
        for page in pdf.pages:
            words = page.extract_words(extra_attrs=["fontname"])
            quote = [w for w in words if w["text"] == "Keep" and "Bold" not in w["fontname"]]
            soap = [w for w in words if w["text"] == "Soap" and "Bold" in w["fontname"]]
            if not (quote and soap):
                continue
            # a quote: a rule at its left (drawn as part of the quote's border path)
            assert _rule_left_of(found.file, page.page_number, quote[0]), "a bare quote"
            # a definition list: the term bold, its definition indented a little
            definition = next(  # "Any plain soap from a shop", under "Soap"
                w
                for w in words
                if w["text"] == "Any" and w["top"] > soap[0]["top"] and w["x0"] >= soap[0]["x0"]
            )
            assert 2 * MM < definition["x0"] - soap[0]["x0"] < 7 * MM
            break
        else:
            pytest.fail("no quote and definition list found")


def test_a_superscript_does_not_open_up_its_line(tmp_path: Path) -> None:
    """A paragraph with a superscript on most of its lines: every line as far below the one
    before as any other (here, where the paragraph goes on in the right column)."""
    sentence = "The room on the 2^nd^ floor is open from 7 to 9, every day of the week. "
    doc = leaflet(tmp_path, source_section("rooms", sentence * 12))
    path = render("brochure_pdf", doc, brand_in("letter-booklet"), tmp_path)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[1]
        words = page.extract_words(extra_attrs=["size"])
    body = statistics.mode(round(w["size"], 1) for w in words)
    bottoms = sorted(  # the body's words in the right column, not the raised, smaller "nd"
        w["bottom"]
        for w in words
        if w["x0"] > page.width / 2 and round(w["size"], 1) == body and w["text"].isalpha()
    )
    lines = [bottoms[0]]
    for bottom in bottoms[1:]:
        if bottom - lines[-1] > 1.5:
            lines.append(bottom)
    pitches = [b - a for a, b in itertools.pairwise(lines[:-1])]
    assert len(pitches) > 4
    assert max(pitches) - min(pitches) < 0.3 * MM, pitches


def _rule_left_of(path: Path, number: int, word: dict[str, Any]) -> bool:
    """Is there an inked vertical line within 5 mm left of `word`, as tall as its line? (The
    page drawn as PDFium draws it, its media box, the space pdfplumber measures in.)"""
    scale = 4.0
    pdf = pdfium.PdfDocument(path)
    try:
        picture = pdf[number - 1].render(scale=scale, grayscale=True).to_pil()
    finally:
        pdf.close()
    top, bottom = int(word["top"] * scale), int(word["bottom"] * scale)
    x_end = int(word["x0"] * scale) - 2
    for x in range(max(x_end - int(5 * MM * scale), 0), x_end):
        inked = sum(picture.getpixel((x, y)) < 200 for y in range(top, bottom))
        if inked >= (bottom - top) * 0.9:
            return True
    return False


def test_the_back_page_names_the_disclaimers_own_label(tmp_path: Path) -> None:
    doc = load_labelled(tmp_path)
    brand = brand_in("letter-booklet")
    path = render("brochure_pdf", doc, brand, tmp_path)
    pages = full_text(path)
    assert "CALL 911" in pages[-1] and "BEFORE YOU DECIDE" not in pages[-1].upper()
    assert "CALL 911" in " ".join(pages[1:-1])  # in the text too, where it stands
    assert check_output(doc, brand, "brochure_pdf", path).passed


def load_labelled(tmp_path: Path) -> Document:
    text = (ROOT / "source" / f"{ARTICLE_ID}.md").read_text(encoding="utf-8")
    labelled = text.replace(
        "::: {.disclaimer #consult-clinician}",
        '::: {.disclaimer #consult-clinician label="Call 911"}',
    )
    assert labelled != text
    source = tmp_path / "source" / f"{ARTICLE_ID}.md"
    source.parent.mkdir(parents=True)
    source.write_text(labelled, encoding="utf-8")
    return load(source, tmp_path)
