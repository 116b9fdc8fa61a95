"""The brochure (PDF/X-4) and the accessible PDF (PDF/UA-1): their print and accessibility
properties measured with pikepdf and pdfplumber on the built files, and verification of both
against the source, including when their text is damaged."""

from __future__ import annotations

import dataclasses
import re
import shutil
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfplumber
import pikepdf
import pytest
from pdfplumber.utils.clustering import cluster_objects
from PIL import Image

from pipeline.brand import Brand, load_brand
from pipeline.extract import text_of
from pipeline.formats import render_alone
from pipeline.formats.pdf import brochure as brochure_pdf
from pipeline.formats.pdf.paged import PrintError, length_mm
from pipeline.model import Disclaimer, Document, Section
from pipeline.source import load
from pipeline.text import paragraphs
from tests.conftest import ROOT, Built
from tests.printing import trimbox

PDF_KINDS = ("brochure_pdf", "accessible_pdf")
MM = 72 / 25.4


@pytest.fixture(scope="module")
def brand() -> Brand:
    return load_brand(ROOT / "styles")


# -- content-stream helpers -------------------------------------------------------------------


def colour_operations(
    stream_owner: Any, resources: Any, seen: set[tuple[int, int]] | None = None
) -> Iterator[tuple[str, list[Any], Any]]:
    """(operator, operands, resources) of every colour-setting operator in a page or form
    XObject, descending into the form XObjects it draws."""
    seen = set() if seen is None else seen
    for instruction in pikepdf.parse_content_stream(stream_owner):
        operator = str(instruction.operator)
        operands = list(getattr(instruction, "operands", []))
        if operator in {"rg", "RG", "k", "K", "g", "G", "cs", "CS", "sc", "scn", "SC", "SCN"}:
            yield operator, operands, resources
        elif operator == "Do" and resources is not None:
            xobject = resources.get("/XObject", {}).get(operands[0])
            if xobject is not None and xobject.get("/Subtype") == "/Form":
                if xobject.objgen in seen:
                    continue
                seen.add(xobject.objgen)
                yield from colour_operations(xobject, xobject.get("/Resources", resources), seen)


def colour_space_components(name: Any, resources: Any) -> int:
    """How many components a colour space named in a `cs`/`CS` operator has."""
    if name in ("/DeviceRGB", "/CalRGB"):
        return 3
    if name == "/DeviceCMYK":
        return 4
    if name == "/DeviceGray":
        return 1
    space = resources.get("/ColorSpace", {}).get(name)
    if isinstance(space, pikepdf.Array) and space[0] == "/ICCBased":
        return int(space[1].N)
    if isinstance(space, pikepdf.Array) and space[0] == "/Lab":
        return 3
    return 0


def fonts(pdf: pikepdf.Pdf) -> Iterator[tuple[str, pikepdf.Object]]:
    for page in pdf.pages:
        for name, font in page.Resources.get("/Font", {}).items():
            for leaf in font.get("/DescendantFonts", [font]):
                yield str(font.get("/BaseFont", name)), leaf


def xmp(pdf: pikepdf.Pdf) -> str:
    return bytes(pdf.Root.Metadata.read_bytes()).decode()


def boxes(page: pikepdf.Page, key: str) -> list[float]:
    return [float(v) for v in page.obj[key]]


# -- brochure: print ----------------------------------------------------------------------------


def test_brochure_is_pdf_x4_with_a_cmyk_output_intent(built: Built, brand: Brand) -> None:
    with pikepdf.open(built.path("brochure_pdf")) as pdf:
        assert re.search(r"<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>", xmp(pdf))
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        profile = intent.DestOutputProfile
        assert int(profile.N) == 4
        assert profile.read_bytes()[16:20] == b"CMYK"  # the ICC header's colour space
        assert profile.read_bytes() == brand.print_condition.profile.read_bytes()


