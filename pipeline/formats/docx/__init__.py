"""The clinician's Word file: output/<id>/<id>.docx.

pandoc writes it from the model (styled by a reference document made from the brand), then
`finish` adds what pandoc cannot: properties, header and footer, Track Changes, locked
disclaimers, the source it was built from. Every section and disclaimer is a bookmark named
after its id (`bookmarks`), so a reviewer's edit maps back to its place in the source.

It holds everything a patient reads: each section's plain summary and each disclaimer's plain
wording too, in boxes labelled as the web page labels them. The labels are paragraphs in
their own styles (`labels`), which verification and ingest know are not content.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline import pandoc
from pipeline.brand import Brand
from pipeline.formats import Job
from pipeline.formats.docx import finish as docx_finish
from pipeline.formats.docx import images as docx_images
from pipeline.formats.docx.bookmarks import bookmark_name
from pipeline.formats.docx.labels import LABELS
from pipeline.formats.docx.reference import write_reference
from pipeline.labels import Labels
from pipeline.model import Block, Disclaimer, Document
from pipeline.pandoc import ast_document
from pipeline.text import nodes


def render(job: Job, out_dir: Path) -> Path:
    doc, brand = job.doc, job.brand
    target = (out_dir / job.file).resolve()
    labels = job.labels
    blocks = docx_images.sized(article_blocks(doc, labels), brand)
    with tempfile.TemporaryDirectory(prefix="docx-") as work:
        reference = write_reference(brand, Path(work) / "reference.docx", doc.lang)
        # Only the source folder may be read for images; none at all when there are none.
        source_dir = docx_images.source_folder(doc, blocks) or Path(work)
        blocks = docx_images.relative_to(blocks, source_dir)
        ast = ast_document(blocks, metadata(doc, brand, labels))
        _pandoc(ast, reference, source_dir, target, doc, docx_images.print_ppi(brand))
    docx_finish.finish(target, doc, brand, labels)
    return target


def article_blocks(doc: Document, labels: Labels) -> list[Block]:
    """The body pandoc gets: each section a level-1 heading (Word's Heading 1); its plain
    summary and each disclaimer's approved and plain wording in Divs whose custom-style names
    our Word style, each after its label; each disclaimer in a Div named by its bookmark."""
    blocks: list[Block] = []
    for section in doc.sections:
        heading = copy.deepcopy(list(section.heading))
        blocks.append(_header(1, bookmark_name(section.id), heading))
        blocks += _box("Plain Summary", section.plain, labels)
        for item in section.body:
            if isinstance(item, Disclaimer):
                parts = _box("Disclaimer", item.wording, labels)
                parts += _box("Disclaimer Plain", item.plain, labels)
                blocks.append({"t": "Div", "c": [[bookmark_name(item.id), [], []], parts]})
            else:
                blocks.append(_shift_headings(item))
    return blocks


def _box(style: str, content: Iterable[Block], labels: Labels) -> list[Block]:
    label_style, key = LABELS[style]
    words = [{"t": "Str", "c": word} for word in labels(key).split()]
    spaced = [node for word in words for node in ({"t": "Space"}, word)][1:]
    return [
        _styled_div("", label_style, [{"t": "Para", "c": spaced}]),
        _styled_div("", style, content),
    ]


def metadata(doc: Document, brand: Brand, labels: Labels) -> dict[str, Any]:
    """Title page and document properties. pandoc writes title, subject and author (the
    organisation) to the core properties, and any other key as a custom property."""
    organisation = brand.organisation
    fields = {
        "title": doc.title,
        "subtitle": doc.subtitle,
        "date": labels("last-reviewed", date=labels.date(doc.last_reviewed)),
        "lang": doc.lang,
        "subject": doc.subtitle or doc.title,
        "author": organisation["name"],
        "source-id": doc.id,
        "source-sha256": doc.source_sha256,
        "last-reviewed": doc.last_reviewed.iso,
    }
    return {key: _meta(value) for key, value in fields.items() if value is not None}


def _meta(value: str) -> dict[str, Any]:
    return {"t": "MetaString", "c": value}


def _header(level: int, ident: str, inlines: list[Any]) -> Block:
    return {"t": "Header", "c": [level, [ident, [], []], inlines]}


def _styled_div(ident: str, style: str, blocks: Iterable[Block]) -> Block:
    return {
        "t": "Div",
        "c": [[ident, [], [["custom-style", style]]], copy.deepcopy(list(blocks))],
    }


def _shift_headings(block: Block) -> Block:
    """A copy of `block` with subheadings one level up: ### is Word's Heading 2."""
    block = copy.deepcopy(block)
    for node in nodes(block):
        if node.get("t") == "Header":
            node["c"][0] = max(2, node["c"][0] - 1)
    return block


def _pandoc(
    ast: str, reference: Path, source_dir: Path, target: Path, doc: Document, ppi: int
) -> None:
    """pandoc, writing the DOCX. --dpi renders an SVG's PNG fallback at print resolution."""
    stamp = dt.datetime.combine(doc.last_reviewed.as_date(), dt.time(), dt.UTC).timestamp()
    pandoc.run(
        [
            "--from=json",
            "--to=docx",
            f"--reference-doc={reference}",
            f"--resource-path={source_dir}",
            f"--dpi={ppi}",
            f"--output={target}",
        ],
        ast,
        unsandboxed=(
            "the sandbox would refuse to read the images (and to run rsvg-convert for the PNG "
            "fallback of an SVG): the AST names only image files that the loader checked are "
            "inside the source folder, relative to it, and --resource-path is that folder alone"
        ),
        cwd=source_dir,
        # Same source, same bytes: pandoc dates the file from SOURCE_DATE_EPOCH.
        env={**os.environ, "SOURCE_DATE_EPOCH": str(int(stamp))},
    )
