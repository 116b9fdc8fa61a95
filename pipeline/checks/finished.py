"""What every check reads and what it finds: one finished output, and its findings."""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pipeline import extract

if TYPE_CHECKING:
    from pipeline.brand import Brand
    from pipeline.formats import Format
    from pipeline.model import Document


@dataclass(frozen=True)
class Finished:
    """One finished output, as its checks see it: the file, what it must hold (the
    document, as the format carries it) and the brand tables the format reads. Its
    readings are taken once, for all its checks."""

    doc: Document
    format: Format
    brand: Brand
    path: Path
    html_reading: extract.HtmlReading = "markup"

    @functools.cached_property
    def reading(self) -> extract.Reading:
        """What a reader reads of the article (see pipeline.extract.read)."""
        return extract.read(self.path, html_reading=self.html_reading)

    @functools.cached_property
    def whole(self) -> extract.Reading:
        """What a reader reads on the whole file: masthead, labels and footer too."""
        return extract.read(self.path, everything=True, html_reading=self.html_reading)


Problem = Literal["missing", "out of order", "not visible"]


@dataclass(frozen=True)
class Gap:
    output: str
    id: str
    kind: str
    part: str
    problem: Problem
    text: str
    """The expected text (shortened); for "not visible", the text a reader cannot see."""
    why: str = ""
    """For "not visible": what hides it, and where."""

    def __str__(self) -> str:
        why = f" ({self.why})" if self.why else ""
        return (
            f'{self.output}: {self.kind} "{self.id}" {self.part} {self.problem}: "{self.text}"{why}'
        )

    def as_json(self) -> dict[str, str]:
        found = asdict(self)
        if not self.why:
            del found["why"]
        return found


@dataclass
class OutputCheck:
    """What the checks found in one finished output."""

    gaps: list[Gap] = field(default_factory=list)
    """Verification: text missing, out of order, or not visible to a reader."""
    problems: list[str] = field(default_factory=list)
    """Any other check that failed (reading level, ...), one line each."""
    notes: list[str] = field(default_factory=list)
    """Lines for the build output that are not failures (the reading level, ...)."""
    record: dict[str, Any] = field(default_factory=dict)
    """Added to this output's entry in manifest.json (e.g. "readability")."""
    reports: dict[str, str] = field(default_factory=dict)
    """Files a check writes beside the output (name -> text): the build publishes them
    with it (the brochure's preflight.txt)."""

    @property
    def passed(self) -> bool:
        return not self.gaps and not self.problems

    def add(self, other: OutputCheck) -> None:
        self.gaps += other.gaps
        self.problems += other.problems
        self.notes += other.notes
        self.record |= other.record
        self.reports |= other.reports
