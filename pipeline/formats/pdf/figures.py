"""The brochure's figures, separated for print: every raster figure (PNG with or without
transparency, JPEG, GIF, ...) and every SVG figure reaches the PDF in the print condition's
CMYK. The HTML and the accessible PDF keep the sRGB originals.

WeasyPrint embeds a raster image only as it finds it (RGB, grey, or a CMYK JPEG without
transparency). So the brochure lays out a stand-in for each raster figure: a PNG of the
same pixel size in one flat colour that numbers the figure. `Figures.swap_into` then puts
the separated pixels (and the transparency, as a soft mask) in each stand-in's place in the
written PDF; `Figures.of` tells which figure an image is, for the resolution check.

An SVG figure painted with plain colours stays vectors, each colour mapped to device-cmyk
(`separation.Separation.colour`). One with gradients, patterns, filters, masks, embedded
images or text is drawn at print resolution (rsvg-convert) and separated like a photo.
"""

from __future__ import annotations

import base64
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pikepdf
import tinycss2
from lxml import etree
from PIL import Image, ImageOps, UnidentifiedImageError
from tinycss2.color5 import parse_color

from pipeline import tools
from pipeline.formats.htmlview import ArticleView
from pipeline.formats.pdf.paged import PrintError
from pipeline.formats.pdf.separation import PDF_INTENTS, Separation, SeparationError
from pipeline.model import Disclaimer, Document
from pipeline.text import nodes

SVG = "{http://www.w3.org/2000/svg}"
COLOUR_PROPERTIES = {"fill", "stroke", "stop-color", "flood-color", "lighting-color", "color"}
DRAWN_AS_PIXELS = {
    "linearGradient": "gradients",
    "radialGradient": "gradients",
    "pattern": "patterns",
    "filter": "filters",
    "mask": "masks",
    "image": "embedded images",
    "foreignObject": "embedded HTML",
    "text": "text",
}
"""SVG elements that WeasyPrint cannot draw in CMYK (or, for text, not in the brand's font):
a figure with one is drawn at print resolution instead, and says why."""
GREY_MODES = {"1", "L", "LA"}
COLOUR_MODES = {"RGB", "RGBA", "P", "PA", "CMYK", "YCbCr"}


@dataclass
class Figure:
    """One source image as the brochure prints it."""

    name: str
    """The writer's file name, as the build names it."""
    how: str
    """What became of it, in a few words."""
    sized_by_source: bool
    """The source sets its width or height, so the width it prints at does not depend on
    its pixels; otherwise it may print as wide as a column."""
    pixels: Image.Image | None = None
    """Separated pixels (CMYK, or L for a grey image); None for an SVG kept as vectors."""
    alpha: Image.Image | None = None
    photo: bool = False
    """Came as a JPEG: stays one (DCT), rather than lossless (Flate)."""

    @cached_property
    def encoded(self) -> tuple[bytes, pikepdf.Name]:
        assert self.pixels is not None
        if self.photo:
            buffer = io.BytesIO()
            self.pixels.save(buffer, "JPEG", quality=95)
            return buffer.getvalue(), pikepdf.Name.DCTDecode
        return zlib.compress(self.pixels.tobytes()), pikepdf.Name.FlateDecode


class Figures:
    """The document's figures, each under the number its stand-in's colour carries."""

    def __init__(self, separation: Separation):
        self.separation = separation
        self.by_number: dict[int, Figure] = {}

    def lines(self) -> list[str]:
        """One line per figure: its name and what became of it."""
        return [f"{figure.name}: {figure.how}" for figure in self.by_number.values()]

    def of(self, picture: Image.Image) -> Figure | None:
        """The figure whose stand-in `picture` is (decoded from the PDF), if any."""
        if picture.mode != "RGB":
            return None
        figure = self.by_number.get(_number(picture.getpixel((0, 0))))  # type: ignore[arg-type]
        if figure is None or figure.pixels is None or figure.pixels.size != picture.size:
            return None
        return figure

    def swap_into(self, pdf: pikepdf.Pdf) -> None:
        """Replace every stand-in image in `pdf` by its figure's separated pixels."""
        intent = pikepdf.Name(PDF_INTENTS[self.separation.intent])
        for image in _images(pdf):
            if image.get("/ColorSpace") != pikepdf.Name.DeviceRGB:
                continue
            figure = self.of(pikepdf.PdfImage(image).as_pil_image())
            if figure is None or figure.pixels is None:
                raise PrintError(
                    "the brochure holds an RGB image that is none of the document's figures; "
                    "it cannot be separated for print"
                )
            data, encoding = figure.encoded
            image.write(data, filter=encoding)
            for key in ("/DecodeParms", "/Decode", "/SMask"):
                if key in image:
                    del image[key]
            if figure.photo and figure.pixels.mode == "CMYK":
                # Pillow writes CMYK JPEGs inverted, the Adobe way (as WeasyPrint does too).
                image.Decode = pikepdf.Array([1, 0] * 4)
            image.ColorSpace = (
                pikepdf.Name.DeviceGray if figure.pixels.mode == "L" else pikepdf.Name.DeviceCMYK
            )
            image.BitsPerComponent = 8
            image.Interpolate = False
            image.Intent = intent
            if figure.alpha is not None:
                image.SMask = _soft_mask(pdf, figure.alpha)


