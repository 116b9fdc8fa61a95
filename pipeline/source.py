"""Load a source document (`source/<id>.md`) into the model, checking every rule of the
contract. All problems of a file are gathered and reported together, one line each; a broken
structure (a heading or fence read as text, a div never closed) is said once, by its cause."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote

import yaml

from pipeline import invisible, limits, outline, pandoc, passages, resources, review
from pipeline.errors import UserError
from pipeline.model import Block, Disclaimer, Document, Section, TranslatedFrom, Translation
from pipeline.review import ReviewDate
from pipeline.text import nodes, paragraphs, stringify
from pipeline.tools import ToolError
from pipeline.translations import parity, record

# Auto identifiers off: a heading without an explicit {#id} must be reported, not guessed.
PANDOC_FORMAT = "markdown-auto_identifiers"
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LANG_PATTERN = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
KNOWN_KEYS = ("id", "title", "subtitle", "lang", "last-reviewed", "review-every-months")
TRANSLATION_KEYS = ("translation-of", "translated-from")
"""A translation's own keys (docs/translations.md): the original's id, and the record of
the original's version it was translated from."""
MAX_REVIEW_MONTHS = 120
NEWLINE = re.compile(r"\r\n|\r|\n")
OWN_CONTENT = ("image ", "raw ")
"""Problems of a line's own content, which stand whatever the document's structure."""
PLACEHOLDER = "TODO"
"""What `invoke new` writes where the writer's words go: a source holding it never loads."""
PLACEHOLDER_WORD = re.compile(r"\b(?:TODO|TBD|XXX+)\b", re.IGNORECASE)
"""The markers writers leave for words still to come, in any case."""
TODO_IS_A_WORD = ("es", "pt", "ca", "gl")
"""Languages in which "todo" means "all": there only "TODO" in capitals is a marker."""


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


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class SourceError(UserError):
    """A source document breaks the contract; `problems` says where and how to fix each."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def slug(text: str) -> str:
    """An id made from words in any script: transliterated to ASCII (préparation ->
    preparation), lower-case letters and digits joined by hyphens."""
    from anyascii import anyascii

    return "-".join(re.findall(r"[a-z0-9]+", anyascii(text).lower())) or "section"


def load(path: Path, root: Path, today: dt.date | None = None) -> Document:
    """Parse and validate one source file. Raises SourceError listing every problem.
    `today` (default: review.today()) is the date a last-reviewed may not be after."""
    shown = _shown_path(path, root)
    text, raw = _read(path, root, shown)
    return _Loader(path, shown, text, raw, today or review.today(), root).document()


class Passage(NamedTuple):
    part: Section | Disclaimer
    recorded: TranslatedFrom | None
    """A version in another language: its record of the original passage it translates."""


def load_passage(path: Path, root: Path, today: dt.date | None = None) -> Passage:
    """Parse and validate one shared passage (pipeline/passages.py): the section or the
    disclaimer it holds, its lines and messages those of its own file. Raises SourceError."""
    shown = _shown_path(path, root)
    text, raw = _read(path, root, shown)
    return _Loader(path, shown, text, raw, today or review.today(), root, passage=True).passage()


def _read(path: Path, root: Path, shown: str) -> tuple[str, bytes]:
    """A source file's text and bytes, within limits.SOURCE. Raises SourceError."""
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


def declared_lang(path: Path) -> str | None:
    """The `lang:` a source's metadata declares, read without loading the file (None when
    it cannot be told): what the pages of its translations name it by."""
    try:  # a named pipe or a link out of source/ is refused, never waited on or followed
        with os.fdopen(limits.open_regular(path, path.parent), "rb") as stream:
            head = stream.read(64 * 1024).decode("utf-8", errors="replace")
    except OSError:
        return None
    lines = NEWLINE.split(head)
    end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() in {"---", "..."}), 0)
    try:
        meta = yaml.load("\n".join(lines[1:end]), _MetadataLoader) if end else None
    except (yaml.YAMLError, RecursionError):
        return None
    lang = meta.get("lang") if isinstance(meta, dict) else None
    return lang if isinstance(lang, str) and LANG_PATTERN.fullmatch(lang) else None


def _shown_path(path: Path, root: Path) -> str:
    """The path as the writer names it (a symbolic link is named, not followed)."""
    try:
        return (path.parent.resolve() / path.name).relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


