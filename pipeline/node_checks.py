"""The checks of one node of a source's body, wherever it stands: the resource policy of
pipeline/resources.py (figures, links, classes and attributes, raw markup), the limits of one
heading, paragraph or table (pipeline/limits.py), and, in approved wording, no character that
draws nothing (pipeline/invisible.py). Each problem is said at the line holding the node."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline import invisible, limits, resources
from pipeline.model import Block
from pipeline.problems import Gathered
from pipeline.text import paragraphs, stringify


class NodeChecks:
    """The checks of one file's nodes, with what they remember across nodes: the pixels of
    each bitmap figure (counted once), and each raw opening tag said (one message for
    <b>...</b>)."""

    def __init__(self, found: Gathered, folder: Path):
        self.found, self.folder = found, folder
        """`folder`: where the file's relative figure paths start."""
        self.figures: dict[Path, int] = {}
        """Each bitmap figure's pixels."""
        self.tags_said: set[tuple[int, str]] = set()

    def invisible_in(self, wording: list[Block], where: str, line: int) -> None:
        """Approved wording shows exactly what it says: no character in it draws nothing
        (pipeline.invisible), each named at the first line from the disclaimer's on that
        holds it."""
        for text in _strings(wording):
            for _index, char in invisible.invisible(text):
                at = next(
                    (
                        i + 1
                        for i in range(line - 1, len(self.found.lines))
                        if char in self.found.lines[i]
                    ),
                    line,
                )
                fix = (
                    "a joiner belongs only between two letters of a script that joins them"
                    if char in (invisible.ZWJ, invisible.ZWNJ)
                    else "for right-to-left words write [words]{dir=rtl}; otherwise delete it"
                )
                self.found.problem(
                    at,
                    f"{where} holds the invisible character {invisible.name(char)}: approved "
                    f"wording must show a reader exactly what it says; {fix}",
                )

    def size_of(self, node: Block) -> None:
        """limits.py for this one node: a heading's or a paragraph's length, a table's rows."""
        kind = node.get("t")
        if kind == "Header" or kind in {"Para", "Plain"}:
            inlines = node["c"][2] if kind == "Header" else node["c"]
            text = stringify(inlines)
            limit = limits.HEADING if kind == "Header" else limits.PARAGRAPH
            if len(text) > limit.most:
                what = "the heading is" if kind == "Header" else "the paragraph is"
                self.found.problem(self.found.line_of(text[:40]), limit.exceeded(what, len(text)))
        elif kind == "Table":
            head, rows = _table_rows(node)
            if len(rows) > limits.TABLE_ROWS.most:
                cells = [" ".join(paragraphs(cell[4])) for cell in (head + rows)[0][1]]
                line = next(
                    (
                        i
                        for i, text in enumerate(self.found.lines, 1)
                        if all(c in text for c in cells)
                    ),
                    1,
                )  # the first line holding every cell of the first row
                self.found.problem(line, limits.TABLE_ROWS.exceeded("the table has", len(rows)))

    def resources_in(self, node: Block, where: str) -> None:
        """The resource policy (pipeline.resources) for this one node, not its children."""
        if node.get("t") == "Image":
            self._check_image(node, where)
        for needle, message in resources.node_problems(node, where):
            line = self.found.line_of(needle)
            if node.get("t") in {"RawBlock", "RawInline"} and self._tag_said(node, line):
                continue
            self.found.problem(line, message)

    def _tag_said(self, raw: Block, line: int) -> bool:
        """Is this raw HTML a closing tag whose opening tag was reported on its line? (One
        message for <b>...</b>.)"""
        tag = re.match(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)", raw["c"][1].strip())
        if not tag:
            return False
        key = (line, tag.group(2).lower())
        if tag.group(1):
            return key in self.tags_said
        self.tags_said.add(key)
        return False

    def _check_image(self, image: dict[str, Any], where: str) -> None:
        _attr, alt, (target, _title) = image["c"]
        line = self.found.line_of(target)
        if not stringify(alt).strip():
            self.found.problem(
                line,
                f'image "{target}" in {where} has no alt text; '
                f"write ![what the image shows]({target})",
            )
        try:
            path = resources.image_file(target, self.folder)
        except resources.Refused as refused:
            self.found.problem(line, f'image "{target}" in {where} {refused}')
        else:
            image["c"][2][0] = path.as_posix()
            self._count_pixels(path, line, f'image "{target}" in {where}')

    def _count_pixels(self, path: Path, line: int, image: str) -> None:
        """limits.DOCUMENT_PIXELS: every bitmap figure of the document, each counted once."""
        if path in self.figures or path.suffix.lower() == ".svg":
            return
        self.figures[path] = resources.figure_pixels(path) or 0
        total, limit = sum(self.figures.values()), limits.DOCUMENT_PIXELS
        if total > limit.most and total - self.figures[path] <= limit.most:  # said once
            self.found.problem(line, limit.exceeded(f"{image} brings its figures to", total))


def _table_rows(table: Block) -> tuple[list[Any], list[Any]]:
    """A pandoc table's header rows, and its other rows (each body's, and its foot's)."""
    _attr, _caption, _columns, head, bodies, foot = table["c"]
    rows = []
    for body in bodies:
        rows += body[2] + body[3]
    return list(head[1]), rows + list(foot[1])


def _strings(value: Any) -> Iterator[str]:
    """Every text in a pandoc AST value (not its node types)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "t":
                yield from _strings(item)
