"""Pandoc, the one converter of body content: AST fragments in, HTML out, in one call."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

import pypandoc
from lxml import html as lxml_html

from pipeline.bidi import mark_directions
from pipeline.model import Block

# --sandbox: pandoc reads no file and no URL because of what a document says.
SAFE_ARGS = ["--sandbox", "--wrap=none"]


@functools.cache
def api_version() -> list[int]:
    return list(
        json.loads(pypandoc.convert_text("", "json", format="markdown"))["pandoc-api-version"]
    )


def ast_document(blocks: Sequence[Block], meta: dict[str, Any] | None = None) -> str:
    """A pandoc JSON document of `blocks`, ready to hand back to pandoc."""
    return json.dumps(
        {"pandoc-api-version": api_version(), "meta": meta or {}, "blocks": list(blocks)}
    )


def to_html(fragments: Sequence[Sequence[Block]]) -> list[str]:
    """The HTML of each fragment (a list of blocks), converted together in one pandoc call.
    Each is wrapped in a div with a class: pandoc writes a div that has only an id and starts
    with a heading as that heading (the div's id on it, the blocks after it outside), which
    would cut a fragment that starts with a subheading down to the subheading."""
    wrapped = [
        {"t": "Div", "c": [[f"fragment-{i}", ["fragment"], []], list(blocks)]}
        for i, blocks in enumerate(fragments)
    ]
    out = pypandoc.convert_text(ast_document(wrapped), "html5", format="json", extra_args=SAFE_ARGS)
    root = lxml_html.fragment_fromstring(out, create_parent="div")
    mark_directions(root)
    return [
        inner_html(root.get_element_by_id(f"fragment-{i}")).strip() for i in range(len(fragments))
    ]


def inner_html(element: Any) -> str:
    """The HTML inside `element`, without the element itself."""
    parts = [element.text or ""]
    parts += [lxml_html.tostring(child, encoding="unicode") for child in element]
    return "".join(parts)