class _Loader:
    def __init__(
        self,
        path: Path,
        shown: str,
        text: str,
        raw: bytes,
        today: dt.date,
        root: Path,
        passage: bool = False,
    ):
        self.path, self.shown, self.text, self.raw, self.today = path, shown, text, raw, today
        self.root, self.is_passage = root, passage
        self.included: dict[str, Section | Disclaimer | str | None] = {}
        self.stale_passages: list[str] = []
        """Each shared passage the document includes, by id (why it cannot be found, or None:
        its own file has problems)."""
        self.original: Document | None = None
        """For a translation: its original, loaded and checked first."""
        self.recorded: TranslatedFrom | None = None
        self.translating = False
        """The metadata names an original (`translation-of:`)."""
        # Lines as pandoc and editors count them: not str.splitlines(), which also breaks at
        # form feeds and other separators and would shift every line number after one.
        self.lines = NEWLINE.split(text)
        self.problems: list[Problem] = []
        self.figures: dict[Path, int] = {}
        self.tags_said: set[tuple[int, str]] = set()
        """Each bitmap figure's pixels."""

    def problem(self, line: int, message: str) -> None:
        line = max(line, 1)  # a position the line scan could not tell: the file's start
        # A quoted value may hold a line break or a control character: show it escaped, so
        # each problem stays one line of the report.
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
        self.problems.append(Problem(self.shown, line, shown))

    def document(self) -> Document:
        meta, body_start = self._front_matter()
        metadata_problems = len(self.problems)
        self.lang = str((meta or {}).get("lang") or self._raw_lang())
        blocks, warnings = self._body(body_start)
        sections = self._sections(blocks, body_start)
        if len(sections) > limits.SECTIONS.most:
            extra = sections[limits.SECTIONS.most]
            self.problem(extra.line, limits.SECTIONS.exceeded("the document has", len(sections)))
        self._settle(metadata_problems, warnings, sections)
        if self.problems or meta is None or blocks is None:
            raise SourceError(self._sorted_problems())
        translation = None
        if self.original is not None and self.recorded is not None:
            translation = Translation(
                original=self.original.source_path,
                original_lang=self.original.lang,
                recorded=self.recorded,
                current=record.current(self.original),
                original_lines={
                    part.id: part.line for part in parity.parts(self.original.sections)
                },
            )
        return Document(
            id=meta.get("translation-of") or meta["id"],
            title=meta["title"],
            subtitle=meta.get("subtitle"),
            lang=meta["lang"],
            last_reviewed=meta["last-reviewed"],
            review_every_months=meta.get("review-every-months", 12),
            sections=tuple(sections),
            source_path=self.shown,
            source_sha256=hashlib.sha256(self.raw).hexdigest(),
            source_text=self.text,
            translation=translation,
            stale_passages=tuple(self.stale_passages),
        )

    def passage(self) -> Passage:
        """The one section or disclaimer a shared passage holds (pipeline/passages.py)."""
        meta, body_start = self._front_matter()
        metadata_problems = len(self.problems)
        self.lang = str((meta or {}).get("lang") or self._raw_lang())
        blocks, warnings = self._body(body_start)
        ident = self.path.name.split(".")[0]
        parts: list[Section | Disclaimer] = []
        sections: list[Section] = []
        if blocks and _is_div(blocks[0], "disclaimer"):
            parts = [self._disclaimer(blocks[0], ident)]
            rest = blocks[1:]
            if rest:
                sections = self._sections(rest, body_start)
                parts += sections
        else:
            sections = self._sections(blocks, body_start)
            parts = list(sections)
        if len(parts) > 1:
            self.problem(
                parts[1].line,
                "a shared passage holds one section or one disclaimer; move this part into a "
                "passage of its own",
            )
        elif parts and parts[0].id != ident:
            kind = "section" if isinstance(parts[0], Section) else "disclaimer"
            self.problem(
                parts[0].line,
                f'the {kind} id "{parts[0].id}" must be the passage\'s id, "{ident}" (the file '
                f"name); write {{#{ident}}}",
            )
        self._settle(metadata_problems, warnings, sections)
        recorded = self._passage_record(meta, body_start - 1) if meta is not None else None
        if self.problems or meta is None or not parts:
            if not self.problems:
                self.problem(
                    body_start + 1,
                    'a shared passage holds one section ("## Heading {#id}") or one disclaimer '
                    '("::: {.disclaimer #id}"); write it',
                )
            raise SourceError(self._sorted_problems())
        return Passage(_from_passage(parts[0], self.shown), recorded)

    def _passage_record(self, meta: dict[str, Any], end: int) -> TranslatedFrom | None:
        """A passage's version in another language: its record of the original passage."""
        if "translated-from" not in meta:
            return None
        ident = self.path.name.split(".")[0]
        line = self._key_line("translated-from", end)
        if passages.original_of(self.path) is None:
            self.problem(
                line,
                '"translated-from" is the record a version in another language keeps of the '
                f"original passage; {self.path.name} is the original: delete it",
            )
            return None
        recorded, wrong = record.parse(meta["translated-from"])
        if recorded is None:
            self.problem(
                line,
                f"translated-from {wrong}; once this version says what the original says, run "
                f"`leaflet translate mark-current --passage {ident} --lang {meta.get('lang')}`",
            )
        return recorded

    def _body(self, body_start: int) -> tuple[list[Block] | None, list[dict[str, Any]]]:
        """The body's blocks and pandoc's warnings, with the outline the checks follow."""
        blocks, warnings = self._pandoc_blocks(body_start)
        self.outline = outline.scan(self.lines, body_start, _paragraph_lines(blocks or []))
        self.heading_lines = iter(self.outline.headings)
        self.div_lines = iter(self.outline.divs)
        return blocks, warnings

    def _settle(
        self, metadata_problems: int, warnings: list[dict[str, Any]], sections: list[Section]
    ) -> None:
        """The checks of the whole body, once its parts are read: unique ids, a structure
        misread (whose consequences are then dropped), pandoc's warnings, placeholders."""
        self._check_unique_ids(sections)
        root_causes = self._misread_structure(warnings)
        if root_causes:  # the body's other structure problems follow from these: drop them
            body = self.problems[metadata_problems:]
            del self.problems[metadata_problems:]
            self.problems += root_causes
            self.problems += [p for p in body if p.message.startswith(OWN_CONTENT)]
        self.problems += self._pandoc_warnings(warnings, sections)
        if self.original is not None and not root_causes:
            for line, message in parity.problems(sections, self.original):
                self.problem(line, message)
        self._placeholders(self.lang)

    def _sorted_problems(self) -> list[Problem]:
        """Every problem once, by line: this file's first, then each passage's it includes."""
        order = {self.shown: ""}
        return sorted(
            dict.fromkeys(self.problems), key=lambda p: (order.get(p.file, p.file), p.line)
        )

    # -- shared passages --------------------------------------------------------------------

    def _passage(self, block: Block) -> Section | Disclaimer | str | None:
        """The passage an include names, loaded once (its problems added once): the part it
        holds, or why it cannot be found (said at each include), or None (its problems are
        said with its own file)."""
        ident = resources.included(block) or ""
        if self.is_passage:
            return "a shared passage may not include another; write the text here instead"
        if ident not in self.included:
            try:
                path = passages.file_for(self.root, ident, self.lang)
                loaded = load_passage(path, self.root, self.today)
                self.included[ident] = loaded.part
                if _passage_stale(path, loaded, self.root, self.today):
                    self.stale_passages.append(loaded.part.passage)
            except passages.Missing as missing:
                self.included[ident] = str(missing)
            except SourceError as error:
                self.problems += error.problems
                self.included[ident] = None
        return self.included[ident]

    def _included_disclaimer(self, block: Block, section_id: str | None) -> Disclaimer | None:
        """The disclaimer an include inside a section brings (its line consumed in order);
        `section_id` None: the include stands outside any section."""
        line = next(self.div_lines, 0)
        found = self._passage(block)
        if isinstance(found, str):
            self.problem(line, found)
        elif isinstance(found, Disclaimer) and section_id is None:
            self.problem(
                line,
                f'the shared passage "{found.id}" is a disclaimer: include it inside a '
                "section, where the disclaimer should stand",
            )
            return None
        elif isinstance(found, Section):
            self.problem(
                line,
                f'the shared passage "{found.id}" is a section: include it between sections, '
                f'not inside section "{section_id}"; start a new section after it with '
                '"## Heading {#id}"',
            )
        return found if isinstance(found, Disclaimer) else None

    # -- metadata ---------------------------------------------------------------------------

    def _front_matter(self) -> tuple[dict[str, Any] | None, int]:
        """The validated metadata, and the index of the first body line."""
        if not self.lines or self.lines[0].strip() != "---":
            self.problem(1, 'no YAML metadata; start the file with "---", the keys, then "---"')
            return None, 0
        end = next(
            (i for i, line in enumerate(self.lines[1:], 1) if line.strip() in {"---", "..."}),
            None,
        )
        if end is None:
            self.problem(1, 'the YAML metadata is not closed; add a line "---" after the keys')
            return None, len(self.lines)
        try:
            meta = yaml.load("\n".join(self.lines[1:end]), _MetadataLoader)
        except RecursionError:
            self.problem(2, "the YAML metadata is nested too deeply; write one 'key: value' a line")
            return None, end + 1
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 2 if mark else 1
            self.problem(line, _yaml_message(error, self.lines[line - 1] if mark else ""))
            return None, end + 1
        if not isinstance(meta, dict):
            self.problem(2, "the YAML metadata must be 'key: value' lines")
            return None, end + 1
        return self._checked_meta(meta, end), end + 1

    def _key_line(self, key: str, end: int) -> int:
        pattern = re.compile(rf"\s*{re.escape(key)}\s*:")
        return next((i + 1 for i in range(1, end) if pattern.match(self.lines[i])), 1)

    def _check_passage_name(self, meta: dict[str, Any], end: int) -> None:
        """A passage file is named `<id>.md`, or `<id>.<lang>.md` for a version in another
        language: its id and lang say the same."""
        ident, _, named_lang = self.path.name.removesuffix(".md").partition(".")
        doc_id, lang = meta.get("id"), meta.get("lang")
        if isinstance(doc_id, str) and doc_id != ident:
            self.problem(
                self._key_line("id", end),
                f'id "{doc_id}" does not match the file name; write "id: {ident}" (a passage '
                "is named by its id)",
            )
        if named_lang and isinstance(lang, str) and lang.lower() != named_lang.lower():
            self.problem(
                self._key_line("lang", end),
                f'lang "{lang}" does not match the file name, which says {named_lang}; write '
                f'"lang: {named_lang}" or rename the file to "{ident}.{lang}.md"',
            )

    def _checked_meta(self, meta: dict[str, Any], end: int) -> dict[str, Any] | None:
        before = len(self.problems)
        translating = self.translating = "translation-of" in meta and not self.is_passage
        allowed: tuple[str, ...]
        required: tuple[str, ...]
        if self.is_passage:
            allowed, required = passages.KNOWN_KEYS, ("id", "lang")
        elif translating:
            allowed, required = KNOWN_KEYS + TRANSLATION_KEYS, ("title", "lang", "last-reviewed")
        else:
            allowed, required = KNOWN_KEYS, ("id", "title", "lang", "last-reviewed")
        for key in meta:
            if key == "translated-from" and not translating and not self.is_passage:
                self.problem(
                    self._key_line(str(key), end),
                    '"translated-from" is the record a translation keeps of its original; '
                    'add "translation-of: <the original\'s id>", or delete it',
                )
            elif key not in allowed:
                known = ", ".join(passages.KNOWN_KEYS if self.is_passage else KNOWN_KEYS)
                self.problem(self._key_line(str(key), end), f'unknown key "{key}"; use {known}')
        for key in required:
            if meta.get(key) in (None, ""):
                self.problem(end + 1, f'required key "{key}" is missing; add "{key}: ..." above')
        if self.is_passage:
            self._check_passage_name(meta, end)
        doc_id = meta.get("id")
        if doc_id not in (None, "") and not (
            isinstance(doc_id, str) and ID_PATTERN.fullmatch(doc_id)
        ):
            self.problem(
                self._key_line("id", end),
                f"id {_quoted(str(doc_id))} is not valid; use lower-case letters, digits and "
                "hyphens",
            )
        elif translating and doc_id not in (None, "", meta["translation-of"]):
            self.problem(
                self._key_line("id", end),
                f'id "{doc_id}" is not the original\'s ("translation-of: '
                f"{meta['translation-of']}\"); a translation has its original's id: delete "
                "this line",
            )
        elif (
            not translating
            and not self.is_passage
            and isinstance(doc_id, str)
            and doc_id != self.path.stem
        ):
            first, dot, _rest = self.path.stem.partition(".")
            hint = (
                f'; a translation names its original: write "translation-of: {first}" '
                f"instead of the id (docs/translations.md)"
                if dot and first == doc_id
                else ""
            )
            self.problem(
                self._key_line("id", end),
                f'id "{doc_id}" does not match the file name; rename the file to '
                f'"{doc_id}.md" or write "id: {self.path.stem}"{hint}',
            )
        for key in ("title", "subtitle"):
            if key in meta and meta[key] is not None and not isinstance(meta[key], str):
                self.problem(self._key_line(key, end), f'"{key}" must be text; quote it')
            elif isinstance(meta.get(key), str) and len(meta[key]) > limits.TITLE.most:
                self.problem(
                    self._key_line(key, end), limits.TITLE.exceeded(f"the {key} is", len(meta[key]))
                )
        lang = meta.get("lang")
        if lang not in (None, "") and not (isinstance(lang, str) and LANG_PATTERN.fullmatch(lang)):
            self.problem(
                self._key_line("lang", end),
                f'lang {_quoted(str(lang))} is not a BCP 47 language tag; write e.g. "lang: en-US"',
            )
        if meta.get("last-reviewed") not in (None, ""):
            line = self._key_line("last-reviewed", end)
            reviewed, wrong = _review_date(meta["last-reviewed"], self.today)
            if wrong:
                self.problem(line, f"last-reviewed {_quoted(str(meta['last-reviewed']))} {wrong}")
            meta["last-reviewed"] = reviewed
        months = meta.get("review-every-months", 12)
        if (
            isinstance(months, bool)
            or not isinstance(months, int)
            or not 1 <= months <= MAX_REVIEW_MONTHS
        ):
            self.problem(
                self._key_line("review-every-months", end),
                f"review-every-months {_quoted(str(months))} must be a whole number of months "
                f"from 1 to {MAX_REVIEW_MONTHS}, e.g. 12",
            )
        if translating and len(self.problems) == before:
            self._translation(meta, end)
        return meta if len(self.problems) == before else None

    def _translation(self, meta: dict[str, Any], end: int) -> None:
        """A translation's own metadata: its original (loaded and checked here, for parity),
        its file name, and its record of the original's version."""
        of, lang = meta["translation-of"], meta["lang"]
        line = self._key_line("translation-of", end)
        if not (isinstance(of, str) and ID_PATTERN.fullmatch(of)):
            self.problem(line, f"translation-of {_quoted(str(of))} must be the original's id")
            return
        if self.path.name != f"{of}.{lang}.md":
            self.problem(
                line,
                f'a translation of "{of}" into {lang} is the file "{of}.{lang}.md" beside its '
                "original; rename this file (its name and its lang must agree)",
            )
            return
        recorded, wrong = record.parse(meta.get("translated-from"))
        if recorded is None:
            at = self._key_line("translated-from", end) if "translated-from" in meta else line
            self.problem(
                at,
                f"translated-from {wrong}; once the translation says everything the original "
                f"says, run `leaflet translate mark-current --doc {of} --lang {lang}`",
            )
        original = self.path.parent / f"{of}.md"
        try:
            self.original = load(original, self.root, self.today)
        except SourceError as error:
            first = error.problems[0]
            self.problem(
                line,
                f"the original {_shown_path(original, self.root)} cannot be loaded "
                f"({len(error.problems)} problem{'s' * (len(error.problems) != 1)}, the first: "
                f"{first}); fix it first, or check it with `leaflet check --doc {of}`",
            )
            return
        if self.original.translation is not None:
            self.problem(line, f'"{of}" is itself a translation; name the original it translates')
            self.original = None
        elif self.original.lang == lang:
            self.problem(
                self._key_line("lang", end),
                f"lang {lang} is the original's own; a translation is in another language",
            )
            self.original = None
        elif bool(meta.get("subtitle")) != bool(self.original.subtitle):
            has = "has a subtitle" if self.original.subtitle else "has no subtitle"
            self.problem(
                self._key_line("subtitle", end) if meta.get("subtitle") else line,
                f"the original ({self.original.source_path}) {has}; so does its translation",
            )
        self.recorded = recorded

    def _in_original(self, ident: str) -> str:
        """Where the original has the part `ident`, for a translation's messages."""
        if self.original is None:
            return ""
        lines = {section.id: section.line for section in self.original.sections}
        lines |= {d.id: d.line for d in self.original.disclaimers}
        if ident not in lines:
            return ""
        return f" (its original has one: {self.original.source_path}:{lines[ident]})"

    # -- body -------------------------------------------------------------------------------

    def _pandoc_blocks(self, body_start: int) -> tuple[list[Block] | None, list[dict[str, Any]]]:
        """The body's blocks, and pandoc's warnings (read from its JSON log, so none reaches
        the terminal raw: each becomes a problem of ours, or is left out for a better one)."""
        # Metadata lines become blank lines, so pandoc sees the body at its real line numbers.
        body = "\n" * body_start + "\n".join(self.lines[body_start:]) + "\n"
        nesting = limits.NESTING
        too_deep = f'more than {nesting.most} {nesting.unit} (the limit "{nesting.name}")'
        with tempfile.NamedTemporaryFile(suffix=".json") as log:
            args = [f"--from={PANDOC_FORMAT}", "--to=json", "--quiet", f"--log={log.name}"]
            try:
                ast = json.loads(pandoc.run(args, body))
            except RecursionError:
                self.problem(body_start + 1, f"{too_deep}; flatten them")
                return None, []
            except ToolError as error:
                self.problem(1, f"pandoc cannot read the file: {error.said or error}")
                return None, []
            try:
                warnings = json.loads(Path(log.name).read_text(encoding="utf-8") or "[]")
            except ValueError:
                warnings = []
        depth, text = _deepest(ast["blocks"])
        if depth > limits.NESTING.most:
            self.problem(
                self._line_of(text) if text else body_start + 1, f"{too_deep}; flatten them"
            )
            return None, []
        return list(ast["blocks"]), [w for w in warnings if isinstance(w, dict)]

    def _misread_structure(self, warnings: list[dict[str, Any]]) -> list[Problem]:
        """The root causes of a broken structure: a heading or div fence that pandoc read as
        text (its words are in a paragraph), and a div never closed."""
        misread = self.outline.misread
        found = [
            Problem(self.shown, item.line, MISREAD[item.reason].format(_quoted(item.text)))
            for item in misread
        ]
        for warning in warnings:
            if warning.get("type") != "UnclosedDiv":
                continue
            line = int((warning.get("openpos") or {}).get("line") or 1)
            if any(m.is_fence and m.line > line for m in misread):
                continue  # its ":::" is there, but read as text: said above
            opener = self.lines[line - 1] if 0 < line <= len(self.lines) else ":::"
            before = next((h for h in self.outline.headings if h > line), None)
            where = f", before line {before}" if before else ""
            found.append(
                Problem(
                    self.shown,
                    line,
                    f'the div {_quoted(opener)} is never closed (each ":::" '
                    f'line closes the div opened last, so one is missing); add a line ":::" '
                    f"where its text ends{where}",
                )
            )
        return found

    def _pandoc_warnings(
        self, warnings: list[dict[str, Any]], sections: list[Section]
    ) -> list[Problem]:
        """Pandoc's other warnings, each as our own problem: each means text that would be
        lost or ignored."""
        ours = {section.id for section in sections}
        ours |= {disclaimer.id for section in sections for disclaimer in section.disclaimers}
        found = []
        for warning in warnings:
            kind, line = warning.get("type"), int(warning.get("line") or 1)
            key = str(warning.get("key") or warning.get("contents") or "")
            if kind == "UnclosedDiv" or (kind == "DuplicateIdentifier" and key in ours):
                continue  # said better by _misread_structure and _check_unique_ids
            if kind == "NoteDefinedButNotUsed":
                message = (
                    f"footnote [^{key}] is never used, so its text would be lost; put "
                    f"[^{key}] where it belongs in the text, or delete the note"
                )
            elif kind == "DuplicateNoteReference":
                message = (
                    f"footnote [^{key}] is defined twice and this text would be lost; "
                    "give each note its own name"
                )
            elif kind == "DuplicateLinkReference":
                message = f"link {key} is defined twice and this one would be ignored; keep one"
            elif kind == "DuplicateIdentifier":
                uses = [i + 1 for i, text in enumerate(self.lines) if f"#{key}" in text]
                line = uses[1] if len(uses) > 1 else line
                message = f'id "{key}" is used twice; give each heading its own id'
            else:
                pretty = str(warning.get("pretty") or kind)
                message = "pandoc: " + re.sub(r" at line \d+ column \d+", "", pretty)
            found.append(Problem(self.shown, line, message))
        return found

    def _placeholders(self, lang: object) -> None:
        """Text `invoke new` or the writer left for words to come (TODO, TBD, XXX): one
        problem per line, in place of any other problem of that line (a placeholder id or
        date is the same mistake)."""
        todo_is_a_word = isinstance(lang, str) and lang.lower().split("-")[0] in TODO_IS_A_WORD
        found = {}
        for number, text in enumerate(self.lines, 1):
            for marker in PLACEHOLDER_WORD.finditer(text):
                if todo_is_a_word and marker.group().lower() == "todo" and marker.group() != "TODO":
                    continue
                found[number] = marker
                break
        self.problems = [p for p in self.problems if p.line not in found]
        for number, marker in found.items():
            text = self.lines[number - 1]
            if self.translating and not re.match(r"[a-z-]+\s*:", text):
                self.problem(number, _to_translate(text, marker))
            else:
                self.problem(number, _placeholder_message(text, marker))

    def _raw_lang(self) -> str:
        """The lang line's value as written, when the metadata could not be read."""
        pattern = re.compile(r"lang\s*:\s*([\w-]+)")
        found = next((m for text in self.lines[:50] if (m := pattern.match(text))), None)
        return found.group(1) if found else ""

    def _first_content_line(self, body_start: int) -> int:
        return next(
            (i + 1 for i in range(body_start, len(self.lines)) if self.lines[i].strip()),
            body_start + 1,
        )

    def _sections(self, blocks: list[Block] | None, body_start: int) -> list[Section]:
        sections: list[Section] = []
        heading: tuple[str, str, list[Any], int] | None = None  # id, title, inlines, line
        members: list[Block] = []

        def close() -> None:
            if heading is not None:
                sections.append(self._section(*heading, members))

        stray_reported = False
        after: tuple[str, int] | None = None  # the section included last, until a heading
        said_after: set[str] = set()
        for block in blocks or []:
            found = self._passage(block) if resources.is_include(block) else None
            if isinstance(found, Section):
                close()
                sections.append(found)
                heading, members, after = None, [], (found.id, next(self.div_lines, 0))
            elif block["t"] == "Header" and block["c"][0] <= 2:
                after = None
                level, (ident, _classes, _attrs), inlines = block["c"]
                title = stringify(inlines)
                line = next(self.heading_lines, 0) or self._line_of(title)
                if level == 1:
                    self.problem(
                        line,
                        f'level-1 heading "{title}": the title is the only H1; '
                        f'write "## {title} {{#{ident or slug(title)}}}"',
                    )
                elif not ident:
                    self.problem(line, _missing_id(title))
                for node in nodes(block):
                    self._check_resources(node, f'the heading "{title}"')
                self._check_limits(block)
                if any(node.get("t") == "Note" for node in nodes(inlines)):
                    # a section's heading is a line of its own in every format: no place
                    # for a note under it (a page would put the note inside the heading)
                    self.problem(
                        line,
                        f'a footnote in the heading "{title}"; put the note in the section\'s '
                        "text, after the sentence it explains",
                    )
                close()
                unwritten = slug(re.sub(r"\s*\{[^}]*\}$", "", title))  # "{#After Care}" aside
                heading, members = (ident or unwritten, title, inlines, line), []
            elif heading is None and resources.is_include(block):
                self._included_disclaimer(block, None)  # a disclaimer, or one not loaded
            elif heading is None and after is not None:
                ident, at = after
                said = len(self.problems)
                self._check_inside([block], f'the text after the shared passage "{ident}"')
                del self.problems[said:]  # what it holds follows from the one problem below
                if ident not in said_after:
                    said_after.add(ident)
                    self.problem(
                        self._first_content_line(at + 1),
                        f'text after the included section "{ident}" (line {at}) belongs to no '
                        'section; put it under a "## Heading {#id}" of its own, or move it '
                        "above the include",
                    )
            elif heading is None:
                said = len(self.problems)
                self._check_inside([block], "the text before the first section")  # lines
                del self.problems[said:]  # what it holds follows from the one problem below
                if not stray_reported:
                    self.problem(
                        self._first_content_line(body_start),
                        "text before the first section; put it under a "
                        '"## Heading {#id}" or delete it',
                    )
                    stray_reported = True
            else:
                members.append(block)
        close()
        if blocks is not None and not sections and not stray_reported:
            self.problem(body_start + 1, 'no sections; add "## Heading {#id}" and its text')
        return sections

    def _section(
        self, ident: str, title: str, inlines: list[Any], line: int, members: list[Block]
    ) -> Section:
        plains: list[tuple[Block, ...]] = []
        body: list[Block | Disclaimer] = []
        for position, block in enumerate(members):
            if _is_div(block, "plain"):
                self._check_resources(block, f'the plain summary of "{ident}"')
                div_line = next(self.div_lines, line)
                if position and not plains:
                    self.problem(
                        div_line,
                        f'the plain summary of "{ident}" must come first, right under its '
                        f'heading (line {line}); move this "::: plain" div up, above the text '
                        "before it",
                    )
                if not block["c"][1]:
                    self.problem(div_line, f'the plain summary of "{ident}" is empty; write it')
                self._check_inside(block["c"][1], f'the plain summary of "{ident}"')
                plains.append(tuple(block["c"][1]))
            elif _is_div(block, "disclaimer"):
                body.append(self._disclaimer(block, ident))
            elif resources.is_include(block):
                included = self._included_disclaimer(block, ident)
                if included is not None:
                    body.append(included)
            else:
                self._check_inside([block], f'section "{ident}"')
                body.append(block)
        if len(plains) != 1:
            have = "no plain summary" if not plains else f"{len(plains)} plain summaries"
            self.problem(
                line,
                f'section "{ident}" has {have}; it needs exactly one "::: plain" div '
                "(short sentences in plain words) right under its heading"
                + self._in_original(ident),
            )
        return Section(
            id=ident,
            title=title,
            heading=tuple(inlines),
            plain=plains[0] if plains else (),
            body=tuple(body),
            line=line,
        )

    def _disclaimer(self, block: Block, section_id: str) -> Disclaimer:
        (ident, _classes, attrs), content = block["c"]
        line = next(self.div_lines, 0)
        self._check_resources(block, f'the disclaimer "{ident}"')
        if not ident:
            self.problem(
                line,
                f'a disclaimer in section "{section_id}" has no id; '
                'write "::: {.disclaimer #short-name}"',
            )
        plains = [child for child in content if _is_div(child, "plain")]
        wording = tuple(child for child in content if not _is_div(child, "plain"))
        where = f'disclaimer "{ident}"' if ident else f'a disclaimer in section "{section_id}"'
        for child in content:
            if _is_div(child, "plain"):
                next(self.div_lines, 0)
                self._check_resources(child, f"the plain wording of {where}")
                self._check_inside(child["c"][1], f"the plain wording of {where}")
            else:
                self._check_inside([child], where)
        if len(plains) != 1:
            have = "no plain wording" if not plains else f"{len(plains)} plain divs"
            self.problem(
                line,
                f'{where} has {have}; nest exactly one "::: plain" div '
                "with the same disclaimer in plain words inside it" + self._in_original(ident),
            )
        if not wording:
            self.problem(line, f"{where} has no wording; put its full approved text in the div")
        self._check_invisible(content, where, line)
        return Disclaimer(
            id=ident or f"{section_id}-disclaimer",
            wording=wording,
            plain=tuple(plains[0]["c"][1]) if plains else (),
            line=line,
            label=dict(attrs).get("label"),
        )

    def _check_invisible(self, wording: list[Block], where: str, line: int) -> None:
        """Approved wording shows exactly what it says: no character in it draws nothing
        (pipeline.invisible), each named at the first line from the disclaimer's on that
        holds it."""
        for text in _strings(wording):
            for _index, char in invisible.invisible(text):
                at = next(
                    (i + 1 for i in range(line - 1, len(self.lines)) if char in self.lines[i]),
                    line,
                )
                fix = (
                    "a joiner belongs only between two letters of a script that joins them"
                    if char in (invisible.ZWJ, invisible.ZWNJ)
                    else "for right-to-left words write [words]{dir=rtl}; otherwise delete it"
                )
                self.problem(
                    at,
                    f"{where} holds the invisible character {invisible.name(char)}: approved "
                    f"wording must show a reader exactly what it says; {fix}",
                )

    def _check_inside(self, blocks: Iterable[Block], where: str) -> None:
        """Rules for what may stand inside a section's blocks: no misplaced plain or
        disclaimer divs, no section-level headings, no raw markup, images with alt text."""
        for node in nodes(list(blocks)):
            kind = node.get("t")
            if kind == "Header":
                line = next(self.heading_lines, 0)
                if node["c"][0] <= 2:
                    self.problem(
                        line,
                        f"a level-{node['c'][0]} heading inside {where}; "
                        "close the div before starting a new section",
                    )
            elif kind == "Div":
                line = next(self.div_lines, 0)
                if resources.is_include(node):
                    self.problem(
                        line,
                        f"a shared passage included inside {where}; an include stands on its "
                        "own, where a section or a disclaimer would",
                    )
                for name in ("plain", "disclaimer"):
                    if _is_div(node, name):
                        self.problem(
                            line,
                            f'a "{name}" div inside {where}; a {name} div must stand '
                            "directly in its section"
                            + (" or disclaimer" if name == "plain" else ""),
                        )
            self._check_resources(node, where)
            self._check_limits(node)

    def _check_limits(self, node: Block) -> None:
        """limits.py for this one node: a heading's or a paragraph's length, a table's rows."""
        kind = node.get("t")
        if kind == "Header" or kind in {"Para", "Plain"}:
            inlines = node["c"][2] if kind == "Header" else node["c"]
            text = stringify(inlines)
            limit = limits.HEADING if kind == "Header" else limits.PARAGRAPH
            if len(text) > limit.most:
                what = "the heading is" if kind == "Header" else "the paragraph is"
                self.problem(self._line_of(text[:40]), limit.exceeded(what, len(text)))
        elif kind == "Table":
            head, rows = _table_rows(node)
            if len(rows) > limits.TABLE_ROWS.most:
                cells = [" ".join(paragraphs(cell[4])) for cell in (head + rows)[0][1]]
                line = next(
                    (i for i, text in enumerate(self.lines, 1) if all(c in text for c in cells)),
                    1,
                )  # the first line holding every cell of the first row
                self.problem(line, limits.TABLE_ROWS.exceeded("the table has", len(rows)))

    def _check_resources(self, node: Block, where: str) -> None:
        """The resource policy (pipeline.resources) for this one node, not its children."""
        if node.get("t") == "Image":
            self._check_image(node, where)
        for needle, message in resources.node_problems(node, where):
            line = self._line_of(needle)
            if node.get("t") in {"RawBlock", "RawInline"} and self._tag_said(node, line):
                continue
            self.problem(line, message)

    def _tag_said(self, raw: Block, line: int) -> bool:
        """Is this raw HTML a closing tag whose opening tag was reported on its line? (One
        message for <b>...</b>.)"""
        tag = re.match(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)", raw["c"][1].strip())
        if not tag:
            return False
        key = (line, tag.group(2).lower())
        if tag.group(1):
            return key in self.tags_said
        self.tags_said.add(key)
        return False

    def _check_image(self, image: dict[str, Any], where: str) -> None:
        _attr, alt, (target, _title) = image["c"]
        line = self._line_of(target)
        if not stringify(alt).strip():
            self.problem(
                line,
                f'image "{target}" in {where} has no alt text; '
                f"write ![what the image shows]({target})",
            )
        try:
            path = resources.image_file(target, self.path.resolve().parent)
        except resources.Refused as refused:
            self.problem(line, f'image "{target}" in {where} {refused}')
        else:
            image["c"][2][0] = path.as_posix()
            self._count_pixels(path, line, f'image "{target}" in {where}')

    def _count_pixels(self, path: Path, line: int, image: str) -> None:
        """limits.DOCUMENT_PIXELS: every bitmap figure of the document, each counted once."""
        if path in self.figures or path.suffix.lower() == ".svg":
            return
        self.figures[path] = resources.figure_pixels(path) or 0
        total, limit = sum(self.figures.values()), limits.DOCUMENT_PIXELS
        if total > limit.most and total - self.figures[path] <= limit.most:  # said once
            self.problem(line, limit.exceeded(f"{image} brings its figures to", total))

    def _line_of(self, needle: str) -> int:
        """The first line holding `needle` (or, for a URL pandoc escaped, its unescaped form)."""
        for text in (needle, unquote(needle)):
            line = next((i + 1 for i, line in enumerate(self.lines) if text in line), 0)
            if line:
                return line
        return 1

    def _check_unique_ids(self, sections: list[Section]) -> None:
        seen: dict[str, int] = {}
        items: list[Section | Disclaimer] = []
        for section in sections:
            items += [section, *section.disclaimers]
        for item in items:
            kind = "section" if isinstance(item, Section) else "disclaimer"
            if not ID_PATTERN.fullmatch(item.id):
                self.problem(
                    item.line,
                    f'{kind} id "{item.id}" is not valid; use lower-case '
                    f'letters, digits and hyphens, e.g. "{slug(item.id)}"',
                )
            elif item.id in seen:
                self.problem(
                    item.line,
                    f'{kind} id "{item.id}" is already used on line '
                    f"{seen[item.id]}; give each section and disclaimer its own id",
                )
            seen.setdefault(item.id, item.line)


