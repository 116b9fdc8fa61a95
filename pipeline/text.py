"""Plain text out of pandoc AST values, as a reader of any output would see it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

_QUOTES = {"SingleQuote": ("\u2018", "\u2019"), "DoubleQuote": ("\u201c", "\u201d")}
_WRAPPERS = {"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"}


def stringify(inlines: Iterable[Any], addresses: bool = False) -> str:
    """The visible text of pandoc inlines. Images and footnotes are left out: they are not
    read in the flow of the text in every output. `addresses`: as printed on paper, each
    link with its address (`printed_link`)."""
    return "".join(_inline_text(inline, addresses) for inline in inlines)


def _inline_text(inline: Any, addresses: bool) -> str:
    kind, content = inline["t"], inline.get("c", [])
    if kind == "Str":
        return str(content)
    if kind in {"Space", "SoftBreak", "LineBreak"}:
        return " "
    if kind in _WRAPPERS:
        return stringify(content, addresses)
    if kind == "Link" and addresses:
        shown, address = printed_link(stringify(content[1], addresses), content[2][0])
        return shown + (f" ({address})" if address else "")
    if kind in {"Span", "Cite", "Link"}:
        return stringify(content[1], addresses)
    if kind == "Quoted":
        opening, closing = _QUOTES[content[0]["t"]]
        return opening + stringify(content[1], addresses) + closing
    if kind in {"Code", "Math"}:
        return str(content[1])
    return ""  # Image, Note, RawInline


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def printed_address(target: str) -> str | None:
    """Where a link goes, as paper shows it: a web address without its scheme or a closing
    slash (`medlineplus.gov/colonoscopy.html`), an e-mail address, a telephone number as
    the source writes it; None for a link to a part of the document itself."""
    scheme = urlsplit(target).scheme.lower()
    if scheme in ("http", "https"):
        return _SCHEME.sub("", target).rstrip("/")
    if scheme in ("mailto", "tel"):
        return unquote(target.split(":", 1)[1].split("?", 1)[0])
    return None


def printed_link(text: str, target: str) -> tuple[str, str | None]:
    """A link on paper: (its text, the address printed after it). The address is None when
    the text already says it (an address written as a link, `call 555-0100` for
    tel:+15555550100); a text that is the web address itself is printed in its short form."""
    address = printed_address(target)
    if address is None:
        return text, None
    said = text.strip()
    if _SCHEME.sub("", said).rstrip("/").casefold() == address.casefold():
        return address, None
    digits = re.sub(r"\D", "", said)
    if target.lower().startswith("tel:") and digits and re.sub(r"\D", "", address).endswith(digits):
        return text, None
    if said.casefold() == address.casefold():
        return text, None
    return text, address


def paragraphs(
    blocks: Iterable[Any], alt_captions: bool = True, addresses: bool = False
) -> Iterator[str]:
    """Each run of text a reader sees as one unit (paragraph, list item, heading, cell), in
    reading order. List markers and table rules fall between units, so formats may add them.
    `alt_captions=False` leaves out a figure's caption that is only its image's alt text
    (`alt_caption`), which the pages and the PDFs do not print; `addresses`: each link as
    paper prints it, with its address (`printed_link`)."""
    for block in blocks:
        kind, content = block["t"], block.get("c", [])
        inner = {"alt_captions": alt_captions, "addresses": addresses}
        if kind in {"Para", "Plain"}:
            text = stringify(content, addresses)
        elif kind == "Header":
            text = stringify(content[2], addresses)
        elif kind == "CodeBlock":
            text = content[1]
        elif kind == "LineBlock":
            text = " ".join(stringify(line, addresses) for line in content)
        elif kind == "BlockQuote":
            yield from paragraphs(content, **inner)
            continue
        elif kind == "Div":
            yield from paragraphs(content[1], **inner)
            continue
        elif kind == "BulletList":
            for item in content:
                yield from paragraphs(item, **inner)
            continue
        elif kind == "OrderedList":
            for item in content[1]:
                yield from paragraphs(item, **inner)
            continue
        elif kind == "DefinitionList":
            for term, definitions in content:
                yield stringify(term, addresses)
                for definition in definitions:
                    yield from paragraphs(definition, **inner)
            continue
        elif kind == "Figure":
            yield from paragraphs(content[2], **inner)
            if alt_captions or not alt_caption(block):
                yield from paragraphs(content[1][1], addresses=addresses)
            continue
        elif kind == "Table":
            yield from _table_paragraphs(content, alt_captions, addresses)
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


def _table_paragraphs(content: list[Any], alt_captions: bool, addresses: bool) -> Iterator[str]:
    _attr, caption, _colspecs, head, bodies, foot = content
    yield from paragraphs(caption[1], addresses=addresses)
    rows = list(head[1])
    for body in bodies:
        rows += body[2] + body[3]
    rows += foot[1]
    for row in rows:
        for cell in row[1]:
            yield from paragraphs(cell[4], alt_captions, addresses)


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
