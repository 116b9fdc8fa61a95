"""The reviewed DOCX's paragraphs as lxml reads them: style, list level, the tracked changes
in each (with author and date), and which section and disclaimer each stands in.

pandoc (see `versions`) reads the text; this module reads what pandoc drops or cannot say:
a move is a move (pandoc reads w:moveFrom/w:moveTo as a deletion and an insertion), a
paragraph mark inserted or deleted joins or splits paragraphs, formatting-only changes
(w:rPrChange, w:pPrChange), and where bookmarks stand.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from pipeline.ingest.package import parse

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_TRACKED = {
    f"{W}ins": "insertion",
    f"{W}del": "deletion",
    f"{W}moveFrom": "move-from",
    f"{W}moveTo": "move-to",
}
_ADDING = {f"{W}ins", f"{W}moveTo"}
_TEXT = {f"{W}t", f"{W}delText", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen"}


def parse_xml(data: bytes) -> etree._Element:
    """A part of the reviewed DOCX, which `package` has already checked."""
    return parse(data, "a part of the DOCX")


def note_paragraphs(footnotes: etree._Element | None) -> list[tuple[str, etree._Element]]:
    """Every paragraph of the footnotes (not the separators Word keeps there), in order,
    with its footnote's id. Their indices follow the body's: `versions` marks them so."""
    if footnotes is None:
        return []
    return [
        (note.get(f"{W}id", ""), p)
        for note in footnotes.iter(f"{W}footnote")
        if note.get(f"{W}type") in {None, "normal"}
        for p in note.iter(f"{W}p")
    ]


def body_paragraphs(root: etree._Element) -> list[etree._Element]:
    """Every paragraph of the body in document order (inside tables and content controls
    too), except the copies of text boxes kept for old readers. `versions` marks the same
    paragraphs, so an index means the same paragraph in both."""
    body = root.find(f"{W}body")
    return [
        p for p in body.iter(f"{W}p") if not any(a.tag == MC_FALLBACK for a in p.iterancestors())
    ]


@dataclass(frozen=True)
class Change:
    kind: str
    """ "insertion", "deletion", "move-from", "move-to", "paragraph-insertion",
    "paragraph-deletion", "paragraph-move-from", "paragraph-move-to", "formatting" or
    "unlocked" (a content control taken away, tracked)."""
    author: str
    date: str
    text: str
    within: str = ""
    """For a deletion of words a tracked insertion had added (a second reviewer deleting
    what the first one inserted): the author of that insertion."""


@dataclass(frozen=True)
class Cell:
    row: int
    """Which row of the body's tables, counted from the first."""
    column: int
    columns: int
    added: bool
    """The row is a tracked insertion (w:trPr/w:ins)."""


@dataclass
class WordParagraph:
    index: int
    style: str
    """The style's name as Word shows it ("Plain Summary"), "" when it has none."""
    level: int | None
    """Its list level (0 = top), None when it is not a list item."""
    in_table: bool
    mark: Change | None
    """Its paragraph mark inserted or deleted (it was split off, or joined to the next)."""
    changes: list[Change] = field(default_factory=list)
    cell: Cell | None = None
    """Where it stands in a table, when it does."""
    locked: bool = False
    """It stands in a content control (w:sdt), as a disclaimer's wording is built."""
    note_of: int | None = None
    """For a paragraph of a footnote: the body paragraph that refers to it."""

    @property
    def place(self) -> int:
        """Where a reader meets it: a footnote's paragraph where it is referred to."""
        return self.index if self.note_of is None else self.note_of


