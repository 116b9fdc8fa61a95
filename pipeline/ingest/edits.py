"""What the reviewer changed, paragraph by paragraph, as edits of the source the DOCX was
built from: a paragraph changed, deleted or added, with the new Markdown for it.

An edit is found by comparing the text of the DOCX after the review (every tracked change
accepted) with the source, so an edit made with Track Changes off counts too. Formatting
alone (a word made bold) is not an edit: formatting-only changes are reported, not applied.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from pipeline import resources
from pipeline.ingest import inline, markdown, units
from pipeline.ingest.locate import Located, Para
from pipeline.ingest.markdown import Inlines
from pipeline.ingest.units import Slot, Source
from pipeline.text import nodes

DISCLAIMER_ROLES = {units.WORDING, units.DISCLAIMER_PLAIN}


@dataclass
class Edit:
    kind: str
    """ "change", "delete" or "insert"."""
    section: str | None
    disclaimer: str | None
    role: str
    slot: Slot | None
    """The slot changed or deleted; for an insert, the slot it follows."""
    para: Para | None
    """The paragraph after the review (change, insert)."""
    old: str = ""
    """Its text in the source (change, delete)."""
    new: str = ""
    """Its text after the review (change, insert)."""
    markdown: str = ""
    """The new Markdown: of the slot (change), or of the new paragraph (insert)."""
    anchor_level: int = 0
    """An insert: the list level of the paragraph it follows."""
    problem: str = ""
    """Why it cannot be applied automatically; "" when it can."""
    members: tuple[int, ...] = field(default_factory=tuple)
    """The DOCX paragraphs it comes from (before and after the review)."""
    cells: list[Para | None] = field(default_factory=list)
    """A new table row: each column's paragraph after the review (None: an empty cell)."""

    @property
    def guarded(self) -> bool:
        """Inside a disclaimer: applied only when someone approves it."""
        return self.disclaimer is not None or self.role in DISCLAIMER_ROLES


def find_edits(
    base: Source, located: Located, slot_inlines: Sequence[Inlines], unsure: set[int]
) -> list[Edit]:
    """Every edit, in source order. `slot_inlines` holds pandoc's reading of each located
    slot; `unsure` the slots ingest cannot map exactly (an edit there is reported only)."""
    before_of = {i: j for i, j in located.before_pairs if i is not None and j is not None}
    edits: list[Edit] = []
    last_slot: dict[str | None, int] = {}  # per section: the slot an added paragraph follows
    for i, j in located.after_pairs:
        para = None if j is None else located.after[j]
        if i is None:
            assert para is not None
            edit = _insert(located, para, last_slot.get(para.section))
            key = last_slot.get(para.section)
        else:
            slot, old = located.slots[i], located.slot_texts[i]
            last_slot[slot.section] = key = i
            if (
                para is not None
                and old == para.text
                and _notes(slot_inlines[i]) == _notes(para.inlines)
            ):
                continue  # unchanged (formatting aside)
            kind = "delete" if para is None else "change"
            edit = Edit(kind, slot.section, slot.disclaimer, slot.role, slot, para, old=old)
            edit.new = "" if para is None else para.text
        members = set(para.members) if para is not None else set()
        if i is not None and i in before_of:
            members |= set(located.before[before_of[i]].members)
        edit.members = tuple(sorted(members))
        if edit.guarded and edit.disclaimer is None:
            edit.problem = "a paragraph in a disclaimer's style outside any disclaimer"
        if key is not None and key in unsure:
            edit.problem = (
                "this part of the source is written in a way ingest cannot map back "
                "exactly; make the change in the source by hand"
            )
        if i is not None and located.slots[i].kind == "shown":
            edit.problem = (
                "a grid, simple or multiline table or a code block is not written back; "
                "make the change in the source by hand"
            )
        edits.append(edit)
    edits = _rows(located, edits)
    _write_markdown(base, located, slot_inlines, edits)
    return edits