def prepare(
    doc: Document, view: ArticleView, separation: Separation, work: Path, raster_width: int
) -> Figures:
    """Write what the brochure lays out for each figure into `work` (where the HTML expects
    the images): stand-ins for raster figures, CMYK SVGs for vector ones. `raster_width` is
    the pixel width an SVG that must be drawn as pixels is drawn at. A figure that cannot be
    separated stops the build, naming it."""
    figures = Figures(separation)
    sized = _sized_by_source(doc)
    for number, (relative, source) in enumerate(view.images.items(), start=1):
        target = work / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        by_source = sized.get(source, False)
        try:
            if source.suffix.lower() == ".svg":
                figure = _svg(source, target, separation, raster_width, number, by_source)
            else:
                figure = _raster(source, separation, by_source)
                _stand_in(figure, number).save(target, "PNG")
        except SeparationError as error:
            raise PrintError(
                f"{source.name} cannot be printed in CMYK: {error}; save it as an 8-bit RGB "
                "or greyscale PNG or JPEG (or an SVG), then build again"
            ) from None
        figures.by_number[number] = figure
    return figures


def _raster(source: Path, separation: Separation, sized_by_source: bool) -> Figure:
    try:
        with Image.open(source) as opened:
            opened.load()
            photo = opened.format == "JPEG"
            profile = opened.info.get("icc_profile")
            picture = ImageOps.exif_transpose(opened)  # as WeasyPrint places it
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as error:
        raise SeparationError(f"it cannot be read as an image ({error})") from None
    return _separated(picture, profile, separation, source.name, sized_by_source, photo)


def _separated(
    picture: Image.Image,
    profile: bytes | None,
    separation: Separation,
    name: str,
    sized_by_source: bool,
    photo: bool,
) -> Figure:
    alpha = None
    if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
        alpha = picture.convert("RGBA").getchannel("A")
        if alpha.getextrema() == (255, 255):
            alpha = None
    if picture.mode.startswith("I"):  # 16-bit grey: keep its top 8 bits
        picture = picture.convert("I").point(lambda level: level / 256).convert("L")
    kept = ", its transparency kept" if alpha is not None else ""
    if picture.mode in GREY_MODES:  # a DeviceGray image: the black plate alone prints it
        grey = picture.convert("L")
        return Figure(
            name, f"grey, printed in black ink only{kept}", sized_by_source, grey, alpha, photo
        )
    if picture.mode not in COLOUR_MODES:
        raise SeparationError(f"its colour mode {picture.mode} is neither RGB, CMYK nor grey")
    if picture.mode != "CMYK":
        picture = picture.convert("RGB")
    if profile:
        picture.info["icc_profile"] = profile
    source_space = "embedded profile" if profile else "sRGB"
    intent = separation.intent.replace("-", " ")
    how = f"{picture.mode} ({source_space}) separated to CMYK, {intent}{kept}"
    if picture.mode == "CMYK" and not profile:
        how = f"CMYK, kept as it is{kept}"
    return Figure(name, how, sized_by_source, separation.image(picture), alpha, photo)


def _stand_in(figure: Figure, number: int) -> Image.Image:
    assert figure.pixels is not None
    colour = (number >> 16 & 255, number >> 8 & 255, number & 255)
    return Image.new("RGB", figure.pixels.size, colour)


def _number(pixel: tuple[int, int, int]) -> int:
    red, green, blue = pixel
    return red << 16 | green << 8 | blue


# -- SVG ---------------------------------------------------------------------------------------


def _svg(
    source: Path,
    target: Path,
    separation: Separation,
    raster_width: int,
    number: int,
    sized_by_source: bool,
) -> Figure:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.fromstring(source.read_bytes(), parser)
    except etree.XMLSyntaxError as error:
        raise SeparationError(f"it is not a readable SVG ({error})") from None
    reasons = sorted(
        {DRAWN_AS_PIXELS[_local(e.tag)] for e in root.iter() if _local(e.tag) in DRAWN_AS_PIXELS}
    )
    if not reasons:
        try:
            _map_colours(root, separation)
        except _Unmappable as unmappable:
            reasons = [str(unmappable)]
        else:
            target.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
            return Figure(
                source.name, "SVG kept as vectors, its colours mapped to CMYK", sized_by_source
            )
    drawn = _rasterise(source, raster_width)
    figure = _separated(drawn, None, separation, source.name, sized_by_source, photo=False)
    figure.how = f"SVG with {', '.join(reasons)}, drawn {drawn.width} px wide; {figure.how}"
    target.write_bytes(_svg_holding(root, _stand_in(figure, number)))
    return figure


class _Unmappable(Exception):
    """A colour value this module does not map to CMYK (the message names it)."""


