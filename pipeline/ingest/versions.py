"""Each paragraph of a reviewed DOCX before and after its tracked changes, as pandoc inlines:
what pandoc's DOCX reader does well (runs to bold, italics, links and quotes; tracked changes
rejected with `--track-changes=reject`, accepted with `accept`). Its `all` mode keeps both in
one paragraph as spans, but moves a deletion's leading space out of its span, so the text
accepted from it would keep a space the reviewer deleted.

pandoc's blocks do not say which w:p each came from, so a copy of the DOCX gets a mark at
the start of every paragraph first (lxml). The copy also takes back formatting-only changes
(w:rPrChange, w:pPrChange), which are reported and otherwise ignored, and drops comments,
which `comments` reads with their replies (pandoc loses replies and point comments)."""

from __future__ import annotations

import copy
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from lxml import etree

from pipeline import pandoc
from pipeline.errors import UserError
from pipeline.ingest.markdown import Inlines
from pipeline.ingest.package import LIMITS, Package
from pipeline.ingest.paragraphs import W, body_paragraphs, note_paragraphs
from pipeline.text import nodes
from pipeline.tools import ToolError

_FOOTNOTES = "word/footnotes.xml"
_LARGE = 512 << 10
"""A word/document.xml this large (a long leaflet's is under 200 KB) is read by one pandoc
at a time."""
_MARK = re.compile(r"\u27e6P(\d+)\u27e7")
_SOFT_HYPHEN = "\u00ad"
_MARK_SPLIT = re.compile(r"(?=\u27e6P\d+\u27e7)")
_COMMENT_TAGS = (f"{W}commentRangeStart", f"{W}commentRangeEnd", f"{W}commentReference")
_WRAPPERS = {"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"}


@dataclass(frozen=True)
class Versions:
    before: Inlines
    """With every tracked change rejected."""
    after: Inlines
    """With every tracked change accepted."""


class VersionsError(UserError):
    pass


def read_versions(package: Package) -> dict[int, Versions]:
    """Paragraph index (as in `paragraphs.body_paragraphs`) -> its two versions. A paragraph
    pandoc leaves out of a version (deleted whole) is empty in it."""
    marked = package.pandoc_copy(_marked_parts(package))
    together = len(package.parts["word/document.xml"]) < _LARGE
    before, after = (_paragraphs(ast) for ast in _pandoc(marked, ("reject", "accept"), together))
    return {
        index: Versions(before.get(index, []), after.get(index, []))
        for index in sorted(before.keys() | after.keys())
    }


def _pandoc(docx: bytes, modes: tuple[str, ...], together: bool) -> list[dict[str, Any]]:
    """pandoc's AST of `docx` (given on its input: nothing is written to disk) with its
    tracked changes in each mode: side by side when `together`, else one after the other
    (a large document: their memory adds up)."""

    def read(mode: str) -> Any:
        args = ["--from=docx", "--to=json", f"--track-changes={mode}"]
        try:
            return json.loads(pandoc.run(args, docx, timeout=LIMITS.seconds))
        except ToolError as error:
            if error.how == "too slow":
                raise VersionsError(
                    f"pandoc took longer than {LIMITS.seconds} s to read it"
                ) from None
            raise VersionsError(f"pandoc cannot read the DOCX: {error.said}") from None

    if not together:
        return [read(mode) for mode in modes]
    with ThreadPoolExecutor(len(modes)) as pool:
        return list(pool.map(read, modes))


def _paragraphs(ast: dict[str, Any]) -> dict[int, Inlines]:
    found: dict[int, Inlines] = {}
    for inlines in _inline_runs(ast):
        for index, part in _split_at_marks(inlines):
            found[index] = _trimmed(_tidy(_unwrapped(part)))
    return found


def _marked_parts(package: Package) -> dict[str, bytes]:
    """The body and the footnotes with their paragraphs marked."""
    document = package.xml("word/document.xml")
    assert document is not None
    body = body_paragraphs(document)
    changed = {"word/document.xml": _marked(document, body, 0)}
    footnotes = package.xml(_FOOTNOTES)
    if footnotes is not None:
        notes = [p for _ident, p in note_paragraphs(footnotes)]
        changed[_FOOTNOTES] = _marked(footnotes, notes, len(body))
    return changed


