"""Where each heading and fenced div of a source starts, found in its lines the way pandoc
reads them (pandoc's Markdown AST has no positions), and the lines that look like a heading
or a div fence but that pandoc reads as plain text.

Pandoc's rules, as they matter here: a heading or a div opener starts at the beginning of a
line (or of a list item's text) and not straight after a line of text (that line's paragraph
swallows it); a `:::` line closes the div opened last, after text too; a `:::` with no div
open is text. Which lines pandoc did read as text is told by its AST; this says why."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
OPENER = re.compile(r":{3,}[ \t]*[^:\s]")
CLOSER = re.compile(r":{3,}[ \t]*$")
CODE_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
SETEXT = re.compile(r" {0,3}(?:=+|-+)[ \t]*")
"""`===` or `---` under a line of text: that text is a heading."""
INDENTED = re.compile(r"[ \t]+(#{1,6}[ \t]|:{3,})")
TWO_COLONS = re.compile(r"::[ \t]*[^:\s]")
LOOKS_OPENER = re.compile(r":{2,}[ \t]*[^:\s]")
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


def scan(lines: list[str], start: int, paragraph_lines: Iterable[str]) -> Outline:
    """The outline of `lines[start:]` (line numbers count from 1 in `lines`).
    `paragraph_lines`: the text of each line of every paragraph in pandoc's AST, in order:
    a line is read as text only if its words are there (each such line counts once)."""
    in_paragraphs = Counter(text_key(text) for text in paragraph_lines)

    def read_as_text(line: str) -> bool:
        key = text_key(line)
        if in_paragraphs[key] <= 0:
            return False
        in_paragraphs[key] -= 1
        return True

    outline = Outline()
    open_divs: list[int] = []  # the indent of each open div's opener
    code_fence = ""
    after_text = False  # the line before continues a paragraph, list item or quote
    misread_above = False  # ... and was itself a misread heading or fence
    lost_openers = 0  # div openers read as text: their ":::" closes nothing
    for number, line in enumerate(lines[start:], start + 1):
        code = CODE_FENCE.match(line)
        if code_fence:
            if code and code.group(1).startswith(code_fence):
                code_fence, after_text = "", False
            continue
        if code and _closed(code.group(1), lines[number:]):  # unclosed, it is text
            code_fence, after_text = code.group(1), False
            continue
        if not line.strip():
            after_text = misread_above = False
            continue
        if after_text and SETEXT.fullmatch(line) and number - 1 not in outline.headings:
            outline.headings.append(number - 1)
            after_text = False
            continue
        text = line.lstrip(" ")
        indent = len(line) - len(text)
        if CLOSER.match(text) and open_divs and indent == open_divs[-1]:
            open_divs.pop()  # pandoc closes the div opened last, after text too
            after_text = misread_above = False
            continue
        starts_block = indent <= 3 and (HEADING.match(text) or OPENER.match(text))
        # A heading or opener at the start of a line, not straight after text, starts its
        # block; after text, or indented (a list item's block, or text), the AST tells.
        if starts_block and ((not after_text and not indent) or not read_as_text(line)):
            if HEADING.match(text):
                outline.headings.append(number)
            else:
                outline.divs.append(number)
                open_divs.append(indent)
            after_text = misread_above = False
            continue
        reason = _reason(line, text, bool(starts_block), after_text)
        if reason and (starts_block or read_as_text(line)):
            # Not said: a line read as text because the line above was a misread one, and
            # the ":::" meant to close a div whose opener was read as text. Their cause is.
            if reason == "closes nothing" and lost_openers:
                lost_openers -= 1
            elif not (reason == "after text" and misread_above):
                outline.misread.append(Misread(number, line.strip(), reason))
            lost_openers += bool(LOOKS_OPENER.match(text))
            misread_above = True
        else:
            misread_above = False
        # A table row ends its table at the first line that is not a row.
        after_text = not text.startswith("|")
    return outline


def _reason(line: str, text: str, starts_block: bool, after_text: bool) -> str:
    """Why a line that looks like a heading or a fence would be read as text."""
    if starts_block and after_text:
        return "after text"
    if INDENTED.match(line):
        return "indented"
    if CLOSER.match(text):
        return "closes nothing"
    if NO_SPACE.match(text):
        return "no space"
    if TWO_COLONS.match(text):
        return "two colons"
    return ""


def _closed(fence: str, rest: list[str]) -> bool:
    """Does a line of the same character, at least as long, close this code fence?"""
    closing = re.compile(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*")
    return any(closing.fullmatch(line) for line in rest)


def text_key(text: str) -> str:
    """A line's text compared loosely: pandoc curls quotes, makes dashes and drops markup."""
    return "".join(char for char in text if char.isalnum() or char in ":#{}")