def _map_colours(root: etree._Element, separation: Separation) -> None:
    """Every colour of the SVG as device-cmyk, in attributes, style attributes and style
    sheets. The root's defaults (black fill, black currentColor) become CMYK black too."""

    def value(text: str) -> str:
        stripped = text.strip()
        if stripped.lower() in {"none", "currentcolor", "inherit", ""}:
            return text
        colour = parse_color(stripped)
        if colour is None or isinstance(colour, str):
            raise _Unmappable(f"the colour {stripped!r}")
        if colour.space == "device-cmyk":
            return text
        if colour.space not in {"srgb", "hsl", "hwb"}:
            raise _Unmappable(f"the colour {stripped!r}")
        inks = separation.colour(*colour.to("srgb").coordinates)
        alpha = "" if colour.alpha == 1 else f" / {colour.alpha:g}"
        return "device-cmyk({}{})".format(" ".join(f"{v:g}" for v in inks), alpha)

    def declarations(text: str) -> str:
        parts = []
        for item in tinycss2.parse_blocks_contents(text, skip_comments=True, skip_whitespace=True):
            if item.type == "declaration":
                found = tinycss2.serialize(item.value)
                if item.lower_name in COLOUR_PROPERTIES:
                    found = value(found)
                important = " !important" if item.important else ""
                parts.append(f"{item.name}: {found.strip()}{important}")
            elif item.type == "error":
                raise _Unmappable(f"the style {text.strip()!r}")
        return "; ".join(parts)

    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name in COLOUR_PROPERTIES & set(element.attrib):
            element.set(name, value(element.get(name, "")))
        if "style" in element.attrib:
            element.set("style", declarations(element.get("style", "")))
        if _local(element.tag) == "style" and element.text:
            rules = []
            for rule in tinycss2.parse_stylesheet(
                element.text, skip_comments=True, skip_whitespace=True
            ):
                if rule.type != "qualified-rule":
                    raise _Unmappable("an @-rule in its style sheet")
                prelude = tinycss2.serialize(rule.prelude).strip()
                rules.append(f"{prelude} {{ {declarations(tinycss2.serialize(rule.content))} }}")
            element.text = "\n".join(rules)
    black = value("#000000")
    for name in ("fill", "color"):
        if name not in root.attrib:
            root.set(name, black)


def _rasterise(source: Path, width: int) -> Image.Image:
    """The SVG drawn `width` pixels wide by librsvg (Debian package librsvg2-bin)."""
    try:
        png = tools.run(
            "rsvg-convert",
            ["--width", str(width), "--keep-aspect-ratio", "--format", "png", source.name],
            cwd=source.parent,
            timeout=120,
        )
    except tools.ToolError as error:
        if error.how == "missing":
            raise SeparationError(
                "drawing it for print needs rsvg-convert; run `invoke setup` (librsvg2-bin)"
            ) from None
        raise SeparationError(f"rsvg-convert cannot draw it ({error.said})") from None
    with Image.open(io.BytesIO(png)) as drawn:
        drawn.load()
        return drawn.copy()


def _svg_holding(original: etree._Element, stand_in: Image.Image) -> bytes:
    """An SVG of the original's size (its width and height, else its viewBox's proportions)
    whose only content is the stand-in image, covering it."""
    wide, high = (str(v) for v in stand_in.size)
    root = etree.Element(
        f"{SVG}svg",
        nsmap={None: SVG[1:-1]},
        viewBox=f"0 0 {wide} {high}",
        preserveAspectRatio="none",
    )
    for name in ("width", "height"):
        if name in original.attrib:
            root.set(name, original.get(name, ""))
    png = io.BytesIO()
    stand_in.save(png, "PNG")
    etree.SubElement(
        root,
        f"{SVG}image",
        width=wide,
        height=high,
        href="data:image/png;base64," + base64.b64encode(png.getvalue()).decode(),
    )
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


# -- PDF ---------------------------------------------------------------------------------------


def _images(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Stream]:
    for item in pdf.objects:
        if isinstance(item, pikepdf.Stream) and item.get("/Subtype") == pikepdf.Name.Image:
            yield item


def _soft_mask(pdf: pikepdf.Pdf, alpha: Image.Image) -> pikepdf.Stream:
    mask = pdf.make_stream(zlib.compress(alpha.tobytes()))
    mask.Type = pikepdf.Name.XObject
    mask.Subtype = pikepdf.Name.Image
    mask.Width, mask.Height = alpha.size
    mask.ColorSpace = pikepdf.Name.DeviceGray
    mask.BitsPerComponent = 8
    mask.Filter = pikepdf.Name.FlateDecode
    return mask


def _sized_by_source(doc: Document) -> dict[Path, bool]:
    """Per image file: whether every place the source uses it gives a width or height."""
    sized: dict[Path, bool] = {}
    for node in nodes(list(_blocks(doc))):
        if node.get("t") == "Image":
            attributes = {key for key, _value in node["c"][0][2]}
            path = Path(node["c"][2][0])
            sized[path] = sized.get(path, True) and bool({"width", "height"} & attributes)
    return sized


def _blocks(doc: Document) -> Iterator[object]:
    for section in doc.sections:
        yield from section.plain
        for item in section.body:
            if isinstance(item, Disclaimer):
                yield from item.wording
                yield from item.plain
            else:
                yield item
