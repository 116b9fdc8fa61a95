"""Load a source document (`source/<id>.md`) into the model, checking every rule of the
contract. All problems of a file are gathered and reported together, one line each."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypandoc
import yaml

from pipeline.model import Block, Disclaimer, Document, ReviewDate, Section
from pipeline.text import nodes, stringify

# Auto identifiers off: a heading without an explicit {#id} must be reported, not guessed.
PANDOC_FORMAT = "markdown-auto_identifiers"
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LANG_PATTERN = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
KNOWN_KEYS = ("id", "title", "subtitle", "lang", "last-reviewed", "review-every-months")
HEADING_LINE = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
DIV_OPENER_LINE = re.compile(r" {0,3}:{3,}\s*[^:\s]")
CODE_FENCE_LINE = re.compile(r" {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class SourceError(Exception):
    """A source document breaks the contract; `problems` says where and how to fix each."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())) or "section"


def load(path: Path, root: Path) -> Document:
    """Parse and validate one source file. Raises SourceError listing every problem."""
    shown = _shown_path(path, root)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SourceError([Problem(shown, line, "is not UTF-8 text; save it as UTF-8")]) from None
    return _Loader(path, shown, text, raw).document()


def _shown_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


class _Loader:
    def __init__(self, path: Path, shown: str, text: str, raw: bytes):
        self.path, self.shown, self.text, self.raw = path, shown, text, raw
        self.lines = text.splitlines()
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.shown, line, message))

    def document(self) -> Document:
        meta, body_start = self._front_matter()
        blocks = self._pandoc_blocks(body_start)
        headings, divs = self._opener_lines(body_start)
        self.heading_lines, self.div_lines = iter(headings), iter(divs)
        sections = self._sections(blocks, body_start)
        self._check_unique_ids(sections)
        if self.problems or meta is None or blocks is None:
            raise SourceError(sorted(self.problems, key=lambda p: p.line))
        return Document(
            id=meta["id"],
            title=meta["title"],
            subtitle=meta.get("subtitle"),
            lang=meta["lang"],
            last_reviewed=meta["last-reviewed"],
            review_every_months=meta.get("review-every-months", 12),
            sections=tuple(sections),
            source_path=self.shown,
            source_sha256=hashlib.sha256(self.raw).hexdigest(),
            source_text=self.text,
        )

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
            meta = yaml.safe_load("\n".join(self.lines[1:end]))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 2 if mark else 1
            reason = getattr(error, "problem", None) or "cannot be read"
            self.problem(line, f"malformed YAML metadata ({reason}); write one 'key: value' a line")
            return None, end + 1
        if not isinstance(meta, dict):
            self.problem(2, "the YAML metadata must be 'key: value' lines")
            return None, end + 1
        return self._checked_meta(meta, end), end + 1

    def _key_line(self, key: str, end: int) -> int:
        pattern = re.compile(rf"\s*{re.escape(key)}\s*:")
        return next((i + 1 for i in range(1, end) if pattern.match(self.lines[i])), 1)

    def _checked_meta(self, meta: dict[str, Any], end: int) -> dict[str, Any] | None:
        before = len(self.problems)
        for key in meta:
            if key not in KNOWN_KEYS:
                known = ", ".join(KNOWN_KEYS)
                self.problem(self._key_line(str(key), end), f'unknown key "{key}"; use {known}')
        for key in ("id", "title", "lang", "last-reviewed"):
            if meta.get(key) in (None, ""):
                self.problem(end + 1, f'required key "{key}" is missing; add "{key}: ..." above')
        doc_id = meta.get("id")
        if doc_id not in (None, "") and not (
            isinstance(doc_id, str) and ID_PATTERN.fullmatch(doc_id)
        ):
            self.problem(
                self._key_line("id", end),
                f'id "{doc_id}" is not valid; use lower-case letters, digits and hyphens',
            )
        elif isinstance(doc_id, str) and doc_id != self.path.stem:
            self.problem(
                self._key_line("id", end),
                f'id "{doc_id}" does not match the file name; rename the file to '
                f'"{doc_id}.md" or write "id: {self.path.stem}"',
            )
        for key in ("title", "subtitle"):
            if key in meta and meta[key] is not None and not isinstance(meta[key], str):
                self.problem(self._key_line(key, end), f'"{key}" must be text; quote it')
        lang = meta.get("lang")
        if lang not in (None, "") and not (isinstance(lang, str) and LANG_PATTERN.fullmatch(lang)):
            self.problem(
                self._key_line("lang", end),
                f'lang "{lang}" is not a BCP 47 language tag; write e.g. "lang: en-US"',
            )
        if meta.get("last-reviewed") not in (None, ""):
            reviewed = _review_date(meta["last-reviewed"])
            if reviewed is None:
                self.problem(
                    self._key_line("last-reviewed", end),
                    f'last-reviewed "{meta["last-reviewed"]}" is not an ISO date; write '
                    "YYYY-MM-DD, or YYYY-MM when the day is unknown (e.g. 2026-01)",
                )
            meta["last-reviewed"] = reviewed
        months = meta.get("review-every-months", 12)
        if isinstance(months, bool) or not isinstance(months, int) or months < 1:
            self.problem(
                self._key_line("review-every-months", end),
                f'review-every-months "{months}" must be a whole number of months, e.g. 12',
            )
        return meta if len(self.problems) == before else None

    # -- body -------------------------------------------------------------------------------

    def _pandoc_blocks(self, body_start: int) -> list[Block] | None:
        # Metadata lines become blank lines, so pandoc sees the body at its real line numbers.
        body = "\n" * body_start + "\n".join(self.lines[body_start:]) + "\n"
        try:
            ast = json.loads(
                pypandoc.convert_text(body, "json", format=PANDOC_FORMAT, extra_args=["--sandbox"])
            )
        except RuntimeError as error:
            self.problem(1, f"pandoc cannot read the file: {error}")
            return None
        return list(ast["blocks"])

    def _opener_lines(self, body_start: int) -> tuple[list[int], list[int]]:
        """Line numbers of ATX headings and fenced-div openers, in order: pandoc's AST has no
        positions, and its headings and divs appear in the same order as these lines."""
        headings, divs, fence = [], [], None
        for number, line in enumerate(self.lines[body_start:], body_start + 1):
            code = CODE_FENCE_LINE.match(line)
            if code and (fence is None or code.group(1)[0] * 3 == fence):
                fence = None if fence else code.group(1)[0] * 3
            elif fence is None and HEADING_LINE.match(line):
                headings.append(number)
            elif fence is None and DIV_OPENER_LINE.match(line):
                divs.append(number)
        return headings, divs

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
        for block in blocks or []:
            if block["t"] == "Header" and block["c"][0] <= 2:
                level, (ident, _classes, _attrs), inlines = block["c"]
                line = next(self.heading_lines, 0)
                title = stringify(inlines)
                if level == 1:
                    self.problem(
                        line,
                        f'level-1 heading "{title}": the title is the only H1; '
                        f'write "## {title} {{#{slug(title)}}}"',
                    )
                elif not ident:
                    self.problem(
                        line, f'section "{title}" has no id; write "## {title} {{#{slug(title)}}}"'
                    )
                close()
                heading, members = (ident or slug(title), title, inlines, line), []
            elif heading is None:
                self._check_inside([block], "the text before the first section")
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

    def _section(self, ident: str, title: str, inlines: list[Any], line: int, members: list[Block]):
        plains: list[tuple[Block, ...]] = []
        body: list[Block | Disclaimer] = []
        for block in members:
            if _is_div(block, "plain"):
                div_line = next(self.div_lines, line)
                if not block["c"][1]:
                    self.problem(div_line, f'the plain summary of "{ident}" is empty; write it')
                self._check_inside(block["c"][1], f'the plain summary of "{ident}"')
                plains.append(tuple(block["c"][1]))
            elif _is_div(block, "disclaimer"):
                body.append(self._disclaimer(block, ident))
            else:
                self._check_inside([block], f'section "{ident}"')
                body.append(block)
        if len(plains) != 1:
            have = "no plain summary" if not plains else f"{len(plains)} plain summaries"
            self.problem(
                line,
                f'section "{ident}" has {have}; it needs exactly one "::: plain" div '
                "(short sentences in plain words) right under its heading",
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
        (ident, _classes, _attrs), content = block["c"]
        line = next(self.div_lines, 0)
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
                self._check_inside(child["c"][1], f"the plain wording of {where}")
            else:
                self._check_inside([child], where)
        if len(plains) != 1:
            have = "no plain wording" if not plains else f"{len(plains)} plain divs"
            self.problem(
                line,
                f'{where} has {have}; nest exactly one "::: plain" div '
                "with the same disclaimer in plain words inside it",
            )
        if not wording:
            self.problem(line, f"{where} has no wording; put its full approved text in the div")
        return Disclaimer(
            id=ident or f"{section_id}-disclaimer",
            wording=wording,
            plain=tuple(plains[0]["c"][1]) if plains else (),
            line=line,
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
                for name in ("plain", "disclaimer"):
                    if _is_div(node, name):
                        self.problem(
                            line,
                            f'a "{name}" div inside {where}; a {name} div must stand '
                            "directly in its section"
                            + (" or disclaimer" if name == "plain" else ""),
                        )
            elif kind in {"RawBlock", "RawInline"}:
                self.problem(
                    self._line_of(node["c"][1][:40]),
                    f"raw {node['c'][0]} in {where}; write it in Markdown instead",
                )
            elif kind == "Image":
                self._check_image(node, where)

    def _check_image(self, image: dict[str, Any], where: str) -> None:
        _attr, alt, (target, _title) = image["c"]
        line = self._line_of(target)
        if not stringify(alt).strip():
            self.problem(
                line,
                f'image "{target}" in {where} has no alt text; '
                f"write ![what the image shows]({target})",
            )
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//", target):
            self.problem(
                line,
                f'image "{target}" is not a file in the project; save it under '
                "source/ and link it by a relative path",
            )
            return
        folder = self.path.resolve().parent
        resolved = (folder / target).resolve()
        if not resolved.is_relative_to(folder):
            self.problem(
                line,
                f'image "{target}" is outside the source folder; '
                "move it under source/ (e.g. source/images/)",
            )
        elif not resolved.is_file():
            self.problem(line, f'image "{target}" does not exist; check the file name')
        else:
            image["c"][2][0] = resolved.as_posix()

    def _line_of(self, needle: str) -> int:
        return next((i + 1 for i, line in enumerate(self.lines) if needle in line), 1)

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


def _is_div(block: Block, cls: str) -> bool:
    return block.get("t") == "Div" and cls in block["c"][0][1]


def _review_date(value: Any) -> ReviewDate | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return ReviewDate(value.year, value.month, value.day)
    match = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", str(value))
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        dt.date(year or 0, month or 0, day or 1)
    except ValueError:
        return None
    return ReviewDate(year or 0, month or 0, day)
