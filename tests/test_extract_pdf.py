"""Reading PDFs as a reader does: the brochure's two columns, tables, scripts and symbols,
superscripts, the article alone where the PDF is tagged, and text a reader cannot see
(a missing-glyph box, outside the trim box, clipped, white on white, invisible), each named."""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path

import pikepdf
import pytest
import weasyprint

from pipeline import extract, fonts
from pipeline.checks import check_output, verify
from pipeline.extract import pdf_fonts
from pipeline.formats.htmlview import article_view
from pipeline.formats.pdf import brochure, paged
from pipeline.model import Disclaimer, Document
from tests.conftest import Built
from tests.leaflet import BRAND, leaflet, render, section, table

PDF_KINDS = ("brochure_pdf", "accessible_pdf")
SCRIPTS = "Symbols and scripts: 37 °C, 5 µg, ≥ 2; 中文 说明; 한국어 안내; עברית; العربية; हिन्दी; ⚠."
"""What a build accepts: no emoji (a build refuses them, pipeline/fonts.py), but a sign with
a text form (⚠, Noto Sans Symbols2)."""
NO_FONT_HAS = "\ue000"
"""A private-use character: no installed font draws it, so it prints as the missing-glyph box."""


def gaps(doc: Document, kind: str, path: Path) -> list[tuple[str, str, str]]:
    """(id, problem, text) of each gap verification finds in the finished output."""
    return [(g.id, g.problem, g.text) for g in check_output(doc, BRAND, kind, path).gaps]


# -- layouts the pipeline makes ----------------------------------------------------------------


def test_a_table_with_wrapping_cells_verifies_in_the_two_column_brochure(tmp_path: Path) -> None:
    # Three columns of cells that wrap over several lines, set in the brochure's second
    # column (the long paragraph before fills the first): each cell reads whole.
    rows = [
        [
            f"Option {n}: an injection of cells taken from the patient's own bone marrow",
            f"May ease pain for some people in study {n}, over one or two years",
            "No" if n % 2 else "Yes, in some countries",
        ]
        for n in range(3)
    ]
    before = " ".join(f"Sentence {n} of a long paragraph before the table." for n in range(40))
    body = f"{before}\n\n" + table(rows, ["Option", "What it may do", "Approved"])
    doc = leaflet(tmp_path, section("options", body + "\nAfter the table."))
    path = render(doc, "brochure_pdf", tmp_path)
    assert gaps(doc, "brochure_pdf", path) == []


@pytest.mark.parametrize("kind", PDF_KINDS)
def test_symbols_and_scripts_verify_with_every_other_paragraph(tmp_path: Path, kind: str) -> None:
    # The paragraph mixes fonts, right-to-left runs, a cluster script and a sign; the
    # paragraphs around it must still be found, and so must it.
    body = f"Before the scripts.\n\n{SCRIPTS}\n\nAfter the scripts."
    doc = leaflet(tmp_path, section("languages", body) + section("later", "A later section."))
    assert fonts.missing_glyphs(doc, BRAND, tmp_path / "source" / f"{doc.id}.md") == []
    path = render(doc, kind, tmp_path)
    # Drawn with the fonts the project declares and installs only, never a system font that
    # happens to be there (DejaVu Sans draws emoji): so a fresh machine reads it the same.
    with pikepdf.open(path) as pdf:
        used = {str(font.BaseFont) for page in pdf.pages for font in page.Resources.Font.values()}
    assert [name for name in used if not _declared(name)] == []
    assert gaps(doc, kind, path) == []
    assert verify.normalise(SCRIPTS) in verify.normalise(extract.text_of(path))


def _declared(font: str) -> bool:
    """Whether the PDF font `font` ("/ABCDEF+Noto-Sans-Hebrew") is of the brand's family or
    of one of its fallback families."""
    name = re.sub(r"[\s-]", "", font.split("+")[-1]).casefold()
    families = [BRAND.fonts["family"], *BRAND.fallback_families]
    return any(name.startswith(re.sub(r"\s", "", family).casefold()) for family in families)


