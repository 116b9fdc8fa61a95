"""The clinician's DOCX: its XML, a real word processor's rendering of it, and verification
catching what an edit removes."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from lxml import etree
from PIL import Image

from pipeline.brand import Brand, load_brand
from pipeline.checks import verify
from pipeline.extract import text_of
from pipeline.formats import render_alone
from pipeline.formats.docx.bookmarks import bookmark_name, ids_by_bookmark
from pipeline.formats.docx.embedded import EmbeddedSourceError, read_source
from pipeline.formats.docx.fonts import obfuscate
from pipeline.formats.docx.reference import write_reference
from pipeline.model import Document
from pipeline.source import load
from pipeline.svgclean import clean_svg
from pipeline.text import paragraphs, stringify
from tests.conftest import ROOT, Built

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"


def w(name: str) -> str:
    return f"{W}{name}"


class Package:
    """The parts of a DOCX as lxml trees."""

    def __init__(self, path: Path):
        self.path = path
        with zipfile.ZipFile(path) as package:
            self.files = {name: package.read(name) for name in package.namelist()}

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.files[name])

    @property
    def body(self) -> etree._Element:
        return self.xml("word/document.xml").find(w("body"))


def style_of(paragraph: etree._Element) -> str | None:
    style = paragraph.find(f"{w('pPr')}/{w('pStyle')}")
    return None if style is None else style.get(w("val"))


def text(element: etree._Element) -> str:
    return "".join(t.text or "" for t in element.iter(w("t")))


@pytest.fixture(scope="session")
def package(built: Built) -> Package:
    return Package(built.path("docx"))


@pytest.fixture(scope="session")
def brand() -> Brand:
    return load_brand(ROOT / "styles")


# -- styles ---------------------------------------------------------------------------------


def test_body_paragraphs_use_our_named_styles(package: Package, article: Document) -> None:
    paragraphs_ = list(package.body.iter(w("p")))
    by_style: dict[str | None, list[str]] = {}
    for paragraph in paragraphs_:
        by_style.setdefault(style_of(paragraph), []).append(text(paragraph))
    assert None not in by_style, "every body paragraph has a named style"
    assert by_style["Title"] == [article.title]
    assert by_style["Subtitle"] == [article.subtitle]
    assert by_style["Heading1"] == [section.title for section in article.sections]
    assert by_style["PlainSummary"] == [
        " ".join(paragraphs(section.plain)) for section in article.sections
    ]
    wording = [" ".join(paragraphs(d.wording)) for d in article.disclaimers]
    assert by_style["Disclaimer"] == wording
    # Everything a patient reads: each disclaimer's plain wording too, in its own style.
    assert by_style["DisclaimerPlain"] == [
        " ".join(paragraphs(d.plain)) for d in article.disclaimers
    ]
    # Each box labelled as the page labels it.
    assert by_style["PlainSummaryLabel"] == ["In short"] * len(article.sections)
    disclaimers = len(list(article.disclaimers))
    assert by_style["DisclaimerLabel"] == ["Important"] * disclaimers
    assert by_style["DisclaimerPlainLabel"] == ["In plain words"] * disclaimers
    assert len(by_style["ListBullet"]) >= 20  # the article's bullet points
    assert "Compact" not in by_style, "list items use Word's List Bullet / List Number"


def test_no_direct_formatting_in_the_body(package: Package) -> None:
    forbidden_run = {"color", "sz", "szCs", "rFonts", "highlight", "shd", "u", "caps"}
    forbidden_paragraph = {"jc", "ind", "spacing", "shd", "pBdr", "rPr"}
    for run_properties in package.body.iter(w("rPr")):
        if run_properties.getparent().tag == w("pPr"):
            continue
        found = {etree.QName(child).localname for child in run_properties}
        assert not found & forbidden_run, f"direct run formatting {found & forbidden_run}"
    for paragraph_properties in package.body.iter(w("pPr")):
        found = {etree.QName(child).localname for child in paragraph_properties}
        assert not found & forbidden_paragraph, f"direct formatting {found & forbidden_paragraph}"


def test_styles_pane_holds_brand_styles(package: Package, brand: Brand) -> None:
    document = docx.Document(str(package.path))
    names = {style.name for style in document.styles}
    for name in (
        "Normal",
        "Title",
        "Subtitle",
        "Heading 1",
        "Heading 2",
        "Heading 3",
        "Body Text",
        "List Bullet",
        "List Number",
        "Disclaimer",
        "Plain Summary",
    ):
        assert name in names
    styles = document.styles
    family = brand.fonts["family"]
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Disclaimer", "Plain Summary"):
        fonts = styles[name].element.find(f"{w('rPr')}/{w('rFonts')}")
        assert fonts.get(w("ascii")) == fonts.get(w("hAnsi")) == family, name
        assert fonts.get(w("asciiTheme")) is None, f"{name}: a theme font would win"
    primary = brand.colour("primary").srgb[1:].upper()
    assert str(styles["Heading 1"].font.color.rgb) == primary
    assert str(styles["Title"].font.color.rgb) == primary
    assert str(styles["Body Text"].font.color.rgb) == brand.colour("text").srgb[1:].upper()
    for name, accent, fill in (
        ("Disclaimer", "disclaimer-accent", "disclaimer-background"),
        ("Plain Summary", "primary", "summary-background"),
    ):
        p_pr = styles[name].element.pPr
        assert (
            p_pr.find(f"{w('pBdr')}/{w('left')}").get(w("color")) == brand.colour(accent).srgb[1:]
        )
        assert p_pr.find(w("shd")).get(w("fill")) == brand.colour(fill).srgb[1:]
    # The theme's fonts too: what Word offers as "(Headings)" and "(Body)".
    theme = package.xml("word/theme/theme1.xml")
    a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    assert {latin.get("typeface") for latin in theme.iter(f"{a}latin")} == {family}


def test_page_is_the_brand_page(package: Package, brand: Brand) -> None:
    section = package.body.find(w("sectPr"))
    size = section.find(w("pgSz"))
    assert int(size.get(w("w"))) == 12240 and int(size.get(w("h"))) == 15840  # letter, twips
    margins = section.find(w("pgMar"))
    assert abs(int(margins.get(w("top"))) - 20 / 25.4 * 1440) < 2  # 20 mm
    assert section.find(w("headerReference")) is not None
    assert section.find(w("footerReference")) is not None


# -- properties -----------------------------------------------------------------------------


def test_core_and_custom_properties(package: Package, article: Document, brand: Brand) -> None:
    core = docx.Document(str(package.path)).core_properties
    assert core.title == article.title
    assert core.subject == article.subtitle
    assert core.author == brand.organisation["name"]
    assert article.id in core.keywords
    assert core.language == article.lang
    custom = package.xml("docProps/custom.xml")
    vt = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
    values = {prop.get("name"): prop.findtext(f"{vt}lpwstr") for prop in custom}
    assert values["source-id"] == article.id
    assert values["source-sha256"] == article.source_sha256
    assert values["last-reviewed"] == article.last_reviewed.iso
    types = package.files["[Content_Types].xml"].decode()
    assert "/docProps/custom.xml" in types
    assert "relationships/custom-properties" in package.files["_rels/.rels"].decode()


def test_language_is_set_for_spell_checking(package: Package, article: Document) -> None:
    styles = package.xml("word/styles.xml")
    default = styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}/{w('lang')}")
    assert default.get(w("val")) == article.lang
    languages = {lang.get(w("val")) for lang in styles.iter(w("lang"))}
    assert languages == {article.lang}
    for name in ("Normal", "Heading1", "Disclaimer", "PlainSummary", "ListBullet"):
        style = styles.find(f"{w('style')}[@{w('styleId')}='{name}']")
        assert style.find(f"{w('rPr')}/{w('lang')}").get(w("val")) == article.lang, name


def test_header_and_footer_have_title_date_and_page_fields(
    package: Package, article: Document
) -> None:
    header = package.xml("word/header1.xml")
    assert text(header) == article.title
    footer = package.xml("word/footer1.xml")
    assert text(footer).startswith(f"Last reviewed {article.last_reviewed.human} \u00b7 Page ")
    instructions = [i.text.split()[0] for i in footer.iter(w("instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    kinds = [f.get(w("fldCharType")) for f in footer.iter(w("fldChar"))]
    assert kinds == ["begin", "separate", "end"] * 2
    for part in ("word/header1.xml", "word/footer1.xml"):
        (paragraph,) = etree.fromstring(package.files[part]).iter(w("p"))
        assert style_of(paragraph) in {"Header", "Footer"}


def test_track_changes_is_on_when_opened(package: Package) -> None:
    settings = package.xml("word/settings.xml")
    assert settings.find(w("trackRevisions")) is not None


def test_word_opens_it_in_its_current_mode_and_records_moves_as_moves(package: Package) -> None:
    """Without compatibilityMode 15 Word opens the file in Compatibility Mode (no modern
    comments, no paragraph ids); with w:doNotTrackMoves it records a move as a deletion and
    an insertion."""
    settings = package.xml("word/settings.xml")
    compat = {
        setting.get(w("name")): setting.get(w("val"))
        for setting in settings.iter(w("compatSetting"))
        if setting.get(w("uri")) == "http://schemas.microsoft.com/office/word"
    }
    assert compat["compatibilityMode"] == "15"
    assert settings.find(w("doNotTrackMoves")) is None
    names = [etree.QName(child).localname for child in settings]
    assert names.index("compat") < names.index("rsids"), "in the schema's order"


# -- bookmarks and locked disclaimers -------------------------------------------------------


def bookmark_range(body: etree._Element, name: str) -> list[etree._Element]:
    """The body-level elements between a bookmark's start and end."""
    (start,) = [s for s in body.iter(w("bookmarkStart")) if s.get(w("name")) == name]
    mark, inside = start.get(w("id")), list[etree._Element]()
    for sibling in start.itersiblings():
        if sibling.tag == w("bookmarkEnd") and sibling.get(w("id")) == mark:
            return inside
        inside.append(sibling)
    raise AssertionError(f"bookmark {name} never ends")


