"""Pandoc, the one converter of body content, and the one way to run it: `run`.

Every pandoc call goes through `run`, which runs it with `--sandbox` (pandoc then reads no
file and no URL because of what a document says) unless the call says why it cannot. Body
content is converted here: AST fragments in, HTML out, in one call (`to_html`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lxml import html as lxml_html

from pipeline import tools
from pipeline.bidi import mark_directions
from pipeline.model import Block

SAFE_ARGS = ["--wrap=none"]
# Footnotes after the top-level block that holds their mark (our fragment), not at the end of
# everything: a format shows a fragment's notes with it.
NOTES_ARGS = ["--reference-location=block"]


def run(
    args: Sequence[str],
    input: str | bytes = b"",
    *,
    unsandboxed: str = "",
    timeout: float | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> bytes:
    """pandoc's output for `input` (text is given as UTF-8), in its sandbox; `unsandboxed`
    says why a call cannot be (and runs it without). tools.ToolError when pandoc fails."""
    data = input.encode("utf-8") if isinstance(input, str) else input
    sandbox = [] if unsandboxed else ["--sandbox"]
    return tools.run("pandoc", [*sandbox, *args], input=data, timeout=timeout, cwd=cwd, env=env)


@functools.cache
def api_version() -> list[int]:
    ast = json.loads(run(["--from=markdown", "--to=json"]))
    return list(ast["pandoc-api-version"])


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
    out = run(["--from=json", "--to=html5", *SAFE_ARGS, *NOTES_ARGS], ast_document(wrapped)).decode(
        "utf-8"
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
