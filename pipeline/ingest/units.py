"""A source file cut into units a reviewer's edit can replace: each paragraph, list item,
heading, table row, fence and blank line, with where it stands (section, disclaimer, plain
summary or wording) and the spans of its text (slots) that a DOCX paragraph shows.

The cut works on the file's lines, so everything outside the slots (metadata, ids, fenced
divs, list markers, table pipes, line breaks) stays byte for byte. What it cannot read as one
of these is one opaque unit: an edit there is reported, never guessed."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

# What a paragraph a reader sees stands in, in the DOCX's terms.
TITLE, SUBTITLE, HEADING, PLAIN, BODY, WORDING, DISCLAIMER_PLAIN = (
    "title", "subtitle", "heading", "plain", "body", "wording", "disclaimer-plain",
)  # fmt: skip

_BLANK = re.compile(r"[ \t]*\r?\n?")
_FENCE = re.compile(r" {0,3}(:{3,})[ \t]*(.*?)[ \t]*:*[ \t]*\r?\n?")
_CODE_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"( {0,3}(#{1,6})[ \t]+)(.*?)([ \t]+(?:\{[^}]*\}|#+))*[ \t]*\r?\n?")
_ITEM = re.compile(r"([ \t]*)([-+*]|\d{1,9}[.)]|#[.)])([ \t]+)(?=\S)")
_TABLE_RULE = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*\r?\n?")
_CAPTION = re.compile(r"( {0,3}(?:Table)?:[ \t]+)(?=\S)")
_QUOTE = re.compile(r" {0,3}>")
_FIGURE = re.compile(r"[ \t]*!\[((?:[^\]\\]|\\.)*)\]\([^)]*\)(\{[^}]*\})?[ \t]*\r?\n?")
_META_VALUE = re.compile(r"(title|subtitle)[ \t]*:[ \t]*(.*?)[ \t]*\r?\n?")


@dataclass(frozen=True)
class Slot:
    """A span of the file's text that one DOCX paragraph shows (without block syntax)."""

    start: int
    end: int
    role: str
    section: str | None
    disclaimer: str | None
    kind: str
    """The unit's kind: "meta", "heading", "para", "item", "cell", "caption", "figure"."""


@dataclass
class Unit:
    start: int
    end: int
    kind: str
    """ "blank", "meta", "fence", "heading", "para", "item", "row", "rule", "caption",
    "figure", "code", "quote" or "other"."""
    role: str
    """Where a paragraph just after this unit would stand: the container it leaves open."""
    section: str | None
    disclaimer: str | None
    slots: list[Slot] = field(default_factory=list)
    indent: str = ""
    marker: str = ""
    """For a list item: its indentation and marker ("-", "1.")."""
    level: int = 0
    """For a heading: its level."""
    order: float = 0
    """Where a reader meets it: its place in the file, except a table's caption written
    after the table, which every output shows before it."""


@dataclass
class Source:
    text: str
    units: list[Unit]

    @property
    def slots(self) -> list[Slot]:
        """Every slot, in reading order."""
        ordered = sorted(self.units, key=lambda unit: unit.order)
        return [slot for unit in ordered for slot in unit.slots]

    def markdown(self, slot: Slot) -> str:
        """The slot's inline Markdown (a quote's lines without their `>`)."""
        text = self.text[slot.start : slot.end]
        if slot.kind == "quote":
            text = re.sub(r"\n[ \t]*>[ \t]?", "\n", text)
        return text

    def unit_of(self, slot: Slot) -> Unit:
        return next(unit for unit in self.units if slot in unit.slots)

    def unit_texts(self) -> list[str]:
        return [self.text[unit.start : unit.end] for unit in self.units]


def read(text: str) -> Source:
    return _Cutter(text).source()


def _fence_attributes(spec: str) -> tuple[list[str], str]:
    """Classes and id of a fenced div's opener: `plain`, `{.disclaimer #id}`."""
    spec = spec.strip()
    if spec.startswith("{") and spec.endswith("}"):
        words = spec[1:-1].split()
        classes = [word[1:] for word in words if word.startswith(".")]
        ident = next((word[1:] for word in words if word.startswith("#")), "")
        return classes, ident
    return spec.split(), ""


