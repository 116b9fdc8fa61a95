"""What a build or a verification found, as it happens: messages and each output's outcome.

A listener (the console, the preview server) sees every message and outcome the moment it is
recorded; the report keeps them for the summary and the exit code."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pipeline.checks import OutputCheck

Level = Literal["info", "warning", "error"]
State = Literal["queued", "rendering", "built", "up to date", "stale", "failed", "held back"]
"""An output's state: waiting, being made, then one of the last five ("held back": built
and checked, but not published, since another output of its edition failed)."""
FINAL_STATES: tuple[State, ...] = ("built", "up to date", "stale", "failed", "held back")


@dataclass(frozen=True)
class Message:
    level: Level
    text: str
    """A whole line, "<id>: ..." when it is about one document."""
    doc: str = ""
    kind: str = ""


@dataclass(frozen=True)
class Outcome:
    doc: str
    kind: str
    state: State
    seconds: float = 0.0
    """Rendering and checking, in the worker that did it."""
    verified: bool | None = None
    """None when nothing was checked (stale, failed to render)."""
    detail: str = ""


@dataclass
class DocumentSummary:
    """One row of the build summary and of the landing page."""

    id: str
    title: str = ""
    published: bool = False
    reading: str = ""
    """The one-pager's reading level as the summary shows it: a grade ("3.1"), or a score
    with its measure's initials in a language scored otherwise ("77 FH")."""
    review_due: str | None = None
    review: str = ""
    """"", "due soon" or "overdue"."""
    rejected: str | None = None
    """Where the rejected edition was kept, if the current source failed."""


Event = Message | Outcome
Listener = Callable[[Event], None]


@dataclass
class Report:
    listener: Listener | None = None
    messages: list[Message] = field(default_factory=list)
    outcomes: dict[tuple[str, str], Outcome] = field(default_factory=dict)
    documents: dict[str, DocumentSummary] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    seconds: float = 0.0
    bugs: list[str] = field(default_factory=list)
    """The traceback of each bug in the pipeline met (its line is among the messages): the
    console shows them after the summary, and the command line exits 3."""

    @property
    def failed(self) -> bool:
        return any(message.level == "error" for message in self.messages)

    @property
    def lines(self) -> list[str]:
        return [message.text for message in self.messages]

    def say(self, text: str, doc: str = "", kind: str = "") -> None:
        self._add(Message("info", text, doc, kind))

    def warn(self, text: str, doc: str = "", kind: str = "") -> None:
        self._add(Message("warning", text, doc, kind))

    def fail(self, text: str, doc: str = "", kind: str = "") -> None:
        self._add(Message("error", text, doc, kind))

    def add(self, level: Level, text: str, doc: str = "", kind: str = "") -> None:
        self._add(Message(level, text, doc, kind))

    def bug(self, trace: str) -> None:
        """A bug's traceback (once, though several outputs met it)."""
        if trace not in self.bugs:
            self.bugs.append(trace)

    def checked(
        self, doc: str, kind: str, check: OutputCheck, file: str, failed: bool = False
    ) -> None:
        """What one output's checks found, said the same way by a build and by `invoke
        verify`: notes, each gap and problem; "verified" when all passed (and the output
        has not `failed` for another reason)."""
        for note in check.notes:
            self.say(f"{doc}: {note}", doc, kind)
        for gap in check.gaps:
            self.fail(f"{doc}: {gap}", doc, kind)
        for problem in check.problems:
            self.fail(f"{doc}: {kind}: {problem}", doc, kind)
        if check.passed and not failed:
            self.say(f"{doc}: {kind} verified ({file})", doc, kind)

    def stale(self, doc: str, kind: str) -> None:
        """A published output older than its source or styles, not rebuilt."""
        self.warn(
            f"{doc}: {kind} is stale (its source or styles changed since it was built); run "
            f"`leaflet build --doc {doc}`",
            doc,
            kind,
        )
        self.outcome(Outcome(doc, kind, "stale"))

    def outcome(self, outcome: Outcome) -> None:
        self.outcomes[(outcome.doc, outcome.kind)] = outcome
        if self.listener:
            self.listener(outcome)

    def document(self, doc_id: str) -> DocumentSummary:
        return self.documents.setdefault(doc_id, DocumentSummary(doc_id))

    def finish(self) -> Report:
        self.seconds = time.perf_counter() - self.started
        return self

    def files(self) -> int:
        """Outputs built or up to date."""
        return sum(1 for o in self.outcomes.values() if o.state in ("built", "up to date"))

    def summary(self) -> str:
        """The last line of every build: "N documents, M files, X s"."""
        n, m = len(self.documents), self.files()
        return f"{n} document{'s' * (n != 1)}, {m} file{'s' * (m != 1)}, {self.seconds:.1f} s" + (
            " (FAILED)" if self.failed else ""
        )

    def _add(self, message: Message) -> None:
        self.messages.append(message)
        if self.listener:
            self.listener(message)