def test_brochure_pages_use_no_rgb_colour(built: Built) -> None:
    cmyk_seen = 0
    with pikepdf.open(built.path("brochure_pdf")) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            current: dict[str, int] = {"fill": 0, "stroke": 0}
            for operator, operands, resources in colour_operations(page, page.Resources):
                assert operator not in {"rg", "RG"}, f"RGB colour on page {number}"
                if operator in {"cs", "CS"}:
                    components = colour_space_components(operands[0], resources)
                    assert components != 3, f"RGB colour space {operands[0]} on page {number}"
                    current["fill" if operator == "cs" else "stroke"] = components
                if operator in {"sc", "scn", "SC", "SCN"}:
                    assert len(operands) == 4, f"non-CMYK colour {operands} on page {number}"
                    cmyk_seen += 1
    assert cmyk_seen > 50  # the text, boxes and cover really are drawn in CMYK


def test_every_brochure_page_has_trim_and_bleed_boxes_3mm_apart(built: Built, brand: Brand) -> None:
    bleed = length_mm(brand.print["bleed"]) * MM
    width, height = (length_mm(v) * MM for v in brand.page_size)
    with pikepdf.open(built.path("brochure_pdf")) as pdf:
        for page in pdf.pages:
            trim, bleed_box = boxes(page, "/TrimBox"), boxes(page, "/BleedBox")
            assert trim[2] - trim[0] == pytest.approx(width, abs=0.05)
            assert trim[3] - trim[1] == pytest.approx(height, abs=0.05)
            outward = [trim[0] - bleed_box[0], trim[1] - bleed_box[1]]
            outward += [bleed_box[2] - trim[2], bleed_box[3] - trim[3]]
            assert outward == pytest.approx([bleed] * 4, abs=0.01)
            media = boxes(page, "/MediaBox")
            assert media[0] <= bleed_box[0] and media[2] >= bleed_box[2]


def test_the_cover_colour_field_runs_into_the_bleed(built: Built, brand: Brand) -> None:
    primary = pytest.approx([v / 100 for v in brand.colour("primary").cmyk])
    with pdfplumber.open(built.path("brochure_pdf")) as pdf:
        cover = pdf.pages[0]
        left, top, right, _ = trimbox(cover)
        fields = [
            r
            for r in cover.rects
            if r["x0"] < left
            and r["x1"] > right
            and r["top"] < top
            and list(r["non_stroking_color"]) == primary
        ]
        assert fields, "no brand-coloured field runs past the trim box into the bleed"
        assert fields[0]["x0"] == pytest.approx(cover.mediabox[0])


def test_every_font_is_embedded(built: Built) -> None:
    for kind in PDF_KINDS:
        with pikepdf.open(built.path(kind)) as pdf:
            found = list(fonts(pdf))
            assert found
            for name, font in found:
                descriptor = font.get("/FontDescriptor")
                assert descriptor is not None, f"{kind}: {name} has no descriptor"
                embedded = {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys())
                assert embedded, f"{kind}: font {name} is not embedded"
            assert any("Atkinson" in name for name, _ in found)


def test_brochure_is_a_saddle_stitched_booklet(built: Built, brand: Brand) -> None:
    with pdfplumber.open(built.path("brochure_pdf")) as pdf:
        texts = [page.extract_text() for page in pdf.pages]
    assert len(texts) % 4 == 0
    assert all(text.strip() for text in texts), "an empty page"
    cover, back = texts[0], texts[-1]
    assert built.doc.title.split()[0] in cover and brand.organisation["name"] in cover
    consult = next(d for d in built.doc.disclaimers if d.id == "consult-clinician")
    first_words = " ".join(next(paragraphs(consult.wording)).split()[:6])
    assert first_words in " ".join(back.split())
    for number, text in enumerate(texts[1:-1], start=2):
        assert f"Page {number} of {len(texts)}" in text
        assert f"Last reviewed {built.doc.last_reviewed.human}" in text


def test_the_back_page_disclaimer_falls_back_to_the_last_one(
    article: Document, brand: Brand
) -> None:
    from pipeline.formats.htmlview import article_view

    view = article_view(article)
    chosen = brochure_pdf.back_page_disclaimer(view, brand)
    assert chosen is not None and chosen.id == "consult-clinician"
    other = dataclasses.replace(brand, tokens={**brand.tokens, "brochure": {}})
    assert brochure_pdf.back_page_disclaimer(view, other) == view.disclaimers[-1]


