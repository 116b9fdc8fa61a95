"""A source's body as pandoc reads it (pandoc's Markdown, auto identifiers off: a heading
without an explicit {#id} is reported, not guessed), at its real line numbers; and what pandoc
warns of, each said as a problem of ours: a heading or fence read as text, a div never closed,
a footnote or link defined twice, text that would be lost."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline import limits, pandoc
from pipeline.model import Block, Section
from pipeline.outline import Outline
from pipeline.problems import Gathered, Problem, quoted
from pipeline.text import nodes, stringify
from pipeline.tools import ToolError

PANDOC_FORMAT = "markdown-auto_identifiers"

MISREAD = {
    "after text": "{} is read as text because the line above it is not empty; "
    "put an empty line before it",
    "indented": "{} is read as text because it starts with spaces; "
    "start it at the beginning of the line",
    "no space": '{} is read as text; put a space after the "#"',
    "two colons": '{} is read as text; a div starts with three colons, ":::"',
    "closes nothing": 'this ":::" closes no div (one ":::" too many, or the div it closes '
    "was never opened); delete it or fix the div's first line",
}


def parse(found: Gathered, body_start: int) -> tuple[list[Block] | None, list[dict[str, Any]]]:
    """The body's blocks, and pandoc's warnings (read from its JSON log, so none reaches
    the terminal raw: each becomes a problem of ours, or is left out for a better one)."""
    # Metadata lines become blank lines, so pandoc sees the body at its real line numbers.
    body = "\n" * body_start + "\n".join(found.lines[body_start:]) + "\n"
    nesting = limits.NESTING
    too_deep = f'more than {nesting.most} {nesting.unit} (the limit "{nesting.name}")'
    with tempfile.NamedTemporaryFile(suffix=".json") as log:
        args = [f"--from={PANDOC_FORMAT}", "--to=json", "--quiet", f"--log={log.name}"]
        try:
            ast = json.loads(pandoc.run(args, body))
        except RecursionError:
            found.problem(body_start + 1, f"{too_deep}; flatten them")
            return None, []
        except ToolError as error:
            found.problem(1, f"pandoc cannot read the file: {error.said or error}")
            return None, []
        try:
            warnings = json.loads(Path(log.name).read_text(encoding="utf-8") or "[]")
        except ValueError:
            warnings = []
    depth, text = _deepest(ast["blocks"])
    if depth > limits.NESTING.most:
        found.problem(found.line_of(text) if text else body_start + 1, f"{too_deep}; flatten them")
        return None, []
    return list(ast["blocks"]), [w for w in warnings if isinstance(w, dict)]


def misread_structure(
    found: Gathered, outline: Outline, warnings: list[dict[str, Any]]
) -> list[Problem]:
    """The root causes of a broken structure: a heading or div fence that pandoc read as
    text (its words are in a paragraph), and a div never closed."""
    misread = outline.misread
    said = [
        Problem(found.shown, item.line, MISREAD[item.reason].format(quoted(item.text)))
        for item in misread
    ]
    for warning in warnings:
        if warning.get("type") != "UnclosedDiv":
            continue
        line = int((warning.get("openpos") or {}).get("line") or 1)
        if any(m.is_fence and m.line > line for m in misread):
            continue  # its ":::" is there, but read as text: said above
        opener = found.lines[line - 1] if 0 < line <= len(found.lines) else ":::"
        before = next((h for h in outline.headings if h > line), None)
        where = f", before line {before}" if before else ""
        said.append(
            Problem(
                found.shown,
                line,
                f'the div {quoted(opener)} is never closed (each ":::" '
                f'line closes the div opened last, so one is missing); add a line ":::" '
                f"where its text ends{where}",
            )
        )
    return said


def problems_of(
    found: Gathered, warnings: list[dict[str, Any]], sections: list[Section]
) -> list[Problem]:
    """Pandoc's other warnings, each as our own problem: each means text that would be
    lost or ignored."""
    ours = {section.id for section in sections}
    ours |= {disclaimer.id for section in sections for disclaimer in section.disclaimers}
    said = []
    for warning in warnings:
        kind, line = warning.get("type"), int(warning.get("line") or 1)
        key = str(warning.get("key") or warning.get("contents") or "")
        if kind == "UnclosedDiv" or (kind == "DuplicateIdentifier" and key in ours):
            continue  # said better by misread_structure and the loader's check of ids
        if kind == "NoteDefinedButNotUsed":
            message = (
                f"footnote [^{key}] is never used, so its text would be lost; put "
                f"[^{key}] where it belongs in the text, or delete the note"
            )
        elif kind == "DuplicateNoteReference":
            message = (
                f"footnote [^{key}] is defined twice and this text would be lost; "
                "give each note its own name"
            )
        elif kind == "DuplicateLinkReference":
            message = f"link {key} is defined twice and this one would be ignored; keep one"
        elif kind == "DuplicateIdentifier":
            uses = [i + 1 for i, text in enumerate(found.lines) if f"#{key}" in text]
            line = uses[1] if len(uses) > 1 else line
            message = f'id "{key}" is used twice; give each heading its own id'
        else:
            pretty = str(warning.get("pretty") or kind)
            message = "pandoc: " + re.sub(r" at line \d+ column \d+", "", pretty)
        said.append(Problem(found.shown, line, message))
    return said


def _deepest(blocks: list[Block]) -> tuple[int, str]:
    """How many AST nodes lie inside one another at the deepest point, and the first text
    there (to find its line). Iterative: the depth is what is being checked."""
    deepest, text = 0, ""
    stack: list[tuple[Any, int]] = [(blocks, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            depth += 1
            if depth > deepest and value.get("t") == "Str":
                deepest, text = depth, value["c"]
            deepest = max(deepest, depth)
            value = value.get("c")
        if isinstance(value, list):
            stack += [(item, depth) for item in reversed(value)]
    return deepest, text


def paragraph_lines(blocks: list[Block]) -> Iterator[str]:
    """The text of each line of every paragraph (where a misread heading or fence ends up)."""
    for node in nodes(blocks):
        if node.get("t") in {"Para", "Plain"}:
            line: list[Any] = []
            for inline in [*node["c"], {"t": "SoftBreak"}]:
                if inline.get("t") in {"SoftBreak", "LineBreak"}:
                    yield stringify(line)
                    line = []
                else:
                    line.append(inline)