def _marked(root: etree._Element, paragraphs: list[etree._Element], first: int) -> bytes:
    """The part with a mark at the start of each of `paragraphs` (numbered from `first`),
    formatting changes taken back and comments taken out."""
    for index, paragraph in enumerate(paragraphs, first):
        run = etree.Element(f"{W}r")
        etree.SubElement(run, f"{W}t").text = f"\u27e6P{index}\u27e7"
        properties = paragraph.find(f"{W}pPr")
        paragraph.insert(0 if properties is None else 1, run)
    for changed in list(root.iter(f"{W}rPrChange", f"{W}pPrChange")):
        _take_back(changed)
    for element in list(root.iter(*_COMMENT_TAGS)):
        parent = element.getparent()
        parent.remove(element)
        if parent.tag == f"{W}r" and not len(parent):
            parent.getparent().remove(parent)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _take_back(changed: etree._Element) -> None:
    """Put back the properties a formatting change replaced (its child is the old set)."""
    properties = changed.getparent()
    old = changed.find(f"{W}rPr" if changed.tag == f"{W}rPrChange" else f"{W}pPr")
    kept = {f"{W}rPr", f"{W}sectPr"} if changed.tag == f"{W}pPrChange" else set()
    for child in list(properties):
        if child.tag not in kept:
            properties.remove(child)
    for position, child in enumerate([] if old is None else list(old)):
        properties.insert(position, copy.deepcopy(child))


def _inline_runs(value: Any) -> list[Inlines]:
    """Every list of inlines that stands for a paragraph: Para, Plain, Header, a definition
    list's term, a footnote's paragraphs, a code block's text, and the title page's
    metadata (pandoc moves Title, Subtitle, Author and Date there)."""
    found: list[Inlines] = []

    def paragraph(inlines: Inlines) -> None:
        found.append(inlines)
        for note in (n for n in nodes(inlines) if n.get("t") == "Note"):
            walk(note["c"])  # its paragraphs carry marks of their own

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            kind = node.get("t")
            if kind in {"Para", "Plain", "MetaInlines", "Header"}:
                paragraph(node["c"][2] if kind == "Header" else node["c"])
            elif kind == "CodeBlock":  # one or more paragraphs in a code style
                text = node["c"][1]
                paragraph([{"t": "Str", "c": part} for part in _MARK_SPLIT.split(text) if part])
            elif kind == "DefinitionList":
                for term, definitions in node["c"]:
                    paragraph(term)
                    walk(definitions)
            else:
                walk(node.get("c"))
            if "t" not in node:  # the metadata map
                for item in node.values():
                    walk(item)

    walk(value.get("meta", {}))
    walk(value["blocks"])
    return found


def _split_at_marks(inlines: Inlines) -> list[tuple[int, Inlines]]:
    """The paragraphs in a list of inlines (one, unless pandoc joined some), by their marks."""
    parts: list[tuple[int, Inlines]] = []
    for inline in inlines:
        if inline.get("t") == "Str" and (mark := _MARK.match(inline["c"])):
            parts.append((int(mark.group(1)), []))
            rest = inline["c"][mark.end() :]
            if rest:
                parts[-1][1].append({"t": "Str", "c": rest})
        elif parts:
            parts[-1][1].append(inline)
    return parts


def _unwrapped(inlines: Inlines) -> Inlines:
    """The inlines with spans (bookmark anchors, styles) replaced by what they hold."""
    kept: Inlines = []
    for inline in inlines:
        kind = inline.get("t")
        if kind == "Span":
            kept += _unwrapped(inline["c"][1])
        elif kind in _WRAPPERS:
            kept.append({"t": kind, "c": _unwrapped(inline["c"])})
        elif kind == "Link":
            attr, content, target = inline["c"]
            kept.append({"t": kind, "c": [attr, _unwrapped(content), target]})
        elif kind == "Quoted":
            quote, content = inline["c"]
            kept.append({"t": kind, "c": [quote, _unwrapped(content)]})
        else:
            kept.append(inline)
    return kept


def _tidy(inlines: Inlines) -> Inlines:
    """Adjacent words joined, one space between words, no soft hyphens, and no empty
    formatting left behind by a deletion."""
    tidy: Inlines = []
    for inline in inlines:
        kind = inline.get("t")
        if kind in _WRAPPERS and not inline["c"]:
            continue
        if kind in {"Space", "SoftBreak"}:
            if tidy and tidy[-1]["t"] == "Space":
                continue
            inline = {"t": "Space"}
        if kind == "Str" and _SOFT_HYPHEN in inline["c"]:  # where Word may break a word
            inline = {"t": "Str", "c": inline["c"].replace(_SOFT_HYPHEN, "")}
        if kind == "Str" and tidy and tidy[-1]["t"] == "Str":
            tidy[-1] = {"t": "Str", "c": tidy[-1]["c"] + inline["c"]}
            continue
        if kind == "Str" and not inline["c"]:
            continue
        tidy.append(inline)
    return tidy


def _trimmed(inlines: Inlines) -> Inlines:
    start, end = 0, len(inlines)
    while start < end and inlines[start]["t"] == "Space":
        start += 1
    while end > start and inlines[end - 1]["t"] == "Space":
        end -= 1
    return inlines[start:end]
