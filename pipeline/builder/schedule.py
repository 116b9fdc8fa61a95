"""Scheduling: every document's groups of formats handed to an executor as each document's
plan arrives, heaviest first, and each document given back the moment its last group is
done.

One executor interface, two implementations: `Serial` renders in the build's own process;
`Pool` in worker processes, started once, before the sources are loaded (each imports the
renderers and readers, about half a second, while the build loads and checks documents).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Protocol

from pipeline import limits, native
from pipeline.builder import files
from pipeline.builder.options import Options
from pipeline.builder.plan import Plan, Setting
from pipeline.builder.render import Rendered, Task, render_group
from pipeline.builder.report import Outcome, Report, State
from pipeline.checks import CHECKS
from pipeline.extract import READERS
from pipeline.formats import FORMATS, SHARED

Started = Callable[[], None]
"""Said when a task starts rendering (it may wait for a worker first)."""


class Executor(Protocol):
    slots: int
    """How many tasks render at once."""

    def start(self, task: Task, started: Started) -> None:
        """Hand `task` over: it renders now, or when a slot is free."""

    def finished(self, block: bool) -> list[tuple[Task, list[Rendered]]]:
        """The tasks done since last asked; with `block`, waits for at least one."""

    @property
    def waiting(self) -> int:
        """Tasks handed over that have not started."""


class Serial:
    """Renders each task as it is handed over, in this process."""

    slots = 1
    waiting = 0

    def __init__(self) -> None:
        self._done: list[tuple[Task, list[Rendered]]] = []

    def start(self, task: Task, started: Started) -> None:
        started()
        self._done.append((task, render_group(task)))

    def finished(self, block: bool) -> list[tuple[Task, list[Rendered]]]:
        done, self._done = self._done, []
        return done


class Pool:
    """Renders in worker processes. The pool takes work in the order it was given: as many
    tasks as it has workers start at once, then one more each time one finishes."""

    def __init__(self, pool: ProcessPoolExecutor, slots: int, processes: list[BaseProcess]):
        self.pool, self.slots = pool, slots
        self.processes = processes
        """The pool's worker processes: how one ended says why the pool broke."""
        self._pending: dict[Future[list[Rendered]], Task] = {}
        self._queued: deque[Started] = deque()
        self._running = 0

    @property
    def waiting(self) -> int:
        return len(self._queued)

    def start(self, task: Task, started: Started) -> None:
        self._pending[self.pool.submit(render_group, task)] = task
        if self._running < self.slots:
            started()
            self._running += 1
        else:
            self._queued.append(started)

    def finished(self, block: bool) -> list[tuple[Task, list[Rendered]]]:
        done = []
        for future in wait(self._pending, None if block else 0, FIRST_COMPLETED).done:
            task = self._pending.pop(future)
            self._running -= 1
            if self._queued:
                self._queued.popleft()()
                self._running += 1
            try:
                results = future.result()
            except Exception:  # the worker itself died (killed, out of memory)
                why = _death(self.processes)
                results = [Rendered(kind, error=why) for kind in task.formats]
            done.append((task, results))
        return done


@contextmanager
def executor(options: Options, formats: Iterable[str], documents: int) -> Iterator[Executor]:
    """A pool of workers when there is work for more than one (`documents` to render in
    `formats`), started now; else this process."""
    formats = list(formats)
    groups = len({FORMATS[kind].shares or kind for kind in formats})
    count = min(options.jobs or os.cpu_count() or 1, groups * documents)
    if count <= 1:
        yield Serial()
        return
    modules = [FORMATS[kind].module for kind in formats]
    modules += [SHARED[FORMATS[kind].shares].module for kind in formats if FORMATS[kind].shares]
    modules += ["pipeline.checks"]
    modules += [CHECKS[name].module for kind in formats for name in FORMATS[kind].checks]
    modules += [reader.module for reader in READERS.values()]
    # Forked workers start with what is already imported, and keep what they import.
    pool = ProcessPoolExecutor(
        max_workers=count,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_warm_worker,
        initargs=(list(dict.fromkeys(modules)),),
    )
    try:
        before = set(multiprocessing.active_children())
        for _ in range(count):
            pool.submit(int)  # each submission starts a worker, up to the pool's size
        started = [p for p in multiprocessing.active_children() if p not in before]
        yield Pool(pool, count, started)
    finally:
        pool.shutdown(cancel_futures=True)


