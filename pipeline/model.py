"""The one model every renderer reads: a document, its sections and its disclaimers.

Bodies stay as pandoc AST blocks (JSON values), so renderers hand them back to pandoc
instead of re-implementing Markdown. Nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pipeline import review
from pipeline.review import ReviewDate

Block = dict[str, Any]
"""One pandoc AST block, e.g. {"t": "Para", "c": [...]}. Treat as read-only."""
PartKind = Literal["section", "disclaimer"]
Scope = Literal["full", "plain"]
"""What an output carries: the "full" text, or the "plain" wording (the one-pagers)."""


@dataclass(frozen=True)
class Disclaimer:
    id: str
    wording: tuple[Block, ...]
    plain: tuple[Block, ...]
    line: int
    label: str | None = None
    """What its box is headed with (`label="Call 911"` on its div); None: the default."""
    passage: str = ""
    """The shared passage file it is included from (`styles/passages/<id>.md`, as messages
    name it, its `line` there); "" for the document's own text."""


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    heading: tuple[Any, ...]
    """The heading's pandoc inlines (keeps emphasis and links)."""
    plain: tuple[Block, ...]
    body: tuple[Block | Disclaimer, ...]
    """Body blocks in source order, with each disclaimer where it stands."""
    line: int
    passage: str = ""
    """As Disclaimer.passage."""

    @property
    def disclaimers(self) -> tuple[Disclaimer, ...]:
        return tuple(item for item in self.body if isinstance(item, Disclaimer))


@dataclass(frozen=True)
class TranslatedFrom:
    """A version of an original document, as a translation records it (`translated-from:`):
    its source file's SHA-256, and a short fingerprint of each of its parts (each section's
    heading, plain summary and body; each disclaimer's full and plain wording), so what
    changed since is known part by part without the old text (pipeline.translations)."""

    source: str
    parts: Mapping[str, str] = field(default_factory=dict)
    """Part id -> fingerprint, in the original's order."""


@dataclass(frozen=True)
class Translation:
    """What a translation knows of its original (`translation-of:`), as loaded with it."""

    original: str
    """The original's source path, relative to the project root."""
    original_lang: str
    recorded: TranslatedFrom
    """The version it was translated from (its `translated-from:`)."""
    current: TranslatedFrom
    """The original as it is now."""
    original_lines: Mapping[str, int] = field(default_factory=dict)
    """Each part's line in the original, for messages."""

    @property
    def stale(self) -> tuple[str, ...]:
        """The ids of the original's parts whose text changed since the translation was made
        (or that the record does not name), in the original's order."""
        return tuple(
            ident
            for ident, fingerprint in self.current.parts.items()
            if self.recorded.parts.get(ident) != fingerprint
        )


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    subtitle: str | None
    lang: str
    last_reviewed: ReviewDate
    review_every_months: int
    sections: tuple[Section, ...]
    source_path: str
    """Relative to the project root, as the manifest records it."""
    source_sha256: str
    source_text: str = ""
    """The source file as it was read (UTF-8): the DOCX carries it, so a review can be
    merged after the source has moved on."""
    translation: Translation | None = None
    """Set when this document translates another (`translation-of:`): its id is then the
    original's, its `lang` its own."""
    stale_passages: tuple[str, ...] = ()
    """Each shared passage's version in another language it includes whose original passage
    changed since that version was translated (or which records no version of it)."""

    @property
    def edition(self) -> str:
        """How a build names it: its source file's name without `.md` (`<id>`, or
        `<id>.<lang>` for a translation)."""
        return f"{self.id}.{self.lang}" if self.translation else self.id

    @property
    def folder(self) -> str:
        """Where its outputs are published, under output/."""
        return edition_folder(self.edition)

    @property
    def disclaimers(self) -> Iterator[Disclaimer]:
        for section in self.sections:
            yield from section.disclaimers

    @property
    def content(self) -> list[Any]:
        """Everything the full outputs show, as lists of pandoc nodes (`text.nodes` walks
        them): each section's heading, plain summary and body, each disclaimer's wording and
        plain wording, in source order."""
        found: list[Any] = []
        for section in self.sections:
            found += [list(section.heading), list(section.plain)]
            for item in section.body:
                if isinstance(item, Disclaimer):
                    found += [list(item.wording), list(item.plain)]
                else:
                    found.append(item)
        return found

    @property
    def plain_parts(self) -> Iterator[tuple[str, PartKind, tuple[Block, ...]]]:
        """(id, kind, plain blocks) of every plain summary and plain disclaimer wording, in
        source order: what the one-pagers carry."""
        for section in self.sections:
            yield section.id, "section", section.plain
            for disclaimer in section.disclaimers:
                yield disclaimer.id, "disclaimer", disclaimer.plain

    @property
    def passages(self) -> tuple[str, ...]:
        """The shared passage files the document includes (as Section.passage), once each."""
        found = [s.passage for s in self.sections] + [d.passage for d in self.disclaimers]
        return tuple(dict.fromkeys(name for name in found if name))

    def where(self, part: Section | Disclaimer) -> str:
        """`file:line` of a section or disclaimer: in the source, or in its passage file."""
        return f"{part.passage or self.source_path}:{part.line}"

    @property
    def next_review(self) -> dt.date:
        """When the next review is due (see pipeline.review)."""
        return review.due_date(self.last_reviewed, self.review_every_months)


@dataclass(frozen=True)
class Language:
    """One language a document is published in, as its pages link to it."""

    tag: str
    """BCP 47, as the edition's `lang`."""
    name: str
    """In its own language: "Español"."""
    folder: str
    """Its edition's folder under output/ (`edition_folder`)."""

    def href(self, here: str, file: str) -> str:
        """The address of its `file`, from a page in the folder `here`."""
        import posixpath

        return posixpath.join(posixpath.relpath(self.folder, here), file).removeprefix("./")


def edition_folder(edition: str) -> str:
    """The folder of an edition's outputs under output/, from its name (a source file's name
    without `.md`): `<id>` for an original, `<id>/<lang>` for a translation (an id holds no
    dot, so the first dot parts them)."""
    return edition.replace(".", "/", 1)


def document_id(edition: str) -> str:
    """The document an edition belongs to: `<id>` of `<id>` or `<id>.<lang>`."""
    return edition.split(".", 1)[0]