def _rows(located: Located, edits: list[Edit]) -> list[Edit]:
    """The added paragraphs of each new table row (every cell of the row added, whether or
    not Track Changes recorded the row: w:trPr/w:ins) as one edit: a new row."""
    kept = {
        located.after[j].cell.row  # type: ignore[union-attr]
        for i, j in located.after_pairs
        if i is not None and j is not None and located.after[j].cell is not None
    }
    rows: dict[int, list[Edit]] = {}
    for edit in edits:
        cell = edit.para.cell if edit.kind == "insert" and edit.para is not None else None
        if cell is not None and cell.row not in kept:
            rows.setdefault(cell.row, []).append(edit)
    out: list[Edit] = []
    merged = {id(edit) for group in rows.values() for edit in group[1:]}
    for edit in edits:
        cell = edit.para.cell if edit.kind == "insert" and edit.para is not None else None
        if id(edit) in merged:
            continue  # one with the row's first cell
        if cell is None or cell.row not in rows:
            out.append(edit)
            continue
        group = rows[cell.row]
        cells: list[Para | None] = [None] * cell.columns
        for member in group:
            assert member.para is not None and member.para.cell is not None
            cells[member.para.cell.column] = member.para
        first = group[0]
        first.cells = cells
        first.new = " | ".join(para.text if para else "" for para in cells)
        first.members = tuple(sorted({m for e in group for m in e.members}))
        out.append(first)
    return out


def _insert(located: Located, para: Para, previous: int | None) -> Edit:
    """A paragraph the reviewer added, after the slot `previous` (in its section)."""
    anchor = None if previous is None else located.slots[previous]
    edit = Edit(
        "insert", para.section, _disclaimer_of_insert(para, anchor), para.role, anchor, para
    )
    edit.new = para.text
    anchor_para = _after_para(located, previous)
    edit.anchor_level = anchor_para.level if anchor_para is not None else 0
    return edit


def _after_para(located: Located, slot: int | None) -> Para | None:
    for i, j in located.after_pairs:
        if i == slot and j is not None:
            return located.after[j]
    return None


def _disclaimer_of_insert(para: Para, anchor: Slot | None) -> str | None:
    if para.role not in DISCLAIMER_ROLES:
        return None
    if para.disclaimer is not None:
        return para.disclaimer
    return anchor.disclaimer if anchor is not None else None


def _write_markdown(
    base: Source, located: Located, slot_inlines: Sequence[Inlines], edits: list[Edit]
) -> None:
    """The Markdown of each change and insert: the source's own Markdown where the reviewer
    changed nothing (`inline.merged`), proven by reading it back: it must read as what the
    reviewer left. Otherwise pandoc's Markdown of the reviewed paragraph."""
    index_of = {id(slot): i for i, slot in enumerate(located.slots)}
    written = [e for e in edits if e.kind in {"change", "insert"} and not e.problem]
    texts = [
        e for e in written if e.slot is not None and e.slot.kind == "meta" and e.kind == "change"
    ]
    for edit in texts:
        edit.markdown = yaml_scalar(edit.new)
    for edit in [e for e in written if e.cells]:
        _write_row(edit)
    inlined = [e for e in written if e not in texts and not e.cells]
    lists: list[Inlines] = []
    labels: dict[int, list[str]] = {}
    for edit in inlined:
        assert edit.para is not None
        built = slot_inlines[index_of[id(edit.slot)]] if edit.kind == "change" else []
        left = _with_source_images(edit.para.inlines, edit, slot_inlines, index_of)
        if not _has(built, "LineBreak"):  # Shift+Enter in Word: a space, as the page shows
            left = _replaced(left, "LineBreak", {"t": "Space"})
        changed = edit.slot if edit.kind == "change" else None
        found = _NOTE_LABEL.findall(base.markdown(changed)) if changed is not None else []
        if len(found) != _notes(left) or len(found) != _notes(built):
            edit.problem = "a footnote was added or taken away here: make the change by hand"
            continue
        refused = next((m for n in nodes(left) for _, m in resources.node_problems(n, "it")), "")
        if refused:
            edit.problem = f"the reviewer's {refused}"
            continue
        labels[id(edit)] = found
        lists.append(_noted(left, found))
        if edit.kind == "change":
            lists.append(_noted(built, found))
    inlined = [e for e in inlined if not e.problem]
    pandoc_md = iter(markdown.write(lists))
    candidates: list[tuple[Edit, str, str | None]] = []
    for edit in inlined:
        reviewed = next(pandoc_md)
        if edit.kind == "change":
            assert edit.slot is not None
            built_md = next(pandoc_md)
            source = base.markdown(edit.slot)
            candidates.append((edit, reviewed, inline.merged(built_md, reviewed, source)))
        else:
            candidates.append((edit, reviewed, None))
    proposed = [(edit, merged) for edit, _, merged in candidates if merged is not None]
    parsed = markdown.parse([merged for _, merged in proposed], base.definitions())
    read_back = iter(
        markdown.write(
            [
                _noted(read, labels[id(edit)])
                for (edit, _), read in zip(proposed, parsed, strict=True)
            ]
        )
    )
    for edit, reviewed, merged in candidates:
        chosen = reviewed
        if merged is not None and next(read_back) == reviewed:
            chosen = merged
        edit.markdown = _fitted(chosen, edit)
        if not edit.markdown:
            edit.problem = edit.problem or "pandoc could not write this paragraph as Markdown"


