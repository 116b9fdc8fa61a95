"""Load a source document (`source/<id>.md`) or a shared passage into the model, checking every
rule of the contract. The file is read within its limits and its metadata checked
(pipeline/frontmatter.py, pipeline/metadata.py), its body read by pandoc
(pipeline/pandoc_reading.py) into sections and disclaimers here, each node checked
(pipeline/node_checks.py), and the words still to write found (pipeline/unwritten.py). All
problems of a file are gathered (pipeline/problems.py) and reported together, one line each; a
broken structure (a heading or fence read as text, a div never closed) is said once, by its
cause."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

from pipeline import (
    limits,
    metadata,
    outline,
    pandoc_reading,
    passages,
    resources,
    review,
    unwritten,
)
from pipeline.frontmatter import NEWLINE, FrontMatterError, read_file
from pipeline.frontmatter import read as read_front_matter
from pipeline.metadata import ID_PATTERN, slug
from pipeline.model import Block, Disclaimer, Document, Section, TranslatedFrom, Translation
from pipeline.node_checks import NodeChecks
from pipeline.problems import Gathered, SourceError, shown_path
from pipeline.text import nodes, stringify
from pipeline.translations import parity, record

OWN_CONTENT = ("image ", "raw ")
"""Problems of a line's own content, which stand whatever the document's structure."""


def load(path: Path, root: Path, today: dt.date | None = None) -> Document:
    """Parse and validate one source file. Raises SourceError listing every problem.
    `today` (default: review.today()) is the date a last-reviewed may not be after."""
    shown = shown_path(path, root)
    text, raw = read_file(path, shown)
    return _Loader(path, shown, text, raw, today or review.today(), root).document()


class Passage(NamedTuple):
    part: Section | Disclaimer
    recorded: TranslatedFrom | None
    """A version in another language: its record of the original passage it translates."""


def load_passage(path: Path, root: Path, today: dt.date | None = None) -> Passage:
    """Parse and validate one shared passage (pipeline/passages.py): the section or the
    disclaimer it holds, its lines and messages those of its own file. Raises SourceError."""
    shown = shown_path(path, root)
    text, raw = read_file(path, shown)
    return _Loader(path, shown, text, raw, today or review.today(), root, passage=True).passage()


class _Loader(Gathered):
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
        super().__init__(shown, NEWLINE.split(text))
        self.path, self.text, self.raw, self.today = path, text, raw, today
        self.root, self.is_passage = root, passage
        self.included: dict[str, Section | Disclaimer | str | None] = {}
        """Each shared passage the document includes, by id (why it cannot be found, or None:
        its own file has problems)."""
        self.stale_passages: list[str] = []
        self.original: Document | None = None
        """For a translation: its original, loaded and checked first."""
        self.recorded: TranslatedFrom | None = None
        self.translating = False
        """The metadata names an original (`translation-of:`)."""
        self.check = NodeChecks(self, path.resolve().parent)

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
            raise SourceError(self.sorted_problems())
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
        recorded = (
            metadata.passage_record(self, meta, body_start - 1, self.path)
            if meta is not None
            else None
        )
        if self.problems or meta is None or not parts:
            if not self.problems:
                self.problem(
                    body_start + 1,
                    'a shared passage holds one section ("## Heading {#id}") or one disclaimer '
                    '("::: {.disclaimer #id}"); write it',
                )
            raise SourceError(self.sorted_problems())
        return Passage(_from_passage(parts[0], self.shown), recorded)

    def _body(self, body_start: int) -> tuple[list[Block] | None, list[dict[str, Any]]]:
        """The body's blocks and pandoc's warnings, with the outline the checks follow."""
        blocks, warnings = pandoc_reading.parse(self, body_start)
        self.outline = outline.scan(
            self.lines, body_start, pandoc_reading.paragraph_lines(blocks or [])
        )
        self.heading_lines = iter(self.outline.headings)
        self.div_lines = iter(self.outline.divs)
        return blocks, warnings

    def _settle(
        self, metadata_problems: int, warnings: list[dict[str, Any]], sections: list[Section]
    ) -> None:
        """The checks of the whole body, once its parts are read: unique ids, a structure
        misread (whose consequences are then dropped), pandoc's warnings, placeholders."""
        self._check_unique_ids(sections)
        root_causes = pandoc_reading.misread_structure(self, self.outline, warnings)
        if root_causes:  # the body's other structure problems follow from these: drop them
            body = self.problems[metadata_problems:]
            del self.problems[metadata_problems:]
            self.problems += root_causes
            self.problems += [p for p in body if p.message.startswith(OWN_CONTENT)]
        self.problems += pandoc_reading.problems_of(self, warnings, sections)
        if self.original is not None and not root_causes:
            for line, message in parity.problems(sections, self.original):
                self.problem(line, message)
        unwritten.mark(self, self.lang, self.translating)

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
        try:
            meta, end = read_front_matter(self.lines)
        except FrontMatterError as error:
            self.problem(error.line, error.message)
            return None, error.body_start
        return self._checked_meta(meta, end), end + 1

    def _checked_meta(self, meta: dict[str, Any], end: int) -> dict[str, Any] | None:
        self.translating = "translation-of" in meta and not self.is_passage
        checked = metadata.check(self, meta, end, self.path, self.today, passage=self.is_passage)
        if checked is None or not self.translating:
            return checked
        before = len(self.problems)
        self.original, self.recorded = metadata.translation(
            self, meta, end, self.path, self.root, lambda path: load(path, self.root, self.today)
        )
        return checked if len(self.problems) == before else None

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
                line = next(self.heading_lines, 0) or self.line_of(title)
                if level == 1:
                    self.problem(
                        line,
                        f'level-1 heading "{title}": the title is the only H1; '
                        f'write "## {title} {{#{ident or slug(title)}}}"',
                    )
                elif not ident:
                    self.problem(line, _missing_id(title))
                for node in nodes(block):
                    self.check.resources_in(node, f'the heading "{title}"')
                self.check.size_of(block)
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
                self.check.resources_in(block, f'the plain summary of "{ident}"')
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
        self.check.resources_in(block, f'the disclaimer "{ident}"')
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
                self.check.resources_in(child, f"the plain wording of {where}")
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
        self.check.invisible_in(content, where, line)
        return Disclaimer(
            id=ident or f"{section_id}-disclaimer",
            wording=wording,
            plain=tuple(plains[0]["c"][1]) if plains else (),
            line=line,
            label=dict(attrs).get("label"),
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
            self.check.resources_in(node, where)
            self.check.size_of(node)

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


def _is_div(block: Block, cls: str) -> bool:
    return block.get("t") == "Div" and cls in block["c"][0][1]
