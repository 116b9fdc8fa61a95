"""source.critic.md: the source as it is today, with the reviewer's changes in CriticMarkup
(`{++ added ++}`, `{-- deleted --}`, `{~~ old ~> new ~~}`) and their comments
(`{== highlighted ==}{>> comment <<}`), which reviewers and Markdown tools know. A change
held back (a disclaimer), one in conflict and one not placed are marked with a comment."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from pipeline.ingest import run
from pipeline.ingest.comments import Comment
from pipeline.ingest.describe import literal, quote, who
from pipeline.ingest.inline import tokens
from pipeline.ingest.run import Findings, edit_unit


def critic_markdown(findings: Findings) -> str:
    notes = _notes(findings)
    anchors = _anchors(findings)
    out: list[str] = []
    for hunk in findings.critic_hunks:
        if hunk.kind == "unchanged":
            shown = [
                _highlighted(unit, anchors.pop(hunk.start + offset, []))
                for offset, unit in enumerate(hunk.merged)
            ]
        elif hunk.kind in {"ours", "same"}:
            shown = list(hunk.merged)
        elif hunk.kind == "theirs":
            shown = list(_marked(hunk.base, hunk.theirs))
        else:  # both sides changed it: keep the source's own version
            shown = list(hunk.ours)
            notes.setdefault(hunk.start, []).append(
                "The reviewer changed this too; the source keeps its own version: "
                + quote("".join(hunk.theirs), 300)
            )
        covered = range(hunk.start, max(hunk.end, hunk.start + 1))
        extra = [note for k in covered for note in notes.pop(k, [])]
        # A comment on a paragraph that changed: after it, saying what it was on.
        extra += [_comment_note(c) for k in covered for c in anchors.pop(k, [])]
        if extra:
            shown = _with_comment(shown, " ".join(extra))
        out += shown
    return "".join(out)


def _notes(findings: Findings) -> dict[int, list[str]]:
    """Base unit -> comments ingest adds there: edits held back, in conflict, not placed,
    and the reviewers' comments that cannot highlight their text in place."""
    notes: dict[int, list[str]] = {}
    for edit in findings.edits:
        if edit.slot is None:
            continue
        state = findings.state(edit)
        text = {
            run.HELD: "This change waits for approval: "
            + "; ".join(
                f"disclaimer {ident} (--approve-disclaimer {ident})"
                for ident in findings.unapproved(edit)
            ),
            run.CONFLICT: "Conflict: the reviewer changed this paragraph, and so did the source "
            f"since; the source keeps its version. The reviewer's: {quote(edit.new, 300)}",
            run.NOT_PLACED: f"The reviewer's edit is not applied ({edit.problem}): "
            + (quote(edit.new, 300) if edit.new else "deleted"),
        }.get(state)
        if text:
            notes.setdefault(edit_unit(findings.base, edit), []).append(text)
    return notes


def _anchors(findings: Findings) -> dict[int, list[Comment]]:
    """Base unit -> the reviewers' comments on it."""
    found: dict[int, list[Comment]] = {}
    for comment in findings.comments:
        unit = _unit_of_comment(findings, comment)
        if unit is not None:
            found.setdefault(unit, []).append(comment)
    return found


def _unit_of_comment(findings: Findings, comment: Comment) -> int | None:
    if comment.paragraph is None:
        return None
    located, base = findings.located, findings.base
    for paras, pairs in (
        (located.before, located.before_pairs),
        (located.after, located.after_pairs),
    ):
        for i, j in pairs:
            if i is not None and j is not None and comment.paragraph in paras[j].members:
                return base.units.index(base.unit_of(located.slots[i]))
    # A comment on a paragraph the source does not have (added by the reviewer) or on a
    # label: the nearest paragraph after it.
    following = [
        (min(p.members), i)
        for i, j in located.before_pairs
        if i is not None and j is not None
        for p in [located.before[j]]
        if min(p.members) >= comment.paragraph
    ]
    if following:
        return base.units.index(base.unit_of(located.slots[min(following)[1]]))
    return None


def _comment_text(comment: Comment) -> str:
    parts = [f"{who(comment.author, comment.date)}: {literal(comment.text)}"]
    parts += [f"reply by {who(r.author, r.date)}: {literal(r.text)}" for r in comment.replies]
    return _safe(" / ".join(" ".join(part.split()) for part in parts))


def _comment_note(comment: Comment) -> str:
    on = f"on {quote(comment.anchor, 80)}: " if comment.anchor else ""
    return on + _comment_text(comment)


def _safe(text: str) -> str:
    return text.replace("<<}", "<< }").replace("{>>", "{ >>")


def _highlighted(unit: str, comments: list[Comment]) -> str:
    """The unit with each comment after the text it highlights, or at the unit's end."""
    body, newline = _split_newline(unit)
    for comment in comments:
        note = "{>>" + _comment_text(comment) + "<<}"
        anchor = comment.anchor
        if anchor and anchor in body and "{" not in anchor:
            body = body.replace(anchor, "{==" + anchor + "==}" + note, 1)
        else:
            body += " {>>" + _comment_note(comment) + "<<}"
    return body + newline


def _with_comment(units: list[str], text: str) -> list[str]:
    """`units` with a comment at the end of the last one that has text."""
    for index in range(len(units) - 1, -1, -1):
        body, newline = _split_newline(units[index])
        if body.strip():
            units[index] = body + " {>>" + _safe(text) + "<<}" + newline
            return units
    return [*units, "{>>" + _safe(text) + "<<}\n"]


def _split_newline(unit: str) -> tuple[str, str]:
    body = unit.rstrip("\r\n")
    return body, unit[len(body) :]


def _marked(old: tuple[str, ...], new: tuple[str, ...]) -> Iterator[str]:
    """The change from `old` to `new` units in CriticMarkup: paragraph by paragraph where
    they pair up, word by word inside a paragraph."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            yield from old[i1:i2]
        elif tag == "replace" and i2 - i1 == j2 - j1:
            for before, after in zip(old[i1:i2], new[j1:j2], strict=True):
                yield _words(before, after)
        else:
            for unit in old[i1:i2]:
                yield _wrapped(unit, "{--", "--}")
            for unit in new[j1:j2]:
                yield _wrapped(unit, "{++", "++}")


def _wrapped(unit: str, opening: str, closing: str) -> str:
    body, newline = _split_newline(unit)
    return (opening + body + closing if body.strip() else body) + newline


def _words(before: str, after: str) -> str:
    """One paragraph's change word by word. Changes separated only by white space read as
    one: `{~~and intermittent~>, occasional~~}`, not two."""
    old_body, newline = _split_newline(before)
    new_body, _ = _split_newline(after)
    old, new = tokens(old_body), tokens(new_body)
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    spans: list[tuple[int, int, int, int, bool]] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        # difflib alternates equal and changed runs: a blank equal run inside is a bridge.
        bridge = tag == "equal" and 0 < k < len(opcodes) - 1 and not "".join(old[i1:i2]).strip()
        changed = tag != "equal" or bridge
        if spans and changed and spans[-1][4]:
            spans[-1] = (spans[-1][0], i2, spans[-1][2], j2, True)
        else:
            spans.append((i1, i2, j1, j2, changed))
    out: list[str] = []
    for i1, i2, j1, j2, changed in spans:
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        if not changed:
            out.append(removed)
        elif not added:
            out.append("{--" + removed + "--}")
        elif not removed:
            out.append("{++" + added + "++}")
        else:
            out.append("{~~" + removed + "~>" + added + "~~}")
    return "".join(out) + newline
