"""Pandoc both ways for many short texts at once: inline Markdown to pandoc inlines, and
inlines back to Markdown, each in one pandoc call. And the text a reader compares."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from pipeline.pandoc import ast_document, run
from pipeline.text import paragraphs, stringify

Inlines = list[dict[str, Any]]

READ_FORMAT = "markdown-auto_identifiers"  # as the loader reads a source
# Quotes and dashes as characters: pandoc's smart writer escapes a straight apostrophe the
# reviewer typed (children\'s); read back, either reads the same.
WRITE_FORMAT = "markdown-smart"
# Each text is read after a mark and a space, so that its start is never read as block
# syntax ("1986. was" as a list, "# 1" as a heading) and quotes still open.
_GUARD = "\u2063"
_SEPARATOR = "INGEST-SEPARATOR-5f3a"
_BATCH = 1000
_QUOTES = str.maketrans("\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00a0", "''''\"\"\"\" ")


def plain(text: str) -> str:
    """Text as a reader compares it: Unicode composed, straight quotes, no non-breaking or
    repeated spaces. Case and punctuation count: a reviewer's fix may be only that."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    return " ".join(text.split())


def parse(texts: Sequence[str], definitions: str = "") -> list[Inlines]:
    """The pandoc inlines of each inline Markdown text (a paragraph's text without its block
    syntax), read as the loader reads a source, with the source's footnotes and link
    definitions (`definitions`) at hand."""
    if not texts:
        return []
    document = "".join(
        f"::: {{#t{i}}}\n{_GUARD} {text.strip()}\n:::\n\n" for i, text in enumerate(texts)
    )
    found: dict[str, Inlines] = {}
    for ident, content in _divs(document + definitions):
        inlines = content[0]["c"] if content and content[0]["t"] in {"Para", "Plain"} else []
        found[ident] = _unguarded(inlines)
    return [found.get(f"t{i}", []) for i in range(len(texts))]


def shown(blocks: Sequence[str], definitions: str = "") -> list[list[str]]:
    """What a reader sees of each block of Markdown (a table, a code block): its paragraphs,
    cells and lines, in reading order, as text to compare."""
    if not blocks:
        return []
    document = "".join(f"::: {{#b{i}}}\n{text.rstrip()}\n:::\n\n" for i, text in enumerate(blocks))
    found = {
        ident: [plain(text) for text in paragraphs(content) if plain(text)]
        for ident, content in _divs(document + definitions)
    }
    return [found.get(f"b{i}", []) for i in range(len(blocks))]


def _divs(document: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """The top-level divs of a Markdown document: (id, blocks)."""
    ast = read_json(document)
    return [(b["c"][0][0], b["c"][1]) for b in ast["blocks"] if b["t"] == "Div"]


def _unguarded(inlines: Inlines) -> Inlines:
    if inlines and inlines[0] == {"t": "Str", "c": _GUARD}:
        inlines = inlines[1:]
    elif inlines and inlines[0]["t"] == "Str" and inlines[0]["c"].startswith(_GUARD):
        inlines = [{"t": "Str", "c": inlines[0]["c"][1:]}, *inlines[1:]]
    while inlines and inlines[0]["t"] in {"Space", "SoftBreak"}:
        inlines = inlines[1:]
    return inlines


def write(lists: Sequence[Inlines]) -> list[str]:
    """Each list of inlines as one line of pandoc Markdown (a thousand in each pandoc call,
    so that a review with thousands of new paragraphs stays within memory)."""
    return [text for at in range(0, len(lists), _BATCH) for text in _write(lists[at : at + _BATCH])]


def _write(lists: Sequence[Inlines]) -> list[str]:
    if not lists:
        return []
    blocks: list[dict[str, Any]] = []
    for inlines in lists:
        if blocks:
            blocks.append({"t": "Para", "c": [{"t": "Str", "c": _SEPARATOR}]})
        blocks.append({"t": "Para", "c": list(inlines) or [{"t": "Str", "c": ""}]})
    out = pandoc(ast_document(blocks), "--from=json", f"--to={WRITE_FORMAT}", "--wrap=none")
    parts = re.split(rf"\n*^{_SEPARATOR}$\n*", out.strip("\n"), flags=re.MULTILINE)
    if len(parts) != len(lists):
        raise RuntimeError("pandoc wrote a different number of paragraphs than it was given")
    return [part.strip() for part in parts]


def pandoc(text: str, *args: str) -> str:
    """pandoc's output for `text`, in its sandbox."""
    return run(args, text).decode("utf-8")


def read_json(text: str) -> dict[str, Any]:
    """pandoc's AST of Markdown, read as the loader reads a source."""
    ast: dict[str, Any] = json.loads(pandoc(text, f"--from={READ_FORMAT}", "--to=json"))
    return ast


def text_of(inlines: Inlines) -> str:
    return plain(stringify(inlines))
