"""Where each heading and fenced div of a source starts, found in its lines the way pandoc
reads them (pandoc's Markdown AST has no positions), and the lines that look like a heading
or a div fence but that pandoc reads as plain text.

Pandoc's rules, as they matter here: a heading or a div opener starts at the beginning of a
line (or of a list item's text) and not straight after a line of text (that line's paragraph
swallows it); a `:::` line closes the div opened last, after text too; a `:::` with no div
open is text. Which lines pandoc did read as text is told by its AST; this says why."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
OPENER = re.compile(r":{3,}[ \t]*[^:\s]")
CLOSER = re.compile(r":{3,}[ \t]*$")
CODE_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
SETEXT = re.compile(r" {0,3}(?:=+|-+)[ \t]*")
"""`===` or `---` under a line of text: that text is a heading."""
INDENTED = re.compile(r" {1,3}(#{1,6}[ \t]|:{3,})")
TWO_COLONS = re.compile(r"::[ \t]*[^:\s]")
NO_SPACE = re.compile(r"#{1,6}[^#\s].*\{#|#{2,6}[^#\s]")
"""`##Heading` or `#Heading {#id}`: meant as a heading, read as text."""


@dataclass(frozen=True)
class Misread:
    """A line that looks like a heading or a div fence and that pandoc reads as text."""

    line: int
    text: str
    reason: str
    """"after text", "indented", "no space", "two colons" or "closes nothing"."""

    @property
    def is_fence(self) -> bool:
        return self.text.lstrip().startswith("::")


@dataclass
class Outline:
    headings: list[int] = field(default_factory=list)
    """Lines of the headings pandoc reads, in order."""
    divs: list[int] = field(default_factory=list)
    """Lines of the div openers pandoc reads, in order."""
    misread: list[Misread] = field(default_factory=list)


def scan(lines: list[str], start: int, read_as_text: Callable[[str], bool]) -> Outline:
    """The outline of `lines[start:]` (line numbers count from 1 in `lines`).
    `read_as_text(line)`: does pandoc's AST hold this line's text in a paragraph?"""
    outline = Outline()
    open_divs: list[int] = []  # the indent of each open div's opener
    code_fence = ""
    after_text = False  # the line before continues a paragraph, list item or quote
    for number, line in enumerate(lines[start:], start + 1):
        code = CODE_FENCE.match(line)
        if code_fence:
            if code and code.group(1).startswith(code_fence):
                code_fence, after_text = "", False
            continue
        if code:
            code_fence, after_text = code.group(1)[0] * 3, False
            continue
        if not line.strip():
            after_text = False
            continue
        if after_text and SETEXT.fullmatch(line) and number - 1 not in outline.headings:
            outline.headings.append(number - 1)
            after_text = False
            continue
        text = line.lstrip(" ")
        indent = len(line) - len(text)
        if CLOSER.match(text) and open_divs and indent == open_divs[-1]:
            open_divs.pop()
            after_text = False
            continue
        starts_block = indent <= 3 and (HEADING.match(text) or OPENER.match(text))
        if starts_block and not read_as_text(line):
            if HEADING.match(text):
                outline.headings.append(number)
            else:
                outline.divs.append(number)
                open_divs.append(indent)
            after_text = False
            continue
        reason = (
            ""
            if indent > 3 or not read_as_text(line)
            else "after text"
            if starts_block and after_text
            else "indented"
            if indent and (starts_block or CLOSER.match(text))
            else "closes nothing"
            if CLOSER.match(text)
            else "no space"
            if NO_SPACE.match(text)
            else "two colons"
            if TWO_COLONS.match(text)
            else ""
        )
        if reason:
            outline.misread.append(Misread(number, line.strip(), reason))
        # A table row ends its table at the first line that is not a row.
        after_text = not text.startswith("|")
    return outline


def text_key(text: str) -> str:
    """A line's text compared loosely: pandoc curls quotes, makes dashes and drops markup."""
    return "".join(char for char in text if char.isalnum() or char in ":#{}")