def _passage_stale(path: Path, version: Passage, root: Path, today: dt.date) -> bool:
    """Whether a passage's version in another language no longer translates its original as
    the original is now (or records no version of it, or the original does not load: then
    nothing vouches for it). An original, or a version with no original, is never stale."""
    original = passages.original_of(path)
    if original is None or not original.is_file():
        return False
    try:
        now = load_passage(original, root, today).part
    except SourceError:
        return True
    recorded = version.recorded
    return recorded is None or dict(recorded.parts) != {now.id: record.fingerprint(now)}


def _from_passage(part: Section | Disclaimer, shown: str) -> Section | Disclaimer:
    """The part as a document includes it: marked with its passage file (each disclaimer of
    a section too)."""
    if isinstance(part, Disclaimer):
        return replace(part, passage=shown)
    body = tuple(
        replace(item, passage=shown) if isinstance(item, Disclaimer) else item for item in part.body
    )
    return replace(part, body=body, passage=shown)


def _missing_id(title: str) -> str:
    """A section heading pandoc found no id on: none written, one without its "#", or one
    that is not an id ("{#After Care}" is read as words of the heading)."""
    braces = re.search(r"\s*\{([^}]*)\}$", title)
    bare = title[: braces.start()] if braces else title
    meant = braces.group(1).strip() if braces else ""
    if meant.startswith("#"):
        valid = slug(meant[1:])
        return (
            f'the id "{meant[1:]}" of section "{bare}" is not valid: an id is lower-case '
            f'letters, digits and hyphens, without spaces; write "## {bare} {{#{valid}}}"'
        )
    ident_hint = meant if ID_PATTERN.fullmatch(meant) else slug(bare)
    return f'section "{bare}" has no id; write "## {bare} {{#{ident_hint}}}"'


