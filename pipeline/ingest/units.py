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
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*\r?\n?")
_RULE = re.compile(r" {0,3}([-*_])[ \t]*(?:\1[ \t]*){2,}\r?\n?")
# Every list marker pandoc's Markdown reads (fancy_lists, example_lists): bullets; numbers,
# letters and roman numerals followed by "." or ")" or in parentheses. A capital letter (or
# a one-letter roman numeral) with a period needs two spaces after it: "B. Russell" is text.
_LOWER_ROMAN = r"(?=[ivxlcdm])m{0,4}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_UPPER_ROMAN = _LOWER_ROMAN.upper()
_ORDINAL = rf"\d{{1,9}}|#|[a-zA-Z]|{_LOWER_ROMAN}|{_UPPER_ROMAN}"
_MARKER = (
    rf"[-+*]|\((?:{_ORDINAL}|@[\w-]*)\)|(?:{_ORDINAL})\)"
    rf"|(?:\d{{1,9}}|#|[a-z]|{_LOWER_ROMAN}|(?=[IVXLCDM]{{2}}){_UPPER_ROMAN})\."
    r"|[A-Z]\.(?=[ \t]{2}|\t|[ \t]*(?:\r?\n|\Z))"
)
# A marker alone on its line is an empty item.
_ITEM = re.compile(rf"([ \t]*)({_MARKER})([ \t]+(?=\S)|[ \t]*(?=\r?\n|\Z))")
_TABLE_RULE = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*\r?\n?")
_GRID_TABLE = re.compile(r" {0,3}\+[-=:]+\+")
_DASHES = re.compile(r" {0,3}-{2,}(?:[ \t]+-{2,})*[ \t]*\r?\n?")
_CAPTION = re.compile(r"( {0,3}(?:[Tt]able)?:[ \t]+)(?=\S)")
_DEFINITION = re.compile(r"( {0,3}[:~][ \t]+)(?=\S)")
_NOTE = re.compile(r"( {0,3}\[\^([^\]\s]+)\]:[ \t]*)")
_NOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_LINK_DEFINITION = re.compile(r" {0,3}\[(?!\^)(?:[^\]\\]|\\.)+\]:[ \t]*\S")
_QUOTE = re.compile(r" {0,3}>[ \t]?")
_FIGURE = re.compile(r"[ \t]*!\[((?:[^\]\\]|\\.)*)\]\([^)]*\)(\{[^}]*\})?[ \t]*\r?\n?")
_META_VALUE = re.compile(r"(title|subtitle)[ \t]*:[ \t]*(.*?)[ \t]*\r?\n?")
OPAQUE = {"code", "table", "other"}
"""Units whose text ingest reads (pandoc says what a reader sees of them) but never writes:
a code block, a grid, simple or multiline table."""


@dataclass(frozen=True)
class Slot:
    """A span of the file's text that one DOCX paragraph shows (without block syntax)."""

    start: int
    end: int
    role: str
    section: str | None
    disclaimer: str | None
    kind: str
    """The unit's kind: "meta", "heading", "para", "item", "cell", "caption", "figure",
    "quote", "lines", "term", "definition", "note", or "shown" (a paragraph of an opaque
    unit: it has no span, only `shown`)."""
    depth: int = 0
    """How many block quotes it stands in: its lines after the first begin with as many `>`."""
    shown: str = ""
    """For a "shown" slot: the text a reader sees there (as pandoc reads it)."""


