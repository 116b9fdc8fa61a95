"""A source cut into what a translator translates: one segment per heading, paragraph, list
item, table cell, caption, image description, footnote paragraph, plain summary paragraph and
disclaimer paragraph, plus the title and the subtitle. Each has an id that is the part's id
and a path to it (`spine/body/2`, `not-a-cure/plain/1`, `how/body/3/2/1`, `bring/body/3/r2c1/1`),
so the same place has the same id in every export, and its text as `Content`: words, with the
inline markup (emphasis, links, code, footnote references, line breaks, images) as numbered
placeholders that carry the pandoc node they stand for.

The cut walks pandoc's reading of the source (the loader's), never its lines: whatever pandoc
reads, the walk reaches. The same walk puts translated text back (`Rewriter`): each segment's
blocks are rebuilt with the translation's words around the skeleton's own placeholders.
Includes of shared passages are not cut: each language's version is the passage's own."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline import resources
from pipeline.ingest.markdown import read_json
from pipeline.text import alt_caption

Inlines = list[dict[str, Any]]
Blocks = list[dict[str, Any]]

# Paired markup: XLIFF 1.2's <g>, with its ctype (the standard's where there is one).
PAIRED = {
    "Emph": "italic",
    "Strong": "bold",
    "Underline": "underlined",
    "Strikeout": "x-strikeout",
    "Superscript": "x-superscript",
    "Subscript": "x-subscript",
    "SmallCaps": "x-smallcaps",
    "Link": "link",
    "Span": "x-span",
}
# Markup that stands alone: XLIFF 1.2's <x/>.
ALONE = {
    "LineBreak": "lb",
    "Code": "x-code",
    "Image": "image",
    "Note": "x-footnote",
    "Cite": "x-citation",
    "Math": "x-math",
    "RawInline": "x-raw",
}
OPTIONAL = {"italic", "bold", "underlined", "x-strikeout", "x-smallcaps", "lb"}
"""Placeholders a translation may leave out (a language stresses words its own way); every
other one (a link, a note, an image, code) must come back exactly once."""
_QUOTES = {"DoubleQuote": ("\u201c", "\u201d"), "SingleQuote": ("\u2018", "\u2019")}
_SPACE = re.compile(r"[ \t\r\n]+")


@dataclass
class Tag:
    """A placeholder: `<g>` around words (`children`), or `<x/>` (children None)."""

    id: int
    ctype: str
    node: dict[str, Any] | None
    """The pandoc node it stands for (None in a translator's file until resolved)."""
    children: list[str | Tag] | None = None
    sub: str = ""
    """For a note or an image: the path of its own segments (`note1`, `alt1`)."""

    @property
    def paired(self) -> bool:
        return self.children is not None


Content = list[str | Tag]


@dataclass(frozen=True)
class Segment:
    id: str
    part: str
    """The section or disclaimer it belongs to ("" for the title and subtitle)."""
    section: str
    disclaimer: str | None
    role: str
    """title, subtitle, heading, plain, body, wording (a disclaimer's), disclaimer-plain."""
    kind: str
    """title, subtitle, heading, paragraph, item, cell, term, caption, image, note."""
    content: Content = field(compare=False)


def each_tag(content: Content, visit: Callable[[Tag], Content]) -> Content:
    """The content with its words kept and each placeholder replaced by what `visit` makes of
    it (the tag again, changed, its words alone, or nothing)."""
    out: Content = []
    for item in content:
        out += [item] if isinstance(item, str) else visit(item)
    return out


def text(content: Content) -> str:
    """The words alone (placeholders as nothing): what a reader compares."""
    return "".join(item if isinstance(item, str) else text(item.children or []) for item in content)


def signature(content: Content) -> str:
    """The content as one canonical string: words with white space collapsed, placeholders
    by id and kind. Two contents with the same signature say the same."""

    def walk(items: Content) -> Iterator[str]:
        for item in items:
            if isinstance(item, str):
                yield item
            elif item.children is None:
                yield f"\x00x{item.id}\x00"
            else:
                yield f"\x00g{item.id}\x00"
                yield from walk(item.children)
                yield f"\x00/g{item.id}\x00"

    return " ".join(_SPACE.sub(" ", "".join(walk(content))).split(" ")).strip()


def placeholders(content: Content) -> dict[int, Tag]:
    """Every placeholder in `content`, by id."""
    found: dict[int, Tag] = {}
    for item in content:
        if isinstance(item, Tag):
            found[item.id] = item
            found |= placeholders(item.children or [])
    return found


# -- reading a source ----------------------------------------------------------------------


@dataclass
class Parsed:
    """A source's text, read: its metadata lines' values and its body as pandoc reads it."""

    text: str
    meta: dict[str, Any]
    blocks: Blocks
    body_start: int
    """The index of the first body line."""


def parse(source_text: str) -> Parsed:
    """The body read as the loader reads it (metadata lines as blank lines, so pandoc's view
    keeps the file's lines), and the metadata as YAML. The source must load (checked
    before)."""
    import yaml

    lines = source_text.split("\n")
    end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() in {"---", "..."})
    meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    body = "\n" * (end + 1) + "\n".join(lines[end + 1 :]) + "\n"
    return Parsed(source_text, meta, list(read_json(body)["blocks"]), end + 1)