def read_paragraphs(
    document: bytes, styles: bytes | None, footnotes: bytes | None = None
) -> list[WordParagraph]:
    """The body's paragraphs, each followed by the paragraphs of the footnotes it refers to
    (in reading order; a footnote's paragraphs have the indices after the body's)."""
    root = parse_xml(document)
    names = _style_names(styles)
    elements = body_paragraphs(root)
    tables = list(root.iter(f"{W}tr"))  # kept: lxml's proxies (and their ids) live as long
    rows = {id(row): number for number, row in enumerate(tables)}
    body = [_paragraph(i, p, names, rows) for i, p in enumerate(elements)]
    notes: dict[str, list[WordParagraph]] = {}
    for number, (ident, p) in enumerate(note_paragraphs(_parsed(footnotes))):
        notes.setdefault(ident, []).append(_paragraph(len(elements) + number, p, names, {}))
    ordered = []
    for paragraph, element in zip(body, elements, strict=True):
        ordered.append(paragraph)
        for reference in element.iter(f"{W}footnoteReference"):
            if _own(element, reference):
                for note in notes.pop(reference.get(f"{W}id", ""), []):
                    note.note_of = paragraph.index
                    ordered.append(note)
    return ordered


def _parsed(data: bytes | None) -> etree._Element | None:
    return None if data is None else parse_xml(data)


def _style_names(styles: bytes | None) -> dict[str, str]:
    if styles is None:
        return {}
    root = parse_xml(styles)
    return {
        style.get(f"{W}styleId", ""): style.find(f"{W}name").get(f"{W}val", "")
        for style in root.iter(f"{W}style")
        if style.find(f"{W}name") is not None
    }


def _paragraph(
    index: int, p: etree._Element, names: dict[str, str], rows: dict[int, int]
) -> WordParagraph:
    style = p.find(f"{W}pPr/{W}pStyle")
    style_id = "" if style is None else style.get(f"{W}val", "")
    level = p.find(f"{W}pPr/{W}numPr/{W}ilvl")
    return WordParagraph(
        index=index,
        style=names.get(style_id, style_id),
        level=None if level is None else int(level.get(f"{W}val", "0")),
        in_table=any(a.tag == f"{W}tc" for a in p.iterancestors()),
        mark=_mark(p),
        changes=list(_changes(p)),
        cell=_cell(p, rows),
        locked=any(a.tag == f"{W}sdt" for a in p.iterancestors())
        or any(_own(p, sdt) for sdt in p.iter(f"{W}sdt")),
    )


_MARKS = {
    f"{W}ins": "paragraph-insertion",
    f"{W}del": "paragraph-deletion",
    f"{W}moveFrom": "paragraph-move-from",
    f"{W}moveTo": "paragraph-move-to",
}


def _mark(p: etree._Element) -> Change | None:
    """What happened to the paragraph's mark: inserted (Enter pressed), deleted (joined to
    the next), moved with the whole paragraph (Word's w:moveFrom / w:moveTo there, seen in
    Open-Xml-PowerTools' RP015-MoveFrom-MoveTo.docx)."""
    properties = p.find(f"{W}pPr/{W}rPr")
    for mark in [] if properties is None else properties:
        if mark.tag in _MARKS:
            return Change(
                _MARKS[mark.tag], mark.get(f"{W}author", ""), mark.get(f"{W}date", ""), ""
            )
    return None


def _cell(p: etree._Element, rows: dict[int, int]) -> Cell | None:
    """The paragraph's table cell: its row (a tracked new row has w:trPr/w:ins, as in
    Open-Xml-PowerTools' 007-InsertedTableRow.docx) and column."""
    cell = next(p.iterancestors(f"{W}tc"), None)
    row = None if cell is None else cell.getparent()
    if row is None or row.tag != f"{W}tr" or id(row) not in rows:
        return None
    cells = row.findall(f"{W}tc")
    added = row.find(f"{W}trPr/{W}ins") is not None
    return Cell(rows[id(row)], cells.index(cell), len(cells), added)


def _own(p: etree._Element, element: etree._Element) -> bool:
    """Is `element` this paragraph's own, not a nested paragraph's (a text box)?"""
    return next(element.iterancestors(f"{W}p"), None) is p


