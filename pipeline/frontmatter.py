"""A source or a shared passage file read within its limits, and the YAML metadata at its top
("front matter"): found and read safely; and the one answer to "which language is this file
written in" (`declared_lang`), which the loader, the build's list of a document's languages
and the choice of a passage's version all read, so they cannot disagree."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from pipeline import limits
from pipeline.errors import UserError
from pipeline.problems import Problem, SourceError, quoted, shown_path

LANG_PATTERN = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
NEWLINE = re.compile(r"\r\n|\r|\n")
"""Lines as pandoc and editors count them: not str.splitlines(), which also breaks at form
feeds and other separators and would shift every line number after one."""


class _MetadataLoader(yaml.SafeLoader):
    """YAML's safe loader, except that dates stay text (PyYAML turns `2025-11-31` into a
    ValueError with no line, where the loader's own date check names the line and the fix),
    and that an alias (`*name`) is refused where it stands: metadata is a few plain values,
    and nine aliases of nine aliases expand to millions of values (a "billion laughs")."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, f"an alias (*{event.anchor})", event.start_mark
            )
        return super().compose_node(parent, index)


_MetadataLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class FrontMatterError(UserError):
    """The metadata cannot be read, or declares no valid language: its line, what is wrong and
    the fix, as the loader says it."""

    def __init__(self, line: int, message: str, body_start: int):
        super().__init__(message, line=line)
        self.body_start = body_start
        """Where the body starts, as far as it can be told."""


def read(lines: list[str]) -> tuple[dict[str, Any], int]:
    """The metadata of a file of these lines, and the index of its closing line ("---").
    Raises FrontMatterError."""
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError(
            1, 'no YAML metadata; start the file with "---", the keys, then "---"', 0
        )
    end = next(
        (i for i, line in enumerate(lines[1:], 1) if line.strip() in {"---", "..."}),
        None,
    )
    if end is None:
        raise FrontMatterError(
            1, 'the YAML metadata is not closed; add a line "---" after the keys', len(lines)
        )
    try:
        meta = yaml.load("\n".join(lines[1:end]), _MetadataLoader)
    except RecursionError:
        raise FrontMatterError(
            2, "the YAML metadata is nested too deeply; write one 'key: value' a line", end + 1
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        message = _yaml_message(error, lines[line - 1] if mark else "")
        raise FrontMatterError(line, message, end + 1) from None
    if not isinstance(meta, dict):
        raise FrontMatterError(2, "the YAML metadata must be 'key: value' lines", end + 1)
    return meta, end


def key_line(lines: list[str], key: str, end: int) -> int:
    """The line of the metadata (which closes at index `end`) that sets `key`; else 1."""
    pattern = re.compile(rf"\s*{re.escape(key)}\s*:")
    return next((i + 1 for i in range(1, end) if pattern.match(lines[i])), 1)


def lang_problem(lang: object) -> str:
    """What is wrong with a `lang:` value that is given; "" when it is a language tag."""
    if isinstance(lang, str) and LANG_PATTERN.fullmatch(lang):
        return ""
    return f'lang {quoted(str(lang))} is not a BCP 47 language tag; write e.g. "lang: en-US"'


def read_file(path: Path, shown: str) -> tuple[str, bytes]:
    """A source or passage file's text and bytes, within limits.SOURCE (a named pipe or a link
    out of its folder is refused, never waited on or followed). Raises SourceError."""
    try:
        raw, size = limits.read_regular(path, path.parent, limits.SOURCE)
    except OSError as error:
        reason = error.strerror or str(error)
        raise SourceError([Problem(shown, 1, f"this file {reason}")]) from None
    if size > limits.SOURCE.most:
        line = raw[: limits.SOURCE.most].count(b"\n") + 1  # where it passes the limit
        raise SourceError([Problem(shown, line, limits.SOURCE.exceeded("the file is", size))])
    try:
        return raw.decode("utf-8"), raw
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SourceError([Problem(shown, line, "is not UTF-8 text; save it as UTF-8")]) from None


def declared_lang(path: Path, root: Path) -> str:
    """The language a source, a translation or a passage file (`path`, in the project at
    `root`) declares in its metadata, read as loading it reads it. Raises SourceError with
    the problem loading it would say first of its metadata: file and line, what is wrong and
    the fix."""
    shown = shown_path(path, root)
    lines = NEWLINE.split(read_file(path, shown)[0])
    try:
        meta, end = read(lines)
    except FrontMatterError as error:
        raise SourceError([Problem(shown, error.line, error.message)]) from None
    lang = meta.get("lang")
    if lang in (None, ""):
        message = 'required key "lang" is missing; add "lang: ..." above'
        raise SourceError([Problem(shown, end + 1, message)])
    wrong = lang_problem(lang)
    if wrong:
        raise SourceError([Problem(shown, key_line(lines, "lang", end), wrong)])
    return str(lang)


def _yaml_message(error: yaml.YAMLError, text: str) -> str:
    """What is wrong with the metadata, and the fix: a value holding ": " (a title with a
    colon) must be quoted, which YAML's own words ("mapping values are not allowed here")
    do not say."""
    reason = getattr(error, "problem", None) or "cannot be read"
    if reason.startswith("an alias"):
        return f"the YAML metadata uses {reason}, which is not allowed; write the value out"
    key, _, value = text.partition(":")
    value = value.split(" #")[0].strip()
    if reason.startswith("mapping values") and re.fullmatch(r"\s*[a-z-]+", key) and ": " in value:
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return (
            f"the {key.strip()} holds a colon followed by a space, which YAML reads as a new key; "
            f'put it in quotes: {key.strip()}: "{escaped}"'
        )
    return f"malformed YAML metadata ({reason}); write one 'key: value' a line"