def sections(blocks: Blocks) -> tuple[Blocks, list[tuple[str, Blocks]]]:
    """The blocks before the first section (includes, at most), and each section's id with
    its blocks, heading first."""
    before: Blocks = []
    found: list[tuple[str, Blocks]] = []
    for block in blocks:
        if block["t"] == "Header" and block["c"][0] <= 2:
            found.append((block["c"][1][0], [block]))
        elif found:
            found[-1][1].append(block)
        else:
            before.append(block)
    return before, found


# -- the walk ------------------------------------------------------------------------------


class Walker:
    where: tuple[str, str, str | None] = ("", "", None)
    """The part, section and disclaimer the walk is in."""

    """Walks a source's sections, segment by segment; `leaf` decides what each segment's
    inlines become (the same, in a `Collector`; translated, in a `Rewriter`). Blocks are
    rebuilt as the walk goes, so the result is the source with each segment as `leaf` made
    it."""

    def document(self, meta: dict[str, Any], blocks: Blocks) -> tuple[dict[str, Any], Blocks]:
        meta = dict(meta)
        for key in ("title", "subtitle"):
            if isinstance(meta.get(key), str):
                meta[key] = self.meta(key, meta[key])
        before, found = sections(blocks)
        out = list(before)
        for ident, section in found:
            out += self.section(ident, section)
        return meta, out

    def meta(self, key: str, value: str) -> str:
        return value

    def section(self, ident: str, blocks: Blocks) -> Blocks:
        heading, rest = blocks[0], blocks[1:]
        self.where = (ident, ident, None)
        out = [self._header(heading, f"{ident}/heading", "heading", "heading")]
        body = 0
        for block in rest:
            if resources.is_include(block):
                out.append(block)
            elif block["t"] == "Div" and "plain" in block["c"][0][1] and not body:
                self.where = (ident, ident, None)
                out.append(self._div(block, self.blocks(block["c"][1], f"{ident}/plain", "plain")))
            elif block["t"] == "Div" and "disclaimer" in block["c"][0][1]:
                out.append(self.disclaimer(ident, block))
            else:
                body += 1
                self.where = (ident, ident, None)
                out += self.blocks([block], f"{ident}/body", "body", start=body)
        return out

    def disclaimer(self, section: str, block: dict[str, Any]) -> dict[str, Any]:
        ident = block["c"][0][0]
        self.where = (ident, section, ident)
        content: Blocks = []
        wording = 0
        for child in block["c"][1]:
            if child["t"] == "Div" and "plain" in child["c"][0][1]:
                plain = self.blocks(child["c"][1], f"{ident}/plain", "disclaimer-plain")
                content.append(self._div(child, plain))
            else:
                wording += 1
                content += self.blocks([child], f"{ident}/wording", "wording", start=wording)
        return self._div(block, content)

    def blocks(
        self, blocks: Blocks, path: str, role: str, start: int = 1, kind: str = "paragraph"
    ) -> Blocks:
        return [self.block(b, f"{path}/{n}", role, kind) for n, b in enumerate(blocks, start)]

    def block(
        self, block: dict[str, Any], path: str, role: str, kind: str = "paragraph"
    ) -> dict[str, Any]:
        name, content = block["t"], block.get("c", [])
        if name in {"Para", "Plain"}:
            return {"t": name, "c": self.leaf(path, content, role, kind)}
        if name == "Header":
            return self._header(block, path, role, "heading")
        if name == "LineBlock":
            joined = [node for i, line in enumerate(content) for node in _line(i, line)]
            return {"t": "LineBlock", "c": _lines(self.leaf(path, joined, role, kind))}
        if name == "BlockQuote":
            return {"t": name, "c": self.blocks(content, path, role, kind=kind)}
        if name == "Div":
            return self._div(block, self.blocks(content[1], path, role, kind=kind))
        if name == "BulletList":
            items = [self.blocks(item, f"{path}/{n}", role, kind="item") for n, item in _n(content)]
            return {"t": name, "c": items}
        if name == "OrderedList":
            items = [self.blocks(i, f"{path}/{n}", role, kind="item") for n, i in _n(content[1])]
            return {"t": name, "c": [content[0], items]}
        if name == "DefinitionList":
            return {
                "t": name,
                "c": [self._definition(d, f"{path}/{n}", role) for n, d in _n(content)],
            }
        if name == "Table":
            return self._table(block, path, role)
        if name == "Figure":
            return self._figure(block, path, role)
        return block  # code blocks, rules: nothing to translate

    def leaf(self, path: str, inlines: Inlines, role: str, kind: str) -> Inlines:
        raise NotImplementedError

    # -- containers --------------------------------------------------------------------------

    def _header(self, block: dict[str, Any], path: str, role: str, kind: str) -> dict[str, Any]:
        level, attr, inlines = block["c"]
        return {"t": "Header", "c": [level, attr, self.leaf(path, inlines, role, kind)]}

    @staticmethod
    def _div(block: dict[str, Any], content: Blocks) -> dict[str, Any]:
        return {"t": "Div", "c": [block["c"][0], content]}

    def _definition(self, item: list[Any], path: str, role: str) -> list[Any]:
        term, definitions = item
        term = self.leaf(f"{path}/term", term, role, "term")
        return [term, [self.blocks(d, f"{path}/{n}", role) for n, d in _n(definitions)]]

    def _table(self, block: dict[str, Any], path: str, role: str) -> dict[str, Any]:
        attr, caption, colspecs, head, bodies, foot = copy.deepcopy(block["c"])
        caption[1] = self.blocks(caption[1], f"{path}/caption", role, kind="caption")
        number = 0

        def rows(listed: list[Any]) -> list[Any]:
            nonlocal number
            out = []
            for row in listed:
                number += 1
                cells = []
                for c, cell in _n(row[1]):
                    cell[4] = self.blocks(cell[4], f"{path}/r{number}c{c}", role, kind="cell")
                    cells.append(cell)
                out.append([row[0], cells])
            return out

        head[1] = rows(head[1])
        for body in bodies:
            body[2], body[3] = rows(body[2]), rows(body[3])
        foot[1] = rows(foot[1])
        return {"t": "Table", "c": [attr, caption, colspecs, head, bodies, foot]}

    def _figure(self, block: dict[str, Any], path: str, role: str) -> dict[str, Any]:
        """A figure: its image's description, and its caption unless the caption is only
        that description (which no page prints: it becomes the translated description)."""
        attr, (short, caption), content = block["c"]
        if alt_caption(block):
            content = self.blocks(content, path, role)
            image = next(n for n in _nodes(content) if n.get("t") == "Image")
            caption = [{"t": "Plain", "c": copy.deepcopy(image["c"][1])}]
        else:
            caption = self.blocks(caption, f"{path}/caption", role, kind="caption")
            content = self.blocks(content, path, role)
        return {"t": "Figure", "c": [attr, [short, caption], content]}