@pytest.mark.parametrize("kind", PDF_KINDS)
def test_a_phrase_of_several_right_to_left_words_in_an_english_line_reads_in_order(
    tmp_path: Path, kind: str
) -> None:
    # PDFium reads a line left to right or right to left by which letters it has more of,
    # each run in its direction: these lines have more Hebrew and Arabic letters than Latin.
    phrases = {"he": "עזרה בשפה שלך ניתנת בחינם", "ar": "المساعدة بلغتك مجانية 24 ساعة"}
    body = " ".join(f"Say [{text}]{{lang={lang}}} here." for lang, text in phrases.items())
    # A right-to-left paragraph with a left-to-right name and a number in it.
    arabic = "تفتح عيادة Riverbend Health من 8:30 حتى 17 كل يوم."
    doc = leaflet(tmp_path, section("phrases", f"{body}\n\n[{arabic}]{{lang=ar}}"))
    path = render(doc, kind, tmp_path)
    assert gaps(doc, kind, path) == []
    found = verify.normalise(extract.text_of(path))
    for text in phrases.values():
        assert verify.normalise(f"say {text} here.") in found
    assert verify.normalise(arabic) in found


@pytest.mark.parametrize("kind", PDF_KINDS)
def test_a_missing_glyph_box_is_a_named_gap(tmp_path: Path, kind: str) -> None:
    body = f"A character no font has: {NO_FONT_HAS} here.\n\nThe next paragraph."
    doc = leaflet(tmp_path, section("symbols", body))
    path = render(doc, kind, tmp_path)
    # The text layer still holds the character; the page shows a box.
    assert [h.text for h in extract.read(path).hidden] == [NO_FONT_HAS]
    [gap] = check_output(doc, BRAND, kind, path).gaps
    assert (gap.id, gap.part, gap.problem, gap.text) == ("symbols", "body", "not visible", "\ue000")
    assert "missing-glyph box (U+E000" in str(gap)


def test_a_letter_its_font_encodes_as_the_missing_glyph_is_a_named_gap(tmp_path: Path) -> None:
    # A font's encoding can send a code to CID 0, the box, while the text layer keeps the
    # letter: only the encoding tells. (WeasyPrint does so for a character its font lacks.)
    doc = leaflet(tmp_path, section("boxes", "Quiet words.\n\nThe next paragraph."))
    path = render(doc, "accessible_pdf", tmp_path)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        [font] = [f for p in pdf.pages for f in p.Resources.Font.values() if _draws(f, "Q")]
        assert font.Encoding == "/Identity-H"  # each code is its CID
        codes = pdf_fonts.to_unicode(font.ToUnicode.read_bytes())
        cids = "".join(
            f"<{code:04x}> {0 if text == 'Q' else code}\n" for code, text in codes.items()
        )
        cmap = f"begincmap\n{len(codes)} begincidchar\n{cids}endcidchar\nendcmap\n"
        font.Encoding = pdf.make_stream(cmap.encode())  # the same, but for the "Q"
        pdf.save(path)
    [gap] = check_output(doc, BRAND, "accessible_pdf", path).gaps
    assert (gap.id, gap.part, gap.problem, gap.text) == ("boxes", "body", "not visible", "Q")


def _draws(font: pikepdf.Object, char: str) -> bool:
    return char in pdf_fonts.to_unicode(font.ToUnicode.read_bytes()).values()


@pytest.mark.parametrize("kind", PDF_KINDS)
def test_superscripts_read_in_their_line(tmp_path: Path, kind: str) -> None:
    # Raised and lowered text, and a line drawn through text in its own colour.
    doc = leaflet(tmp_path, section("cells", "About 10^6^ cells per millilitre, H~2~O, ~~no~~."))
    path = render(doc, kind, tmp_path)
    assert "10\n6" in extract.text_of(path) or "106" in extract.text_of(path)
    assert gaps(doc, kind, path) == []


