"""Every figure of the brochure in the print condition's CMYK: PNG with and without
transparency, JPEG, SVG kept as vectors and SVG drawn as pixels (a grey figure stays grey,
black ink only). Checked with pikepdf on a real build's output: no RGB colour space, operator
or image anywhere, and the build says truly what became of each figure. The web page and the
accessible PDF keep the sRGB originals."""

from __future__ import annotations

import io
import re
import shutil
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image, ImageDraw

from pipeline.brand import load_brand
from pipeline.builder import Options, Project, build
from pipeline.formats.pdf.paged import PrintError
from pipeline.model import Document
from pipeline.svgclean import clean_svg
from tests.conftest import ROOT
from tests.printing import article_with, brand_with, render

BRAND = load_brand(ROOT / "styles")
RGB_SPACES = {"/DeviceRGB", "/CalRGB", "/RGB"}


def png(
    mode: str, fill: tuple[int, ...], size: tuple[int, int] = (1400, 900), **save: Any
) -> bytes:
    picture = Image.new(mode, size, (0,) * len(fill))
    ImageDraw.Draw(picture).ellipse((100, 100, size[0] - 100, size[1] - 100), fill=fill)
    data = io.BytesIO()
    picture.save(data, "PNG", **save)
    return data.getvalue()


def jpeg() -> bytes:
    picture = Image.new("RGB", (1600, 1000), (240, 200, 40))
    ImageDraw.Draw(picture).rectangle((300, 300, 1300, 700), fill=(20, 20, 120))
    data = io.BytesIO()
    picture.save(data, "JPEG", quality=90)
    return data.getvalue()


