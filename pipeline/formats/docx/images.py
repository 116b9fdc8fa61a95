"""Image sizes for the DOCX: every picture embedded whole and shown at print resolution.

pandoc embeds each file as it is; it only needs to know how wide to show it. A photo or
drawing (PNG, JPEG) is shown at the brand's print resolution (`print.min-image-dpi`), never
blown up beyond it; an SVG at its own size (CSS pixels, 96 per inch), with pandoc's PNG
fallback rendered at that resolution. Nothing is wider than the text column.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from pathlib import Path

from lxml import etree
from PIL import Image

from pipeline.brand import Brand
from pipeline.model import Block, Document
from pipeline.text import images, nodes

CSS_PX_PER_INCH = 96
_UNITS = {"in": 1.0, "mm": 1 / 25.4, "cm": 1 / 2.54, "pt": 1 / 72, "pc": 1 / 6, "px": 1 / 96}
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+)\s*(in|mm|cm|pt|pc|px)?\s*")


def inches(length: str) -> float:
    """A CSS length ("20mm", "8.5in", "300" = CSS pixels) in inches."""
    match = _LENGTH.fullmatch(length)
    if not match:
        raise ValueError(f"{length!r} is not a length like 20mm or 8.5in")
    return float(match.group(1)) * _UNITS[match.group(2) or "px"]


def text_width(brand: Brand) -> float:
    """Inches between the page margins."""
    page = brand.page
    return (
        inches(brand.page_size[0]) - inches(page["margin-inside"]) - inches(page["margin-outside"])
    )


def source_folder(doc: Document, blocks: Iterable[Block]) -> Path | None:
    """The folder the source file lives in, found from its images' absolute paths (the
    loader resolved them, and checked that each lies inside that folder)."""
    relative = Path(doc.source_path).parent
    for image in images(list(blocks)):
        for folder in image.parents:
            if (folder / Path(doc.source_path).name).is_file() and folder.as_posix().endswith(
                relative.as_posix()
            ):
                return folder
    return None


def sized(blocks: list[Block], brand: Brand) -> list[Block]:
    """A copy of `blocks` in which each image without a width has one."""
    blocks = copy.deepcopy(blocks)
    column = text_width(brand)
    for node in nodes(blocks):
        if node.get("t") != "Image":
            continue
        attributes = node["c"][0][2]
        if any(key in {"width", "height"} for key, _ in attributes):
            continue
        width = min(natural_width(Path(node["c"][2][0]), print_ppi(brand)), column)
        attributes.append(["width", f"{width:.3f}in"])
    return blocks


def print_ppi(brand: Brand) -> int:
    return int(brand.min_image_dpi)


def relative_to(blocks: list[Block], folder: Path) -> list[Block]:
    """A copy of `blocks` whose image paths are relative to `folder`, pandoc's only resource
    path. (pandoc 3.9 also skips the PNG fallback of an SVG named by an absolute path.)"""
    blocks = copy.deepcopy(blocks)
    for node in nodes(blocks):
        if node.get("t") == "Image":
            target = node["c"][2]
            target[0] = Path(target[0]).relative_to(folder).as_posix()
    return blocks


def natural_width(path: Path, ppi: int) -> float:
    """Inches: an SVG's own width, or a bitmap's pixels at `ppi`."""
    if path.suffix.lower() == ".svg":
        return _svg_width(path)
    with Image.open(path) as image:
        return image.width / ppi


def _svg_width(path: Path) -> float:
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    width = root.getroot().get("width")
    if width and not width.strip().endswith("%"):
        return inches(width)
    view_box = (root.getroot().get("viewBox") or "").replace(",", " ").split()
    if len(view_box) == 4:
        return float(view_box[2]) / CSS_PX_PER_INCH
    return 4.0  # no size at all: a sensible default rather than a hair-thin picture
