"""Text of every kind, in every format: a leaflet with a language-assistance block in many
scripts and common symbols renders in all six formats with a glyph for every character,
every font embedded, right-to-left paragraphs reading right to left; a character no font
has stops the build with its file, line and what to install.

A missing glyph cannot be seen in a PDF's text layer (it keeps the character), so the PDF
tests read the glyph ids the content streams draw: with a Type0 font, each 2-byte code maps
to a CID through the font's encoding (Identity-H, or WeasyPrint's own CMap, which maps a
glyph it lacks to CID 0), and CID 0 is `.notdef`, the empty box.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from lxml import html as lxml_html

from pipeline import bidi
from pipeline.brand import Brand, BrandError, load_brand
from pipeline.fonts import missing_glyphs
from pipeline.formats import FORMATS, render_alone
from pipeline.model import Document
from pipeline.source import load
from tests.browser import axe_violations, chromium, describe_violations, open_page
from tests.conftest import ARTICLE_ID, ROOT
from tests.glyphs import drawn_glyphs

LEAFLET = ROOT / "tests" / "corpus" / "language-help.md"
RIGHT_TO_LEFT = {
    "he": "עברית: שירותי סיוע בשפה זמינים עבורך ללא תשלום.",
    "ar": "العربية: تتوفر لك خدمات المساعدة اللغوية مجانًا.",
}
# Which face the browser must draw each marked language's letters in (spaces and
# punctuation may come from the brand family).
FACES = {
    "es": "Atkinson Hyperlegible",
    "vi": "Noto Sans",
    "zh-Hant": "Noto Sans CJK TC",
    "zh-Hans": "Noto Sans CJK SC",
    "ko": "Noto Sans CJK KR",
    "ru": "Noto Sans",
    "el": "Noto Sans",
    "ar": "Noto Sans Arabic",
    "bn": "Noto Sans Bengali",
    "km": "Noto Sans Khmer",
    "am": "Noto Sans Ethiopic",
    "he": "Noto Sans Hebrew",
    "hi": "Noto Sans Devanagari",
    "ja": "Noto Sans CJK JP",
}
PDFS = ("brochure_pdf", "accessible_pdf", "onepager_pdf")


@pytest.fixture(scope="module")
def brand() -> Brand:
    return load_brand(ROOT / "styles")


@pytest.fixture(scope="module")
def leaflet() -> Document:
    return load(LEAFLET, ROOT)


@pytest.fixture(scope="module")
def rendered(
    tmp_path_factory: pytest.TempPathFactory, leaflet: Document, brand: Brand
) -> dict[str, Path]:
    """The leaflet in all six formats (rendered, not verified: verification is tested
    elsewhere)."""
    out = tmp_path_factory.mktemp("fonts")
    return {kind: render_alone(kind, leaflet, brand, _folder(out / kind)) for kind in FORMATS}


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def write_source(folder: Path, body: str) -> Path:
    """A source document `x.md` in folder/source/ whose body starts on line 8."""
    source = folder / "source" / "x.md"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(
        "---\nid: x\ntitle: Fonts\nlang: en-US\nlast-reviewed: 2026-11\n---\n\n" + body + "\n",
        encoding="utf-8",
    )
    return source


# -- the check before rendering ---------------------------------------------------------


def test_the_fonts_cover_the_multilingual_leaflet(leaflet: Document, brand: Brand) -> None:
    assert missing_glyphs(leaflet, brand, LEAFLET) == []


def test_the_fonts_cover_the_real_article_and_the_text_the_pipeline_adds(brand: Brand) -> None:
    source = ROOT / "source" / f"{ARTICLE_ID}.md"
    assert missing_glyphs(load(source, ROOT), brand, source) == []


def test_a_character_no_font_has_stops_with_file_line_and_what_to_install(
    tmp_path: Path, brand: Brand
) -> None:
    source = write_source(
        tmp_path,
        "## One {#one}\n\n::: plain\nPlain words.\n:::\n\n"  # lines 8-12
        "A private mark \ue000 here.\n\n"  # line 14
        "Vithkuqi \U00010570 is a script no installed font has.\n\n"  # line 16
        "A smile \U0001f600 and again \U0001f600.\n",  # line 18
    )
    problems = missing_glyphs(load(source, tmp_path), brand, source)
    by_line = {problem.line: str(problem) for problem in problems}
    assert sorted(by_line) == [14, 16, 18], by_line
    assert by_line[14].startswith("source/x.md:14: ")
    assert "U+E000" in by_line[14] and "private-use" in by_line[14]
    assert "U+10570 VITHKUQI CAPITAL LETTER A" in by_line[16]
    assert "fonts-noto" in by_line[16] and "fallback-families" in by_line[16]
    assert "U+1F600 GRINNING FACE" in by_line[18] and "emoji" in by_line[18]


def test_a_script_an_installed_font_has_names_that_font_and_its_package(
    tmp_path: Path, brand: Brand
) -> None:
    source = write_source(tmp_path, "## One {#one}\n\n::: plain\nಕನ್ನಡ\n:::\n")
    (problem,) = missing_glyphs(load(source, tmp_path), brand, source)
    assert problem.line == 11
    assert "U+0C95 KANNADA LETTER KA" in problem.message
    assert '"Noto Sans Kannada" (fonts-noto-core)' in problem.message


def test_a_character_written_as_an_entity_is_found_at_its_section(
    tmp_path: Path, brand: Brand
) -> None:
    source = write_source(tmp_path, "## One {#one}\n\n::: plain\nPlain.\n:::\n\nA &#xE001; mark.")
    (problem,) = missing_glyphs(load(source, tmp_path), brand, source)
    assert (problem.line, "U+E001" in problem.message) == (8, True)


def test_text_the_templates_add_is_checked_too(tmp_path: Path) -> None:
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    template = styles / "templates" / "article.html.j2"
    lines = template.read_text(encoding="utf-8").splitlines()
    lines[3] += " \ue000"
    template.write_text("\n".join(lines), encoding="utf-8")
    source = ROOT / "source" / f"{ARTICLE_ID}.md"
    problems = missing_glyphs(load(source, ROOT), load_brand(styles), source)
    assert [(p.file, p.line) for p in problems] == [("styles/templates/article.html.j2", 4)]


def test_a_fallback_family_that_is_not_installed_says_run_invoke_setup(tmp_path: Path) -> None:
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    tokens = styles / "brand.toml"
    text = tokens.read_text(encoding="utf-8")
    tokens.write_text(text.replace('  "Noto Sans",', '  "Noto Sans Nowhere",\n  "Noto Sans",', 1))
    source = ROOT / "source" / f"{ARTICLE_ID}.md"
    (problem,) = missing_glyphs(load(source, ROOT), load_brand(styles), source)
    assert problem.file == "styles/brand.toml"
    assert '"Noto Sans Nowhere" is not installed; run `invoke setup`' in problem.message


def test_a_language_family_must_be_a_fallback_family(tmp_path: Path) -> None:
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    tokens = styles / "brand.toml"
    text = tokens.read_text(encoding="utf-8")
    tokens.write_text(text.replace('ja = "Noto Sans CJK JP"', 'ja = "Noto Serif CJK JP"'))
    with pytest.raises(BrandError, match=r"lang-families\] ja = \"Noto Serif CJK JP\""):
        load_brand(styles)


def test_a_paragraph_reads_the_way_its_first_letter_does() -> None:
    assert bidi.direction("42 " + RIGHT_TO_LEFT["he"]) == "rtl"
    assert bidi.direction(RIGHT_TO_LEFT["ar"]) == "rtl"
    assert bidi.direction("“Hello” שלום") == "ltr"
    assert bidi.direction("42 + 7 = 49") is None


def test_each_text_block_gets_the_direction_it_reads_in() -> None:
    root = lxml_html.fragment_fromstring(
        "<ul><li>עברית<ul><li>English</li><li>עוד</li></ul></li><li>English</li></ul>"
        "<p dir='ltr'>שלום</p>",
        create_parent="div",
    )
    bidi.mark_directions(root)
    assert [li.get("dir") for li in root.iter("li")] == ["rtl", "ltr", None, None]
    assert root.find("p").get("dir") == "ltr"  # the source's own direction stays


# -- the finished PDFs ------------------------------------------------------------------


def test_no_missing_glyph_box_in_any_pdf(rendered: dict[str, Path]) -> None:
    for kind in PDFS:
        glyphs = drawn_glyphs(rendered[kind])
        assert sum(glyphs.values()) > 200, kind
        assert [font for font, cid in glyphs if cid == 0] == [], kind


def test_the_box_check_sees_a_box(tmp_path: Path, brand: Brand) -> None:
    """The same reading finds the box a character without a glyph leaves, when a document
    goes to WeasyPrint without the fonts check."""
    source = write_source(tmp_path, "## One {#one}\n\n::: plain\nA \ue000 box.\n:::\n")
    doc = load(source, tmp_path)
    pdf = render_alone("accessible_pdf", doc, brand, _folder(tmp_path / "out"))
    assert [font for font, cid in drawn_glyphs(pdf) if cid == 0] != []


def test_every_font_is_embedded_and_each_language_gets_its_face(
    rendered: dict[str, Path], brand: Brand
) -> None:
    declared = {_key(f) for f in (brand.fonts["family"], *brand.fallback_families)}
    for kind in ("brochure_pdf", "accessible_pdf"):
        fonts = embedded_fonts(rendered[kind])
        assert all(fonts.values()), f"{kind}: not embedded: {fonts}"
        names = {re.sub(r"^[A-Z]{6}\+", "", name) for name in fonts}
        families = {re.sub(r"-(Regular|Bold|Italic|BoldItalic)$", "", name) for name in names}
        assert {_key(family) for family in families} <= declared, sorted(names)
        for face in ("CJK-JP", "CJK-KR", "CJK-SC", "CJK-TC", "Arabic", "Hebrew", "Devanagari"):
            assert f"Noto-Sans-{face}" in names, f"{kind}: {sorted(names)}"
        # Han characters come in the face of the language they are marked with: no text
        # is marked zh-HK, so the Hong Kong face is not drawn.
        assert "Noto-Sans-CJK-HK" not in names


def test_right_to_left_paragraphs_read_right_to_left_in_the_pdfs(
    rendered: dict[str, Path],
) -> None:
    # The accessible PDF's one column: lines are found by the height their text objects
    # stand at, which in the brochure's two columns holds a line of each. (The order the
    # text reads in: tests/test_languages.py; the brochure's pages: look at them as PNGs.)
    for kind in ("accessible_pdf",):
        for lang, sentence in RIGHT_TO_LEFT.items():
            line, others = pdf_line(rendered[kind], sentence.split()[1])
            # Set against the right edge of its column: as far right as any left-to-right
            # line there (within a glyph's side bearing), and not starting where they start.
            # Its bullet stands first, at the right: its ink ends within the marker's advance
            # (about 1 em) of the edge.
            assert line.right >= max(other.right for other in others) - 14, (kind, lang)
            assert line.left > min(other.left for other in others) + 20, (kind, lang)


# -- the finished HTML ------------------------------------------------------------------


def test_the_css_names_the_fallback_families(rendered: dict[str, Path], brand: Brand) -> None:
    stack = ", ".join(f'"{family}"' for family in brand.fallback_families)
    for kind, css in (("html", "article.css"), ("onepager_html", "onepager.css")):
        text = (rendered[kind].parent / "assets" / css).read_text(encoding="utf-8")
        assert f'--font-family: "{brand.fonts["family"]}", {stack}' in text, kind
        assert ':lang(ja) { font-family: "Noto Sans CJK JP", "Atkinson Hyperlegible"' in text


def test_the_browser_draws_each_language_in_its_face_and_rtl_from_the_right(
    rendered: dict[str, Path], brand: Brand
) -> None:
    declared = {brand.fonts["family"], *brand.fallback_families}
    with chromium() as browser:
        page = open_page(browser, rendered["html"])
        assert axe_violations(page) == [], describe_violations(axe_violations(page))
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        selector = {"nodeId": root, "selector": ".article-body li > span[lang]"}
        for node in cdp.send("DOM.querySelectorAll", selector)["nodeIds"]:
            lang = cdp.send("DOM.getAttributes", {"nodeId": node})["attributes"][1]
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            used = {font["familyName"]: font["glyphCount"] for font in fonts}
            assert set(used) <= declared, (lang, used)
            if lang in FACES:
                assert max(used, key=lambda family: used[family]) == FACES[lang], (lang, used)
        edges = page.evaluate(
            """() => [...document.querySelectorAll('.article-body li')]
            .filter(p => getComputedStyle(p).direction === 'rtl')
            .map(p => {
                const text = p.querySelector('span').firstChild;
                const range = document.createRange();
                range.setStart(text, 0);
                range.setEnd(text, 1);
                const whole = document.createRange();
                whole.selectNodeContents(text);
                const rights = [...whole.getClientRects()].map(r => r.right);
                return [p.textContent, range.getBoundingClientRect().right,
                        Math.max(...rights)];
            })"""
        )
    texts = [text for text, _first, _edge in edges]
    assert all(any(t.startswith(s) for t in texts) for s in RIGHT_TO_LEFT.values()), texts
    for text, first, edge in edges:
        assert abs(first - edge) < 1, text


# -- helpers: reading the PDFs ----------------------------------------------------------


def embedded_fonts(path: Path) -> dict[str, bool]:
    """Each font's name, and whether its file is in the PDF."""
    found = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                descriptor = font.DescendantFonts[0].FontDescriptor
                files = ("/FontFile", "/FontFile2", "/FontFile3")
                found[str(font.BaseFont)[1:]] = any(key in descriptor for key in files)
    return found


