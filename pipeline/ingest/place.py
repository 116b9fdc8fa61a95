"""Edits written into the source text: a changed paragraph replaces its slot's text, a
deleted one its unit's lines, an added one goes after the paragraph it follows, in the box
its style says (a new "Plain Summary" paragraph inside the section's `::: plain`, a new body
paragraph after it). Every other byte stays as it was."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.ingest import units
from pipeline.ingest.edits import Edit
from pipeline.ingest.units import Source, Unit

_NUMBER = re.compile(r"(\d+)([.)])")


@dataclass(frozen=True)
class Replacement:
    start: int
    end: int
    text: str


def replacements(base: Source, edit: Edit) -> list[Replacement]:
    """The text replacements that make `edit`; sets `edit.problem` (and returns none) when
    it cannot be placed."""
    if edit.problem:
        return []
    if edit.kind == "change":
        assert edit.slot is not None
        return [Replacement(edit.slot.start, edit.slot.end, edit.markdown)]
    if edit.kind == "delete":
        return _deletion(base, edit)
    return _insertion(base, edit)


def apply(base: Source, edits: Iterable[Edit]) -> str:
    """The base text with every placeable edit made (in order; each edit's own
    replacements never overlap another's)."""
    changes = sorted(
        (r for edit in edits for r in replacements(base, edit)),
        key=lambda r: (r.start, r.end),
    )
    text = base.text
    for change in reversed(changes):
        text = text[: change.start] + change.text + text[change.end :]
    return text


def _deletion(base: Source, edit: Edit) -> list[Replacement]:
    slot = edit.slot
    assert slot is not None
    if slot.kind == "cell":
        return [Replacement(slot.start, slot.end, "")]
    if slot.kind == "meta" or slot.role == units.HEADING:
        edit.problem = (
            "a section's heading (or the title) cannot be deleted here; "
            "to drop a section, delete it from the source by hand"
        )
        return []
    unit = base.unit_of(slot)
    if len(unit.slots) > 1:
        return [Replacement(slot.start, slot.end, "")]
    index = base.units.index(unit)
    start = unit.start
    before = base.units[index - 1] if index > 0 else None
    after = base.units[index + 1] if index + 1 < len(base.units) else None
    if before is not None and before.kind == "blank" and (after is None or after.kind == "blank"):
        start = before.start  # keep one blank line between the paragraphs around it
    return [Replacement(start, unit.end, "")]


def _insertion(base: Source, edit: Edit) -> list[Replacement]:
    para = edit.para
    assert para is not None
    if edit.slot is None:
        edit.problem = "a paragraph before the section's heading has no place in the source"
        return []
    if para.kind == "heading" or para.role == units.HEADING:
        edit.problem = "a new section needs an id and a plain summary: add it to the source by hand"
        return []
    if edit.cells:
        return _new_row(base, edit)
    if para.kind in {"cell", "caption"} or para.role in {units.TITLE, units.SUBTITLE}:
        what = {"cell": "table cell", "caption": "caption"}.get(para.kind, "title")
        edit.problem = f"a new {what} cannot be placed automatically; add it by hand"
        return []
    anchor = base.unit_of(edit.slot)
    index = base.units.index(anchor)
    if para.kind == "item":
        return _new_item(base, index, edit)
    at = _place(base.units, index, para.role, edit.disclaimer)
    if at is None:
        edit.problem = f"no place for a new paragraph in {para.role.replace('-', ' ')} here"
        return []
    text = "#" * para.level + " " + edit.markdown if para.kind == "subheading" else edit.markdown
    return [_block(base, at, text)]


def _place(units_: list[Unit], index: int, role: str, disclaimer: str | None) -> int | None:
    """The unit after which a paragraph in `role` goes, starting at the anchor and moving
    on over blank lines and fences (out of a box, or into the next one)."""
    for at in range(index, len(units_)):
        unit = units_[at]
        if at > index and unit.kind not in {"blank", "fence"}:
            return None
        same_box = role not in {units.WORDING, units.DISCLAIMER_PLAIN} or (
            unit.disclaimer == disclaimer
        )
        if unit.role == role and same_box and unit.kind != "blank":
            return at
    return None


def _block(base: Source, at: int, text: str) -> Replacement:
    """`text` as a paragraph of its own after unit `at`, with a blank line on each side
    (none needed just inside a box's opening fence or before its closing one)."""
    unit = base.units[at]
    after = base.units[at + 1] if at + 1 < len(base.units) else None
    lead = "" if unit.kind == "blank" or _opens(base, unit) else "\n"
    closes = after is not None and after.kind == "fence" and not _opens(base, after)
    trail = "" if after is None or after.kind == "blank" or closes else "\n"
    return Replacement(unit.end, unit.end, f"{lead}{text}\n{trail}")


def _opens(base: Source, unit: Unit) -> bool:
    """Is `unit` a fence that opens a box (`::: plain`), not one that closes it (`:::`)?"""
    return unit.kind == "fence" and bool(
        base.text[unit.start : unit.end].strip().strip(":").strip()
    )


def _new_row(base: Source, edit: Edit) -> list[Replacement]:
    """A new row after the row it follows (after the rule, when that is the header)."""
    assert edit.slot is not None
    index = base.units.index(base.unit_of(edit.slot))
    anchor = base.units[index]
    if anchor.kind != "row" or len(anchor.slots) != len(edit.cells):
        edit.problem = "a new table row here cannot be placed automatically; add it by hand"
        return []
    following = base.units[index + 1] if index + 1 < len(base.units) else None
    after = following if following is not None and following.kind == "rule" else anchor
    return [Replacement(after.end, after.end, edit.markdown + "\n")]


def _new_item(base: Source, index: int, edit: Edit) -> list[Replacement]:
    para = edit.para
    assert para is not None
    units_ = base.units
    anchor = units_[index]
    if anchor.kind == "item":
        indent, marker = _item_prefix(anchor, para.level - edit.anchor_level)
        return [Replacement(anchor.end, anchor.end, f"{indent}{marker} {edit.markdown}\n")]
    following = next((u for u in units_[index + 1 :] if u.kind != "blank"), None)
    if following is not None and following.kind == "item":
        # The first item of the list that comes next.
        indent, marker = following.indent, following.marker
        return [
            Replacement(following.start, following.start, f"{indent}{marker} {edit.markdown}\n")
        ]
    return [_block(base, index, f"- {edit.markdown}")]


def _item_prefix(anchor: Unit, deeper: int) -> tuple[str, str]:
    """Indentation and marker of a new item after `anchor`, `deeper` levels below it."""
    indent = anchor.indent
    if deeper > 0:
        indent += "    " * deeper
    elif deeper < 0:
        indent = indent[: max(0, len(indent) - 4 * -deeper)]
    number = _NUMBER.fullmatch(anchor.marker)
    marker = anchor.marker
    if number and deeper == 0:
        marker = f"{int(number.group(1)) + 1}{number.group(2)}"
    elif deeper != 0:
        marker = "-" if not number else "1" + number.group(2)
    return indent, marker
