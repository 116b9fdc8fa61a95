"""The one model every renderer reads: a document, its sections and its disclaimers.

Bodies stay as pandoc AST blocks (JSON values), so renderers hand them back to pandoc
instead of re-implementing Markdown. Nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
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

    @property
    def disclaimers(self) -> tuple[Disclaimer, ...]:
        return tuple(item for item in self.body if isinstance(item, Disclaimer))


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
    def next_review(self) -> dt.date:
        """When the next review is due (see pipeline.review)."""
        return review.due_date(self.last_reviewed, self.review_every_months)