def _key(family: str) -> str:
    return re.sub(r"[\s-]", "", family).casefold()


@dataclass(frozen=True)
class Line:
    boxes: list[tuple[float, float]]
    """(left, right) of each character, in the text's logical order."""

    @property
    def left(self) -> float:
        return min(left for left, _right in self.boxes)

    @property
    def right(self) -> float:
        return max(right for _left, right in self.boxes)


def pdf_line(path: Path, start: str) -> tuple[Line, list[Line]]:
    """The line of `path` that starts with `start` (read by PDFium, in logical order), and
    the left-to-right lines of its page that stand above or below it (in its column)."""
    pdf = pdfium.PdfDocument(path)
    try:
        for page in pdf:
            lines = _lines(page)
            for text, line in lines:
                if start in text or start[::-1] in text:  # the glyphs' text: visual order
                    return line, [
                        other
                        for other_text, other in lines
                        if bidi.direction(other_text) == "ltr"
                        and other.left < line.right
                        and other.right > line.left
                    ]
    finally:
        pdf.close()
    raise AssertionError(f"no line starting {start!r} in {path.name}")


def _lines(page: pdfium.PdfPage) -> list[tuple[str, Line]]:
    """Each line of the page: its text and the extents of the text objects drawn on it
    (a right-to-left run's text is its span's claimed text, held by its first object, so
    its characters' boxes say nothing about where its glyphs stand)."""
    textpage = page.get_textpage()
    found: list[tuple[float, list[str], list[tuple[float, float]]]] = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
        left, bottom, right, top = obj.get_bounds()
        middle = (bottom + top) / 2
        text = _object_text(obj, textpage)
        line = next((entry for entry in found if abs(entry[0] - middle) < 3), None)
        if line is None:
            found.append((middle, [text], [(left, right)]))
        else:
            line[1].append(text)
            line[2].append((left, right))
    # A right-to-left item's bullet is drawn at its line's right end, first.
    lines = [(" ".join("".join(texts).split()), Line(extents)) for _, texts, extents in found]
    return [(text.lstrip("• "), line) for text, line in lines]