def test_each_section_is_one_bookmark_from_heading_to_end(
    package: Package, article: Document
) -> None:
    body = package.body
    for section in article.sections:
        inside = bookmark_range(body, bookmark_name(section.id))
        paragraphs_ = [p for element in inside for p in element.iter(w("p"))]
        assert style_of(paragraphs_[0]) == "Heading1" and text(paragraphs_[0]) == section.title
        assert [style_of(p) for p in paragraphs_].count("Heading1") == 1
        found = verify.normalise("\n".join(text(p) for p in paragraphs_))
        for item in section.body:
            blocks = item.wording if hasattr(item, "wording") else [item]
            for expected in paragraphs(blocks):
                assert verify.normalise(expected) in found, (section.id, expected)


def test_each_disclaimer_is_bookmarked_tagged_and_locked(
    package: Package, article: Document
) -> None:
    body = package.body
    for disclaimer in article.disclaimers:
        inside = bookmark_range(body, bookmark_name(disclaimer.id))
        controls = [sdt for element in inside for sdt in element.iter(w("sdt"))]
        assert controls, disclaimer.id
        for control in controls:
            properties = control.find(w("sdtPr"))
            assert properties.find(w("tag")).get(w("val")) == disclaimer.id
            assert properties.find(w("lock")).get(w("val")) == "contentLocked"
        locked = "".join(text(control.find(w("sdtContent"))) for control in controls)
        assert locked == "".join(paragraphs(disclaimer.wording + disclaimer.plain))
        # Its labels are inside the bookmark but not locked: they are not the disclaimer.
        labels = [p for element in inside for p in element.iter(w("p")) if p.find(w("sdt")) is None]
        assert [style_of(p) for p in labels] == ["DisclaimerLabel", "DisclaimerPlainLabel"]
    tags = [tag.get(w("val")) for tag in body.iter(w("tag"))]
    assert sorted(set(tags)) == sorted(d.id for d in article.disclaimers)