def _changes(p: etree._Element) -> Iterator[Change]:
    """The tracked changes in the paragraph, in reading order: consecutive text of one
    change is one item. Formatting changes come after, one per run or paragraph."""
    current: tuple[etree._Element, str, str] | None = None
    pieces: list[str] = []
    for element in p.iter(*_TEXT):
        if not _own(p, element):
            continue
        tracked = [a for a in element.iterancestors(*_TRACKED) if _own(p, a)]
        key = None if not tracked else (tracked[0], _TRACKED[tracked[0].tag], _within(tracked))
        if key != current and current is not None:
            yield _change(*current, pieces)
            pieces = []
        current = key
        if key is not None:
            pieces.append(_piece_text(element))
    if current is not None:
        yield _change(*current, pieces)
    for start in p.iter(f"{W}customXmlDelRangeStart"):  # a content control taken away
        if _own(p, start):
            yield Change("unlocked", start.get(f"{W}author", ""), start.get(f"{W}date", ""), "")
    for changed in p.iter(f"{W}rPrChange"):
        run = changed.getparent().getparent()
        if run.tag == f"{W}r" and _own(p, run):
            text = "".join(_piece_text(e) for e in run.iter(*_TEXT))
            yield Change(
                "formatting", changed.get(f"{W}author", ""), changed.get(f"{W}date", ""), text
            )
    changed = p.find(f"{W}pPr/{W}pPrChange")
    if changed is not None:
        yield Change("formatting", changed.get(f"{W}author", ""), changed.get(f"{W}date", ""), "")


def _within(tracked: list[etree._Element]) -> str:
    """The author of the insertion around a deletion (a second reviewer deleting words the
    first one inserted: w:del inside w:ins), "" for any other change."""
    if tracked[0].tag in _ADDING:
        return ""
    return next((a.get(f"{W}author", "") for a in tracked[1:] if a.tag in _ADDING), "")


def _change(element: etree._Element, kind: str, within: str, pieces: list[str]) -> Change:
    return Change(
        kind, element.get(f"{W}author", ""), element.get(f"{W}date", ""), "".join(pieces), within
    )


def _piece_text(element: etree._Element) -> str:
    if element.tag in {f"{W}t", f"{W}delText"}:
        return element.text or ""
    return {f"{W}tab": "\t", f"{W}noBreakHyphen": "-"}.get(element.tag, "\n")


def read_bookmarks(document: bytes) -> dict[str, tuple[int, int | None]]:
    """Each bookmark's first and last paragraph (None when it never ends), by name.

    Word puts a bookmark between paragraphs; LibreOffice moves it into one, sometimes after
    the paragraph's text, writes some twice and leaves some starts without an end. So a
    start after all of a paragraph's text belongs to the next paragraph, a name's first
    start counts, and its last end."""
    root = parse_xml(document)
    elements = body_paragraphs(root)
    position = {id(p): i for i, p in enumerate(elements)}
    starts: dict[str, int] = {}
    ends: dict[str, int] = {}
    names_by_id: dict[str, str] = {}
    paragraph = -1  # the last paragraph that started, in document order
    for element in root.find(f"{W}body").iter():
        if element.tag == f"{W}p" and id(element) in position:
            paragraph = position[id(element)]
        elif element.tag == f"{W}bookmarkStart":
            name = element.get(f"{W}name", "")
            names_by_id[element.get(f"{W}id", "")] = name
            starts.setdefault(name, _start_paragraph(element, paragraph, position))
        elif element.tag == f"{W}bookmarkEnd":
            name = names_by_id.get(element.get(f"{W}id", ""), "")
            # Inside a paragraph or after it, an end closes the last paragraph started.
            if name:
                ends[name] = max(ends.get(name, -1), paragraph)
    return {name: (start, ends.get(name)) for name, start in starts.items()}


def _start_paragraph(start: etree._Element, last: int, position: dict[int, int]) -> int:
    owner = next(start.iterancestors(f"{W}p"), None)
    if owner is None:
        return last + 1  # between paragraphs: it starts the next one
    index = position.get(id(owner), last)
    passed = False
    for element in owner.iter():
        if element is start:
            passed = True
        elif passed and element.tag in {f"{W}t", f"{W}delText"} and (element.text or "").strip():
            return index
    return index + 1
