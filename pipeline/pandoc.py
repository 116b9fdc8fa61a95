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
# Footnotes after the top-level block that holds their mark (our fragment), not at the end of
# everything: a format shows a fragment's notes with it.
NOTES_ARGS = ["--reference-location=block"]


@functools.cache
def api_version() -> list[int]:
    return list(
        json.loads(pypandoc.convert_text("", "json", format="markdown", verify_format=False))[
            "pandoc-api-version"
        ]
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
    out = pypandoc.convert_text(
        ast_document(wrapped),
        "html5",
        format="json",
        extra_args=[*SAFE_ARGS, *NOTES_ARGS],
        verify_format=False,  # pypandoc would run pandoc twice more to list its formats
    )
    root = lxml_html.fragment_fromstring(out, create_parent="div")
    mark_directions(root)
    found = [root.get_element_by_id(f"fragment-{i}") for i in range(len(fragments))]
    for fragment in found:
        _take_notes(fragment)
    return [inner_html(fragment).strip() for fragment in found]


def _take_notes(fragment: Any) -> None:
    """Move the footnotes pandoc writes after a fragment into it, at its end: each fragment
    then carries the notes of its own text wherever a format puts it."""
    while True:
        following = fragment.getnext()
        if following is None or "footnotes" not in (following.get("class") or "").split():
            return
        following.attrib.pop("id", None)  # "footnotes", "footnotes-2": may clash with the page's
        fragment.append(following)


def inner_html(element: Any) -> str:
    """The HTML inside `element`, without the element itself."""
    parts = [element.text or ""]
    parts += [lxml_html.tostring(child, encoding="unicode") for child in element]
    return "".join(parts)