def _object_text(obj: pdfium.PdfObject, textpage: pdfium.PdfTextPage) -> str:
    size = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
    buffer = (pdfium_c.FPDF_WCHAR * (size // 2 + 1))()
    pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, size)
    return bytes(buffer)[: max(size - 2, 0)].decode("utf-16-le", errors="replace")


def test_every_script_of_the_language_access_list_has_a_face(tmp_path: Path, brand: Brand) -> None:
    """Beyond the notice's languages, the scripts a Debian font exists for: Tibetan,
    Mongolian, Cherokee and Canadian syllabics (a few letters each, test text)."""
    source = write_source(
        tmp_path,
        "## One {#one}\n\n::: plain\nPlain words.\n:::\n\n"
        "[བོད་ཡིག]{lang=bo} [ᠮᠣᠩᠭᠣᠯ]{lang=mn-Mong} [ᏣᎳᎩ]{lang=chr} [ᐃᓄᒃᑎᑐᑦ]{lang=iu}\n",
    )
    assert missing_glyphs(load(source, tmp_path), brand, source) == []


def test_invoke_check_says_what_the_build_would_refuse_about_glyphs(tmp_path: Path) -> None:
    from pipeline.builder.project import Project
    from pipeline.validate import validate

    write_source(tmp_path, "## One {#one}\n\n::: plain\nPlain words.\n:::\n\nA \U00010570.\n")
    (tmp_path / "styles").symlink_to(ROOT / "styles", target_is_directory=True)
    report = validate(Project.at(tmp_path))
    assert report.failed
    (line,) = [line for line in report.lines if "U+10570" in line]
    assert line.startswith("source/x.md:14: ") and "fallback-families" in line
