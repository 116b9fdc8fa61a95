"""Plain text out of pandoc AST values, as a reader of any output would see it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

_QUOTES = {"SingleQuote": ("\u2018", "\u2019"), "DoubleQuote": ("\u201c", "\u201d")}
_WRAPPERS = {"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"}


def stringify(inlines: Iterable[Any]) -> str:
    """The visible text of pandoc inlines. Images and footnotes are left out: they are not
    read in the flow of the text in every output."""
    return "".join(_inline_text(inline) for inline in inlines)


def _inline_text(inline: Any) -> str:
    kind, content = inline["t"], inline.get("c", [])
    if kind == "Str":
        return str(content)
    if kind in {"Space", "SoftBreak", "LineBreak"}:
        return " "
    if kind in _WRAPPERS:
        return stringify(content)
    if kind in {"Span", "Cite", "Link"}:
        return stringify(content[1])
    if kind == "Quoted":
        opening, closing = _QUOTES[content[0]["t"]]
        return opening + stringify(content[1]) + closing
    if kind in {"Code", "Math"}:
        return str(content[1])
    return ""  # Image, Note, RawInline


def paragraphs(blocks: Iterable[Any], alt_captions: bool = True) -> Iterator[str]:
    """Each run of text a reader sees as one unit (paragraph, list item, heading, cell), in
    reading order. List markers and table rules fall between units, so formats may add them.
    `alt_captions=False` leaves out a figure's caption that is only its image's alt text
    (`alt_caption`), which the pages and the PDFs do not print."""
    for block in blocks:
        kind, content = block["t"], block.get("c", [])
        if kind in {"Para", "Plain"}:
            text = stringify(content)
        elif kind == "Header":
            text = stringify(content[2])
        elif kind == "CodeBlock":
            text = content[1]
        elif kind == "LineBlock":
            text = " ".join(stringify(line) for line in content)
        elif kind == "BlockQuote":
            yield from paragraphs(content, alt_captions)
            continue
        elif kind == "Div":
            yield from paragraphs(content[1], alt_captions)
            continue
        elif kind == "BulletList":
            for item in content:
                yield from paragraphs(item, alt_captions)
            continue
        elif kind == "OrderedList":
            for item in content[1]:
                yield from paragraphs(item, alt_captions)
            continue
        elif kind == "DefinitionList":
            for term, definitions in content:
                yield stringify(term)
                for definition in definitions:
                    yield from paragraphs(definition, alt_captions)
            continue
        elif kind == "Figure":
            yield from paragraphs(content[2], alt_captions)
            if alt_captions or not alt_caption(block):
                yield from paragraphs(content[1][1])
            continue
        elif kind == "Table":
            yield from _table_paragraphs(content, alt_captions)
            continue
        else:
            continue
        if text.strip():
            yield text


def alt_caption(figure: dict[str, Any]) -> bool:
    """Is this figure's caption only its image's alt text? pandoc makes an image alone in
    its paragraph a figure captioned with its alt text: the alt text describes the image (a
    screen reader reads it), so the pages and the PDFs print no such caption. The DOCX keeps
    it, visible, for the clinicians who review what a screen reader will read."""
    _attr, (_short, caption), content = figure["c"]
    shown = [node for node in nodes(content) if node.get("t") == "Image"]
    return len(shown) == 1 and " ".join(paragraphs(caption)) == stringify(shown[0]["c"][1])


def _table_paragraphs(content: list[Any], alt_captions: bool) -> Iterator[str]:
    _attr, caption, _colspecs, head, bodies, foot = content
    yield from paragraphs(caption[1])
    rows = list(head[1])
    for body in bodies:
        rows += body[2] + body[3]
    rows += foot[1]
    for row in rows:
        for cell in row[1]:
            yield from paragraphs(cell[4], alt_captions)


def images(value: Any) -> list[Path]:
    """The image files the AST nodes in `value` show, in document order."""
    return [Path(node["c"][2][0]) for node in nodes(value) if node.get("t") == "Image"]


def nodes(value: Any) -> Iterator[dict[str, Any]]:
    """Every AST node (inline or block) in `value`, in document order."""
    if isinstance(value, dict):
        if "t" in value:
            yield value
        yield from nodes(value.get("c"))
    elif isinstance(value, list):
        for item in value:
            yield from nodes(item)
