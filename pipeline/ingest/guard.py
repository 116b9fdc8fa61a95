"""The guard on approved wording: which disclaimers of the source as it is today a merge
would change. Every decision rests on the source today and the merge's result, never on
what the reviewed DOCX says about where its disclaimers are.

A disclaimer is changed when its lines, from its opening fence to its closing one, differ
(its wording, plain wording, fences, classes, id), when it stands in another section or in
another order among the disclaimers, when it is gone or a new one appears, and when pandoc
reads it differently (a footnote or a link reference defined outside its lines). With a base
the project cannot vouch for, a change next to a disclaimer (in the paragraph before or
after it, or anywhere between them) counts too: that base may have misplaced it."""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from pipeline.ingest import units
from pipeline.ingest.markdown import read_json
from pipeline.ingest.paragraphs import WordParagraph
from pipeline.text import nodes

T = TypeVar("T")


@dataclass(frozen=True)
class Box:
    """A disclaimer as the source writes it."""

    id: str
    section: str | None
    start: int
    end: int
    """The units it spans: its opening fence to its closing one."""
    text: str


def boxes(source: units.Source) -> list[Box]:
    """The source's disclaimers, in order: each run of units inside one, with the fence that
    closes it."""
    found: list[Box] = []
    index = 0
    listed = source.units
    while index < len(listed):
        ident = listed[index].disclaimer
        if ident is None:
            index += 1
            continue
        end = index
        while end < len(listed) and listed[end].disclaimer == ident:
            end += 1
        if end < len(listed) and listed[end].kind == "fence":
            end += 1  # its closing fence
        text = source.text[listed[index].start : listed[end - 1].end]
        found.append(Box(ident, listed[index].section, index, end, text))
        index = end
    return found


def changed_boxes(ours: units.Source, merged: units.Source, borders: bool) -> set[str]:
    """The ids of the disclaimers whose lines the merge changes, moves, removes or adds;
    with `borders`, also those it changes anything next to."""
    mine, theirs = boxes(ours), boxes(merged)
    changed = _differences(
        [(box.id, (box.section, box.text)) for box in mine],
        [(box.id, (box.section, box.text)) for box in theirs],
    )
    if borders:
        changed |= _bordered(ours, merged, mine)
    return changed


def read_differently(ours: str, merged: str) -> set[str]:
    """The ids of the disclaimers pandoc reads differently in the merged source: their
    content and attributes as read (footnotes and link references resolved), section and
    order. A source pandoc cannot read changes every disclaimer."""
    mine = _said(ours)
    try:
        theirs = _said(merged)
    except RuntimeError:
        return {ident for ident, _ in mine}
    return _differences(mine, theirs)


@functools.lru_cache(maxsize=4)
def _said(text: str) -> list[tuple[str, tuple[str | None, str]]]:
    """(id, (section, the div as pandoc reads it)) of each disclaimer, in order."""
    found = []
    section = None
    for block in read_json(text)["blocks"]:
        if block["t"] == "Header" and block["c"][0] <= 2:
            section = block["c"][1][0]
        for node in nodes(block):
            if node["t"] == "Div" and "disclaimer" in node["c"][0][1]:
                found.append((node["c"][0][0], (section, json.dumps(node, sort_keys=True))))
    return found


def _differences(mine: Sequence[tuple[str, T]], theirs: Sequence[tuple[str, T]]) -> set[str]:
    """Ids whose value differs, that are in one list only or more than once in either, and
    those out of their order."""
    ours_by_id, theirs_by_id = _by_id(mine), _by_id(theirs)
    changed = {
        ident
        for ident in ours_by_id.keys() | theirs_by_id.keys()
        if ours_by_id.get(ident) != theirs_by_id.get(ident) or len(ours_by_id.get(ident, [])) != 1
    }
    order = [ident for ident, _ in mine], [ident for ident, _ in theirs]
    kept = {
        ident
        for block in difflib.SequenceMatcher(None, *order, autojunk=False).get_matching_blocks()
        for ident in order[0][block.a : block.a + block.size]
    }
    return changed | (set(order[0]) - kept) | (set(order[1]) - set(order[0]))


def _by_id(listed: Iterable[tuple[str, T]]) -> dict[str, list[T]]:
    found: dict[str, list[T]] = {}
    for ident, value in listed:
        found.setdefault(ident, []).append(value)
    return found


def _bordered(ours: units.Source, merged: units.Source, mine: list[Box]) -> set[str]:
    """The disclaimers next to which the merge changes a unit of the source today: the units
    between the paragraph before a disclaimer and the one after it, both included."""
    listed = ours.units
    matcher = difflib.SequenceMatcher(None, ours.unit_texts(), merged.unit_texts(), autojunk=False)
    found = set()
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for box in mine:
            before = box.start - 1
            while before >= 0 and listed[before].kind == "blank":
                before -= 1
            after = box.end
            while after < len(listed) and listed[after].kind == "blank":
                after += 1
            if (i1 < i2 and i1 <= after and before <= i2 - 1) or before < i1 <= after:
                found.add(box.id)
    return found


def moves(members: Iterable[int], paragraphs: Sequence[WordParagraph]) -> set[tuple[str, ...]]:
    """The tracked moves the DOCX paragraphs `members` take part in (either end), each as
    (author, date, text): the two halves of one move share it."""
    return {
        (change.author, change.date, " ".join(change.text.split()))
        for index in members
        for change in paragraphs[index].changes
        if change.kind in {"move-from", "move-to"}
    }