def test_the_brochure_cover_text_in_white_on_its_colour_field_is_read(built: Built) -> None:
    # Not every light text is hidden: the cover's title is white on the brand colour.
    text = extract.read(built.path("brochure_pdf"), everything=True).text
    cover = text[: text.index(built.doc.sections[0].title)]
    assert verify.normalise(built.doc.title) in verify.normalise(cover)


# -- a text the layout repeats counts only where it belongs ------------------------------------


def test_a_back_page_disclaimer_does_not_stand_in_for_its_body_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The brochure repeats the back-page disclaimer on its back page. When it is the
    # document's last text, its copy in the body can go missing with nothing after it to
    # show the order is wrong: only reading the article (tagged /Part) catches that.
    doc = leaflet(
        tmp_path,
        section("about", "What this leaflet is about.")
        + section("decide", "Before you decide.\n\n::: {.disclaimer #ask-first}\n"
                  "Ask a qualified clinician before any treatment.\n\n::: plain\n"
                  "Ask a doctor first.\n:::\n:::\n"),
    )  # fmt: skip
    on_back_page = brochure.back_page_disclaimer(article_view(doc), BRAND)
    assert on_back_page is not None and on_back_page.id == "ask-first"
    last = doc.sections[-1]
    body = tuple(item for item in last.body if not isinstance(item, Disclaimer))
    without = dataclasses.replace(
        doc, sections=(*doc.sections[:-1], dataclasses.replace(last, body=body))
    )
    monkeypatch.setattr(brochure, "back_page_disclaimer", lambda view, brand: on_back_page)
    monkeypatch.setattr(paged, "write", functools.partial(paged.write, pdf_tags=True))
    path = render(without, "brochure_pdf", tmp_path)
    assert "Ask a qualified clinician" in extract.read(path, everything=True).text
    assert gaps(doc, "brochure_pdf", path) == [
        ("ask-first", "missing", "Ask a qualified clinician before any treatment.")
    ]


RUNNING_HEADS = """@page {
  @top-left { content: "Leaflet title"; font-size: 8pt; }
  @bottom-left { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; } }"""


def html_pdf(tmp_path: Path, body: str, css: str = "", **options: object) -> Path:
    """A PDF that WeasyPrint makes of `body`, on pages with a 3 mm bleed (so a trim box)."""
    style = f"""
      @page {{ size: 150mm 120mm; margin: 20mm 15mm; bleed: 3mm; }}
      body {{ font: 10pt/1.4 sans-serif; }} {css}
    """
    path = tmp_path / "page.pdf"
    html = f"<html lang='en'><head><style>{style}</style></head><body>{body}</body></html>"
    weasyprint.HTML(string=html).write_pdf(path, **options)
    return path


def test_tagged_pdfs_are_read_in_the_article_only(tmp_path: Path) -> None:
    body = "<p>A cover line</p><main><p>The article's text.</p></main><p>A back-page line</p>"
    tagged = extract.read(html_pdf(tmp_path, body, pdf_tags=True))
    assert tagged.units == ("The article's text.",)
    everything = extract.read(html_pdf(tmp_path, body, pdf_tags=True), everything=True).units
    assert everything == ("A cover line", "The article's text.", "A back-page line")
    # Untagged, the PDF does not say where the article is: all of it is read.
    assert extract.read(html_pdf(tmp_path, body)).units == everything


# -- text a reader cannot see --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("css", "why"),
    [
        (".gone { position: relative; left: 140mm; }", "outside the trim box"),
        (".gone { position: relative; top: -60mm; }", "outside the trim box"),
        (".box { height: 1.4em; overflow: hidden; } .box p { margin: 0; }", "clipped away"),
        (".gone { color: white; }", "in the colour of the background under it"),
        (".box { background: #0b4f6c; } .gone { color: #0b4f6c; }", "in the colour of"),
    ],
)
@pytest.mark.parametrize("tagged", [False, True])
def test_text_a_reader_cannot_see_is_left_out_and_named(
    tmp_path: Path, css: str, why: str, tagged: bool
) -> None:
    hidden_text = "This sentence is there for software only."
    body = (
        "<main><p>Seen before.</p>"
        f"<div class='box'><p>Seen in the box.</p><p class='gone'>{hidden_text}</p></div></main>"
    )
    reading = extract.read(html_pdf(tmp_path, body, css, pdf_tags=tagged))
    assert [(h.text, h.why.startswith(why)) for h in reading.hidden] == [(hidden_text, True)]
    assert reading.units == ("Seen before.", "Seen in the box.")


