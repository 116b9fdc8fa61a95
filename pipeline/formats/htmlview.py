"""The document as HTML fragments, for every format drawn from HTML (page, PDFs, one-pager).

One pandoc call converts every fragment; images are renamed to files beside the output."""

from __future__ import annotations

import copy
import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from pipeline import pandoc
from pipeline.brand import Brand
from pipeline.model import Block, Disclaimer, Document
from pipeline.svgclean import clean_svg
from pipeline.text import alt_caption, nodes


@dataclass(frozen=True)
class DisclaimerView:
    id: str
    wording: Markup
    plain: Markup
    label: str | None = None
    """What its box is headed with, when its source says (`label="Call 911"`); None: the
    document language's "Important" (the templates' `labels("important")`)."""


@dataclass(frozen=True)
class SectionView:
    id: str
    title: str
    heading: Markup
    plain: Markup
    parts: tuple[Markup | DisclaimerView, ...]
    """Body HTML runs and disclaimers, in source order."""

    @property
    def disclaimers(self) -> tuple[DisclaimerView, ...]:
        return tuple(part for part in self.parts if isinstance(part, DisclaimerView))


@dataclass(frozen=True)
class ArticleView:
    sections: tuple[SectionView, ...]
    images: dict[str, Path]
    """Relative output path -> source file, for `copy_images`."""

    @property
    def disclaimers(self) -> tuple[DisclaimerView, ...]:
        return tuple(d for section in self.sections for d in section.disclaimers)

    def copy_images(self, out_dir: Path, shown_in: str | None = None) -> None:
        """The images beside the output; with `shown_in`, only those that HTML shows."""
        for relative, source in self.images.items():
            if shown_in is not None and relative not in shown_in:
                continue
            target = out_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.suffix.lower() == ".svg":  # published as a document: shapes only
                target.write_bytes(clean_svg(source.read_bytes()))
            else:
                shutil.copyfile(source, target)


def write_brand_assets(brand: Brand, out_dir: Path) -> Path:
    """The brand's fonts and logo into out_dir/assets/, beside the page: no CDN, works from
    file://. Returns the assets folder."""
    assets = out_dir / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    for path in (*brand.font_files, brand.path(brand.organisation["logo"])):
        shutil.copyfile(path, assets / path.name)
    return assets


def article_view(doc: Document) -> ArticleView:
    """The document's sections as HTML fragments: one pandoc call. A build makes it once per
    document and hands it to every format drawn from it, in its job."""
    images: dict[str, Path] = {}
    fragments: list[list[Block]] = []

    def add(blocks: Any) -> int:
        fragments.append(_with_local_images(list(blocks), images))
        return len(fragments) - 1

    plan = []
    for section in doc.sections:
        heading = add([{"t": "Plain", "c": list(section.heading)}])
        plain = add(section.plain)
        parts: list[int | tuple[Disclaimer, int, int]] = []
        run: list[Block] = []
        for item in section.body:
            if isinstance(item, Disclaimer):
                if run:
                    parts.append(add(run))
                    run = []
                parts.append((item, add(item.wording), add(item.plain)))
            else:
                run.append(item)
        if run:
            parts.append(add(run))
        plan.append((section, heading, plain, parts))

    html = [Markup(fragment) for fragment in pandoc.to_html(fragments)]
    sections = tuple(
        SectionView(
            id=section.id,
            title=section.title,
            heading=html[heading],
            plain=html[plain],
            parts=tuple(
                DisclaimerView(part[0].id, html[part[1]], html[part[2]], part[0].label)
                if isinstance(part, tuple)
                else html[part]
                for part in parts
            ),
        )
        for section, heading, plain, parts in plan
    )
    return ArticleView(sections=sections, images=images)


def _with_local_images(blocks: list[Block], images: dict[str, Path]) -> list[Block]:
    """`blocks`, or a copy whose images point at `images/<hash>-<name>` beside the output
    and whose figures print no copy of their alt text as a caption (text.alt_caption)."""
    if not any(node.get("t") == "Image" for node in nodes(blocks)):
        return blocks  # nothing to point elsewhere: no copy (copying took 60 ms a document)
    blocks = copy.deepcopy(blocks)
    for node in nodes(blocks):
        if node.get("t") == "Figure" and alt_caption(node):
            node["c"][1] = [None, []]  # the alt text describes the image: no caption
        if node.get("t") == "Image":
            source = Path(node["c"][2][0])
            # Named by content, not by path: a project moved elsewhere builds the same bytes.
            digest = hashlib.sha256(source.read_bytes()).hexdigest()[:8]
            relative = f"images/{digest}-{source.name}"
            images[relative] = source
            node["c"][2][0] = relative
    return blocks