PLAIN_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" width="300" height="150">
<style>.box { fill: #0B4F6C; stroke: rgb(255 0 0) }</style>
<rect class="box" x="10" y="10" width="120" height="100"/>
<circle cx="200" cy="75" r="50" style="fill: hsl(120 60% 40%); stroke: #333"/>
<path d="M10 140 L290 140" stroke="black"/></svg>"""
GRADIENT_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" width="300" height="150">
<defs><linearGradient id="g"><stop offset="0" stop-color="red"/>
<stop offset="1" stop-color="blue"/></linearGradient></defs>
<rect width="300" height="150" fill="url(#g)"/></svg>"""
FIGURES = {
    "opaque.png": png("RGB", (30, 120, 200)),
    "alpha.png": png("RGBA", (30, 180, 80, 200), size=(1200, 900)),
    "photo.jpg": jpeg(),
    "grey.png": png("L", (90,), size=(1100, 800)),
    "plain.svg": PLAIN_SVG,
    "gradient.svg": GRADIENT_SVG,
}


def with_figures(tmp_path: Path, files: dict[str, bytes]) -> Document:
    markdown = "\n\n".join(f"![A figure: {name}](images/{name}){{width=100%}}" for name in files)
    return article_with(tmp_path, markdown, files)


class Figured(NamedTuple):
    doc: Document
    path: Path
    """The brochure."""
    lines: list[str]
    """What the build said."""


@pytest.fixture(scope="module")
def figured(tmp_path_factory: pytest.TempPathFactory) -> Figured:
    """The real article with every kind of figure, its brochure built as `invoke build` does."""
    tmp_path = tmp_path_factory.mktemp("figures")
    shutil.copytree(ROOT / "styles", tmp_path / "styles")
    doc = with_figures(tmp_path, FIGURES)
    report = build(Project.at(tmp_path), Options(docs=(doc.id,), formats=("brochure_pdf",)))
    assert not report.failed, "\n".join(report.lines)
    return Figured(doc, tmp_path / "output" / doc.id / "brochure.pdf", report.lines)


def pictures(pdf: pikepdf.Pdf) -> list[pikepdf.Stream]:
    """Every image that is not a soft mask."""
    images = [
        item
        for item in pdf.objects
        if isinstance(item, pikepdf.Stream) and item.get("/Subtype") == "/Image"
    ]
    masks = {mask.objgen for image in images if (mask := image.get("/SMask")) is not None}
    return [image for image in images if image.objgen not in masks]


def content_streams(pdf: pikepdf.Pdf) -> list[tuple[str, Any]]:
    """Every content stream: pages, and every form XObject and tiling pattern in the file."""
    found: list[tuple[str, Any]] = [(f"page {n}", p) for n, p in enumerate(pdf.pages, 1)]
    for item in pdf.objects:
        if isinstance(item, pikepdf.Stream) and (
            item.get("/Subtype") == "/Form" or item.get("/PatternType") == 1
        ):
            found.append((f"object {item.objgen}", item))
    return found


def is_rgb(space: Any) -> bool:
    if isinstance(space, pikepdf.Name):
        return str(space) in RGB_SPACES
    if isinstance(space, pikepdf.Array) and len(space):
        if space[0] == "/ICCBased":
            return int(space[1].N) == 3
        if space[0] in ("/Indexed", "/Separation", "/DeviceN"):
            return any(is_rgb(part) for part in list(space)[1:3])
        return str(space[0]) in RGB_SPACES | {"/Lab"}
    return False


def test_a_brochure_with_every_kind_of_figure_has_no_rgb_anywhere(figured: Figured) -> None:
    with pikepdf.open(figured.path) as pdf:
        printed = pictures(pdf)
        # opaque.png, alpha.png, photo.jpg and the gradient SVG drawn as pixels; grey.png
        spaces = sorted(str(image.ColorSpace) for image in printed)
        assert spaces == ["/DeviceCMYK"] * 4 + ["/DeviceGray"]
        assert all(image.get("/Intent") == "/RelativeColorimetric" for image in printed)

        for item in pdf.objects:  # every colour space anywhere: resources, shadings, groups
            if isinstance(item, pikepdf.Dictionary | pikepdf.Stream):
                for key in ("/ColorSpace", "/CS"):
                    if key in item and isinstance(item[key], pikepdf.Dictionary):
                        item_spaces = list(item[key].values())
                    else:
                        item_spaces = [item[key]] if key in item else []
                    assert not any(is_rgb(space) for space in item_spaces), f"RGB space in {item}"

        cmyk = []
        for where, stream in content_streams(pdf):
            for instruction in pikepdf.parse_content_stream(stream):
                operator = str(instruction.operator)
                assert operator not in {"rg", "RG"}, f"an RGB colour operator in {where}"
                if operator in {"k", "K", "sc", "scn", "SC", "SCN"}:
                    cmyk.append([Decimal(str(v)) for v in instruction.operands])
    # plain.svg stays vectors: its brand-coloured box keeps the brand's CMYK exactly, its
    # black line prints in black ink only
    assert [Decimal(v) / 100 for v in BRAND.colour("primary").cmyk] in cmyk
    assert [0, 0, 0, 1] in cmyk


SEPARATED = "RGB (sRGB) separated to CMYK, relative colorimetric"
# What the build must say of each figure, and how the brochure must print it for that to be
# true: its image's colour space and whether it keeps a soft mask (None: no image, vectors).
SAID = {
    "opaque.png": (SEPARATED, ("/DeviceCMYK", False)),
    "alpha.png": (f"{SEPARATED}, its transparency kept", ("/DeviceCMYK", True)),
    "photo.jpg": (SEPARATED, ("/DeviceCMYK", False)),
    "grey.png": ("grey, printed in black ink only", ("/DeviceGray", False)),
    "plain.svg": ("SVG kept as vectors, its colours mapped to CMYK", None),
    "gradient.svg": (
        f"SVG with gradients, drawn {{width}} px wide; {SEPARATED}",
        ("/DeviceCMYK", False),
    ),
}


def test_the_build_says_truly_what_became_of_each_figure(figured: Figured) -> None:
    said: dict[str, str] = {}
    for line in figured.lines:
        if found := re.fullmatch(rf"{figured.doc.id}: brochure: figures? (.+?): (.+)", line):
            said |= dict.fromkeys(found.group(1).split(", "), found.group(2))
    with pikepdf.open(figured.path) as pdf:
        printed = {
            (int(image.Width), int(image.Height)): (str(image.ColorSpace), "/SMask" in image)
            for image in pictures(pdf)
        }
    sizes = {
        name: Image.open(io.BytesIO(data)).size
        for name, data in FIGURES.items()
        if not name.endswith(".svg")
    }
    sizes["gradient.svg"] = next(size for size in printed if size[0] == 2 * size[1])  # 2:1 SVG
    assert len(printed) == len(sizes)  # plain.svg is no image
    for name, (message, printed_as) in SAID.items():
        assert said[name] == message.format(width=sizes.get(name, (0,))[0]), name
        assert (printed[sizes[name]] if name in sizes else None) == printed_as, name


def test_the_separated_figures_print_in_their_colours(figured: Figured) -> None:
    # The page as PDFium draws it: the JPEG's yellow field and navy box, the PNG's blue disc
    # and the transparent PNG's green one keep their hues (a CMYK JPEG read inverted would
    # not), and paper shows where the PNG was transparent.
    pdf = pdfium.PdfDocument(figured.path)
    try:
        seen = {}
        for page in pdf:
            left, _bottom, _right, top = page.get_mediabox()
            drawn = page.render(scale=1).to_pil().convert("RGB")
            for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
                x0, y0, x1, y1 = image.get_bounds()
                seen[image.get_px_size()] = tuple(
                    drawn.getpixel(
                        (round(x0 + f * (x1 - x0) - left), round(top - y1 + f * (y1 - y0)))
                    )
                    for f in (0.05, 0.5)  # near the top-left corner, and the middle
                )
    finally:
        pdf.close()
    yellow, navy = seen[(1600, 1000)]
    assert yellow[0] > 180 and yellow[1] > 150 and yellow[2] < 100
    assert navy[2] > navy[0] + 30 and max(navy) < 150
    disc = seen[(1400, 900)][1]
    assert disc[2] > disc[0] + 60
    clear, green = seen[(1200, 900)]  # alpha.png: paper shows through its transparent corner
    assert min(clear) > 235
    assert green[1] > green[0] + 40 and green[1] > green[2] + 20


def test_the_web_page_and_the_accessible_pdf_keep_the_srgb_originals(
    figured: Figured, tmp_path: Path
) -> None:
    doc = figured.doc
    page = render("html", doc, BRAND, tmp_path)
    copied = {p.name.split("-", 1)[1]: p.read_bytes() for p in (page.parent / "images").iterdir()}
    # as they are; an SVG drawn again as shapes (svgclean), its colours still sRGB
    assert copied == {
        name: clean_svg(data) if name.endswith(".svg") else data for name, data in FIGURES.items()
    }
    assert all("device-cmyk" not in copied[n].decode() for n in FIGURES if n.endswith(".svg"))
    with pikepdf.open(render("accessible_pdf", doc, BRAND, tmp_path)) as pdf:
        spaces = {
            str(item.ColorSpace)
            for item in pdf.objects
            if isinstance(item, pikepdf.Stream)
            and item.get("/Subtype") == "/Image"
            and item.get("/ColorSpace") != "/DeviceGray"
        }
    assert spaces == {"/DeviceRGB"}


def test_a_figure_that_cannot_be_separated_stops_the_build_naming_it(tmp_path: Path) -> None:
    broken = png("RGB", (30, 120, 200), size=(1200, 800), icc_profile=b"not a colour profile")
    doc = with_figures(tmp_path, {"scan.png": broken})
    with pytest.raises(
        PrintError, match=r"scan\.png cannot be printed in CMYK: its colour profile"
    ):
        render("brochure_pdf", doc, BRAND, tmp_path)


def test_the_output_intent_names_the_brands_print_condition(tmp_path: Path) -> None:
    # a shop's own profile (here Ghostscript's, from Debian), named as the shop names it
    brand = brand_with(
        icc_profile="/usr/share/color/icc/ghostscript/default_cmyk.icc",
        output_condition_identifier="FOGRA39",
        output_condition="Offset commercial and specialty printing, coated paper",
        registry_name="http://www.color.org",
    )
    doc = article_with(tmp_path, "")
    with pikepdf.open(render("brochure_pdf", doc, brand, tmp_path)) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert str(intent.OutputCondition).startswith("Offset commercial")
        assert str(intent.RegistryName) == "http://www.color.org"
        profile = brand.print_condition.profile.read_bytes()
        assert intent.DestOutputProfile.read_bytes() == profile


def test_an_edited_source_is_a_new_version_of_the_same_document(tmp_path: Path) -> None:
    # XMP Media Management: DocumentID names the document (every edition), InstanceID and
    # VersionID this edition; the trailer's /ID pairs the same way (ISO 32000 14.4).
    def built(markdown: str, folder: str) -> tuple[bytes, dict[str, str], list[bytes]]:
        """The PDF's bytes, its XMP ids (DocumentID, InstanceID, VersionID), its /ID."""
        doc = article_with(tmp_path / folder, markdown)
        path = render("brochure_pdf", doc, BRAND, tmp_path / folder)
        with pikepdf.open(path) as pdf:
            meta = pdf.open_metadata()
            ids = {
                key: str(meta[f"xmpMM:{key}"]) for key in ("DocumentID", "InstanceID", "VersionID")
            }
            trailer = [bytes(part) for part in pdf.trailer.ID]
        return path.read_bytes(), ids, trailer

    (first, ids, trailer), (again, _, _) = built("", "first"), built("", "again")
    _edited, edited_ids, edited_trailer = built("One more sentence.", "edited")
    assert first == again, "the same source, built elsewhere, gives the same bytes"
    assert ids["DocumentID"] == edited_ids["DocumentID"], "every edition is the same document"
    assert trailer[0] == edited_trailer[0] == uuid.UUID(ids["DocumentID"][5:]).bytes
    for key in ("InstanceID", "VersionID"):
        assert ids[key] != edited_ids[key], key
    assert trailer[1] != edited_trailer[1]
    assert len(ids["VersionID"]) == 12
