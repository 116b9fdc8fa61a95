"""A translation's source text written from its translated blocks, keeping every byte it can:
a section whose words did not change keeps its lines as they were; a changed one is written
by pandoc in the source format's Markdown (`## Heading {#id}`, `::: plain`, pipe tables, one
paragraph a line); the metadata keeps its lines but for the title, the subtitle and the
record of the original (`translated-from:`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from pipeline.ingest import units
from pipeline.ingest.edits import yaml_scalar
from pipeline.ingest.markdown import pandoc
from pipeline.model import TranslatedFrom
from pipeline.pandoc import ast_document
from pipeline.translations import record

Blocks = list[dict[str, Any]]

WRITER = "markdown-smart-auto_identifiers-multiline_tables-simple_tables-grid_tables"
"""pandoc's Markdown as a source is written: quotes and dashes as characters, every id
written out, tables as pipe tables."""
_NOTE = re.compile(r"\[\^(\d+)\]")
_CODE = re.compile(r" {0,3}(`{3,}|~{3,})")
_DIV = re.compile(r":{3,}[ \t]*(.*?)[ \t]*")
_ID_FIRST = re.compile(r"\{#([\w-]+) \.(disclaimer)\}")


def split(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The text before the first section (metadata, and any include before it), and each
    section's id and text, from its heading to the next section's."""
    starts = [
        (unit.section or "", unit.start)
        for unit in units.read(text).units
        if unit.kind == "heading" and unit.level <= 2
    ]
    if not starts:
        return text, []
    ends = [start for _ident, start in starts[1:]] + [len(text)]
    sections = [(ident, text[start:end]) for (ident, start), end in zip(starts, ends, strict=True)]
    return text[: starts[0][1]], sections


def section_text(ident: str, blocks: Blocks, last: bool) -> str:
    """A section written by pandoc, its footnotes named after it (so they meet no other
    section's), ending with a blank line unless it ends the file."""
    written = pandoc(ast_document(blocks), "--from=json", f"--to={WRITER}", "--wrap=none")
    written = _NOTE.sub(lambda m: f"[^{ident}-{m.group(1)}]", written).strip("\n")
    return _house_fences(written) + ("\n" if last else "\n\n")


def _house_fences(text: str) -> str:
    """Div fences as sources write them: three colons (pandoc counts more for an outer div,
    but closes the innermost open one either way), `{.disclaimer #id}` with its class first.
    Lines inside a code block are left as they are."""
    out, code = [], ""
    for line in text.split("\n"):
        fence = _CODE.match(line)
        if fence and (not code or fence.group(1).startswith(code)):
            code = "" if code else fence.group(1)
        elif not code and (div := _DIV.fullmatch(line)):
            spec = _ID_FIRST.sub(r"{.\2 #\1}", div.group(1))
            line = ":::" + (f" {spec}" if spec else "")
        out.append(line)
    return "\n".join(out)


def metadata(
    before: str | None,
    translation_of: str,
    lang: str,
    fields: Mapping[str, str | None],
    kept: TranslatedFrom,
    review_every_months: int,
) -> str:
    """The metadata block: the translation's own with its title, subtitle and record made
    as given (every other line as it was), or a new one for a first translation, whose
    review date is left for a clinician (`TODO`: the file builds once it is written)."""
    if before is None:
        lines = [
            "---",
            f"translation-of: {translation_of}",
            *(f"{key}: {scalar(value)}" for key, value in fields.items() if value is not None),
            f"lang: {lang}",
            "last-reviewed: TODO  # when a clinician approved this translation: YYYY-MM-DD",
            f"review-every-months: {review_every_months}",
            *record.as_yaml(kept),
            "---",
        ]
        return "\n".join(lines) + "\n"
    text = record.with_record(before, kept)
    for key, value in fields.items():
        text = _with_value(text, key, value)
    return text


def _with_value(text: str, key: str, value: str | None) -> str:
    """`key: value` in the metadata, replacing the key's line (and its continuation lines)
    when it reads differently; added before `lang:` when missing; removed for None."""
    lines = text.split("\n")
    end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() in {"---", "..."})
    at = next((i for i in range(1, end) if re.match(rf"{key}\s*:", lines[i])), None)
    if at is not None:
        stop = at + 1
        while stop < end and lines[stop][:1] in (" ", "\t"):
            stop += 1
        current = yaml.safe_load("\n".join(lines[at:stop])) or {}
        if isinstance(current, dict) and current.get(key) == value:
            return text
        replacement = [] if value is None else [f"{key}: {scalar(value)}"]
        return "\n".join([*lines[:at], *replacement, *lines[stop:]])
    if value is None:
        return text
    lang = next((i for i in range(1, end) if re.match(r"lang\s*:", lines[i])), end)
    return "\n".join([*lines[:lang], f"{key}: {scalar(value)}", *lines[lang:]])


def scalar(value: str) -> str:
    """A metadata value as YAML reads it back (as ingest writes one)."""
    return yaml_scalar(value)


def joined(front: str, sections: Sequence[str]) -> str:
    return front + "".join(sections)
