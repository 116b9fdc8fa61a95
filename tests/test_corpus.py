"""The corpus: sample leaflets under tests/corpus/ that together use everything the source
format allows (tables with wrapping cells and one of forty rows across columns and pages,
lists nested three deep, ordered lists that resume or count a, b, c and i, ii, iii,
subheadings, links, emphasis, footnotes, block quotes, definition lists, line blocks,
figures of every image type with captions, disclaimers at the start, middle and end of a
section, many scripts and symbols, a very short and a long document).

Built once, in all six formats, in a throw-away project with the real styles: every document
builds, verifies and publishes, and no PDF draws a missing-glyph box. Then a property: drop
a random paragraph, or a sentence of a random disclaimer, from a finished output, and
verification must name the output, the id and the text.

How each output is changed: the page and the one-pager page by editing their HTML (lxml);
the DOCX by editing word/document.xml; a PDF by laying it out again with its real renderer
from HTML that lacks the text (its article view edited the same way as the page), since
text cannot be cut out of a laid-out PDF without leaving a hole the layout did not make.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html
from markupsafe import Markup
from PIL import Image

from pipeline import extract
from pipeline.brand import load_brand
from pipeline.checks import check_output
from pipeline.checks.verify import Haystack, expected, normalise
from pipeline.extract.pdf import PDFIUM_HYPHEN
from pipeline.formats import FORMATS, Job
from pipeline.formats.htmlview import ArticleView, DisclaimerView, article_view
from pipeline.model import Disclaimer, Document
from pipeline.pandoc import inner_html
from pipeline.text import nodes
from tests.conftest import ROOT, Corpus
from tests.glyphs import drawn_glyphs

CORPUS = ROOT / "tests" / "corpus"
DOCS = sorted(path.stem for path in CORPUS.glob("*.md"))
PDFS = ("brochure_pdf", "accessible_pdf", "onepager_pdf")
BRAND = load_brand(ROOT / "styles")


# -- what the corpus holds ------------------------------------------------------------------


SCRIPTS = ("CJK", "HANGUL", "ARABIC", "HEBREW", "DEVANAGARI", "CYRILLIC", "GREEK", "HIRAGANA")
EVERYTHING = (
    *("BlockQuote", "DefinitionList", "LineBlock", "Note", "Superscript", "Code"),
    *("Emph", "Strong", "bold italics", "emphasis across words"),
    *("a https link", "a mailto link", "a tel link", "a # link"),
    *("subheading level 3", "subheading level 4"),
    *("BulletList", "a list three deep", "OrderedList", "an ordered list that does not start at 1"),
    *(f"an ordered list counted {style}" for style in ("Decimal", "LowerAlpha", "LowerRoman")),
    *("Table", "a table caption", "a table cell that wraps", "a table of 40 rows or more"),
    *("Figure", "a figure with a caption", "a figure with a width"),
    *("a PNG figure in mode RGB", "a PNG figure in mode RGBA", "a JPEG figure in mode RGB"),
    *("a GIF figure in mode P", "an SVG figure in flat colours", "an SVG figure with a gradient"),
    *(f"a disclaimer at the {where} of a section" for where in ("start", "middle", "end")),
    *(f"{script} script" for script in SCRIPTS),
    *("Vietnamese", "symbols", "a span in another language", "a div in another language"),
    *("a very short document", "a long document"),
)


def test_the_corpus_uses_everything_the_source_format_allows(corpus: Corpus) -> None:
    found = Features()
    for doc in corpus.docs.values():
        found.read(doc)
    words = [sum(len(item.text.split()) for item in expected(doc, "full"))
             for doc in corpus.docs.values()]  # fmt: skip
    pages = [pdf_pages(corpus.path(d, "brochure_pdf")) for d in DOCS]
    found.see("a very short document", min(words) <= 12)  # one section, one sentence
    found.see("a long document", max(pages) >= 8)
    assert [name for name in EVERYTHING if not found.have.get(name)] == []


def pdf_pages(path: Path) -> int:
    pdf = pdfium.PdfDocument(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


class Features:
    """What the corpus documents use, by name."""

    def __init__(self) -> None:
        self.have: dict[str, bool] = {}

    def see(self, name: str, present: bool = True) -> None:
        self.have[name] = self.have.get(name, False) or present

    def read(self, doc: Document) -> None:
        blocks = [block for section in doc.sections for block in section.body]
        found = list(nodes([*blocks, *[d.wording for d in doc.disclaimers]]))
        for node in found:
            self.see(node["t"])
        for node in found:
            self._node(node)
        for section in doc.sections:
            body = section.body
            for at, item in enumerate(body):
                if isinstance(item, Disclaimer):
                    where = "start" if at == 0 else "end" if at == len(body) - 1 else "middle"
                    self.see(f"a disclaimer at the {where} of a section")
        # the document's own text and that of the shared passages it includes (styles/ is
        # the repository's, linked into the corpus's project)
        text = doc.source_text + "".join((ROOT / p).read_text("utf-8") for p in doc.passages)
        for script in SCRIPTS:
            self.see(f"{script} script", any(script in unicodedata.name(c, "") for c in text))
        self.see("Vietnamese", "ộ" in text or "ữ" in text)
        self.see("symbols", all(symbol in text for symbol in ("°", "≥", "✓", "→", "½")))

    def _node(self, node: dict[str, Any]) -> None:
        kind = node["t"]
        content: Any = node.get("c")  # pandoc's JSON: what a node holds depends on its kind
        if kind == "Header":
            self.see(f"subheading level {content[0]}")
        elif kind == "Strong":
            self.see("emphasis across words", any(n["t"] == "Space" for n in content))
            self.see("bold italics", any(n["t"] == "Emph" for n in content))
        elif kind == "Link":
            target = content[2][0]
            self.see(f"a {target.split(':')[0] if ':' in target else target[:1]} link")
        elif kind == "OrderedList":
            start, style, _delimiter = content[0]
            self.see("an ordered list that does not start at 1", start != 1)
            self.see(f"an ordered list counted {style['t']}")
        elif kind == "BulletList":
            self.see("a list three deep", _depth(node) >= 3)
        elif kind == "Table":
            rows = sum(len(body[3]) for body in content[4])
            self.see("a table of 40 rows or more", rows >= 40)
            cells = [n for n in nodes(content[4]) if n["t"] == "Plain"]
            self.see("a table cell that wraps", any(len(c["c"]) > 30 for c in cells))
            self.see("a table caption", bool(content[1][1]))
        elif kind == "Span" and any(key == "lang" for key, _ in content[0][2]):
            self.see("a span in another language")
        elif kind == "Div" and any(key == "lang" for key, _ in content[0][2]):
            self.see("a div in another language")
        elif kind == "Figure":
            (image,) = [n for n in nodes(content) if n["t"] == "Image"]
            self.see("a figure with a caption", bool(content[1][1]))
            self.see("a figure with a width", bool(image["c"][0][2]))
            path = Path(image["c"][2][0])
            if path.suffix == ".svg":
                gradient = "Gradient" in path.read_text(encoding="utf-8")
                self.see("an SVG figure in flat colours", not gradient)
                self.see("an SVG figure with a gradient", gradient)
            else:
                with Image.open(path) as picture:
                    self.see(f"a {picture.format} figure in mode {picture.mode}")


def _depth(node: dict[str, Any]) -> int:
    inner = [
        n for item in node["c"] for n in nodes(item) if n["t"] in ("BulletList", "OrderedList")
    ]
    return 1 + max((_depth(n) for n in inner if n is not node), default=0)


# -- every document builds, verifies and publishes ----------------------------------------------


@pytest.mark.parametrize("doc_id", DOCS)
def test_each_document_builds_verifies_and_publishes_in_all_six_formats(
    corpus: Corpus, doc_id: str
) -> None:
    said = [m.text for m in corpus.report.messages if m.doc == doc_id and m.level != "info"]
    assert said == []
    outcomes = {kind: corpus.report.outcomes[(doc_id, kind)] for kind in FORMATS}
    assert {kind: (o.state, o.verified) for kind, o in outcomes.items()} == {
        kind: ("built", True) for kind in FORMATS
    }
    manifest = corpus.manifest(doc_id)
    assert manifest["verification"] == {"passed": True, "missing": []}
    assert manifest["stale"] == [] and "rejected" not in manifest
    assert {k: e["verified"] for k, e in manifest["outputs"].items()} == dict.fromkeys(
        FORMATS, True
    )
    assert not (corpus.project.rejected_dir / doc_id).exists()


@pytest.mark.parametrize("doc_id", DOCS)
def test_no_pdf_draws_a_missing_glyph_box(corpus: Corpus, doc_id: str) -> None:
    for kind in PDFS:
        glyphs = drawn_glyphs(corpus.path(doc_id, kind))
        assert sum(glyphs.values()) > 100, kind
        assert [font for font, cid in glyphs if cid == 0] == [], kind


def test_every_figure_reaches_the_page_the_word_file_and_the_brochure(corpus: Corpus) -> None:
    for doc_id, doc in corpus.docs.items():
        images = [n for n in nodes([list(s.body) for s in doc.sections]) if n.get("t") == "Image"]
        alts = sorted(" ".join(_text(n["c"][1]).split()) for n in images)
        page = lxml_html.parse(str(corpus.path(doc_id, "html"))).getroot()
        shown = page.xpath("//main//img")
        assert sorted(img.get("alt") for img in shown) == alts, doc_id
        folder = corpus.path(doc_id, "html").parent
        assert all((folder / img.get("src")).is_file() for img in shown), doc_id
        with zipfile.ZipFile(corpus.path(doc_id, "docx")) as package:
            body = package.read("word/document.xml").decode()
        assert sorted(re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', body)) == alts, doc_id
        printed = [line for line in corpus.report.lines if line.startswith(f"{doc_id}: brochure")]
        for image in images:
            assert any(Path(image["c"][2][0]).name in line for line in printed), doc_id


def _text(inlines: list[Any]) -> str:
    return "".join(
        n["c"] if n["t"] == "Str" else " " for n in inlines if n["t"] in ("Str", "Space")
    )


def test_the_long_table_runs_across_both_columns_and_a_page_break(corpus: Corpus) -> None:
    doc = corpus.docs["appointments"]
    (table,) = [n for n in nodes([list(s.body) for s in doc.sections]) if n["t"] == "Table"][1:]
    questions = [_text(row[1][1][4][0]["c"]) for row in table["c"][4][0][3]]
    pdf = pdfium.PdfDocument(corpus.path("appointments", "brochure_pdf"))
    places = []  # (page, in the left column) of each question's cell
    try:
        for number, page in enumerate(pdf):
            middle = page.get_width() / 2
            for box in boxes_of(page, questions):
                places.append((number, box[0] < middle))
    finally:
        pdf.close()
    assert len(places) == len(questions) == 40
    assert len({page for page, _left in places}) >= 2
    assert {left for _page, left in places} == {True, False}


def boxes_of(page: pdfium.PdfPage, texts: list[str]) -> Iterator[tuple[float, ...]]:
    """The box of the first character of each of `texts` found on the page, however its
    lines break and hyphenate it."""
    textpage = page.get_textpage()
    chars = textpage.get_text_range().replace(PDFIUM_HYPHEN, "-")
    kept = [(i, c) for i, c in enumerate(chars) for c in normalise(c)]  # ligatures: 1 -> 2
    joined = "".join(c for _, c in kept)
    for text in texts:
        at = joined.find(normalise(text))
        if at >= 0:
            yield textpage.get_charbox(kept[at][0])


# -- a paragraph or a disclaimer sentence dropped from an output is named ------------------------


@pytest.mark.parametrize("kind", list(FORMATS))
@given(data=st.data())
def test_text_dropped_from_a_finished_output_is_named(
    corpus: Corpus, kind: str, data: st.DataObject
) -> None:
    mutation = data.draw(st.sampled_from(["paragraph", "disclaimer sentence"]), "mutation")
    docs = [d for d in DOCS if mutation == "paragraph" or any(corpus.docs[d].disclaimers)]
    doc = corpus.docs[data.draw(st.sampled_from(docs), "document")]
    original = corpus.path(doc.id, kind)
    haystack = Haystack(extract.read(original).text)
    units = [
        item
        for scope in FORMATS[kind].verified
        for item in expected(doc, scope)
        if item.ordered
        and len(haystack.occurrences(item.needle)) == 1  # a reader reads it once, there
        and (mutation == "paragraph" or item.kind == "disclaimer")
    ]
    unit = data.draw(st.sampled_from(units), "unit")
    dropped = unit.text
    if mutation == "disclaimer sentence":
        sentences = [s.strip() for s in re.findall(r"[^.!?]+[.!?]*", unit.text) if s.strip()]
        dropped = data.draw(st.sampled_from(sentences), "sentence")
    with tempfile.TemporaryDirectory(prefix="mutated-") as folder:
        path = without(original, kind, doc, dropped, Path(folder))
        check = check_output(doc, BRAND.only(FORMATS[kind].brand_tables), kind, path)
    assert check.problems == []
    named = [(g.output, g.id, g.part, g.problem) for g in check.gaps]
    assert named == [(kind, unit.id, unit.part, "missing")], (dropped, check.gaps)
    assert " ".join(unit.text.split()).startswith(check.gaps[0].text.removesuffix("..."))


def without(original: Path, kind: str, doc: Document, text: str, folder: Path) -> Path:
    """A copy of the finished output `original` without `text` (where it stands once)."""
    if kind in ("html", "onepager_html"):
        shutil.copytree(original.parent, folder, dirs_exist_ok=True)
        path = folder / original.name
        page = lxml_html.parse(str(path))
        main = page.find(".//main")
        assert delete(text_slots(main if main is not None else page.find(".//body")), text)
        path.write_bytes(lxml_html.tostring(page, doctype="<!DOCTYPE html>", encoding="utf-8"))
        return path
    if kind == "docx":
        path = folder / original.name
        with zipfile.ZipFile(original) as source, zipfile.ZipFile(path, "w") as target:
            for info in source.infolist():
                data = source.read(info)
                if info.filename == "word/document.xml":
                    root = etree.fromstring(data)
                    assert delete(word_slots(root), text)
                    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
                target.writestr(info, data)
        return path
    view = view_without(article_view(doc), text)  # a PDF: laid out again without it
    fmt = FORMATS[kind]
    return fmt.render(Job.alone(fmt, doc, BRAND, view), folder)


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
Slot = tuple[Any, str]
"""An element and the attribute ("text" or "tail") that holds a run of its text."""


def text_slots(element: Any) -> list[Slot]:
    """Every run of text inside `element`, in reading order."""

    def walk(node: Any) -> Iterator[Slot]:
        yield node, "text"
        for child in node:
            if isinstance(child.tag, str):
                yield from walk(child)
            yield child, "tail"

    return list(walk(element))


class _Break:
    """Where one paragraph of a Word file ends and the next begins."""

    text = "\n"


def word_slots(root: Any) -> list[Slot]:
    """Every run of text of a Word document's body, in order, paragraph by paragraph."""
    slots: list[Slot] = []
    for node in root.iter(f"{{{W}}}p", f"{{{W}}}t"):
        slots.append((_Break(), "text") if node.tag == f"{{{W}}}p" else (node, "text"))
    return slots