def test_bookmark_names_are_valid_word_names_and_map_back() -> None:
    ids = ["overview", "1st-line", "a" * 41, "a" * 40, "a" * 39 + "-b" * 10, "a" * 39 + "-c" * 10]
    names = ids_by_bookmark(ids)
    assert len(names) == len(ids), "no two ids share a bookmark"
    for name, ident in names.items():
        assert len(name) <= 40 and name[0].isalpha(), name
        assert name == ident or "_" in name
    assert bookmark_name("overview") == "overview"


# -- fonts and images -----------------------------------------------------------------------


def test_brand_font_is_embedded(package: Package, brand: Brand) -> None:
    fonts = package.xml("word/fontTable.xml")
    rels = package.xml("word/_rels/fontTable.xml.rels")
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    (font,) = [f for f in fonts if f.get(w("name")) == brand.fonts["family"]]
    assert package.xml("word/settings.xml").find(w("embedTrueTypeFonts")) is not None
    for element, face in (("embedRegular", "regular"), ("embedBold", "bold")):
        reference = font.find(w(element))
        stored = package.files["word/" + targets[reference.get(f"{R}id")]]
        key = reference.get(w("fontKey")).strip("{}")
        import uuid

        original = brand.path(brand.fonts[face]).read_bytes()
        assert obfuscate(stored, uuid.UUID(key)) == original  # XOR twice is the identity


