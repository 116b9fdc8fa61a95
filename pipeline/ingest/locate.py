"""Where each paragraph of the reviewed DOCX belongs in the source it was built from.

A section starts at its bookmark (named after its id); where a word processor dropped the
bookmark, at its heading, found by text. Within a section, the DOCX's paragraphs as they
were before the review (tracked changes rejected) pair with the source's by text (`align`);
those after the review (accepted) pair with a source paragraph through the DOCX paragraph
they share with its version before, whatever the reviewer changed, and by text only where
Track Changes was off. A disclaimer's paragraphs are those in its bookmark's range that have
a disclaimer's style."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.formats.docx.bookmarks import ids_by_bookmark
from pipeline.formats.docx.labels import LABELS
from pipeline.ingest import units
from pipeline.ingest.align import Pair, align, similarity
from pipeline.ingest.markdown import Inlines, text_of
from pipeline.ingest.paragraphs import Cell, WordParagraph
from pipeline.ingest.units import Slot, Source
from pipeline.ingest.versions import Versions

_ROLES = {
    "title": units.TITLE,
    "subtitle": units.SUBTITLE,
    "heading 1": units.HEADING,
    "plain summary": units.PLAIN,
    "disclaimer": units.WORDING,
    "disclaimer plain": units.DISCLAIMER_PLAIN,
}
_LABEL_BOXES = {label.casefold(): box.casefold() for box, (label, _key) in LABELS.items()}
_ROLES |= {label: _ROLES[box] for label, box in _LABEL_BOXES.items()}
# Made from the brand and the metadata, not the source's text: an edit there is not applied.
_GENERATED = {"author", "date"}


@dataclass
class Para:
    """One paragraph as a reader sees it in one version of the review: one w:p, or several
    joined by a paragraph mark the reviewer inserted or deleted."""

    members: tuple[int, ...]
    inlines: Inlines
    text: str
    role: str
    kind: str
    """ "heading", "subheading", "item", "cell", "caption" or "para"."""
    level: int
    """A subheading's level in the source (### is 3), a list item's depth (0 = top)."""
    section: str | None
    disclaimer: str | None
    cell: Cell | None = None
    """Its table cell, when it stands in one."""


@dataclass
class Located:
    slots: list[Slot]
    """The source's slots a DOCX paragraph shows (their text is not empty), in order."""
    slot_texts: list[str]
    before: list[Para]
    after: list[Para]
    before_pairs: list[Pair]
    """(slot index, before index)."""
    after_pairs: list[Pair]
    """(slot index, after index)."""
    generated_edits: list[tuple[str, str]]
    """(what, its text after the review) for each edited line the build writes (a box's
    label, the author and date lines): not applied."""


def locate(
    base: Source,
    slot_texts: Sequence[str],
    paragraphs: Sequence[WordParagraph],
    versions: dict[int, Versions],
    bookmarks: dict[str, tuple[int, int | None]],
) -> Located:
    slots = [slot for slot, text in zip(base.slots, slot_texts, strict=True) if text]
    texts = [text for text in slot_texts if text]
    content, generated = _content(paragraphs, versions)
    headings = {
        slot.section: text
        for slot, text in zip(slots, texts, strict=True)
        if slot.role == units.HEADING and slot.section
    }
    sections = _section_starts(headings, paragraphs, versions, bookmarks)
    disclaimers = _disclaimer_ranges(base, bookmarks)
    before = _joined(content, versions, sections, disclaimers, "before")
    after = _joined(content, versions, sections, disclaimers, "after")
    before_pairs = _pairs(slots, texts, before)
    after_pairs = _after_pairs(slots, texts, before, before_pairs, after)
    return Located(slots, texts, before, after, before_pairs, after_pairs, generated)


def _role(paragraph: WordParagraph) -> str:
    return _ROLES.get(paragraph.style.casefold(), units.BODY)