def delete(slots: list[Slot], text: str) -> bool:
    """Cut `text` (its words, with any white space between them) out of the runs, where it
    stands once; False (nothing cut) where it does not."""
    joined = "".join(getattr(node, attribute) or "" for node, attribute in slots)
    words = r"\s*".join(map(re.escape, text.split()))
    before = r"(?<!\w)" if re.match(r"\w", text) else ""  # whole words only
    after = r"(?!\w)" if re.search(r"\w$", text) else ""
    found = list(re.finditer(before + words + after, joined))
    if len(found) != 1:
        return False
    start, end = found[0].span()
    at = 0
    for node, attribute in slots:
        value = getattr(node, attribute) or ""
        if at < end and at + len(value) > start:
            setattr(node, attribute, value[: max(start - at, 0)] + value[max(end - at, 0) :])
        at += len(value)
    return True


def view_without(view: ArticleView, text: str) -> ArticleView:
    """The article view with `text` cut out of the one fragment that holds it."""

    def cut(markup: Markup) -> Markup:
        root = lxml_html.fragment_fromstring(str(markup), create_parent="div")
        return Markup(inner_html(root)) if delete(text_slots(root), text) else markup

    def section(part: Any) -> Any:
        if isinstance(part, DisclaimerView):
            return replace(part, wording=cut(part.wording), plain=cut(part.plain))
        return cut(part)

    edited = replace(
        view,
        sections=tuple(
            replace(
                s, heading=cut(s.heading), plain=cut(s.plain), parts=tuple(map(section, s.parts))
            )
            for s in view.sections
        ),
    )
    assert edited != view, text
    return edited