@dataclass
class Unit:
    start: int
    end: int
    kind: str
    """ "blank", "meta", "fence", "heading", "para", "item", "row", "rule", "caption",
    "figure", "lines", "term", "definition", "note", "link", "hrule", or an opaque kind:
    "code", "table", "other"."""
    role: str
    """Where a paragraph just after this unit would stand: the container it leaves open."""
    section: str | None
    disclaimer: str | None
    slots: list[Slot] = field(default_factory=list)
    indent: str = ""
    marker: str = ""
    """For a list item: its indentation and marker ("-", "1."); for a footnote, its label."""
    level: int = 0
    """For a heading: its level."""
    order: float = 0
    """Where a reader meets it: its place in the file, except a table's caption written
    after the table, which every output shows before it, and a footnote, which the DOCX
    shows right after the paragraph that refers to it."""
    depth: int = 0
    """How many block quotes it stands in."""


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
        """The slot's inline Markdown: a quote's lines without their `>`, a line block's
        lines as hard line breaks."""
        if slot.kind == "shown":
            return ""  # its text is `shown`: nothing of it is written back
        text = self.text[slot.start : slot.end]
        if slot.depth:
            text = re.sub(rf"\n(?:[ \t]{{0,3}}>[ \t]?){{1,{slot.depth}}}", "\n", text)
        if slot.kind == "lines":  # a line's indentation is kept, as no-break spaces
            text = re.sub(
                r"\n[ \t]*\|[ \t]?( *)", lambda m: "\\\n" + "\u00a0" * len(m.group(1)), text
            )
        return text

    def unit_of(self, slot: Slot) -> Unit:
        return next(unit for unit in self.units if slot in unit.slots)

    def unit_texts(self) -> list[str]:
        return [self.text[unit.start : unit.end] for unit in self.units]

    def definitions(self) -> str:
        """The footnotes and link definitions, which a paragraph needs to be read as it is
        read in the whole file."""
        return "".join(
            self.text[unit.start : unit.end] + "\n"
            for unit in self.units
            if unit.kind in {"note", "link"}
        )

    def opaque(self) -> list[Unit]:
        return [unit for unit in self.units if unit.kind in OPAQUE]

    def show(self, unit: Unit, shown: list[str]) -> None:
        """Give an opaque unit a "shown" slot for each paragraph a reader sees in it."""
        unit.slots = [
            Slot(unit.start, unit.start, unit.role, unit.section, unit.disclaimer, "shown",
                 unit.depth, text)
            for text in shown
        ]  # fmt: skip


def read(text: str) -> Source:
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    cutter = _Cutter(text, lines, starts, starts[:-1], [])
    cutter.cut(cutter.front_matter())
    _place_notes(text, cutter.units)
    return Source(text, cutter.units)