def _content(
    paragraphs: Sequence[WordParagraph], versions: dict[int, Versions]
) -> tuple[list[WordParagraph], list[tuple[str, str]]]:
    """The paragraphs that hold the source's text, and the edited ones that do not: a box's
    label, the author and date lines. Empty paragraphs (a picture's) hold no text."""
    content, generated = [], []
    for paragraph in paragraphs:
        version = versions.get(paragraph.index, Versions([], []))
        before, after = text_of(version.before), text_of(version.after)
        style = paragraph.style.casefold()
        # The build wrote one paragraph in a label's style, the label, in the document's
        # language: whatever was there before the review is it.
        label = before if style in _LABEL_BOXES and before else None
        if style in _GENERATED or label is not None:
            if after not in {before, ""}:  # typed into the label or the date line
                what = f"the label “{label}”" if label else f"the {style} line"
                generated.append((what, after))
            continue
        if before or after:  # a new paragraph in a label's style is in the label's box
            content.append(paragraph)
    return content, generated


def _section_starts(
    headings: dict[str, str],
    paragraphs: Sequence[WordParagraph],
    versions: dict[int, Versions],
    bookmarks: dict[str, tuple[int, int | None]],
) -> list[tuple[int, str]]:
    """(first paragraph, section id) for each section found, in document order. `headings`
    maps each section id to its heading's text, in source order."""
    found = {
        ident: bookmarks[name][0]
        for name, ident in ids_by_bookmark(headings).items()
        if name in bookmarks
    }
    for ident, heading in headings.items():
        if ident not in found:  # the bookmark is gone: find the heading by its text
            match = next(
                (
                    p.index
                    for p in paragraphs
                    if _role(p) == units.HEADING
                    and text_of(versions.get(p.index, Versions([], [])).before) == heading
                ),
                None,
            )
            if match is not None:
                found[ident] = match
    starts: list[tuple[int, str]] = []
    for ident in headings:  # in source order; a start out of that order is not trusted
        if ident in found and (not starts or found[ident] > starts[-1][0]):
            starts.append((found[ident], ident))
    return starts


def _disclaimer_ranges(
    base: Source, bookmarks: dict[str, tuple[int, int | None]]
) -> dict[str, tuple[int, int | None]]:
    ids = sorted({slot.disclaimer for slot in base.slots if slot.disclaimer})
    return {
        ident: bookmarks[name] for name, ident in ids_by_bookmark(ids).items() if name in bookmarks
    }


def _kind(paragraph: WordParagraph) -> tuple[str, int]:
    style = paragraph.style.casefold()
    if paragraph.in_table:
        return "cell", 0
    if style == "heading 1":
        return "heading", 2
    if style.startswith("heading ") and style[8:].isdigit():
        return "subheading", int(style[8:]) + 1
    if paragraph.level is not None:
        return "item", paragraph.level
    if style in {"image caption", "table caption"}:
        return "caption", 0
    return "para", 0


def _joined(
    content: Sequence[WordParagraph],
    versions: dict[int, Versions],
    sections: list[tuple[int, str]],
    disclaimers: dict[str, tuple[int, int | None]],
    which: str,
) -> list[Para]:
    """The paragraphs a reader sees in one version: before the review, a paragraph whose
    mark the reviewer inserted is still one with the next; after it, one whose mark was
    deleted is one with the next."""
    joining = (
        {"paragraph-insertion", "paragraph-move-to"}
        if which == "before"
        else {"paragraph-deletion", "paragraph-move-from"}
    )
    groups: list[list[WordParagraph]] = [[]]
    for paragraph in content:
        groups[-1].append(paragraph)
        if paragraph.mark is None or paragraph.mark.kind not in joining:
            groups.append([])
    found = []
    for group in groups:
        para = _para(group, versions, sections, disclaimers, which)
        if para is not None:
            found.append(para)
    return found


