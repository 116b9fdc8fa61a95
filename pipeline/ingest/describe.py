"""Words for what ingest found: where a paragraph stands, what a tracked change did, who
and when. Shared by the report and the CriticMarkup."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.ingest import units
from pipeline.ingest.comments import Comment
from pipeline.ingest.edits import Edit
from pipeline.ingest.locate import Para
from pipeline.ingest.paragraphs import Change
from pipeline.ingest.run import Findings

_ROLE_NAMES = {
    units.TITLE: "title",
    units.SUBTITLE: "subtitle",
    units.HEADING: "heading",
    units.PLAIN: "plain summary",
}
_KIND_NAMES = {"item": "list item", "cell": "table cell", "caption": "caption", "figure": "caption"}


def when(date: str) -> str:
    """An ISO date and time as people read it: 2026-11-25 16:09 (UTC)."""
    if not date:
        return "no date"
    day, _, time = date.partition("T")
    return f"{day} {time[:5]}".strip() if time else day


def who(author: str, date: str) -> str:
    return f"{literal(author) or 'someone'}, {when(date)}"


_MARKUP = re.compile(r"([\\`*_\[\]<>&~|{}])")
_BLOCK_START = re.compile(r"^([ \t]*(?:\d+)?)([#+.)-])", re.MULTILINE)


def literal(text: str) -> str:
    """Text a reviewer wrote (or a file's name), as Markdown that shows it as it is: no
    link, picture, HTML, code or emphasis can come of it, nor a heading or a list where a
    line begins."""
    return _BLOCK_START.sub(r"\1\\\2", _MARKUP.sub(r"\\\1", text))


def section_titles(findings: Findings) -> dict[str | None, str]:
    """Section id -> its heading's text, in source order; None is the title page."""
    titles: dict[str | None, str] = {None: "Title page"}
    for slot, text in zip(findings.located.slots, findings.located.slot_texts, strict=True):
        if slot.role == units.HEADING and slot.section:
            titles[slot.section] = text
    return titles


def place_of(role: str, kind: str, disclaimer: str | None) -> str:
    """What a paragraph is, in words: "plain summary", "disclaimer not-a-cure (plain
    wording)", "list item"."""
    if role == units.WORDING:
        return f"disclaimer {disclaimer} (approved wording)"
    if role == units.DISCLAIMER_PLAIN:
        return f"disclaimer {disclaimer} (plain wording)"
    if role in _ROLE_NAMES:
        return _ROLE_NAMES[role]
    return _KIND_NAMES.get(kind, "subheading" if kind in {"subheading", "heading"} else "paragraph")


def edit_place(edit: Edit) -> str:
    if edit.kind == "insert":
        assert edit.para is not None
        if edit.cells:
            return "new table row"
        return "new " + place_of(edit.role, edit.para.kind, edit.disclaimer)
    assert edit.slot is not None
    return place_of(edit.slot.role, edit.slot.kind, edit.disclaimer)


def para_place(para: Para) -> str:
    return place_of(para.role, para.kind, para.disclaimer)


def changes_of(findings: Findings, members: tuple[int, ...]) -> list[Change]:
    found: list[Change] = []
    for index in members:
        paragraph = findings.paragraph(index)
        if paragraph.mark is not None:
            found.append(paragraph.mark)
        found += paragraph.changes
    return found


def tracked_lines(findings: Findings, edit: Edit) -> Iterator[str]:
    """Each tracked change behind an edit, in words, with who made it and when. A deletion
    and an insertion side by side by the same person (in either order: Word writes the
    deletion first, Google Docs the insertion) read as one replacement."""
    changes = [
        c
        for c in changes_of(findings, edit.members)
        if c.kind != "formatting" and not (edit.cells and c.kind == "paragraph-insertion")
    ]  # a new row's cells each begin with a new paragraph: that is the row, said above
    skip = False
    for position, change in enumerate(changes):
        if skip:
            skip = False
            continue
        following = changes[position + 1] if position + 1 < len(changes) else None
        pair = {change.kind, following.kind} if following is not None else set()
        if (
            following is not None
            and pair == {"deletion", "insertion"}
            and following.author == change.author
            and not change.within
            and not following.within
        ):
            skip = True
            old, new = (change, following) if change.kind == "deletion" else (following, change)
            replaced = f"replaced {quote(old.text)} with {quote(new.text)}"
            yield f"{who(change.author, change.date)}: {replaced}"
            continue
        yield f"{who(change.author, change.date)}: {_verb(change)}"


def _verb(change: Change) -> str:
    if change.within:  # a second reviewer deleting what the first one added
        return (
            f"deleted {quote(change.text)}, which {literal(change.within)} had inserted "
            "(so the source never had it)"
        )
    return {
        "insertion": f"inserted {quote(change.text)}",
        "deletion": f"deleted {quote(change.text)}",
        "move-from": f"moved {quote(change.text)} away from here",
        "move-to": f"moved {quote(change.text)} here",
        "paragraph-insertion": "started a new paragraph",
        "paragraph-deletion": "joined this paragraph with the next (deleted its paragraph mark)",
        "paragraph-move-from": "moved this paragraph away from here",
        "paragraph-move-to": "moved this paragraph here",
        "unlocked": "took away the content control that locks this text",
    }.get(change.kind, change.kind)


def paragraph_words(findings: Findings, index: int, most: int = 80) -> str:
    """A DOCX paragraph in words: its text (quoted) as the reviewer left it, or before."""
    for paras in (findings.located.after, findings.located.before):
        for para in paras:
            if index in para.members:
                return f"the paragraph {quote(para.text, most)}"
    return "an empty paragraph"


def quote(text: str, most: int = 160) -> str:
    text = " ".join(text.split())
    if len(text) > most:
        text = text[: most - 1] + "…"
    return f"“{literal(text)}”"


def comment_place(findings: Findings, comment: Comment) -> tuple[str | None, str]:
    """The section a comment stands in, and what it is on."""
    for paras in (findings.located.after, findings.located.before):
        for para in paras:
            if comment.paragraph in para.members:
                return para.section, para_place(para)
    paragraph = findings.paragraph(comment.paragraph) if comment.paragraph is not None else None
    if paragraph is not None and paragraph.style.casefold() in {"title", "subtitle"}:
        return None, paragraph.style.casefold()
    return None, "the document"