def _n(listed: Sequence[Any]) -> Iterator[tuple[int, Any]]:
    return enumerate(listed, 1)


def _line(index: int, line: Inlines) -> Inlines:
    return ([{"t": "LineBreak"}] if index else []) + list(line)


def _lines(inlines: Inlines) -> list[Inlines]:
    """A line block's lines again: split at its top-level line breaks."""
    lines: list[Inlines] = [[]]
    for node in inlines:
        if node.get("t") == "LineBreak":
            lines.append([])
        else:
            lines[-1].append(node)
    return lines


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    from pipeline.text import nodes

    return nodes(value)


# -- inlines <-> content -------------------------------------------------------------------


class Collector(Walker):
    """Every segment of a source, in reading order."""

    def __init__(self) -> None:
        self.found: list[Segment] = []

    def meta(self, key: str, value: str) -> str:
        self.found.append(Segment(key, "", "", None, key, key, [value]))
        return value

    def leaf(self, path: str, inlines: Inlines, role: str, kind: str) -> Inlines:
        index = len(self.found)  # before its notes' and images' segments
        content = self.content(inlines, path, _Numbering(), role)
        part, section, disclaimer = self.where
        if text(content).strip() or any(t.ctype != "image" for t in placeholders(content).values()):
            self.found.insert(index, Segment(path, part, section, disclaimer, role, kind, content))
        return inlines

    def content(self, inlines: Inlines, path: str, table: _Numbering, role: str) -> Content:
        out: Content = []
        for node in inlines:
            kind, c = node["t"], node.get("c", [])
            if kind == "Str":
                out.append(c)
            elif kind in {"Space", "SoftBreak"}:
                out.append(" ")
            elif kind == "Quoted":
                opening, closing = _QUOTES[c[0]["t"]]
                out += [opening, *self.content(c[1], path, table, role), closing]
            elif kind in PAIRED:
                tag = Tag(table.next(), PAIRED[kind], node)
                inner = c[1] if kind in {"Link", "Span"} else c
                tag.children = self.content(inner, path, table, role)
                out.append(tag)
            else:
                tag = Tag(table.next(), ALONE.get(kind, "x-" + kind.lower()), node)
                if kind == "Note":
                    tag.sub = table.sub("note")
                    self.blocks(c, f"{path}/{tag.sub}", role, kind="note")
                elif kind == "Image":
                    tag.sub = table.sub("alt")
                    part, section, disclaimer = self.where
                    alt = self.content(c[1], f"{path}/{tag.sub}", _Numbering(), role)
                    if text(alt).strip():
                        self.found.append(
                            Segment(
                                f"{path}/{tag.sub}",
                                part,
                                section,
                                disclaimer,
                                role,
                                "image",
                                alt,
                            )
                        )
                out.append(tag)
        return out