def inside_pages(pdf: Any) -> list[Any]:
    """The brochure's article pages: not the cover, the notes pages or the back page."""
    return [
        page
        for page in pdf.pages[1:-1]
        if not any(line["text"] == "Notes" for line in page.extract_text_lines())
    ]


def test_the_brochure_is_eight_pages_with_at_most_one_notes_page(built: Built) -> None:
    # The article fills five and a half pages of two columns: cover, inside pages, back.
    with pdfplumber.open(built.path("brochure_pdf")) as pdf:
        assert len(pdf.pages) == 8
        assert len(pdf.pages) - 2 - len(inside_pages(pdf)) <= 1


def test_brochure_inside_pages_are_two_columns_of_readable_lines(
    built: Built, brand: Brand
) -> None:
    gap = brand.brochure_format.column_gap * MM
    smallest, largest = brand.brochure["fit-type-size"]
    lengths: list[int] = []
    with pdfplumber.open(built.path("brochure_pdf")) as pdf:
        for page in inside_pages(pdf):
            words = page.extract_words(extra_attrs=["size"])
            size = statistics.mode(round(w["size"], 2) for w in words)  # the body's
            assert smallest - 0.01 <= size <= largest + 0.01, f"page {page.page_number}: {size}"
            body = [w for w in words if w["size"] == pytest.approx(size, abs=0.05)]
            assert len(body) > 100, f"page {page.page_number}: too little body text"
            gutter = widest_gap(body, page.width)
            assert gutter is not None, f"page {page.page_number} is not set in two columns"
            assert gutter[1] - gutter[0] >= gap - 1
            left = [w for w in body if w["x1"] <= gutter[0]]
            right = [w for w in body if w["x0"] >= gutter[1]]
            assert len(left) + len(right) == len(body)
            for column in (left, right):
                rows = cluster_objects(column, lambda w: w["top"], 1)
                lengths += [len(" ".join(w["text"] for w in row)) for row in rows]
    # Full lines (the longer half: the others end a paragraph) of 40 to 60 characters: the
    # text is fitted between 10.5 and 12 pt, and 40 to 50 suits columns (Bringhurst).
    full = sorted(lengths)[len(lengths) // 2 :]
    assert 40 <= statistics.median(full) <= 60
    assert max(full) <= 75


def widest_gap(words: list[dict[str, Any]], width: float) -> tuple[float, float] | None:
    """The widest strip in the middle third of the page that no word crosses, if any."""
    edges = sorted((w["x0"], w["x1"]) for w in words)
    best, reach = None, edges[0][1]
    for x0, x1 in edges[1:]:
        middle = width / 3 < x0 and reach < width * 2 / 3
        if x0 > reach and middle and (best is None or x0 - reach > best[1] - best[0]):
            best = (reach, x0)
        reach = max(reach, x1)
    return best


def test_brochure_callouts_are_never_split(built: Built, brand: Brand) -> None:
    # A box split over two columns or pages is drawn as two rectangles of its colour.
    def boxes_of(colour: str) -> int:
        wanted = pytest.approx([v / 100 for v in brand.colour(colour).cmyk])
        with pdfplumber.open(built.path("brochure_pdf")) as pdf:
            return sum(
                1
                for page in pdf.pages
                for rect in page.rects
                if rect["fill"] and list(rect["non_stroking_color"] or []) == wanted
            )

    back_page = 1
    assert boxes_of("disclaimer-background") == len(list(built.doc.disclaimers)) + back_page
    assert boxes_of("summary-background") == len(built.doc.sections)


# -- images: alt text (accessible) and resolution (brochure) -------------------------------------


def source_with_image(tmp_path: Path, pixels: tuple[int, int], width: str | None) -> Document:
    """The real article with a figure of this many pixels, at this width (None: sized by
    its own pixels)."""
    (tmp_path / "source" / "images").mkdir(parents=True)
    Image.new("RGB", pixels, (200, 220, 235)).save(tmp_path / "source" / "images" / "disc.png")
    text = (ROOT / "source" / "ddd-stem-cell-therapy.md").read_text(encoding="utf-8")
    size = f"{{width={width}}}" if width else ""
    figure = f"\n![A spinal disc between two vertebrae](images/disc.png){size}\n\n"
    text = text.replace("The human spine is a marvel", figure + "The human spine is a marvel", 1)
    path = tmp_path / "source" / "ddd-stem-cell-therapy.md"
    path.write_text(text, encoding="utf-8")
    return load(path, tmp_path)


def test_figures_carry_their_alt_text(tmp_path: Path, brand: Brand) -> None:
    doc = source_with_image(tmp_path, (1200, 800), "40%")
    out = tmp_path / "out"
    out.mkdir()
    path = render_alone("accessible_pdf", doc, brand, out)
    with pikepdf.open(path) as pdf:
        figures = [
            obj
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == "/Figure"
        ]
        assert figures
        assert all(str(f.get("/Alt", "")) for f in figures), "a figure without alt text"
        assert "A spinal disc between two vertebrae" in {str(f.Alt) for f in figures}


def test_a_low_resolution_image_fails_the_brochure_naming_it(tmp_path: Path, brand: Brand) -> None:
    doc = source_with_image(tmp_path, (300, 200), "100%")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(PrintError, match=r"disc\.png prints at (\d+) dpi") as error:
        render_alone("brochure_pdf", doc, brand, out)
    said = re.search(r"at (\d+) dpi", str(error.value))
    assert said, error.value
    dpi = int(said.group(1))
    # 300 px across one of the inside pages' columns
    column_mm = brand.brochure_format.column_width
    assert dpi == pytest.approx(300 / (column_mm / 25.4), abs=2)
    assert "300 dpi" in str(error.value)


@pytest.mark.parametrize("width", [None, "50%"])
def test_image_size_advice_is_right_the_first_time(
    tmp_path: Path, brand: Brand, width: str | None
) -> None:
    # A 240 px figure, sized by its pixels or by the source: the pixel width the build asks
    # for is enough, the first time.
    out = tmp_path / "out"
    out.mkdir()
    small = source_with_image(tmp_path / "small", (240, 160), width)
    with pytest.raises(PrintError, match=r"disc\.png prints at \d+ dpi") as error:
        render_alone("brochure_pdf", small, brand, out)
    said = re.search(r"at least (\d+) px wide", str(error.value))
    assert said, error.value
    advised = int(said.group(1))
    assert advised > 240
    enough = source_with_image(tmp_path / "enough", (advised, advised * 2 // 3), width)
    path = render_alone("brochure_pdf", enough, brand, out)
    with pikepdf.open(path) as pdf:
        widths = [
            int(o.Width)
            for o in pdf.objects
            if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"
        ]
    assert widths == [advised]


def test_a_sharp_image_passes_the_resolution_check(tmp_path: Path, brand: Brand) -> None:
    doc = source_with_image(tmp_path, (2400, 1600), "100%")
    out = tmp_path / "out"
    out.mkdir()
    path = render_alone("brochure_pdf", doc, brand, out)
    with pdfplumber.open(path) as pdf:
        assert any(page.images for page in pdf.pages)


# -- accessible PDF -------------------------------------------------------------------------------


def test_accessible_pdf_is_tagged_pdf_ua(built: Built) -> None:
    doc = built.doc
    with pikepdf.open(built.path("accessible_pdf")) as pdf:
        assert re.search(r'pdfuaid:part="1"|<pdfuaid:part>1</pdfuaid:part>', xmp(pdf))
        assert "/StructTreeRoot" in pdf.Root
        assert bool(pdf.Root.MarkInfo.Marked) is True
        assert str(pdf.Root.Lang) == doc.lang
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True
        assert str(pdf.docinfo.Title) == doc.title
        tags = [str(o.S) for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and "/S" in o]
        assert tags.count("/H1") == 1
        assert tags.count("/H2") == len(doc.sections)
        for page in pdf.pages:
            assert "/BleedBox" not in page.obj or boxes(page, "/BleedBox") == boxes(
                page, "/TrimBox"
            )


def test_accessible_pdf_has_a_bookmark_per_section_in_order(built: Built) -> None:
    with pikepdf.open(built.path("accessible_pdf")) as pdf, pdf.open_outline() as outline:
        titles: list[str] = []

        def walk(items: Any) -> None:
            for item in items:
                titles.append(item.title)
                walk(item.children)

        walk(outline.root)
    sections = [section.title for section in built.doc.sections]
    assert [t for t in titles if t in sections] == sections


def test_running_heads_are_artifacts_and_out_of_the_text(built: Built) -> None:
    with pdfplumber.open(built.path("accessible_pdf")) as pdf:
        pages = len(pdf.pages)
        second = pdf.pages[1]
        artifact = "".join(c["text"] for c in second.chars if c.get("tag") == "Artifact")
        tagged = "".join(c["text"] for c in second.chars if c.get("tag") != "Artifact")
    assert f"Page 2 of {pages}" in artifact
    assert built.doc.title in artifact
    assert "Page 2 of" not in tagged
    for kind in PDF_KINDS:
        text = text_of(built.path(kind))
        assert "Page 2 of" not in text, f"{kind}: running footer in the extracted text"


# -- verification ----------------------------------------------------------------------------------


def test_both_pdfs_verify(built: Built) -> None:
    for kind in PDF_KINDS:
        assert built.manifest["outputs"][kind]["path"]
    assert built.manifest["verification"] == {"passed": True, "missing": []}
    assert built.manifest["outputs"]["accessible_pdf"]["path"] == f"{built.doc.id}.pdf"
    assert built.manifest["outputs"]["brochure_pdf"]["path"] == "brochure.pdf"


def render_into(mutable: Built, kind: str, doc: Document, tmp_path: Path) -> None:
    """Render a changed model with the real renderer into the published file's place: the
    manifest still names the real source, so verification must notice."""
    out = tmp_path / f"render-{kind}"
    out.mkdir()
    rendered = render_alone(kind, doc, load_brand(ROOT / "styles"), out)
    shutil.copyfile(rendered, mutable.path(kind))


def with_section(doc: Document, section_id: str, **changes: Any) -> Document:
    sections = tuple(
        dataclasses.replace(s, **changes) if s.id == section_id else s for s in doc.sections
    )
    return dataclasses.replace(doc, sections=sections)


def first_sentence_only(doc: Document, disclaimer_id: str) -> Document:
    section = next(s for s in doc.sections if any(d.id == disclaimer_id for d in s.disclaimers))
    body: list[Section | Disclaimer | Any] = []
    for item in section.body:
        if isinstance(item, Disclaimer) and item.id == disclaimer_id:
            first = next(paragraphs(item.wording)).split(". ")[0] + "."
            item = dataclasses.replace(
                item, wording=({"t": "Para", "c": [{"t": "Str", "c": first}]},)
            )
        body.append(item)
    return with_section(doc, section.id, body=tuple(body))


@pytest.mark.parametrize("kind", PDF_KINDS)
def test_a_lost_disclaimer_sentence_fails_naming_the_disclaimer(
    mutable: Built, kind: str, tmp_path: Path
) -> None:
    render_into(mutable, kind, first_sentence_only(mutable.doc, "not-a-cure"), tmp_path)
    gaps = mutable.verify()
    assert [(g["output"], g["id"], g["kind"]) for g in gaps] == [(kind, "not-a-cure", "disclaimer")]


@pytest.mark.parametrize("kind", PDF_KINDS)
def test_a_dropped_paragraph_fails_naming_its_section(
    mutable: Built, kind: str, tmp_path: Path
) -> None:
    section = next(s for s in mutable.doc.sections if s.id == "what-is-ddd")
    doc = with_section(mutable.doc, "what-is-ddd", body=section.body[1:])
    render_into(mutable, kind, doc, tmp_path)
    gaps = mutable.verify()
    assert {(g["output"], g["id"], g["problem"]) for g in gaps} == {
        (kind, "what-is-ddd", "missing")
    }


@pytest.mark.parametrize("kind", PDF_KINDS)
def test_swapped_sections_fail_as_out_of_order(mutable: Built, kind: str, tmp_path: Path) -> None:
    sections = list(mutable.doc.sections)
    sections[3], sections[4] = sections[4], sections[3]
    render_into(mutable, kind, dataclasses.replace(mutable.doc, sections=tuple(sections)), tmp_path)
    gaps = mutable.verify()
    assert gaps and {g["output"] for g in gaps} == {kind}
    assert {g["problem"] for g in gaps} == {"out of order"}
    assert {g["id"] for g in gaps} <= {sections[3].id, sections[4].id}