@pytest.fixture(scope="module")
def pictured(tmp_path_factory: pytest.TempPathFactory, brand: Brand) -> tuple[Package, Path]:
    """A small document with a PNG, a JPEG, an SVG and a table, rendered to DOCX."""
    root = tmp_path_factory.mktemp("pictured")
    images = root / "source" / "images"
    images.mkdir(parents=True)
    Image.new("RGB", (900, 600), (200, 80, 40)).save(images / "photo.png")
    Image.new("RGB", (3000, 1500), (40, 80, 200)).save(images / "scan.jpg", quality=90)
    (images / "drawing.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="288" height="144" viewBox="0 0 288 144">'
        '<rect width="288" height="144" fill="#0B4F6C"/></svg>'
    )
    (root / "source" / "pictured.md").write_text(
        "---\nid: pictured\ntitle: Pictured\nlang: en-GB\nlast-reviewed: 2026-02-03\n---\n\n"
        "## Pictures {#pictures}\n\n::: plain\nSome pictures.\n:::\n\n"
        "![A red photo](images/photo.png)\n\n![A blue scan](images/scan.jpg)\n\n"
        "![A drawing of a disc](images/drawing.svg)\n\n### Numbers\n\n"
        "| Dose | When |\n|---|---|\n| 1 | Morning |\n\n1. First\n2. Second\n"
    )
    doc = load(root / "source" / "pictured.md", root)
    out = root / "out"
    out.mkdir()
    return Package(render_alone("docx", doc, brand, out)), images


