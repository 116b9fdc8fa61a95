"""What a build or a verification shows while it runs, and how it ends.

On a terminal: a live table, one row per document, with problems printed above it as they
happen. In CI (`CI=true`) or when the output goes to a file or a pipe: plain lines, one per
problem and one per finished output (problems on stderr). Either way it ends with the summary
table (each document's formats: built, up to date, stale or failed; its verification,
reading grade, review due date and time), every problem again, and one line, "N documents, M
files, X s".

The table has a column per format where the screen is wide enough, and otherwise says the
same in one column, so it never squeezes into a column of fragments."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TextIO

from rich import box
from rich.console import Console, RenderableType
from rich.live import Live
from rich.measure import Measurement
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from pipeline.builder.report import DocumentSummary, Event, Message, Outcome, Report
from pipeline.errors import BUG
from pipeline.formats import FORMATS

MARKS = {
    "queued": ("·", "waiting", "dim"),
    "rendering": ("…", "being made", "cyan"),
    "built": ("✓", "built", "green"),
    "up to date": ("=", "up to date", ""),
    "stale": ("!", "stale (not rebuilt)", "yellow"),
    "failed": ("✗", "FAILED", "bold red"),
    "held back": ("○", "held back (its edition failed)", "yellow"),
}
"""Each state: its mark in a format's column, its words, its colour."""
LOG_WIDTH = 160
"""A CI log does not wrap: a wide table keeps one line per document."""


def interactive(stream: TextIO) -> bool:
    """A person watching a terminal (not CI, not a file or a pipe)."""
    ci = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
    return stream.isatty() and not ci and os.environ.get("TERM") != "dumb"


class BuildConsole:
    """The listener a task hands to the build, and the summary after it:

    with BuildConsole("build") as console:
        report = build(project, listener=console)
    console.finish(report)
    """

    def __init__(self, what: str = "build", live: bool | None = None):
        self.what = what
        live = interactive(sys.stdout) if live is None else live
        self.out = Console(highlight=False, width=None if live else LOG_WIDTH)
        self.outcomes: dict[tuple[str, str], Outcome] = {}
        self._live = Live(console=self.out, refresh_per_second=8, transient=True) if live else None

    def __enter__(self) -> BuildConsole:
        if self._live is not None:
            self._live.update(Text(f"{self.what}: reading the sources …"))
            self._live.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()

    def __call__(self, event: Event) -> None:
        if isinstance(event, Outcome):
            self.outcomes[(event.doc, event.kind)] = event
            if self._live is not None:
                self._live.update(self._progress())
            elif event.state in ("built", "failed", "held back"):
                print(outcome_line(event), flush=True)
        elif event.level != "info" or not event.kind:
            # What each output became is in the table (live) or its own line (plain).
            if self._live is not None:
                self._live.console.print(_styled(event))
            else:
                stream = sys.stdout if event.level == "info" else sys.stderr
                print(event.text, file=stream, flush=True)

    def finish(self, report: Report) -> None:
        """The summary table, what its marks mean, every problem again (the first may have
        scrolled far out of sight in a long log), and the last line."""
        if report.outcomes or report.documents:
            table = self._fitting(lambda wide: summary_table(report, self.what, wide))
            self._print(table)
            if table.wide:
                self._print(legend(report, table.kinds), style="dim")
        problems = [message.text for message in report.messages if message.level == "error"]
        if problems:
            n = len(problems)
            self._print(Text(f"{n} problem{'s' * (n != 1)}:", style="bold red"))
            for problem in problems:
                self._print(Text(f"  {problem}", style="red"))
        self._print(Text(report.summary(), style="bold red" if report.failed else "bold"))
        for trace in report.bugs:
            print(f"{trace.rstrip()}\n{BUG}", file=sys.stderr, flush=True)

    def _print(self, renderable: RenderableType, style: str = "") -> None:
        if self._live is not None:
            self.out.print(renderable, style=style)
            return
        with self.out.capture() as captured:  # a log gets no colour and no trailing spaces
            self.out.print(renderable, style=style)
        print("\n".join(line.rstrip() for line in captured.get().splitlines()), flush=True)

    def _progress(self) -> RenderableType:
        rows = {doc: _outcomes_of(self.outcomes, doc) for doc, _ in self.outcomes}
        kinds = _kinds(kind for _, kind in self.outcomes)

        def table(wide: bool) -> _Table:
            progress = _table(f"{self.what} …", kinds, wide)
            for doc, outcomes in rows.items():
                progress.add_row(doc, *_format_cells(outcomes, kinds, wide, live=True))
            return progress

        return self._fitting(table)

    def _fitting(self, make: Callable[[bool], _Table]) -> _Table:
        """The table with a column per format if it fits the screen, else the narrow one."""
        wide = make(True)
        unbounded = self.out.options.update(width=10_000)
        natural = Measurement.get(self.out, unbounded, wide).maximum
        return wide if natural <= self.out.width else make(False)


class _Table(Table):
    kinds: list[str]
    wide: bool


