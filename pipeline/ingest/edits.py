"""What the reviewer changed, paragraph by paragraph, as edits of the source the DOCX was
built from: a paragraph changed, deleted or added, with the new Markdown for it.

An edit is found by comparing the text of the DOCX after the review (every tracked change
accepted) with the source, so an edit made with Track Changes off counts too. Formatting
alone (a word made bold) is not an edit: formatting-only changes are reported, not applied.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

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
            if para is not None and old == para.text:
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
        edits.append(edit)
    _write_markdown(base, located, slot_inlines, edits)
    return edits


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
    inlined = [e for e in written if e not in texts]
    lists: list[Inlines] = []
    for edit in inlined:
        assert edit.para is not None
        lists.append(_with_source_images(edit.para.inlines, edit, slot_inlines, index_of))
        if edit.kind == "change":
            assert edit.slot is not None
            lists.append(slot_inlines[index_of[id(edit.slot)]])
    pandoc_md = iter(markdown.write(lists))
    candidates: list[tuple[Edit, str, str | None]] = []
    for edit in inlined:
        reviewed = next(pandoc_md)
        if edit.kind == "change":
            assert edit.slot is not None
            built = next(pandoc_md)
            source = base.markdown(edit.slot)
            candidates.append((edit, reviewed, inline.merged(built, reviewed, source)))
        else:
            candidates.append((edit, reviewed, None))
    proposals = [merged for _, _, merged in candidates if merged is not None]
    read_back = iter(markdown.write(markdown.parse(proposals)))
    for edit, reviewed, merged in candidates:
        chosen = reviewed
        if merged is not None and next(read_back) == reviewed:
            chosen = merged
        edit.markdown = _fitted(chosen, edit)
        if not edit.markdown:
            edit.problem = edit.problem or "pandoc could not write this paragraph as Markdown"


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
    cell's pipes escaped."""
    kind = edit.slot.kind if edit.kind == "change" and edit.slot is not None else ""
    if kind in {"heading", "cell"} or (edit.para is not None and edit.para.kind == "cell"):
        text = " ".join(text.split())
    if kind == "cell":
        text = _escape_pipes(text)
    return text


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