def test_images_have_alt_text_and_print_resolution(
    pictured: tuple[Package, Path], brand: Brand
) -> None:
    package, images = pictured
    body = package.body
    descriptions = [d.get("descr") for d in body.iter(f"{WP}docPr")]
    assert descriptions == ["A red photo", "A blue scan", "A drawing of a disc"]
    extents = [int(e.get("cx")) / 914400 for e in body.iter(f"{WP}extent")]  # inches
    assert extents[0] == pytest.approx(900 / 300, abs=0.01)  # 300 ppi, not blown up
    assert extents[1] < 3000 / 300 and extents[1] <= 6.6  # fits the text column
    assert 3000 / extents[1] >= 300
    assert extents[2] == pytest.approx(288 / 96, abs=0.01)  # an SVG at its own size
    media = {name: data for name, data in package.files.items() if name.startswith("word/media/")}
    assert (images / "photo.png").read_bytes() in media.values(), "embedded as it is"
    assert (images / "scan.jpg").read_bytes() in media.values()
    drawing = clean_svg((images / "drawing.svg").read_bytes())
    assert drawing in media.values(), "drawn again as shapes (svgclean)"
    fallback = [
        d
        for n, d in media.items()
        if n.endswith(".png") and d != (images / "photo.png").read_bytes()
    ]
    (png,) = fallback
    from io import BytesIO

    with Image.open(BytesIO(png)) as image:
        assert image.width / extents[2] >= 300, "the SVG's PNG fallback is print resolution"


def test_tables_have_header_rows_and_subheadings_shift(pictured: tuple[Package, Path]) -> None:
    package, _ = pictured
    body = package.body
    (table,) = body.iter(w("tbl"))
    first_row = table.find(w("tr"))
    assert first_row.find(f"{w('trPr')}/{w('tblHeader')}") is not None
    styles = [style_of(p) for p in body.iter(w("p"))]
    assert "Heading2" in styles and "Heading3" not in styles
    assert styles.count("ListNumber") == 2
    lang = package.xml("word/styles.xml").find(f".//{w('docDefaults')}//{w('lang')}")
    assert lang.get(w("val")) == "en-GB"


# -- a real word processor ------------------------------------------------------------------