def _table(title: str, kinds: list[str], wide: bool) -> _Table:
    table = _Table(
        box=box.SIMPLE_HEAD, title=title, title_justify="left", pad_edge=False, padding=(0, 1)
    )
    table.kinds, table.wide = kinds, wide
    table.add_column("document", overflow="fold")
    if wide:
        for kind in kinds:
            table.add_column(kind.replace("_", "\n"), justify="center")
    else:
        table.add_column("formats", overflow="fold")
    return table


def summary_table(report: Report, what: str = "build", wide: bool = True) -> _Table:
    """One row per document: each format's state, then verification, reading level, review
    due date (due soon and overdue marked) and the time its outputs took."""
    table = _table(f"{what} summary", _kinds(kind for _, kind in report.outcomes), wide)
    table.add_column("verified")
    table.add_column("reading\nlevel", justify="right")
    table.add_column("review due", min_width=10)
    table.add_column("time", justify="right", no_wrap=True)
    for doc_id in dict.fromkeys([*report.documents, *(doc for doc, _ in report.outcomes)]):
        summary = report.documents.get(doc_id) or DocumentSummary(doc_id)
        outcomes = _outcomes_of(report.outcomes, doc_id)
        seconds = sum(outcome.seconds for outcome in outcomes.values())
        table.add_row(
            doc_id,
            *_format_cells(outcomes, table.kinds, wide),
            _verified(report, doc_id, outcomes),
            summary.reading,
            _review(summary),
            f"{seconds:.1f} s" if seconds else "",
        )
    return table


def legend(report: Report, kinds: list[str]) -> Text:
    """What the marks of the wide table mean (those it uses)."""
    states = {outcome.state for outcome in report.outcomes.values()}
    used = [(mark, words) for state, (mark, words, _) in MARKS.items() if state in states]
    docs = {doc for doc, _ in report.outcomes} | set(report.documents)
    if any((doc, kind) not in report.outcomes for doc in docs for kind in kinds):
        used.append(("—", "not in this build"))
    return Text("   ".join(f"{mark} {words}" for mark, words in used))


def outcome_line(outcome: Outcome) -> str:
    """A plain log line as each output finishes."""
    checked = {True: ", verified", False: ", NOT verified", None: ""}[outcome.verified]
    state = "FAILED" if outcome.state == "failed" else outcome.state
    return f"{outcome.doc}: {outcome.kind} {state}{checked} ({outcome.seconds:.1f} s)"


def _outcomes_of(outcomes: dict[tuple[str, str], Outcome], doc_id: str) -> dict[str, Outcome]:
    return {kind: outcome for (doc, kind), outcome in outcomes.items() if doc == doc_id}


def _kinds(seen: Iterable[str]) -> list[str]:
    """The formats seen, in the registry's order."""
    found = set(seen)
    return [kind for kind in FORMATS if kind in found] + sorted(found - set(FORMATS))


def _format_cells(
    outcomes: dict[str, Outcome], kinds: list[str], wide: bool, live: bool = False
) -> list[RenderableType]:
    """A mark per format (wide), or one cell naming the formats by state (narrow)."""
    if wide:
        cells: list[RenderableType] = []
        for kind in kinds:
            outcome = outcomes.get(kind)
            if outcome is None:
                cells.append(Text("—", style="dim"))
            elif live and outcome.state == "rendering":
                cells.append(Spinner("dots", style="cyan"))
            else:
                mark, _, style = MARKS[outcome.state]
                cells.append(Text(mark, style=style))
        return cells
    by_state: dict[str, list[str]] = {}
    for kind in kinds:
        if kind in outcomes:
            by_state.setdefault(outcomes[kind].state, []).append(kind)
    most = max(by_state.values(), key=len, default=[])
    text = Text()
    for state, names in by_state.items():
        _, words, style = MARKS[state]
        if names is most and len(names) > 2:  # counted; the exceptions are named
            listed = f"{'all ' * (len(names) == len(kinds))}{len(names)}"
        else:
            listed = ", ".join(names)
        text.append(("; " if text else "") + f"{listed} {words}", style=style)
    return [text]


def _verified(report: Report, doc_id: str, outcomes: dict[str, Outcome]) -> Text:
    problems = any(m.level == "error" and m.doc == doc_id for m in report.messages)
    if not outcomes:
        return Text("source error" if problems else "—", style="bold red" if problems else "dim")
    if problems or any(o.verified is False or o.state == "failed" for o in outcomes.values()):
        return Text("FAILED", style="bold red")
    if any(o.state == "stale" for o in outcomes.values()):
        return Text("stale", style="yellow")
    return Text("yes", style="green")


def _review(summary: DocumentSummary) -> Text:
    if not summary.review_due:
        return Text("")
    if summary.review == "overdue":
        return Text(f"{summary.review_due} OVERDUE", style="bold red")
    if summary.review == "due soon":
        return Text(f"{summary.review_due} due soon", style="yellow")
    return Text(summary.review_due)


def _styled(message: Message) -> Text:
    return Text(message.text, style={"error": "red", "warning": "yellow"}.get(message.level, ""))