def _table_rows(table: Block) -> tuple[list[Any], list[Any]]:
    """A pandoc table's header rows, and its other rows (each body's, and its foot's)."""
    _attr, _caption, _columns, head, bodies, foot = table["c"]
    rows = []
    for body in bodies:
        rows += body[2] + body[3]
    return list(head[1]), rows + list(foot[1])


def _strings(value: Any) -> Iterator[str]:
    """Every text in a pandoc AST value (not its node types)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "t":
                yield from _strings(item)


def _deepest(blocks: list[Block]) -> tuple[int, str]:
    """How many AST nodes lie inside one another at the deepest point, and the first text
    there (to find its line). Iterative: the depth is what is being checked."""
    deepest, text = 0, ""
    stack: list[tuple[Any, int]] = [(blocks, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            depth += 1
            if depth > deepest and value.get("t") == "Str":
                deepest, text = depth, value["c"]
            deepest = max(deepest, depth)
            value = value.get("c")
        if isinstance(value, list):
            stack += [(item, depth) for item in reversed(value)]
    return deepest, text


MISREAD = {
    "after text": "{} is read as text because the line above it is not empty; "
    "put an empty line before it",
    "indented": "{} is read as text because it starts with spaces; "
    "start it at the beginning of the line",
    "no space": '{} is read as text; put a space after the "#"',
    "two colons": '{} is read as text; a div starts with three colons, ":::"',
    "closes nothing": 'this ":::" closes no div (one ":::" too many, or the div it closes '
    "was never opened); delete it or fix the div's first line",
}


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
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')
        return (
            f"the {key.strip()} holds a colon followed by a space, which YAML reads as a new key; "
            f'put it in quotes: {key.strip()}: "{quoted}"'
        )
    return f"malformed YAML metadata ({reason}); write one 'key: value' a line"


def _quoted(text: str, limit: int = 50) -> str:
    text = text.strip()
    return f'"{text if len(text) <= limit else text[: limit - 1] + "…"}"'


def _paragraph_lines(blocks: list[Block]) -> Iterator[str]:
    """The text of each line of every paragraph (where a misread heading or fence ends up)."""
    for node in nodes(blocks):
        if node.get("t") in {"Para", "Plain"}:
            line: list[Any] = []
            for inline in [*node["c"], {"t": "SoftBreak"}]:
                if inline.get("t") in {"SoftBreak", "LineBreak"}:
                    yield stringify(line)
                    line = []
                else:
                    line.append(inline)


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
            f"the heading {_quoted(text)} is a placeholder; write the section's heading and "
            'a short id of your own, e.g. "## Knee exercises {#exercises}"'
        )
    if outline.OPENER.match(text):
        return (
            f"the id in {_quoted(text)} is a placeholder; write a short id of your own, "
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
            f"the heading {_quoted(text)} is still to translate; write it in this "
            f'language and delete the "{marker.group()}", keeping its {{#id}}'
        )
    return (
        f"{_quoted(text)} is still to translate; write it in this language in its place "
        f'(and delete the "{marker.group()}")'
    )


def _is_div(block: Block, cls: str) -> bool:
    return block.get("t") == "Div" and cls in block["c"][0][1]


def _review_date(value: Any, today: dt.date) -> tuple[ReviewDate | None, str]:
    """The review date, or what is wrong with it (to follow the quoted value)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", str(value).strip())
    if not match:
        return None, (
            "is not an ISO date; write YYYY-MM-DD, or YYYY-MM when the day is unknown "
            "(e.g. 2026-01)"
        )
    year, month, day = (int(group) if group else None for group in match.groups())
    assert year is not None and month is not None
    try:
        dt.date(year, month, day or 1)
    except ValueError:
        return None, _impossible(year, month)
    reviewed = ReviewDate(year, month, day)
    if reviewed.as_date() > today:
        return None, (
            f"is in the future (today is {today.isoformat()}); write the date of the "
            "last review that actually happened"
        )
    return reviewed, ""


def _impossible(year: int, month: int) -> str:
    if not 1 <= month <= 12:
        return f"is not a date in the calendar: there is no month {month}; months are 01 to 12"
    if year < 1:
        return "is not a date in the calendar: there is no year 0000"
    days = calendar.monthrange(year, month)[1]
    name = calendar.month_name[month]
    return f"is not a date in the calendar: {name} {year} has {days} days; check the day"
