"""review.md: what the reviewer did, for a person to read, in source order. Each change as
before → after with who and when and what became of it; each comment with what it is on and
its replies; each conflict; each disclaimer edit waiting for approval; and a note when the
reviewer edited with Track Changes off."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterator

from pipeline.ingest import guard, run, units
from pipeline.ingest.comments import Comment
from pipeline.ingest.describe import (
    comment_place,
    edit_place,
    literal,
    para_place,
    paragraph_words,
    quote,
    section_titles,
    tracked_lines,
    who,
)
from pipeline.ingest.edits import DISCLAIMER_ROLES, Edit
from pipeline.ingest.run import Findings

_STATE_WORDS = {
    run.READY: "ready to apply (`--apply`)",
    run.APPLIED: "applied",
    run.ALREADY: "already in the source",
    run.CONFLICT: (
        "CONFLICT: this paragraph was also changed in the source since the DOCX was built; "
        "the source keeps its version. Make the reviewer's change by hand if it still applies"
    ),
    run.HELD: "HELD BACK: it changes approved wording ({id}); see “Held back” above",
    run.NOT_PLACED: "NOT APPLIED: {problem}",
    run.BLOCKED: "NOT APPLIED: see “Not applied” above",
}


def summary(findings: Findings) -> str:
    """One line: how many changes and what became of them, and the comments."""
    states = Counter(state_of(findings, e) for e in findings.edits)
    comments = sum(1 + len(c.replies) for c in findings.comments)
    if not findings.edits:
        head = "no changes"
    else:
        parts = [f"{count} {state}" for state, count in states.items()]
        head = f"{_count(len(findings.edits), 'change')} ({', '.join(parts)})"
    return f"{head}; {_count(comments, 'comment')}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def state_of(findings: Findings, edit: Edit) -> str:
    state = findings.state(edit)
    if state == run.READY and findings.applied:
        return run.APPLIED
    return run.BLOCKED if state == run.READY and findings.blocked else state


def review_markdown(findings: Findings) -> str:
    return "\n".join(_lines(findings)).rstrip() + "\n"


def _lines(findings: Findings) -> Iterator[str]:
    reviewed = findings.reviewed
    yield f"# Review of {literal(reviewed.path.name)}"
    yield ""
    yield f"- Document: `{reviewed.doc_id}` ({findings.shown_source})"
    moved = "it has changed since" if findings.source_moved_on else "it has not changed since"
    known = f", {findings.vouched}" if findings.vouched else ""
    yield f"- Built from the source with sha256 `{reviewed.base.sha256[:12]}…`{known}; {moved}."
    yield f"- Found: {summary(findings)}."
    if findings.applied:
        kept = findings.backup.name if findings.backup else ""
        yield f"- Applied to {findings.shown_source}; the file before is `{kept}`."
    elif any(state_of(findings, e) == run.READY for e in findings.edits):
        yield "- Not applied yet: run ingest again with `--apply`."
    yield (
        "- Beside this file: `source.critic.md` (the source with the changes in "
        "CriticMarkup) and `source.patch` (what `--apply` writes)."
    )
    approved = sorted(
        {
            ident
            for edit in findings.edits
            if findings.state(edit) in {run.READY, run.ALREADY}
            for ident in findings.disclaimers(edit)
        }
    )
    if approved:
        flags = " ".join(f"`--approve-disclaimer {ident}`" for ident in approved)
        yield f"- Changes to approved wording, approved with {flags}: see each below."
    yield from _unvouched(findings)
    yield from _blocked(findings)
    yield from _held(findings)
    untracked = list(_untracked(findings))
    if untracked:
        yield ""
        yield "> **Edited with Track Changes off.** The text after the review differs from the"
        yield "> text the DOCX was built with where no tracked change says so. These edits are"
        yield "> listed in their sections below like the others, but carry nobody's name or date:"
        for line in untracked:
            yield f"> - {line}"
    titles = section_titles(findings)
    by_section: dict[str | None, list[str]] = {key: [] for key in titles}
    for key, lines in _items(findings):
        by_section.setdefault(key, []).extend(lines)
    notes = []
    for key, note in _notes(findings):
        if key in by_section and key is not None:
            by_section[key] += ["", note]
        else:
            notes.append(note)
    for key, lines in by_section.items():
        if not lines:
            continue
        yield ""
        yield f"## {titles.get(key, key or 'Title page')}" + (f" (`{key}`)" if key else "")
        yield from lines
    if notes:
        yield ""
        yield "## Also found"
        yield ""
        yield from notes
    if not findings.edits and not findings.comments:
        yield ""
        yield "No changes and no comments: the reviewed text is the text the DOCX was built with."


def _blocked(findings: Findings) -> Iterator[str]:
    if findings.broken_rules:
        yield ""
        yield "## Not applied"
        yield ""
        yield (
            f"With these edits {findings.shown_source} would break the rules of the source "
            "format, so it was left as it is. Each problem is at its line in the source as it "
            "is now. Make the edits by hand so that the source keeps its rules "
            "(`source.critic.md` shows them), or ask the reviewer:"
        )
        yield ""
        yield from (f"- {literal(problem)}" for problem in findings.broken_rules)
    if findings.changed_meanwhile:
        yield ""
        yield "## Not applied"
        yield ""
        yield (
            f"{findings.shown_source} changed while this ingest read it, so it was left as it "
            "is: run ingest again."
        )


def _unvouched(findings: Findings) -> Iterator[str]:
    if findings.vouched:
        return
    yield ""
    yield "> **The source this DOCX carries could not be vouched for.** It is not a version of"
    yield f"> {findings.shown_source} that the build published, nor one committed to git, so"
    yield "> ingest does not trust it to say where the disclaimers are. The reviewer's edits"
    yield "> are read as usual, but each change in a disclaimer or next to one (in the"
    yield "> paragraph before or after it) is held back below until someone approves it."


def _held(findings: Findings) -> Iterator[str]:
    """Each disclaimer a held-back change would change: how to approve it, who changed it
    and when, and the source before and after, as a diff of the source today."""
    held = [e for e in findings.edits if findings.state(e) == run.HELD]
    idents = sorted({ident for edit in held for ident in findings.unapproved(edit)})
    if not idents and not findings.refused:
        return
    yield ""
    yield "## Held back: changes to approved wording"
    yield ""
    yield (
        "A disclaimer's wording was approved word for word, so these changes were not applied. "
        "Once the new wording is approved, run ingest again with the flag shown: it applies "
        "that disclaimer's changes and only those."
    )
    for ident in idents:
        edits = [e for e in held if ident in findings.unapproved(e)]
        name = findings.reviewed.path.name
        yield ""
        yield f"### Disclaimer `{ident}`"
        yield ""
        yield f"- Approve with `--approve-disclaimer {ident}`:"
        yield f"  `leaflet ingest {name} --apply --approve-disclaimer {ident}`"
        after = run.merged_with(findings, edits)
        if not _inside(findings, after, ident):
            yield (
                "- Its own lines stay as they are: the change is next to it, and the DOCX's "
                "copy of the source could not be vouched for."
            )
        for edit in edits:
            lines = list(tracked_lines(findings, edit)) or [
                "made with Track Changes off: no name or date on it"
            ]
            yield f"- {_KIND_WORDS[edit.kind]}: " + "; ".join(lines)
        yield "- Before and after, in the source:"
        yield ""
        yield "  ```diff"
        diff = difflib.unified_diff(
            findings.ours.splitlines(), after.splitlines(), lineterm="", n=2
        )
        yield from (f"  {line}" for line in list(diff)[2:])
        yield "  ```"
    if findings.refused:
        yield ""
        yield (
            "Even with each of those held back, the merge would still change "
            + ", ".join(f"`{ident}`" for ident in findings.refused)
            + " without approval (through text outside the disclaimer that it uses, such as "
            "a footnote), so nothing was applied: make the edits by hand."
        )


_KIND_WORDS = {"change": "A change", "delete": "A deletion", "insert": "An added paragraph"}


def _inside(findings: Findings, merged: str, ident: str) -> bool:
    """Does `merged` change the lines of disclaimer `ident` (not only what is next to it)?"""
    return ident in guard.changed_boxes(units.read(findings.ours), units.read(merged), False)


def _items(findings: Findings) -> Iterator[tuple[str | None, list[str]]]:
    """(section, lines) for each edit and comment, in source order: an edit where its
    paragraph is (an added one after the paragraph it follows), a comment after the edits
    of the paragraph it is on."""
    located = findings.located
    index_of = {id(slot): i for i, slot in enumerate(located.slots)}
    items: list[tuple[float, int, str | None, list[str]]] = []
    for number, edit in enumerate(findings.edits):
        where = index_of.get(id(edit.slot), -1) + (0.5 if edit.kind == "insert" else 0)
        items.append((where, number, edit.section, list(_edit_lines(findings, edit))))
    for number, comment in enumerate(findings.comments):
        section, place = comment_place(findings, comment)
        where = _comment_position(findings, comment) + 0.75
        items.append((where, len(items) + number, section, list(_comment_lines(comment, place))))
    for _where, _number, section, lines in sorted(items, key=lambda item: item[:2]):
        yield section, lines


def _comment_position(findings: Findings, comment: Comment) -> float:
    """The slot a comment's paragraph pairs with (the one before it, for a paragraph the
    reviewer added)."""
    located = findings.located
    last = -1.0
    for paras, pairs in (
        (located.before, located.before_pairs),
        (located.after, located.after_pairs),
    ):
        for i, j in pairs:
            if i is not None:
                last = i
            if j is not None and comment.paragraph in paras[j].members:
                return float(last)
    return float("inf")


def _edit_lines(findings: Findings, edit: Edit) -> Iterator[str]:
    heading = {"change": "Changed", "delete": "Deleted", "insert": "Added"}[edit.kind]
    place = edit_place(edit)
    touched = findings.disclaimers(edit)
    if touched and findings.state(edit) != run.NOT_PLACED and "disclaimer" not in place:
        inside = _inside(findings, run.merged_with(findings, [edit]), touched[0])
        place += f" ({'in' if inside else 'next to'} disclaimer {', '.join(touched)})"
    yield ""
    yield f"### {heading}: {place}"
    yield ""
    old, new = excerpts(edit.old, edit.new) if edit.kind == "change" else (edit.old, edit.new)
    now = findings.source_now.get(id(edit))
    if now is not None:  # a conflict: the three side by side
        built = quote(old, 600) if edit.kind != "insert" else "(nothing here)"
        yield f"- When the DOCX was built: {built}"
        yield f"- In {findings.shown_source} now: {quote(now, 600) if now.strip() else '(gone)'}"
        yield f"- The reviewer's: {quote(new, 600) if edit.kind != 'delete' else '(deleted)'}"
    else:
        if edit.kind != "insert":
            yield f"- Before: {quote(old, 600)}"
        if edit.kind != "delete":
            yield f"- After: {quote(new, 600)}"
    for line in tracked_lines(findings, edit):
        yield f"- {line}"
    state = state_of(findings, edit)
    held = ", ".join(f"disclaimer `{ident}`" for ident in findings.unapproved(edit))
    words = _STATE_WORDS[state].format(id=held, problem=literal(edit.problem))
    yield f"- **{words}**"


def excerpts(old: str, new: str, context: int = 10, short: int = 240) -> tuple[str, str]:
    """A long paragraph's change with `context` words on either side, "…" for the rest;
    a short paragraph whole."""
    if max(len(old), len(new)) <= short:
        return old, new
    before, after = old.split(), new.split()
    head = 0
    while head < min(len(before), len(after)) and before[head] == after[head]:
        head += 1
    tail = 0
    while tail < min(len(before), len(after)) - head and before[-1 - tail] == after[-1 - tail]:
        tail += 1
    start = max(0, head - context)

    def cut(words: list[str]) -> str:
        end = len(words) - max(0, tail - context)
        return (
            ("… " if start else "")
            + " ".join(words[start:end])
            + (" …" if end < len(words) else "")
        )

    return cut(before), cut(after)


def _comment_lines(comment: Comment, place: str) -> Iterator[str]:
    yield ""
    yield f"### Comment by {who(comment.author, comment.date)}" + (
        " (resolved)" if comment.resolved else ""
    )
    yield ""
    if comment.anchor:
        yield f"- On {quote(comment.anchor)} ({place})"
    else:
        after = f" after {quote(comment.before)}" if comment.before else ""
        yield f"- At a point in the {place}{after} (it highlights no text)"
    yield from _quoted(comment.text)
    for reply in comment.replies:
        yield f"- Reply by {who(reply.author, reply.date)}:"
        yield from _quoted(reply.text, "  ")


def _quoted(text: str, indent: str = "") -> Iterator[str]:
    yield ""
    for line in text.splitlines() or [""]:
        yield f"{indent}> {literal(line)}".rstrip()
    yield ""


def _untracked(findings: Findings) -> Iterator[str]:
    located = findings.located
    titles = section_titles(findings)
    for i, j in located.before_pairs:
        if i is not None and j is not None and located.slot_texts[i] == located.before[j].text:
            continue
        if i is not None:
            slot = located.slots[i]
            where = f"{titles.get(slot.section, 'Title page')}: {quote(located.slot_texts[i], 80)}"
            yield ("changed " if j is not None else "deleted ") + where
        elif j is not None:
            para = located.before[j]
            where = f"{titles.get(para.section, 'Title page')} ({para_place(para)})"
            yield f"added in {where}: {quote(para.text, 80)}"


def _notes(findings: Findings) -> Iterator[tuple[str | None, str]]:
    """(section, note) for what is reported and never applied: formatting changes, a
    disclaimer's content control taken away, text typed into what the build writes."""
    for paragraph in findings.paragraphs:
        section = _section_of(findings, paragraph.index)
        for change in paragraph.changes:
            if change.kind == "formatting":
                what = (
                    quote(change.text, 80)
                    if change.text
                    else paragraph_words(findings, paragraph.index)
                )
                by = who(change.author, change.date)
                yield (
                    section,
                    (f"- Formatting changed by {by} on {what}: not applied (text is reviewed)."),
                )
    for para in findings.located.before:
        if para.disclaimer and para.role in DISCLAIMER_ROLES:
            unlocked = [findings.paragraph(m) for m in para.members]
            taken = [c for p in unlocked for c in p.changes if c.kind == "unlocked"]
            if taken or not all(p.locked for p in unlocked):
                by = f" by {who(taken[0].author, taken[0].date)}" if taken else ""
                yield (
                    para.section,
                    (
                        f"- **The content control that locks disclaimer {para.disclaimer} was "
                        f"taken away{by}** around {quote(para.text, 80)}: its wording is no longer "
                        "locked in the file. Any edit to it is listed here and waits for approval."
                    ),
                )
    for what, text in findings.located.generated_edits:
        yield (
            None,
            (
                f"- Text typed into {what}, which the build writes: {quote(text, 120)}; "
                "not applied (put it in the text itself)."
            ),
        )


def _section_of(findings: Findings, index: int) -> str | None:
    for paras in (findings.located.after, findings.located.before):
        for para in paras:
            if index in para.members:
                return para.section
    return None