@pytest.fixture(scope="module")
def libreoffice_pdf(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice is missing: run `invoke setup --tests`")
    folder = tmp_path_factory.mktemp("libreoffice")
    profile = (folder / "profile").as_uri()  # private: parallel runs must not share one
    finished = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(built.path("docx")),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = folder / built.path("docx").with_suffix(".pdf").name
    assert finished.returncode == 0 and pdf.is_file(), finished.stderr
    return pdf


def test_libreoffice_shows_every_section_and_disclaimer(
    libreoffice_pdf: Path, article: Document
) -> None:
    found = text_of(libreoffice_pdf)
    assert verify.check(article, "docx", "full", found) == []


def test_libreoffice_uses_the_embedded_brand_font(libreoffice_pdf: Path, brand: Brand) -> None:
    import pdfplumber

    family = brand.fonts["family"].replace(" ", "")
    with pdfplumber.open(libreoffice_pdf) as pdf:
        fonts = {char["fontname"].split("+")[-1] for page in pdf.pages for char in page.chars}
        bold_lead = [
            word["fontname"]
            for page in pdf.pages
            for word in page.extract_words(extra_attrs=["fontname"])
            if word["text"] == "Vary"  # "Results Vary by Patient:", bold
        ]
    assert {f"{family}-Regular", f"{family}-Bold", f"{family}-Italic"} <= fonts
    # Bold inside a locked disclaimer survives (it would not in a block-level control).
    assert bold_lead and all(name.endswith(f"{family}-Bold") for name in bold_lead)


# -- verification catches what an edit removes ----------------------------------------------


def edit_document_xml(built: Built, change: Callable[[etree._Element], None]) -> None:
    path = built.path("docx")
    with zipfile.ZipFile(path) as package:
        files = {info: package.read(info) for info in package.infolist()}
    for info, data in files.items():
        if info.filename == "word/document.xml":
            root = etree.fromstring(data)
            change(root)
            files[info] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for info, data in files.items():
            package.writestr(info, data)


def run_with(root: etree._Element, words: str) -> etree._Element:
    (run,) = [r for r in root.iter(w("r")) if words in text(r)]
    return run


def docx_gaps(mutable: Built) -> list[dict[str, str]]:
    return [gap for gap in mutable.verify() if gap["output"] == "docx"]


def test_unedited_docx_verifies(mutable: Built) -> None:
    assert docx_gaps(mutable) == []


def test_deleting_a_disclaimer_sentence_fails(mutable: Built) -> None:
    def delete(root: etree._Element) -> None:
        run = run_with(root, "This is still an area of extensive research.")
        run.getparent().remove(run)

    edit_document_xml(mutable, delete)
    gaps = docx_gaps(mutable)
    assert [(g["id"], g["problem"]) for g in gaps] == [("still-researched", "missing")]


def test_deleting_a_disclaimers_plain_wording_fails(mutable: Built) -> None:
    """The DOCX holds everything a patient reads, so it is verified for the plain parts too
    (a clinician who never sees the plain wording never reviews it)."""
    disclaimer = next(iter(mutable.doc.disclaimers))
    plain = " ".join(paragraphs(disclaimer.plain))

    def delete(root: etree._Element) -> None:
        (paragraph,) = [
            p for p in root.iter(w("p")) if style_of(p) == "DisclaimerPlain" and text(p) == plain
        ]
        paragraph.getparent().remove(paragraph)

    edit_document_xml(mutable, delete)
    gaps = docx_gaps(mutable)
    assert [(g["id"], g["kind"], g["part"], g["problem"]) for g in gaps] == [
        (disclaimer.id, "disclaimer", "plain", "missing")
    ]


def test_dropping_a_paragraph_fails(mutable: Built) -> None:
    def drop(root: etree._Element) -> None:
        run = run_with(root, "The symptoms of DDD can vary widely")
        paragraph = next(run.iterancestors(w("p")))
        paragraph.getparent().remove(paragraph)

    edit_document_xml(mutable, drop)
    gaps = docx_gaps(mutable)
    assert [(g["id"], g["kind"], g["part"]) for g in gaps] == [("symptoms", "section", "body")]


def test_swapping_two_sections_fails(mutable: Built) -> None:
    def swap(root: etree._Element) -> None:
        body = root.find(w("body"))
        first = _bookmarked_block(body, "overview")
        second = _bookmarked_block(body, "spine")
        anchor = second[-1]
        for element in first:
            anchor.addnext(element)
            anchor = element

    edit_document_xml(mutable, swap)
    gaps = docx_gaps(mutable)
    assert gaps and {g["problem"] for g in gaps} == {"out of order"}
    assert {g["id"] for g in gaps} <= {"overview", "spine"}


def _bookmarked_block(body: etree._Element, name: str) -> list[etree._Element]:
    (start,) = [s for s in body.iter(w("bookmarkStart")) if s.get(w("name")) == name]
    end = [e for e in start.itersiblings(w("bookmarkEnd")) if e.get(w("id")) == start.get(w("id"))]
    return [start, *bookmark_range(body, name), end[0]]


def test_a_tracked_deletion_of_a_disclaimer_sentence_fails(mutable: Built) -> None:
    def track_deletion(root: etree._Element) -> None:
        run = run_with(root, "Some treatments may be considered experimental")
        deletion = etree.Element(w("del"), {w("id"): "7001", w("author"): "Reviewer"})
        run.addprevious(deletion)
        deletion.append(run)
        for piece in run.iter(w("t")):
            piece.tag = w("delText")

    edit_document_xml(mutable, track_deletion)
    gaps = docx_gaps(mutable)
    assert [(g["id"], g["kind"]) for g in gaps] == [("regulatory-status", "disclaimer")]


def test_a_tracked_insertion_that_keeps_the_text_passes(mutable: Built) -> None:
    def track_insertion(root: etree._Element) -> None:
        run = run_with(root, "The symptoms of DDD can vary widely")
        insertion = etree.Element(w("ins"), {w("id"): "7002", w("author"): "Reviewer"})
        added = etree.SubElement(etree.SubElement(insertion, w("r")), w("t"))
        added.text = "Reviewer's note: check with the spine team. "
        run.addprevious(insertion)

    edit_document_xml(mutable, track_insertion)
    found = text_of(mutable.path("docx"))
    assert "Reviewer's note" in found
    assert docx_gaps(mutable) == []


def test_extractor_reads_headers_footers_and_content_controls(built: Built) -> None:
    found = text_of(built.path("docx"))
    lines = found.splitlines()
    assert lines[0] == built.doc.title  # the running header
    assert re.search(r"Last reviewed January 2026 · Page \d+ of \d+$", found)
    disclaimer = next(iter(built.doc.disclaimers))
    assert stringify(disclaimer.wording[0]["c"]) in found
    assert stringify(disclaimer.plain[0]["c"]) in found


def test_extractor_leaves_out_the_box_labels(built: Built) -> None:
    lines = text_of(built.path("docx")).splitlines()
    for label in ("In short", "Important", "In plain words"):
        assert label not in lines, "a box's label is not content"


# -- the source it was built from -----------------------------------------------------------


def test_the_docx_carries_its_exact_source(package: Package, article: Document) -> None:
    with zipfile.ZipFile(package.path) as opened:
        embedded = read_source(opened)
    assert embedded is not None
    assert embedded.data == (ROOT / article.source_path).read_bytes()
    assert embedded.sha256 == article.source_sha256
    assert (embedded.id, embedded.path) == (article.id, article.source_path)
    # A custom XML part of the main document, which Word and LibreOffice keep.
    rels = package.xml("word/_rels/document.xml.rels")
    targets = {rel.get("Target") for rel in rels if rel.get("Type").endswith("/customXml")}
    assert targets == {"../customXml/item1.xml"}
    types = package.files["[Content_Types].xml"].decode()
    assert "customXmlProperties+xml" in types


def test_a_damaged_embedded_source_is_refused(package: Package, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.docx"
    with zipfile.ZipFile(package.path) as source, zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "customXml/item1.xml":
                data = data.replace(b'sha256="', b'sha256="0')
            target.writestr(info, data)
    with zipfile.ZipFile(damaged) as opened, pytest.raises(EmbeddedSourceError, match="sha256"):
        read_source(opened)


# -- fonts for other scripts ----------------------------------------------------------------


def test_fallback_families_fill_words_east_asian_and_complex_script_slots(
    brand: Brand, tmp_path: Path
) -> None:
    tokens = dict(brand.tokens)
    tokens["fonts"] = {
        **brand.fonts,
        "fallback-families": [
            "Noto Sans",
            "Noto Sans Hebrew",
            "Noto Sans Arabic",
            "Noto Sans CJK SC",
        ],
        "lang-families": {"ja": "Noto Sans CJK JP"},
    }
    with_fallbacks = Brand(brand.styles_dir, tokens, brand.colours)
    family = brand.fonts["family"]
    for lang, east_asia, complex_script in (
        ("en-US", "Noto Sans CJK SC", "Noto Sans Hebrew"),  # the first of each kind
        ("ar-EG", "Noto Sans CJK SC", "Noto Sans Arabic"),  # the language's own script
    ):
        reference = write_reference(with_fallbacks, tmp_path / f"{lang}.docx", lang)
        styles = Package(reference).xml("word/styles.xml")
        for fonts in styles.iter(w("rFonts")):
            assert fonts.get(w("ascii")) == fonts.get(w("hAnsi")) == family
            assert fonts.get(w("eastAsia")) == east_asia
            assert fonts.get(w("cs")) == complex_script
    # Without fallback families, every slot names the brand family.
    only_brand = {k: v for k, v in brand.fonts.items() if not k.endswith("families")}
    plain = Brand(brand.styles_dir, {**brand.tokens, "fonts": only_brand}, brand.colours)
    reference = write_reference(plain, tmp_path / "plain.docx", "en-US")
    for fonts in Package(reference).xml("word/styles.xml").iter(w("rFonts")):
        assert {fonts.get(w(slot)) for slot in ("ascii", "hAnsi", "eastAsia", "cs")} == {family}