def _para(
    group: list[WordParagraph],
    versions: dict[int, Versions],
    sections: list[tuple[int, str]],
    disclaimers: dict[str, tuple[int, int | None]],
    which: str,
) -> Para | None:
    """One reader's paragraph from the w:p joined in `group`; None when it has no text.
    It stands where its first w:p with text stands, in the style of its last (the one
    whose mark it keeps)."""
    inlines: Inlines = []
    first = None
    for member in group:
        version = versions.get(member.index, Versions([], []))
        part = version.before if which == "before" else version.after
        if part:
            first = first or member
            inlines = [*inlines, {"t": "Space"}, *part] if inlines else list(part)
    text = text_of(inlines)
    if first is None or not text:
        return None
    last = group[-1]
    kind, level = _kind(last)
    role = _role(last)
    disclaimer = (
        _disclaimer_of(first.place, disclaimers)
        if role in {units.WORDING, units.DISCLAIMER_PLAIN}
        else None
    )
    members = tuple(member.index for member in group)
    section = _section_of(first.place, sections)
    return Para(members, inlines, text, role, kind, level, section, disclaimer, last.cell)


def _section_of(index: int, sections: list[tuple[int, str]]) -> str | None:
    current = None
    for start, ident in sections:
        if start > index:
            break
        current = ident
    return current


def _disclaimer_of(index: int, ranges: dict[str, tuple[int, int | None]]) -> str | None:
    inside = [
        (start, ident)
        for ident, (start, end) in ranges.items()
        if start <= index and (end is None or index <= end)
    ]
    return max(inside)[1] if inside else None


def _pairs(slots: list[Slot], texts: list[str], paras: list[Para]) -> list[Pair]:
    """Slots and paragraphs paired section by section (the title page's with the title and
    subtitle), as global indices."""
    pairs: list[Pair] = []
    keys: list[str | None] = []
    for slot in slots:
        if slot.section not in keys:
            keys.append(slot.section)
    for para in paras:
        if para.section not in keys:
            keys.append(para.section)
    for key in keys:
        left = [i for i, slot in enumerate(slots) if slot.section == key]
        right = [j for j, para in enumerate(paras) if para.section == key]
        for i, j in align([texts[i] for i in left], [paras[j].text for j in right]):
            pairs.append((None if i is None else left[i], None if j is None else right[j]))
    return pairs


def _after_pairs(
    slots: list[Slot],
    texts: list[str],
    before: list[Para],
    before_pairs: list[Pair],
    after: list[Para],
) -> list[Pair]:
    """Slots and paragraphs after the review, paired through the DOCX: a slot pairs with the
    paragraph after the review that shares a w:p with its paragraph before the review (the
    most alike one, when a paragraph was split or two were joined), however much its text
    changed. Those the tracked changes do not pair (untracked edits) pair by text, section
    by section. In order of the paragraphs after the review, each slot deleted just before
    the next one kept."""
    claims = []
    for i, b in before_pairs:
        if i is None or b is None:
            continue
        for j, para in enumerate(after):
            if set(before[b].members) & set(para.members):
                claims.append((similarity(texts[i], para.text), -j, i, j))
    slot_of: dict[int, int] = {}
    taken: set[int] = set()
    for _score, _order, i, j in sorted(claims, reverse=True):
        if i not in taken and j not in slot_of:
            slot_of[j] = i
            taken.add(i)
    # Text pairs the rest: slots the DOCX lost before the review, and paragraphs that share
    # nothing with a paired one (both edited with Track Changes off).
    seen = {i for i, b in before_pairs if i is not None and b is not None}
    paired = {
        m for i, b in before_pairs if i is not None and b is not None for m in before[b].members
    }
    rest_slots = [i for i in range(len(slots)) if i not in seen]
    rest_after = [j for j in range(len(after)) if not set(after[j].members) & paired]
    for left, right in _pairs(
        [slots[i] for i in rest_slots],
        [texts[i] for i in rest_slots],
        [after[j] for j in rest_after],
    ):
        if left is not None and right is not None:
            slot_of[rest_after[right]] = rest_slots[left]
    kept = set(slot_of.values())
    pairs: list[Pair] = []
    emitted: set[int] = set()
    for j in range(len(after)):
        slot = slot_of.get(j)
        if slot is not None:
            deleted = [k for k in range(slot) if k not in emitted and k not in kept]
            pairs += [(k, None) for k in deleted]
            emitted.update(deleted, [slot])
        pairs.append((slot, j))
    pairs += [(k, None) for k in range(len(slots)) if k not in emitted and k not in kept]
    return pairs