def test_text_drawn_in_the_invisible_render_mode_is_named(tmp_path: Path) -> None:
    path = html_pdf(tmp_path, "<p>Seen.</p><p>Invisible words.</p><p>Seen too.</p>")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0]
        instructions = pikepdf.parse_content_stream(page)
        shows = [i for i, item in enumerate(instructions) if str(item.operator) == "TJ"]
        # The second paragraph in text render mode 3 (neither fill nor stroke), then back.
        for at, mode in ((shows[2], 0), (shows[1], 3)):
            instructions.insert(
                at, pikepdf.ContentStreamInstruction([mode], pikepdf.Operator("Tr"))
            )
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
        pdf.save(path)
    reading = extract.read(path)
    assert [(h.text, h.why.split(" (")[0]) for h in reading.hidden] == [
        ("Invisible words.", "drawn invisibly")
    ]
    assert "Invisible" not in reading.text


# -- order, running heads, files -------------------------------------------------------------------

WORDS = ("patients", "often", "ask", "how", "long", "recovery", "takes", "and", "what", "they")


def paragraph(number: int) -> str:
    """A sentence that wraps over several lines and says where it belongs in the order."""
    words = [WORDS[(number * 7 + i) % len(WORDS)] for i in range(28 + number % 5 * 6)]
    return f"Marker {number:02d} {' '.join(words)}."


@pytest.mark.parametrize("columns", [1, 2])
def test_untagged_pages_read_in_drawing_order_without_running_heads(
    tmp_path: Path, columns: int
) -> None:
    # A title across the page, columns, a heading across both columns (column-span), more
    # columns, over several pages: every paragraph must come out whole and in order.
    css = f".flow {{ columns: {columns}; column-gap: 7mm; }} h2 {{ column-span: all; }}"
    css += RUNNING_HEADS
    title = "Marker 00 A title set across the whole width of the page"
    heading = "Marker 08 A heading across both columns"
    first, second = [paragraph(n) for n in range(1, 9)], [paragraph(n) for n in range(9, 25)]
    blocks = "".join(f"<p>{p}</p>" for p in first) + f"<h2>{heading}</h2>"
    blocks += "".join(f"<p>{p}</p>" for p in second)
    path = html_pdf(tmp_path, f'<h1>{title}</h1><div class="flow">{blocks}</div>', css)
    text = extract.text_of(path)
    assert "Leaflet title" not in text and "Page 2 of" not in text
    flowing = " ".join(text.split())  # no other column's line may sit inside a paragraph
    positions = [flowing.find(block) for block in [title, *first, heading, *second]]
    assert -1 not in positions, "a paragraph interleaved with another column's lines"
    assert positions == sorted(positions)


def test_a_file_that_is_not_a_pdf_is_named(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.pdf"
    bogus.write_text("not a pdf")
    with pytest.raises(extract.ExtractError, match=r"bogus\.pdf"):
        extract.read(bogus)


def test_a_tounicode_map_reads_chars_and_ranges() -> None:
    cmap = b"""
    2 beginbfchar <0003> <0020> <0cf5> <e000> endbfchar
    2 beginbfrange <0024> <0026> <0041> <0030> <0031> [<00660069> <d83dde00>] endbfrange
    """
    assert pdf_fonts.to_unicode(cmap) == {
        0x03: " ", 0xCF5: "\ue000", 0x24: "A", 0x25: "B", 0x26: "C", 0x30: "fi", 0x31: "😀",
    }  # fmt: skip
