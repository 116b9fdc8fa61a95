"""A source's problems, gathered: each said with its file and line, and all of a file's
problems reported together, one line each (never only the first)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from pipeline.errors import UserError


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class SourceError(UserError):
    """A source document breaks the contract; `problems` says where and how to fix each."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


class Gathered:
    """One file's lines, as pandoc and editors count them, and the problems found in it so far
    (what every check of a source adds to)."""

    def __init__(self, shown: str, lines: list[str]):
        self.shown, self.lines = shown, lines
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str) -> None:
        line = max(line, 1)  # a position the line scan could not tell: the file's start
        # A quoted value may hold a line break or a control character: show it escaped, so
        # each problem stays one line of the report.
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
        self.problems.append(Problem(self.shown, line, shown))

    def line_of(self, needle: str) -> int:
        """The first line holding `needle` (or, for a URL pandoc escaped, its unescaped form)."""
        for text in (needle, unquote(needle)):
            line = next((i + 1 for i, line in enumerate(self.lines) if text in line), 0)
            if line:
                return line
        return 1

    def sorted_problems(self) -> list[Problem]:
        """Every problem once, by line: this file's first, then each passage's it includes."""
        order = {self.shown: ""}
        return sorted(
            dict.fromkeys(self.problems), key=lambda p: (order.get(p.file, p.file), p.line)
        )


def shown_path(path: Path, root: Path) -> str:
    """The path as the writer names it (a symbolic link is named, not followed)."""
    try:
        return (path.parent.resolve() / path.name).relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def quoted(text: str, limit: int = 50) -> str:
    """`text` quoted in a message, cut to about `limit` characters."""
    text = text.strip()
    return f'"{text if len(text) <= limit else text[: limit - 1] + "…"}"'