def _death(processes: list[BaseProcess]) -> str:
    """Why the pool broke, from how its workers ended (the pool stops the others with
    SIGTERM once one has died)."""
    for process in processes:
        process.join(2)
    # The pool's own thread reaps its workers too: when it wins that race, this thread's
    # wait ends first and the exit status shows on the shared process object a moment later.
    deadline = time.monotonic() + 2
    while any(p.exitcode is None for p in processes) and time.monotonic() < deadline:
        time.sleep(0.02)
    ends = [process.exitcode for process in processes]
    code = next((c for c in ends if c not in (None, 0, -signal.SIGTERM)), None)
    if code is None:
        code = next((c for c in ends if c), None)
    if code is None:
        how = "stopped without a word"
    elif code == -signal.SIGKILL:
        how = (
            "was killed (SIGKILL), as the system does when memory runs out (a build of valid "
            f"input needs at most {limits.MEMORY_BUDGET_MB:,} MB)"
        )
    elif code < 0:
        how = f"was stopped by {signal.Signals(-code).name}"
    else:
        how = f"exited with code {code}"
    return f"the worker process rendering it {how}; outputs rendered with it stopped too"


def _warm_worker(modules: list[str]) -> None:
    """In a new worker: let go of the parent's lock (if the parent is killed, the lock goes
    with it), and import what rendering and checking need, once."""
    files.drop_inherited_lock()
    for module in modules:
        native.import_module(module)


@dataclass(frozen=True)
class Staged:
    """A document's plan with work to render, and the folder its outputs are rendered into."""

    plan: Plan
    staging: Path


def render(
    staged: Iterable[Staged], where: Setting, executor: Executor, report: Report
) -> Iterator[tuple[Staged, dict[str, Rendered]]]:
    """Every document's groups, heaviest first, handed to the executor as each arrives;
    yields each document with its results as its last group finishes."""
    waiting: dict[str, tuple[Staged, int, dict[str, Rendered]]] = {}

    def collect(block: bool) -> Iterator[tuple[Staged, dict[str, Rendered]]]:
        for task, results in executor.finished(block):
            doc_id = task.doc.edition
            work, left, done = waiting[doc_id]
            for result in results:  # said as each finishes, so a live display can follow
                done[result.kind] = result
                say_rendered(report, doc_id, result)
            if left > 1:
                waiting[doc_id] = (work, left - 1, done)
            else:
                del waiting[doc_id]
                yield work, done

    for work in staged:
        plan = work.plan
        assert plan.doc is not None
        groups = plan.groups
        waiting[plan.id] = (work, len(groups), {})
        for group in groups:
            for kind in group:
                report.outcome(Outcome(plan.id, kind, "queued"))
        for group in groups:
            drawn = any(FORMATS[kind].html_view for kind in group)
            task = Task(
                plan.doc,
                where.brand,
                group,
                work.staging,
                plan.view if drawn else None,
                plan.view_error,
                where.options.html_reading,
                plan.languages,
            )
            executor.start(task, _rendering(report, plan.id, group))
            yield from collect(block=False)  # publish what is done before loading the next
        # The next source loads once the workers are down to two groups each in waiting:
        # enough to keep them busy while it loads (a tenth of their time), and a library
        # is not held in memory all at once.
        while executor.waiting > 2 * executor.slots:
            yield from collect(block=True)
    while waiting:
        yield from collect(block=True)


def _rendering(report: Report, doc_id: str, group: tuple[str, ...]) -> Started:
    def started() -> None:
        for kind in group:
            report.outcome(Outcome(doc_id, kind, "rendering"))

    return started


def say_rendered(report: Report, doc_id: str, result: Rendered) -> None:
    """What became of one output, the moment it is done."""
    kind, check = result.kind, result.check
    if result.error:
        report.fail(f"{doc_id}: {kind} could not be rendered: {result.error}", doc_id, kind)
    if result.trace:
        report.bug(result.trace)
    if result.unfit:
        report.fail(f"{doc_id}: {kind}: {result.unfit}", doc_id, kind)
    if check is not None:
        report.checked(doc_id, kind, check, Path(result.main).name, failed=bool(result.unfit))
    verified = None if check is None else not check.gaps
    state: State = "built" if result.passed else "failed"
    report.outcome(Outcome(doc_id, kind, state, result.seconds, verified, result.error))
