"""The words a writer has still to write: the markers (TODO, TBD, XXX) `leaflet new` and
`leaflet translate new` leave, or a writer leaves, each said once at its line with what to
write there, in place of any other problem of that line (a placeholder id or date is the same
mistake)."""

from __future__ import annotations

import re

from pipeline import outline
from pipeline.problems import Gathered, quoted

PLACEHOLDER = "TODO"
"""What `invoke new` writes where the writer's words go: a source holding it never loads."""
PLACEHOLDER_WORD = re.compile(r"\b(?:TODO|TBD|XXX+)\b", re.IGNORECASE)
"""The markers writers leave for words still to come, in any case."""
TODO_IS_A_WORD = ("es", "pt", "ca", "gl")
"""Languages in which "todo" means "all": there only "TODO" in capitals is a marker."""


def mark(found: Gathered, lang: object, translating: bool) -> None:
    """Each line holding a marker, said as one problem (the line's other problems dropped);
    in a translation (`translating`), a line of text still in the original's words."""
    todo_is_a_word = isinstance(lang, str) and lang.lower().split("-")[0] in TODO_IS_A_WORD
    markers: dict[int, re.Match[str]] = {}
    for number, text in enumerate(found.lines, 1):
        for marker in PLACEHOLDER_WORD.finditer(text):
            if todo_is_a_word and marker.group().lower() == "todo" and marker.group() != "TODO":
                continue
            markers[number] = marker
            break
    found.problems = [p for p in found.problems if p.line not in markers]
    for number, marker in markers.items():
        text = found.lines[number - 1]
        if translating and not re.match(r"[a-z-]+\s*:", text):
            found.problem(number, _to_translate(text, marker))
        else:
            found.problem(number, _placeholder_message(text, marker))


def _placeholder_message(text: str, marker: re.Match[str]) -> str:
    key = re.match(r"([a-z-]+)\s*:", text)
    if key and not text.startswith(":"):
        name = key.group(1)
        if name == "last-reviewed":
            return (
                "last-reviewed is a placeholder; write the date a clinician approved this "
                "text, YYYY-MM-DD (or YYYY-MM)"
            )
        if name == "subtitle":
            return "subtitle is a placeholder; write one sentence, or delete the line"
        return f"{name} is a placeholder; write its value"
    if outline.HEADING.match(text):
        return (
            f"the heading {quoted(text)} is a placeholder; write the section's heading and "
            'a short id of your own, e.g. "## Knee exercises {#exercises}"'
        )
    if outline.OPENER.match(text):
        return (
            f"the id in {quoted(text)} is a placeholder; write a short id of your own, "
            'e.g. "::: {.disclaimer #not-a-cure}"'
        )
    start, end = marker.span()
    before, after = text[:start].lstrip(), text[end:].rstrip()
    if len(before) > 30:  # about 30 characters each side, cut between words
        before = "…" + before[-30:].split(" ", 1)[-1]
    if len(after) > 30:
        after = after[:30].rsplit(" ", 1)[0] + "…"
    shown = before + marker.group() + after
    return (
        f'placeholder "{marker.group()}" in "{shown}"; write your own words in its place '
        f"(and delete the {marker.group()})"
    )


def _to_translate(text: str, marker: re.Match[str]) -> str:
    """A translation's line still holding the original's words (`leaflet translate new`)."""
    if outline.HEADING.match(text):
        return (
            f"the heading {quoted(text)} is still to translate; write it in this "
            f'language and delete the "{marker.group()}", keeping its {{#id}}'
        )
    return (
        f"{quoted(text)} is still to translate; write it in this language in its place "
        f'(and delete the "{marker.group()}")'
    )
