"""Proof that the edited source says what the reviewer left: pandoc reads the source with
the edits made, and its paragraphs must be the source's with exactly those edits (the
metadata's title and subtitle too). An edit that does not come out so is not applied; it is
reported for a person to make."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from pipeline.ingest import place
from pipeline.ingest.align import align
from pipeline.ingest.edits import Edit
from pipeline.ingest.markdown import plain, read_json
from pipeline.ingest.units import Slot, Source
from pipeline.text import nodes, paragraphs

NOT_AS_REVIEWED = (
    "written into the source, it would not read as the reviewer left it; "
    "make this change in the source by hand"
)


def read_paragraphs(text: str) -> list[str]:
    """Every paragraph a reader sees (headings, plain summaries, body, disclaimers), as
    pandoc reads the source, normalised for comparison."""
    body = _without_metadata(text)
    ast = read_json(body)
    return [plain(p) for p in paragraphs(with_notes(ast["blocks"])) if plain(p)]


_PARAGRAPHS = {"Para", "Plain", "Header", "LineBlock"}


def with_notes(value: Any) -> Any:
    """The blocks with each footnote's paragraphs right after the paragraph that refers to
    it, where the DOCX's reader meets them (pipeline.text leaves footnotes out)."""
    if isinstance(value, dict):
        return {key: with_notes(item) for key, item in value.items()}
    if not isinstance(value, list):
        return value
    out = []
    for item in value:
        out.append(with_notes(item))
        if isinstance(item, dict) and item.get("t") in _PARAGRAPHS:
            for note in (n for n in nodes(item.get("c")) if n.get("t") == "Note"):
                out += with_notes(note["c"])
    return out


def _without_metadata(text: str) -> str:
    lines = text.splitlines(keepends=True)
    if lines and lines[0].strip() == "---":
        end = next(
            (i for i, line in enumerate(lines[1:], 1) if line.strip() in {"---", "..."}), None
        )
        if end is not None:
            return "\n" * (end + 1) + "".join(lines[end + 1 :])
    return text


def metadata(text: str) -> dict[str, object]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return {}
    end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() in {"---", "..."}), None)
    if end is None:
        return {}
    try:
        found = yaml.safe_load("".join(lines[1:end]))
    except yaml.YAMLError:
        return {}
    return found if isinstance(found, dict) else {}


def unsure_slots(
    slots: Sequence[Slot], texts: Sequence[str], base_paragraphs: Sequence[str]
) -> set[int]:
    """Slots (by index) whose text pandoc does not read as one paragraph of its own: the cut
    into units misread that part of the source."""
    body = [i for i, slot in enumerate(slots) if slot.kind != "meta"]
    sure = set()
    for left, right in align([texts[i] for i in body], list(base_paragraphs)):
        if left is not None and right is not None and texts[body[left]] == base_paragraphs[right]:
            sure.add(body[left])
    return set(body) - sure


class Expectation:
    """What pandoc must read from the base with some edits made."""

    def __init__(
        self,
        base: Source,
        slots: Sequence[Slot],
        texts: Sequence[str],
        base_paragraphs: Sequence[str],
    ):
        self.base, self.slots, self.texts = base, list(slots), list(texts)
        self.base_paragraphs = list(base_paragraphs)
        body = [i for i, slot in enumerate(self.slots) if slot.kind != "meta"]
        self.paragraph_of = {
            body[left]: right
            for left, right in align([self.texts[i] for i in body], self.base_paragraphs)
            if left is not None and right is not None
        }
        self.index_of = {id(slot): i for i, slot in enumerate(self.slots)}

    def paragraphs(self, edits: Sequence[Edit]) -> list[str]:
        changed: dict[int, str | None] = {}
        added: dict[int, list[str]] = {}
        for edit in edits:
            if edit.slot is None or edit.slot.kind == "meta":
                continue
            where = self.paragraph_of.get(self.index_of[id(edit.slot)])
            if where is None:
                continue
            if edit.kind == "change":
                changed[where] = edit.new
            elif edit.kind == "delete":
                changed[where] = None if edit.slot.kind != "cell" else ""
            elif edit.cells:  # a new row: a paragraph for each cell with text
                added.setdefault(where, []).extend(p.text for p in edit.cells if p)
            else:
                added.setdefault(where, []).append(edit.new)
        expected: list[str] = []
        for index, text in enumerate(self.base_paragraphs):
            value = changed.get(index, text)
            if value:
                expected.append(plain(value))
            expected += [plain(new) for new in added.get(index, [])]
        return expected

    def metadata(self, edits: Sequence[Edit]) -> dict[str, str]:
        found = {}
        for edit in edits:
            if edit.kind == "change" and edit.slot is not None and edit.slot.kind == "meta":
                found[edit.slot.role] = edit.new
        return found


def prove(base: Source, expectation: Expectation, edits: list[Edit]) -> None:
    """Mark each placeable edit that does not come out as reviewed with a problem. One
    pandoc read when all is well; one per edit otherwise, to say which."""
    placeable = [e for e in edits if not e.problem and place.replacements(base, e)]
    if _holds(base, expectation, placeable):
        return
    for edit in placeable:
        if not _holds(base, expectation, [edit]):
            edit.problem = NOT_AS_REVIEWED


def _holds(base: Source, expectation: Expectation, edits: list[Edit]) -> bool:
    text = place.apply(base, edits)
    if read_paragraphs(text) != expectation.paragraphs(edits):
        return False
    found = metadata(text)
    return all(
        plain(str(found.get(key, ""))) == plain(value)
        for key, value in expectation.metadata(edits).items()
    )