def _place_notes(text: str, units_: list[Unit]) -> None:
    """Each footnote just after the unit that refers to it, where the DOCX shows it (its
    slots in that unit's section, so that they pair with the DOCX's footnote; the unit
    itself stays where its lines are)."""
    notes: dict[str, list[Unit]] = {}
    for unit in units_:
        if unit.kind == "note":
            notes.setdefault(unit.marker, []).append(unit)
    placed: set[int] = set()
    for unit in sorted(units_, key=lambda u: u.order):
        if unit.kind == "note":
            continue
        body = "".join(text[slot.start : slot.end] for slot in unit.slots)
        for number, label in enumerate(_NOTE_REFERENCE.findall(body)):
            for part, note in enumerate(notes.get(label, [])):
                if id(note) in placed:
                    continue
                placed.add(id(note))
                note.order = unit.order + 0.5 + (number + part / 100) / 100
                note.slots = [
                    Slot(s.start, s.end, s.role, unit.section, s.disclaimer, s.kind, s.depth)
                    for s in note.slots
                ]


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
    """Cuts lines of text into units. The lines may be the inside of a block quote (their
    `>` taken off): `starts` are where the file's lines begin, `contents` where the text of
    each of these lines begins in the file."""

    def __init__(
        self,
        text: str,
        lines: list[str],
        starts: list[int],
        contents: list[int],
        units_: list[Unit],
        depth: int = 0,
    ):
        self.text = text
        self.lines = lines
        self.starts = starts
        self.contents = contents
        self.units = units_
        self.depth = depth
        self.section: str | None = None
        # Open fenced divs: (role inside, disclaimer id inside).
        self.fences: list[tuple[str, str | None]] = []
        self.in_list = False
        """After a list item or a definition: an indented line continues it (else it is
        code)."""

    # -- where we are -----------------------------------------------------------------------

    @property
    def role(self) -> str:
        return self.fences[-1][0] if self.fences else BODY

    @property
    def disclaimer(self) -> str | None:
        return self.fences[-1][1] if self.fences else None

    def add(self, first: int, last: int, kind: str, **extra: object) -> Unit:
        unit = Unit(
            self.starts[first],
            self.starts[last + 1],
            kind,
            self.role,
            self.section,
            self.disclaimer,
            order=len(self.units),
            depth=self.depth,
            **extra,  # type: ignore[arg-type]
        )
        self.units.append(unit)
        return unit

    def slot(self, unit: Unit, start: int, end: int, kind: str, role: str = "") -> None:
        unit.slots.append(
            Slot(start, end, role or unit.role, unit.section, unit.disclaimer, kind, self.depth)
        )

    def at(self, index: int, column: int) -> int:
        """Where column `column` of line `index` stands in the file."""
        return self.contents[index] + column

    def line_end(self, index: int) -> int:
        return self.at(index, len(self.lines[index].rstrip("\r\n")))

    def blank(self, index: int) -> bool:
        return index >= len(self.lines) or bool(_BLANK.fullmatch(self.lines[index]))

    def next_text(self, index: int, most: int = 1 << 30) -> int | None:
        """The first line from `index` on that is not blank (at most `most` blank lines
        skipped)."""
        while index < len(self.lines) and self.blank(index) and most >= 0:
            index += 1
            most -= 1
        return index if index < len(self.lines) and most >= 0 else None

    # -- the cut ------------------------------------------------------------------------------

    def cut(self, index: int) -> None:
        while index < len(self.lines):
            index = self.block(index)

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
                start = self.at(number, match.start(2))
                self.slot(unit, start, start + len(match.group(2)), "meta", match.group(1))
        return end + 1

    def block(self, index: int) -> int:
        line = self.lines[index]
        if _BLANK.fullmatch(line):
            self.add(index, index, "blank")
            return index + 1
        indent = len(line) - len(line.lstrip(" \t"))
        listed, self.in_list = self.in_list, False
        if _columns(line) >= 4 and not listed:
            return self.indented_code(index)
        if code := _CODE_FENCE.match(line):
            return self.code(index, code.group(1))
        if fence := _FENCE.fullmatch(line):
            self.fence(index, fence.group(2))
            return index + 1
        if heading := _HEADING.fullmatch(line):
            level = len(heading.group(2))
            self.heading(index, index, level, heading.start(3), heading.end(3))
            return index + 1
        if self.setext(index):
            self.setext_heading(index)
            return index + 2
        if _GRID_TABLE.match(line) or self.simple_table(index):
            return self.opaque(index, "table")
        if line.lstrip().startswith("|"):
            return self.pipes(index)
        caption = _CAPTION.match(line)
        after = caption is not None and self.after_table()
        if caption and (after or self.before_table(index)):
            end = self.paragraph(index, "caption", len(caption.group(1)))
            if after:
                self.units[-1].order = self.table_start().order - 0.5
            return end
        if self.after_term() and (definition := _DEFINITION.match(line)):
            self.in_list = True
            return self.paragraph(index, "definition", len(definition.group(1)))
        if note := _NOTE.match(line):
            return self.note(index, len(note.group(1)), note.group(2))
        if _LINK_DEFINITION.match(line):
            self.add(index, index, "link")
            return index + 1
        if _RULE.fullmatch(line):
            self.add(index, index, "hrule")
            return index + 1
        if item := _ITEM.match(line):
            self.in_list = True
            text = item.end()
            while inner := _ITEM.match(line, text):  # "- 1. text": a list in the item
                text = inner.end()
            return self.paragraph(index, "item", text, item.group(1), item.group(2))
        if _QUOTE.match(line):
            return self.quote(index)
        if (figure := _FIGURE.fullmatch(line)) and self.ends_paragraph(index):
            self.in_list = listed
            unit = self.add(index, index, "figure")
            start = self.at(index, figure.start(1))
            self.slot(unit, start, start + len(figure.group(1)), "figure")
            return index + 1
        if self.is_term(index):
            unit = self.add(index, index, "term")
            self.slot(unit, self.at(index, indent), self.line_end(index), "term")
            return index + 1
        self.in_list = listed and indent > 0
        return self.paragraph(index, "para", indent)

    def table_start(self) -> Unit:
        """The first row of the table just before (blank lines aside)."""
        at = len(self.units) - 1
        while self.units[at].kind in {"blank", "caption"}:
            at -= 1
        while at > 0 and self.units[at - 1].kind in {"row", "rule"}:
            at -= 1
        return self.units[at]

    def after_table(self) -> bool:
        previous = [unit.kind for unit in self.units if unit.kind != "blank"][-1:]
        return previous in (["row"], ["rule"], ["table"])

    def before_table(self, index: int) -> bool:
        """Is the paragraph at `index` followed (after blank lines) by a table?"""
        end = index
        while end + 1 < len(self.lines) and not self.blank(end + 1):
            end += 1
        following = self.next_text(end + 1)
        if following is None:
            return False
        line = self.lines[following]
        return bool(
            line.lstrip().startswith("|") or _GRID_TABLE.match(line) or self.simple_table(following)
        )

    def simple_table(self, index: int) -> bool:
        """A simple or multiline table: a header line over a rule of dashes, or a rule of
        dashes with text under it (a table without a header)."""
        if index + 1 >= len(self.lines) or self.blank(index + 1):
            return False
        line, after = self.lines[index], self.lines[index + 1]
        if _DASHES.fullmatch(line):
            return not _RULE.fullmatch(line) or not self.blank(index + 1)
        # A heading's underline is followed by a blank line and is one run of one character.
        return bool(_DASHES.fullmatch(after)) and not self.setext(index)

    def setext(self, index: int) -> bool:
        """Is this a heading written over a line of = or - (with a blank line after)?"""
        return (
            index + 1 < len(self.lines)
            and not _ITEM.match(self.lines[index])
            and bool(_SETEXT.fullmatch(self.lines[index + 1]))
            and self.blank(index + 2)
        )

    def setext_heading(self, index: int) -> None:
        line = self.lines[index]
        level = 1 if self.lines[index + 1].strip()[0] == "=" else 2
        text = re.sub(r"[ \t]+\{[^}]*\}[ \t]*$", "", line.rstrip("\r\n")).strip()
        column = len(line) - len(line.lstrip(" \t"))
        self.heading(index, index + 1, level, column, column + len(text))

    def after_term(self) -> bool:
        """Does a definition (`:` or `~`) here belong to a term just above?"""
        previous = [u for u in self.units if u.kind != "blank"][-1:]
        return bool(previous) and previous[0].kind in {"term", "definition"}

    def is_term(self, index: int) -> bool:
        """A one-line term, followed by its definition (`:` or `~`), perhaps after one
        blank line."""
        following = self.next_text(index + 1, most=1)
        return following is not None and bool(_DEFINITION.match(self.lines[following]))

    def ends_paragraph(self, index: int) -> bool:
        return self.blank(index + 1)

    @staticmethod
    def ends_text(line: str, in_list: bool) -> bool:
        """Does `line` end the paragraph before it? As pandoc reads it: a blank line or a
        div fence ends any paragraph; a list item ends only a paragraph inside a list (a
        top-level paragraph needs a blank line before a list, a heading or a table)."""
        return bool(
            _BLANK.fullmatch(line)
            or _FENCE.fullmatch(line)
            or (in_list and _ITEM.match(line) and not _RULE.fullmatch(line))
        )

    def paragraph(
        self, index: int, kind: str, skip: int, indent: str = "", marker: str = ""
    ) -> int:
        """A paragraph, list item or caption and its continuation lines; its slot is its
        text after the block syntax, up to the last line's end (without the line break)."""
        in_list = kind in {"item", "definition"} or skip > 0
        last = index
        while last + 1 < len(self.lines) and not self.ends_text(self.lines[last + 1], in_list):
            last += 1
        unit = self.add(index, last, kind, indent=indent, marker=marker)
        self.slot(unit, self.at(index, skip), self.line_end(last), kind)
        return last + 1

    def note(self, index: int, skip: int, label: str) -> int:
        """A footnote: its first paragraph, and the indented paragraphs after it."""
        end = self.paragraph(index, "note", skip, marker=label)
        while True:
            following = self.next_text(end)
            if following is None or not self.lines[following].startswith(("    ", "\t")):
                return end
            for blank in range(end, following):
                self.add(blank, blank, "blank")
            indent = len(self.lines[following]) - len(self.lines[following].lstrip(" \t"))
            end = self.paragraph(following, "note", indent, marker=label)

    def quote(self, index: int) -> int:
        """A block quote: the lines that begin with `>` (and lines that continue their
        paragraph without one), cut again without their `>`."""
        lines, contents = [], []
        last = index
        while last < len(self.lines):
            line = self.lines[last]
            marker = _QUOTE.match(line)
            if marker is not None:
                lines.append(line[marker.end() :])
                contents.append(self.contents[last] + marker.end())
            elif (
                not self.blank(last)
                and lines
                and not _BLANK.fullmatch(lines[-1])
                and not (_FENCE.fullmatch(line) or _HEADING.fullmatch(line))
            ):
                lines.append(line)  # lazy: it continues the paragraph above
                contents.append(self.contents[last])
            else:
                break
            last += 1
        inner = _Cutter(
            self.text, lines, self.starts[index : last + 1], contents, self.units, self.depth + 1
        )
        inner.section, inner.fences = self.section, list(self.fences)
        inner.cut(0)
        return last

    def opaque(self, index: int, kind: str) -> int:
        """Lines up to the next blank line (a table that begins with a rule of dashes: up to
        the blank line after its closing rule, as its rows may have blank lines between)."""
        last = index
        ruled = kind == "table" and bool(_DASHES.fullmatch(self.lines[index]))
        while last + 1 < len(self.lines):
            closed = last > index and bool(_DASHES.fullmatch(self.lines[last]))
            if self.blank(last + 1) and (not ruled or closed):
                break
            last += 1
        self.add(index, last, kind)
        return last + 1

    def indented_code(self, index: int) -> int:
        last = index
        while True:
            following = self.next_text(last + 1)
            if following is None or not self.lines[following].startswith(("    ", "\t")):
                break
            last = following
        self.add(index, last, "code")
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

    def heading(self, index: int, last: int, level: int, start: int, end: int) -> None:
        """A heading on line `index` (to `last`, for one over a line of = or -), its text
        from column `start` to `end`."""
        if level <= 2:
            attributes = re.search(r"\{[^}]*#([A-Za-z0-9_:.-]+)[^}]*\}", self.lines[index])
            self.section = attributes.group(1) if attributes else None
            self.fences = []
        unit = self.add(index, last, "heading", level=level)
        role = HEADING if level <= 2 else ""
        self.slot(unit, self.at(index, start), self.at(index, end), "heading", role)

    def pipes(self, index: int) -> int:
        """A pipe table's rows, or a line block (lines that begin with `|`, without a
        table's rule under the first)."""
        last = index
        while last + 1 < len(self.lines) and self.lines[last + 1].lstrip().startswith("|"):
            last += 1
        if any(_TABLE_RULE.fullmatch(line) for line in self.lines[index : last + 1]):
            for row in range(index, last + 1):
                self.table_row(row)
            return last + 1
        unit = self.add(index, last, "lines")
        start = self.at(index, self.lines[index].index("|") + 1)
        start += 1 if self.text[start : start + 1] == " " else 0
        self.slot(unit, start, self.line_end(last), "lines")
        return last + 1

    def table_row(self, index: int) -> None:
        line = self.lines[index]
        if _TABLE_RULE.fullmatch(line):
            self.add(index, index, "rule")
            return
        unit = self.add(index, index, "row")
        content = line.rstrip("\r\n")
        for start, end in _cells(content):
            self.slot(unit, self.at(index, start), self.at(index, end), "cell")


def _columns(line: str) -> int:
    """How far a line is indented, a tab counting to the next multiple of four."""
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip(" "))


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