class _Numbering:
    """Placeholder ids within one segment, and the ordinal of its notes and images."""

    def __init__(self) -> None:
        self.count = 0
        self.subs: dict[str, int] = {}

    def next(self) -> int:
        self.count += 1
        return self.count

    def sub(self, kind: str) -> str:
        self.subs[kind] = self.subs.get(kind, 0) + 1
        return f"{kind}{self.subs[kind]}"


def segments(parsed: Parsed) -> list[Segment]:
    """Every segment of a parsed source, in reading order (a note's after the text that
    refers to it)."""
    collector = Collector()
    collector.document(parsed.meta, parsed.blocks)
    return collector.found


def as_inlines(content: Content) -> Inlines:
    """Words and resolved placeholders as pandoc inlines (a placeholder's node rebuilt
    around its translated children)."""
    out: Inlines = []
    for item in content:
        if isinstance(item, str):
            out += _words(item)
            continue
        node = copy.deepcopy(item.node)
        assert node is not None
        if item.children is not None:
            inner = as_inlines(item.children)
            if node["t"] in {"Link", "Span"}:
                node["c"][1] = inner
            else:
                node["c"] = inner
        out.append(node)
    return _merged_spaces(out)


def _words(text: str) -> Inlines:
    out: Inlines = []
    for n, word in enumerate(_SPACE.split(text)):
        if n:
            out.append({"t": "Space"})
        if word:
            out.append({"t": "Str", "c": word})
    return out


def _merged_spaces(inlines: Inlines) -> Inlines:
    out: Inlines = []
    for node in inlines:
        if node["t"] == "Space" and out and out[-1]["t"] == "Space":
            continue
        if node["t"] == "Str" and out and out[-1]["t"] == "Str":
            out[-1] = {"t": "Str", "c": out[-1]["c"] + node["c"]}
            continue
        out.append(node)
    return out


class Rewriter(Walker):
    """The skeleton's segments with translated content: `translated(id)` gives a segment's
    content with its placeholders resolved, or None to keep the skeleton's words."""

    def __init__(self, translated: Callable[[str], Content | None]):
        self.translated = translated

    def meta(self, key: str, value: str) -> str:
        content = self.translated(key)
        return value if content is None else " ".join(text(content).split())

    def leaf(self, path: str, inlines: Inlines, role: str, kind: str) -> Inlines:
        content = self.translated(path)
        skeleton = Collector()
        skeleton.where = self.where
        own = skeleton.content(inlines, path, _Numbering(), role)  # its placeholders numbered
        chosen = own if content is None else content
        return self._resolved(as_inlines(chosen), path, placeholders(own), role)

    def _resolved(self, inlines: Inlines, path: str, own: dict[int, Tag], role: str) -> Inlines:
        """Notes and images rewritten in turn: a note's blocks, an image's description."""
        subs = {json.dumps(tag.node, sort_keys=True): tag.sub for tag in own.values() if tag.sub}

        def fix(node: dict[str, Any]) -> dict[str, Any]:
            sub = subs.get(json.dumps(node, sort_keys=True))
            if sub and node["t"] == "Note":
                return {
                    "t": "Note",
                    "c": self.blocks(node["c"], f"{path}/{sub}", role, kind="note"),
                }
            if sub and node["t"] == "Image":
                alt = self.translated(f"{path}/{sub}")
                if alt is not None:
                    return {"t": "Image", "c": [node["c"][0], as_inlines(alt), node["c"][2]]}
            return node

        return [fix(node) for node in inlines]