class _Cutter:
    def __init__(self, text: str):
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.offsets = [0]
        for line in self.lines:
            self.offsets.append(self.offsets[-1] + len(line))
        self.units: list[Unit] = []
        self.section: str | None = None
        # Open fenced divs: (role inside, disclaimer id inside).
        self.fences: list[tuple[str, str | None]] = []

    # -- where we are -----------------------------------------------------------------------

    @property
    def role(self) -> str:
        return self.fences[-1][0] if self.fences else BODY

    @property
    def disclaimer(self) -> str | None:
        return self.fences[-1][1] if self.fences else None

    def add(self, first: int, last: int, kind: str, **extra: object) -> Unit:
        unit = Unit(
            self.offsets[first],
            self.offsets[last + 1],
            kind,
            self.role,
            self.section,
            self.disclaimer,
            order=len(self.units),
            **extra,  # type: ignore[arg-type]
        )
        self.units.append(unit)
        return unit

    def slot(self, unit: Unit, start: int, end: int, kind: str, role: str = "") -> None:
        unit.slots.append(Slot(start, end, role or unit.role, unit.section, unit.disclaimer, kind))

    # -- the cut ------------------------------------------------------------------------------

    def source(self) -> Source:
        index = self.front_matter()
        while index < len(self.lines):
            index = self.block(index)
        return Source(self.text, self.units)

    def front_matter(self) -> int:
        if not self.lines or self.lines[0].strip() != "---":
            return 0
        end = next(
            (i for i, line in enumerate(self.lines[1:], 1) if line.strip() in {"---", "..."}),
            None,
        )
        if end is None:
            return 0
        for number in range(end + 1):
            unit = self.add(number, number, "meta")
            match = _META_VALUE.fullmatch(self.lines[number])
            if match and match.group(2):
                start = self.offsets[number] + match.start(2)
                self.slot(unit, start, start + len(match.group(2)), "meta", match.group(1))
        return end + 1

    def block(self, index: int) -> int:
        line = self.lines[index]
        if _BLANK.fullmatch(line):
            self.add(index, index, "blank")
            return index + 1
        if code := _CODE_FENCE.match(line):
            return self.code(index, code.group(1))
        if fence := _FENCE.fullmatch(line):
            self.fence(index, fence.group(2))
            return index + 1
        if heading := _HEADING.fullmatch(line):
            self.heading(index, heading)
            return index + 1
        if line.lstrip().startswith("|"):
            return self.table_row(index)
        caption = _CAPTION.match(line)
        if caption and self.after_table():
            first_row = self.table_start()
            end = self.paragraph(index, "caption", len(caption.group(1)))
            self.units[-1].order = first_row.order - 0.5
            return end
        if item := _ITEM.match(line):
            return self.paragraph(index, "item", item.end(), item.group(1), item.group(2))
        if quote := _QUOTE.match(line):
            return self.quote(index, quote.end())
        if (figure := _FIGURE.fullmatch(line)) and self.ends_paragraph(index):
            unit = self.add(index, index, "figure")
            start = self.offsets[index] + figure.start(1)
            self.slot(unit, start, start + len(figure.group(1)), "figure")
            return index + 1
        indent = len(line) - len(line.lstrip(" \t"))
        return self.paragraph(index, "para", indent)

    def table_start(self) -> Unit:
        """The first row of the table just before (blank lines aside)."""
        at = len(self.units) - 1
        while self.units[at].kind == "blank":
            at -= 1
        while at > 0 and self.units[at - 1].kind in {"row", "rule"}:
            at -= 1
        return self.units[at]

    def after_table(self) -> bool:
        previous = [unit.kind for unit in self.units if unit.kind != "blank"][-1:]
        return previous in (["row"], ["rule"])

    def ends_paragraph(self, index: int) -> bool:
        return index + 1 >= len(self.lines) or bool(_BLANK.fullmatch(self.lines[index + 1]))

    @staticmethod
    def ends_text(line: str, in_list: bool) -> bool:
        """Does `line` end the paragraph before it? As pandoc reads it: a blank line or a
        div fence ends any paragraph; a list item ends only a paragraph inside a list (a
        top-level paragraph needs a blank line before a list, a heading or a table)."""
        return bool(
            _BLANK.fullmatch(line) or _FENCE.fullmatch(line) or (in_list and _ITEM.match(line))
        )

    def paragraph(
        self, index: int, kind: str, skip: int, indent: str = "", marker: str = ""
    ) -> int:
        """A paragraph, list item or caption and its continuation lines; its slot is its
        text after the block syntax, up to the last line's end (without the line break)."""
        in_list = kind == "item" or skip > 0
        last = index
        while last + 1 < len(self.lines) and not self.ends_text(self.lines[last + 1], in_list):
            last += 1
        unit = self.add(index, last, kind, indent=indent, marker=marker)
        end = self.offsets[last] + len(self.lines[last].rstrip("\r\n"))
        slot_kind = {"para": "para", "item": "item", "caption": "caption"}[kind]
        self.slot(unit, self.offsets[index] + skip, end, slot_kind)
        return last + 1

    def quote(self, index: int, skip: int) -> int:
        """A block quote's paragraph: its slot is its text after the first `>`; the `>` of
        the lines after it are left out when the slot is read (Source.markdown)."""
        last = index
        while last + 1 < len(self.lines):
            marker = _QUOTE.match(self.lines[last + 1])
            if marker is None or _BLANK.fullmatch(self.lines[last + 1][marker.end() :]):
                break  # the quote, or its paragraph, ends
            last += 1
        unit = self.add(index, last, "quote")
        start = self.offsets[index] + skip + (1 if self.lines[index][skip : skip + 1] == " " else 0)
        end = self.offsets[last] + len(self.lines[last].rstrip("\r\n"))
        self.slot(unit, start, end, "quote")
        return last + 1

    def opaque(self, index: int, kind: str) -> int:
        last = index
        while last + 1 < len(self.lines) and not _BLANK.fullmatch(self.lines[last + 1]):
            last += 1
        self.add(index, last, kind)
        return last + 1

    def code(self, index: int, fence: str) -> int:
        last = index + 1
        while last < len(self.lines) and not self.lines[last].strip().startswith(fence):
            last += 1
        self.add(index, min(last, len(self.lines) - 1), "code")
        return last + 1

    def fence(self, index: int, spec: str) -> None:
        if not spec:  # a closer
            self.add(index, index, "fence")
            if self.fences:
                self.fences.pop()
            self.units[-1].role = self.role
            self.units[-1].disclaimer = self.disclaimer
            return
        classes, ident = _fence_attributes(spec)
        unit = self.add(index, index, "fence")
        if "disclaimer" in classes:
            self.fences.append((WORDING, ident or None))
        elif "plain" in classes:
            self.fences.append(
                (DISCLAIMER_PLAIN if self.role == WORDING else PLAIN, self.disclaimer)
            )
        else:
            self.fences.append((self.role, self.disclaimer))
        unit.role, unit.disclaimer = self.role, self.disclaimer

    def heading(self, index: int, match: re.Match[str]) -> None:
        level = len(match.group(2))
        if level <= 2:
            attributes = re.search(r"\{[^}]*#([A-Za-z0-9_:.-]+)[^}]*\}", self.lines[index])
            self.section = attributes.group(1) if attributes else None
            self.fences = []
        unit = self.add(index, index, "heading", level=level)
        start = self.offsets[index] + match.start(3)
        self.slot(
            unit, start, start + len(match.group(3)), "heading", HEADING if level <= 2 else ""
        )

    def table_row(self, index: int) -> int:
        line = self.lines[index]
        if _TABLE_RULE.fullmatch(line):
            self.add(index, index, "rule")
            return index + 1
        unit = self.add(index, index, "row")
        content = line.rstrip("\r\n")
        cells = _cells(content)
        for start, end in cells:
            self.slot(unit, self.offsets[index] + start, self.offsets[index] + end, "cell")
        return index + 1


def _cells(row: str) -> list[tuple[int, int]]:
    """The spans of a pipe-table row's cells, trimmed, split at pipes that are not escaped
    or inside code."""
    bounds, code, escaped = [], False, False
    for position, char in enumerate(row):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "`":
            code = not code
        elif char == "|" and not code:
            bounds.append(position)
    spans = []
    for left, right in itertools.pairwise(bounds):
        cell = row[left + 1 : right]
        stripped = cell.strip()
        start = left + 1 + (len(cell) - len(cell.lstrip()))
        spans.append((start, start + len(stripped)))
    if bounds and bounds[-1] < len(row.rstrip()) - 1:  # a row without its last pipe
        cell = row[bounds[-1] + 1 :]
        start = bounds[-1] + 1 + (len(cell) - len(cell.lstrip()))
        spans.append((start, start + len(cell.strip())))
    return spans