def _write_row(edit: Edit) -> None:
    """A new table row as a pipe table's row: each cell's Markdown on one line."""
    filled = [para for para in edit.cells if para is not None]
    written = iter(markdown.write([para.inlines for para in filled]))
    cells = [_escape_pipes(" ".join(next(written).split())) if p else "" for p in edit.cells]
    edit.markdown = "| " + " | ".join(cells) + " |"


def _with_source_images(
    inlines: Inlines, edit: Edit, slot_inlines: Sequence[Inlines], index_of: dict[int, int]
) -> Inlines:
    """The reviewed inlines with what a DOCX cannot carry taken from the source, matched by
    order: each picture as the source has it (pandoc reads a DOCX's pictures as media/...
    files of its own), and a link to the same address with the source's title and classes
    (an autolink stays one)."""
    if edit.slot is None or edit.kind != "change":
        return inlines
    source = slot_inlines[index_of[id(edit.slot)]]
    images = iter([n for n in nodes(source) if n.get("t") == "Image"])
    links = iter([n for n in nodes(source) if n.get("t") == "Link"])

    def restore(node: dict[str, Any]) -> dict[str, Any]:
        if node.get("t") == "Image":
            return next(images, node)
        if node.get("t") == "Link":
            original = next(links, None)
            if original is not None and original["c"][2][0] == node["c"][2][0]:
                return {"t": "Link", "c": [original["c"][0], node["c"][1], original["c"][2]]}
        return node

    restored: Inlines = json.loads(json.dumps(inlines), object_hook=restore)
    return restored


def _fitted(text: str, edit: Edit) -> str:
    """Markdown that fits where it goes: one line in a heading or a table cell, with the
    cell's pipes escaped; a line block's lines each after a `|`; in a block quote, each line
    after its `>`."""
    slot = edit.slot if edit.kind == "change" else None
    kind = slot.kind if slot is not None else ""
    if kind in {"heading", "cell", "term"} or (edit.para is not None and edit.para.kind == "cell"):
        text = " ".join(text.split())
    if kind == "cell":
        text = _escape_pipes(text)
    if kind == "lines":
        text = text.replace("\\\n", "\n| ")
        text = re.sub(r"(?m)^\| (\u00a0+)", lambda m: "| " + " " * len(m.group(1)), text)
    if slot is not None and slot.depth:
        text = text.replace("\n", "\n" + "> " * slot.depth)
    return text


_NOTE_LABEL = re.compile(r"\[\^([^\]\s]+)\]")


def _notes(inlines: Inlines) -> int:
    return sum(1 for node in nodes(inlines) if node.get("t") == "Note")


def _has(inlines: Inlines, kind: str) -> bool:
    return any(node.get("t") == kind for node in nodes(inlines))


def _replaced(inlines: Inlines, kind: str, by: dict[str, Any]) -> Inlines:
    replaced: Inlines = json.loads(
        json.dumps(inlines), object_hook=lambda node: by if node.get("t") == kind else node
    )
    return replaced


def _noted(inlines: Inlines, labels: list[str]) -> Inlines:
    """Each footnote as the source refers to it (`[^label]`, in order): the note's text is
    a paragraph of its own, found and edited where the source has it."""
    found = iter(labels)

    def refer(node: dict[str, Any]) -> dict[str, Any]:
        if node.get("t") == "Note":
            return {"t": "RawInline", "c": ["markdown", f"[^{next(found)}]"]}
        return node

    noted: Inlines = json.loads(json.dumps(inlines), object_hook=refer)
    return noted


def _escape_pipes(text: str) -> str:
    out, escaped = [], False
    for char in text:
        if char == "|" and not escaped:
            out.append("\\|")
        else:
            out.append(char)
        escaped = char == "\\" and not escaped
    return "".join(out)


def yaml_scalar(value: str) -> str:
    """A metadata value as YAML reads it back: plain when it can be, else double-quoted."""
    try:
        if yaml.safe_load(f"key: {value}") == {"key": value} and "#" not in value:
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False)
