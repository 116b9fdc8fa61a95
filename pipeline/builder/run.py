"""A build, top to bottom: choose the documents and formats; skip every output whose key is
unchanged; render the rest in a pool of workers, each output checked in its worker the moment
it is finished; then publish each document's good outputs in one step.

- Outputs of a document that pass their checks are published together: the document's folder
  is replaced in one atomic step, its manifest inside it, so a killed build never leaves a
  manifest that disagrees with its files. An output that fails is reported alone; its last
  good version stays, marked stale if it no longer matches the source.
- A failed output is kept for inspection in build/rejected/<id>/, outside output/.
- One failing document never stops the others; the build reports every failure and fails.
- One build at a time holds output/ (a lock); a second one stops with a clear message.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import multiprocessing
import os
import shutil
import signal
import time
import traceback
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import limits, native, review
from pipeline.brand import Brand, BrandError, load_brand
from pipeline.builder import files, sources
from pipeline.builder.files import MANIFEST, OutputBusy, exclusive, read_manifest
from pipeline.builder.index import write_index
from pipeline.builder.keys import StyleFiles, document_inputs, inputs_unchanged, output_key
from pipeline.builder.project import Project
from pipeline.builder.report import Listener, Outcome, Report
from pipeline.extract import READERS
from pipeline.formats import FORMATS
from pipeline.model import Document, ReviewDate
from pipeline.source import SourceError, load

if TYPE_CHECKING:  # the checks' readers (PDF, HTML, DOCX) load only when something is built
    from pipeline.checks import OutputCheck
    from pipeline.formats.htmlview import ArticleView

_NO_ROOM = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS)
"""Errors that mean the disk, not the document: said as such."""
# Heaviest first, so two workers finish together (longest-processing-time order).
WEIGHT = {"brochure_pdf": 5, "onepager": 4, "accessible_pdf": 3, "docx": 2, "html": 1}


@dataclass(frozen=True)
class Options:
    kinds: tuple[str, ...]
    force: bool = False
    strict: bool = False
    """CI's mode: an overdue review is an error, and HTML is verified in a real browser."""
    jobs: int = 0
    """Worker processes; 0: one per core."""


@dataclass
class Rendered:
    """One output, rendered and checked in a worker, waiting in the staging folder."""

    kind: str
    main: str = ""
    """The main file, relative to the format's staging folder."""
    files: dict[str, str] = field(default_factory=dict)
    check: OutputCheck | None = None
    error: str = ""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.error and self.check is not None and self.check.passed


@dataclass
class Plan:
    """What the build does with one document."""

    id: str
    doc: Document | None
    previous: dict[str, Any] | None
    inputs: dict[str, dict[str, str]]
    """Per scope ("full", "plain"): the files its outputs read, path -> sha256."""
    keys: dict[str, str]
    """Every format's current key (also those not built now: to tell which are stale)."""
    render: list[str]
    path: Path = Path()
    staging: Path | None = None
    results: dict[str, Rendered] = field(default_factory=dict)
    due: review.ReviewStatus | None = None
    view: ArticleView | None = None
    """The document's HTML view, made once for the workers (see `_view`)."""

    @property
    def groups(self) -> list[list[str]]:
        """The formats to render, in groups that share a worker."""
        grouped: dict[str, list[str]] = {}
        for kind in self.render:
            grouped.setdefault(FORMATS[kind].group or kind, []).append(kind)
        return list(grouped.values())


def build(
    project: Project,
    doc_ids: Sequence[str] = (),
    kinds: Sequence[str] = (),
    *,
    force: bool = False,
    strict: bool = False,
    jobs: int = 0,
    shard: tuple[int, int] | None = None,
    listener: Listener | None = None,
) -> Report:
    """Build, check and publish the documents (all, or `doc_ids`; a `shard` K of N) in the
    formats `kinds` (all by default)."""
    report = Report(listener)
    unknown = [kind for kind in kinds if kind not in FORMATS]
    if unknown:
        report.fail(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
        return report.finish()
    options = Options(tuple(kinds) or tuple(FORMATS), force, strict, jobs)
    try:
        with exclusive(project.output_dir):
            _build(project, doc_ids, shard, options, report)
    except OutputBusy as error:
        report.fail(str(error))
    except OSError as error:  # a full disk, a read-only output folder
        report.fail(f"cannot write {project.shown(project.output_dir)}: {error}")
    return report.finish()


def _build(
    project: Project,
    doc_ids: Sequence[str],
    shard: tuple[int, int] | None,
    options: Options,
    report: Report,
) -> None:
    files.clear_leftovers(project.output_dir)
    brand = _brand(project, report)
    today = _today(report)
    paths = select_sources(project, doc_ids, shard, report)
    if brand is None or today is None or paths is None:
        return
    styles = StyleFiles(brand)
    surveys = [_survey(project, path, brand, styles, options) for path in paths]
    plans: list[Plan] = []

    def ready() -> Iterator[Plan]:
        """Each plan with work to render, the moment its source is loaded and checked (the
        workers render one document while the next loads); the others are finished now."""
        for survey in surveys:
            plan = _complete(survey, project, brand, styles, options, today, report)
            if plan is None:
                continue
            plans.append(plan)
            if plan.render:
                plan.staging = files.staging_folder(project.output_dir, plan.id)
                plan.view = _view(plan)
                yield plan
            else:
                _finish_one(project, plan, options, report)

    with _workers(options, surveys) as workers:  # warming up while the sources load
        try:
            for plan in _render(ready(), brand, options, report, workers):
                _finish_one(project, plan, options, report)
                plan.doc, plan.view, plan.results = None, None, {}  # a library's 50 add up
        finally:
            for plan in plans:
                if plan.staging is not None:
                    shutil.rmtree(plan.staging, ignore_errors=True)
    write_index(project, brand)


def select_sources(
    project: Project, doc_ids: Sequence[str], shard: tuple[int, int] | None, report: Report
) -> list[Path] | None:
    """The source files to build: all, the named ones, or one shard of them. An unknown id
    stops the build before any work."""
    paths = sorted(project.source_dir.glob("*.md"))
    if doc_ids:
        known = {path.stem for path in paths}
        missing = sorted(set(doc_ids) - known)
        for doc_id in missing:
            names = ", ".join(sorted(known)) or "none yet"
            report.fail(f"no source/{doc_id}.md; the documents are: {names}")
        if missing:
            return None
        paths = [path for path in paths if path.stem in set(doc_ids)]
    if shard is not None:
        number, count = shard
        paths = [path for path in paths if shard_of(path.stem, count) == number]
    return paths


def shard_of(doc_id: str, count: int) -> int:
    """Which of `count` shards (1 to count) builds a document: stable, by a hash of its id."""
    return int(hashlib.sha256(doc_id.encode()).hexdigest()[:12], 16) % count + 1


# -- planning -----------------------------------------------------------------------------


def _survey(
    project: Project, path: Path, brand: Brand, styles: StyleFiles, options: Options
) -> Plan:
    """What the manifest and the input files say, without loading the source: which outputs
    are current. When the inputs changed, `inputs` stays empty: only loading can tell."""
    previous = read_manifest(project.output_dir / path.stem)
    recorded = (previous or {}).get("inputs") or {}
    unchanged = previous is not None and inputs_unchanged(recorded, project.root)
    plan = Plan(path.stem, None, previous, dict(recorded) if unchanged else {}, {}, [], path)
    if unchanged:
        plan.keys = {kind: output_key(f, plan.inputs, brand, styles) for kind, f in FORMATS.items()}
    plan.render = [
        kind
        for kind in options.kinds
        if options.force or not unchanged or not _current(plan, kind, project, options)
    ]
    return plan


def _complete(
    plan: Plan,
    project: Project,
    brand: Brand,
    styles: StyleFiles,
    options: Options,
    today: dt.date,
    report: Report,
) -> Plan | None:
    """The plan, with the source loaded and checked where anything is to be rendered; None
    when the document cannot be built (its problems reported)."""
    if plan.render:
        plan.doc = _load(project, plan.path, report, today)
        if plan.doc is None:
            return None
    if plan.doc is not None and not plan.inputs:  # the inputs changed: now the keys tell
        plan.inputs = document_inputs(plan.doc, project.root)
        plan.keys = {kind: output_key(f, plan.inputs, brand, styles) for kind, f in FORMATS.items()}
        plan.render = [
            kind
            for kind in options.kinds
            if options.force or not _current(plan, kind, project, options)
        ]
    if plan.render and plan.doc is not None and not _glyphs_ok(plan.doc, brand, plan.path, report):
        return None
    if not _review_ok(plan, options, today, report):
        return None
    summary = report.document(plan.id)
    summary.title = plan.doc.title if plan.doc else str((plan.previous or {}).get("title", ""))
    for kind in options.kinds:
        if kind not in plan.render:
            report.outcome(Outcome(plan.id, kind, "up to date", verified=True))
    return plan


def _view(plan: Plan) -> ArticleView | None:
    """The document's HTML view, made here once for every worker that renders a format drawn
    from it (each made its own: a pandoc call and a parse per worker and document). None
    when no such format is to be rendered, or when it cannot be made: each renderer then
    tries, and fails saying why, as that output's failure."""
    if plan.doc is None or not _drawn_from_view(plan.render):
        return None
    from pipeline.formats.htmlview import article_view

    try:
        return article_view(plan.doc)
    except Exception:
        return None


def _drawn_from_view(kinds: Iterable[str]) -> bool:
    return any(FORMATS[kind].html_view for kind in kinds)


def _load(project: Project, path: Path, report: Report, today: dt.date) -> Document | None:
    try:
        return load(path, project.root, today)
    except SourceError as error:
        for problem in error.problems:
            report.fail(str(problem), doc=path.stem)
        report.document(path.stem)
        return None


def _glyphs_ok(doc: Document, brand: Brand, path: Path, report: Report) -> bool:
    """Every character the document prints has a glyph in a brand or fallback font (else it
    would print as an empty box): checked before rendering, reported like a source error."""
    from pipeline.fonts import missing_glyphs

    problems = missing_glyphs(doc, brand, path)
    for problem in problems:
        report.fail(str(problem), doc=doc.id)
    return not problems


def _current(plan: Plan, kind: str, project: Project, options: Options) -> bool:
    """Is the published output of `kind` what a build would make now, verified, intact?"""
    entry = ((plan.previous or {}).get("outputs") or {}).get(kind)
    if not entry or entry.get("key") != plan.keys[kind] or not entry.get("verified"):
        return False
    if options.strict and not entry.get("strict"):
        return False
    folder = project.output_dir / plan.id
    try:
        return all(files.sha256(folder / name) == h for name, h in entry["files"].items())
    except (OSError, KeyError, AttributeError):
        return False


def _review_ok(plan: Plan, options: Options, today: dt.date, report: Report) -> bool:
    """Warn of an overdue review (an error with --strict); note one due soon."""
    previous = plan.previous or {}
    reviewed = (
        plan.doc.last_reviewed
        if plan.doc
        else ReviewDate.parse(str(previous.get("last_reviewed", "")))
    )
    every = plan.doc.review_every_months if plan.doc else previous.get("review_every_months")
    if reviewed is None or not isinstance(every, int):
        return True
    plan.due = review.status(reviewed, every, today)
    summary = report.document(plan.id)
    summary.review_due = plan.due.due.isoformat()
    summary.review = plan.due.label
    text = plan.due.message(plan.id)
    if plan.due.overdue and options.strict:
        report.fail(f"{text} (an error with --strict)", doc=plan.id)
        return False
    if plan.due.overdue:
        report.warn(str(text), doc=plan.id)
    elif text:
        report.say(text, doc=plan.id)
    return True


# -- rendering ----------------------------------------------------------------------------


def render_group(
    doc: Document,
    brand: Brand,
    kinds: list[str],
    staging: Path,
    strict: bool,
    view: ArticleView | None = None,
) -> list[Rendered]:
    """Render and check these formats of one document, one after the other, each into its
    own folder of the staging folder, from the document's HTML `view` when the build made
    it. Runs in a worker; a renderer's error is reported as that output's failure, never
    as the worker's."""
    from pipeline.checks import check_output
    from pipeline.formats import htmlview

    if view is not None:
        htmlview.keep(doc, view)

    results = []
    for kind in kinds:
        fmt = FORMATS[kind]
        seen = brand.only(fmt.brand_tables)
        folder = staging / kind
        start = time.perf_counter()
        try:
            folder.mkdir()
            main = fmt.render(doc, seen, folder)
            check = check_output(doc, seen, kind, main, strict=strict)
            results.append(
                Rendered(
                    kind,
                    main.relative_to(folder).as_posix(),
                    files.files_under(folder),
                    check,
                    seconds=time.perf_counter() - start,
                )
            )
        except Exception as error:
            if os.environ.get("PIPELINE_DEBUG"):
                traceback.print_exception(error)
            results.append(
                Rendered(kind, error=_reason(error), seconds=time.perf_counter() - start)
            )
    return results


def _reason(error: BaseException) -> str:
    if isinstance(error, MemoryError):
        budget = limits.MEMORY_BUDGET_MB
        return f"out of memory (a build of valid input needs at most {budget:,} MB)"
    if isinstance(error, OSError) and error.errno in _NO_ROOM:
        return f"cannot write a file ({error.strerror}); free some disk space and build again"
    text = str(error).strip()
    return text if text else f"{type(error).__name__} (run with PIPELINE_DEBUG=1 for details)"


def _death(processes: list[BaseProcess]) -> str:
    """Why the pool broke, from how its workers ended (the pool stops the others with
    SIGTERM once one has died)."""
    ends = []
    for process in processes:
        process.join(2)
        ends.append(process.exitcode)
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


@dataclass(frozen=True)
class Workers:
    pool: ProcessPoolExecutor
    count: int
    processes: list[BaseProcess]
    """The pool's worker processes: how one ended says why the pool broke."""


@contextmanager
def _workers(options: Options, surveys: list[Plan]) -> Iterator[Workers | None]:
    """A pool of worker processes when there is work for more than one, started before the
    sources are loaded: each worker imports the renderers and readers (about half a second)
    while the build loads and checks the documents. None: render in this process."""
    groups = len({FORMATS[kind].group or kind for kind in options.kinds})
    most = sum(groups for survey in surveys if survey.render)
    workers = min(options.jobs or os.cpu_count() or 1, most)
    if workers <= 1:
        yield None
        return
    modules = [FORMATS[kind].module for kind in options.kinds]
    # Forked workers start with what is already imported, and keep what they import.
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_warm_worker,
        initargs=(modules,),
    )
    try:
        before = set(multiprocessing.active_children())
        for _ in range(workers):
            pool.submit(int)  # each submission starts a worker, up to the pool's size
        started = [p for p in multiprocessing.active_children() if p not in before]
        yield Workers(pool, workers, started)
    finally:
        pool.shutdown(cancel_futures=True)


def _warm_worker(modules: list[str]) -> None:
    """In a new worker: let go of the parent's lock (if the parent is killed, the lock goes
    with it), and import what rendering and checking need, once."""
    files.drop_inherited_lock()
    for module in [*modules, "pipeline.checks", *READERS.values()]:
        native.import_module(module)


def _render(
    plans: Iterable[Plan],
    brand: Brand,
    options: Options,
    report: Report,
    workers: Workers | None,
) -> Iterator[Plan]:
    """Every plan's groups, heaviest first, handed to the workers as each plan arrives;
    yields each plan as its last group finishes."""
    waiting: dict[str, int] = {}

    def queue(plan: Plan) -> list[list[str]]:
        """Say the plan's outputs are queued; its groups, heaviest first."""
        waiting[plan.id] = len(plan.groups)
        for group in plan.groups:
            for kind in group:
                report.outcome(Outcome(plan.id, kind, "queued"))
        return sorted(
            plan.groups, key=lambda group: -WEIGHT.get(FORMATS[group[0]].group or group[0], 1)
        )

    def started(plan: Plan, group: list[str]) -> None:
        for kind in group:
            report.outcome(Outcome(plan.id, kind, "rendering"))

    def done(plan: Plan, results: list[Rendered]) -> bool:
        for result in results:  # said as each finishes, so a live display can follow
            plan.results[result.kind] = result
            _report_output(plan.id, result, options, report)
        waiting[plan.id] -= 1
        return waiting[plan.id] == 0

    if workers is None:
        for plan in plans:
            assert plan.doc is not None and plan.staging is not None
            for group in queue(plan):
                started(plan, group)
                args = (plan.doc, brand, group, plan.staging, options.strict, plan.view)
                if done(plan, render_group(*args)):
                    yield plan
        return
    pending: dict[Future[list[Rendered]], tuple[Plan, list[str]]] = {}
    # The pool takes work in the order it was given: as many as it has workers start at
    # once, then one more each time one finishes.
    queued: deque[tuple[Plan, list[str]]] = deque()
    running = 0

    def finished(timeout: float | None) -> Iterator[Plan]:
        nonlocal running
        for future in wait(pending, timeout, FIRST_COMPLETED).done:
            plan, group = pending.pop(future)
            running -= 1
            if queued:
                started(*queued.popleft())
                running += 1
            try:
                results = future.result()
            except Exception:  # the worker itself died (killed, out of memory)
                why = _death(workers.processes)
                results = [Rendered(kind, error=why) for kind in group]
            if done(plan, results):
                yield plan

    for plan in plans:
        assert plan.doc is not None and plan.staging is not None
        for group in queue(plan):
            view = plan.view if _drawn_from_view(group) else None
            args = (plan.doc, brand, group, plan.staging, options.strict, view)
            pending[workers.pool.submit(render_group, *args)] = (plan, group)
            if running < workers.count:
                started(plan, group)
                running += 1
            else:
                queued.append((plan, group))
        yield from finished(timeout=0)  # publish what is done before loading the next
        # The next source loads once the workers are down to two groups each in waiting:
        # enough to keep them busy while it loads (a tenth of their time), and a library
        # is not held in memory all at once.
        while len(queued) > 2 * workers.count:
            yield from finished(timeout=None)
    while pending:
        yield from finished(timeout=None)


# -- publishing ---------------------------------------------------------------------------


def _finish_one(project: Project, plan: Plan, options: Options, report: Report) -> None:
    """_finish, for one document: a file system that refuses a write (a full disk, a
    read-only folder) fails this document, never the others."""
    try:
        _finish(project, plan, options, report)
    except OSError as error:
        report.fail(f"{plan.id}: cannot write its outputs ({error})", doc=plan.id)


def _finish(project: Project, plan: Plan, options: Options, report: Report) -> None:
    """Report the document's outputs, publish the good ones with the new manifest, keep the
    failed ones in build/rejected/."""
    passed: dict[str, Rendered] = {}
    failed: dict[str, Rendered] = {}
    for kind, result in plan.results.items():
        (passed if result.passed else failed)[kind] = result
    for kind in _shared_file_conflicts(passed, plan):
        report.fail(f"{plan.id}: {kind} writes a file another format writes differently")
        failed[kind] = passed.pop(kind)
    manifest = _manifest(project, plan, passed, failed, options)
    summary = report.document(plan.id)
    if manifest is not None and (passed or manifest != plan.previous):
        assert plan.staging is not None or not passed
        staging = plan.staging or files.staging_folder(project.output_dir, plan.id)
        try:
            if passed and plan.doc is not None:  # first: ingest trusts only kept versions
                sources.keep(project, plan.doc)
            _publish(project, plan.id, staging, passed, manifest)
        except OSError as error:  # a full disk, a read-only folder: this document only
            folder = project.shown(project.output_dir / plan.id)
            report.fail(f"{plan.id}: cannot publish to {folder} ({error}); it is unchanged")
            failed.update(passed)
            passed.clear()
            manifest = plan.previous
        finally:
            if plan.staging is None:
                shutil.rmtree(staging, ignore_errors=True)
        if passed:
            report.say(
                f"{plan.id}: published {', '.join(sorted(passed))} to "
                f"{project.shown(project.output_dir / plan.id)}",
                doc=plan.id,
            )
    summary.published = manifest is not None
    if manifest is not None:
        for kind, entry in manifest["outputs"].items():
            if entry.get("stale") and kind not in failed:
                report.warn(
                    f"{plan.id}: {kind} is stale (its source or styles changed and it was "
                    f"not rebuilt); run `invoke build --doc {plan.id}`",
                    doc=plan.id,
                    kind=kind,
                )
                report.outcome(Outcome(plan.id, kind, "stale"))
        summary.reading_grade = _grade(manifest)
    rejected = project.rejected_dir / plan.id
    if failed:
        _reject(project, plan, failed, rejected)
        summary.rejected = project.shown(rejected)
        report.warn(  # what follows from the problems reported, not one more problem
            f"{plan.id}: {', '.join(sorted(failed))} NOT published; the rejected files are "
            f"in {project.shown(rejected)}",
            doc=plan.id,
        )
    elif plan.results:
        shutil.rmtree(rejected, ignore_errors=True)


def _report_output(doc_id: str, result: Rendered, options: Options, report: Report) -> None:
    kind = result.kind
    check = result.check
    if result.error:
        report.fail(f"{doc_id}: {kind} could not be rendered: {result.error}", doc_id, kind)
    elif check is not None:
        for note in check.notes:
            report.say(f"{doc_id}: {note}", doc_id, kind)
        for gap in check.gaps:
            report.fail(f"{doc_id}: {gap}", doc_id, kind)
        for problem in check.problems:
            report.fail(f"{doc_id}: {kind}: {problem}", doc_id, kind)
        if check.passed:
            report.say(f"{doc_id}: {kind} verified ({Path(result.main).name})", doc_id, kind)
    report.outcome(
        Outcome(
            doc_id,
            kind,
            "built" if result.passed else "failed",
            result.seconds,
            None if check is None else not check.gaps,
            result.error,
        )
    )


def _shared_file_conflicts(passed: dict[str, Rendered], plan: Plan) -> list[str]:
    """Formats that write a file another one writes with different bytes (shared assets
    must agree)."""
    seen: dict[str, str] = {}
    clashing = []
    for kind, result in passed.items():
        for name, digest in result.files.items():
            if seen.setdefault(name, digest) != digest:
                clashing.append(kind)
                break
    return clashing


def _manifest(
    project: Project,
    plan: Plan,
    passed: dict[str, Rendered],
    failed: dict[str, Rendered],
    options: Options,
) -> dict[str, Any] | None:
    """The document's new manifest: new entries for the outputs just built, the previous
    ones (marked stale when their key changed) for the others. None: nothing to publish."""
    previous = plan.previous or {}
    outputs: dict[str, Any] = {}
    for kind, entry in (previous.get("outputs") or {}).items():
        if kind in FORMATS and kind not in passed:
            outputs[kind] = {**entry, "stale": entry.get("key") != plan.keys[kind]}
    for kind, result in passed.items():
        assert result.check is not None
        outputs[kind] = {
            "path": result.main,
            "sha256": result.files[result.main],
            "files": result.files,
            "key": plan.keys[kind],
            "verified": True,
            "strict": options.strict,
            "stale": False,
            **result.check.record,
        }
    if not outputs:
        return None
    doc = plan.doc
    manifest: dict[str, Any] = {
        "id": plan.id,
        "title": doc.title if doc else previous.get("title"),
        "source": doc.source_path if doc else previous.get("source"),
        "source_sha256": doc.source_sha256 if doc else previous.get("source_sha256"),
        "last_reviewed": doc.last_reviewed.iso if doc else previous.get("last_reviewed"),
        "review_every_months": doc.review_every_months
        if doc
        else previous.get("review_every_months"),
        "review_due": plan.due.due.isoformat() if plan.due else previous.get("review_due"),
        "inputs": plan.inputs,
        "outputs": dict(sorted(outputs.items(), key=lambda item: list(FORMATS).index(item[0]))),
        "verification": {
            "passed": all(entry.get("verified") for entry in outputs.values()),
            "missing": [],
        },
        "stale": sorted(kind for kind, entry in outputs.items() if entry["stale"]),
    }
    if failed:
        manifest["rejected"] = sorted(failed)
    readability = next(
        (entry["readability"] for entry in outputs.values() if "readability" in entry), None
    )
    if readability is not None:
        manifest["readability"] = readability
    return manifest


def _publish(
    project: Project,
    doc_id: str,
    staging: Path,
    passed: dict[str, Rendered],
    manifest: dict[str, Any],
) -> None:
    """The document's folder, replaced in one step by a new one: the files it keeps (hard
    links), the new outputs, and the manifest."""
    folder = project.output_dir / doc_id
    new = staging / ".publish"
    new.mkdir()
    replaced = {MANIFEST}
    published = (read_manifest(folder) or {}).get("outputs") or {}
    for kind in passed:
        entry = published.get(kind) or {}
        replaced |= set(entry.get("files") or ([entry["path"]] if "path" in entry else []))
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and name not in replaced:
                target = new / name
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(path, target)
    for kind, result in passed.items():
        for name in result.files:
            target = new / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / kind / name, target)
    (new / MANIFEST).write_bytes(files.json_bytes(manifest))
    files.readable(new)
    files.swap_in(new, folder)
    shutil.rmtree(new, ignore_errors=True)


def _reject(project: Project, plan: Plan, failed: dict[str, Rendered], target: Path) -> None:
    """The failed outputs, as they came out, with a manifest saying what is wrong."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    outputs, missing, errors = {}, [], {}
    for kind, result in failed.items():
        source = (plan.staging or target) / kind
        if source.is_dir():
            shutil.move(str(source), str(target / kind))
        if result.main:
            outputs[kind] = {"path": f"{kind}/{result.main}", "sha256": result.files[result.main]}
        if result.check is not None:
            missing += [gap.as_json() for gap in result.check.gaps]
            if result.check.problems:
                errors[kind] = result.check.problems
        if result.error:
            errors[kind] = [result.error]
    doc = plan.doc
    manifest = {
        "id": plan.id,
        "title": doc.title if doc else None,
        "source": doc.source_path if doc else None,
        "source_sha256": doc.source_sha256 if doc else None,
        "outputs": outputs,
        "verification": {"passed": False, "missing": missing},
        "errors": errors,
    }
    files.write_atomic(target / MANIFEST, files.json_bytes(manifest))


def _grade(manifest: dict[str, Any]) -> float | None:
    reading = manifest.get("readability") or {}
    grade = (reading.get("onepager") or {}).get("fk")
    return float(grade) if isinstance(grade, int | float) else None


# -- re-verifying what is published ---------------------------------------------------------


def verify_published(
    project: Project,
    doc_ids: Sequence[str] = (),
    *,
    strict: bool = False,
    listener: Listener | None = None,
) -> Report:
    """Check the published outputs against their sources again and record the verdict in
    each manifest. An output whose source or styles changed since it was built is stale:
    reported as such, not as missing text."""
    report = Report(listener)
    try:
        with exclusive(project.output_dir):
            _verify_published(project, doc_ids, strict, report)
    except OutputBusy as error:
        report.fail(str(error))
    return report.finish()


def _verify_published(
    project: Project, doc_ids: Sequence[str], strict: bool, report: Report
) -> None:
    from pipeline.checks import check_output

    brand = _brand(project, report)
    today = _today(report)
    paths = select_sources(project, doc_ids, None, report)
    if brand is None or today is None or paths is None:
        return
    styles = StyleFiles(brand)
    for path in paths:
        folder = project.output_dir / path.stem
        manifest = read_manifest(folder)
        if manifest is None:
            report.fail(f"{path.stem}: not built yet; run `invoke build --doc {path.stem}`")
            continue
        doc = _load(project, path, report, today)
        if doc is None:
            continue
        report.document(doc.id).title = doc.title
        inputs = document_inputs(doc, project.root)
        gaps = []
        for kind, entry in manifest["outputs"].items():
            fmt = FORMATS.get(kind)
            if fmt is None:
                continue
            # Set both ways: an output marked stale matches again once its source is reverted.
            entry["stale"] = entry.get("key") != output_key(fmt, inputs, brand, styles)
            if entry["stale"]:
                report.warn(
                    f"{doc.id}: {kind} is stale (its source or styles changed since it was "
                    f"built); run `invoke build --doc {doc.id}`",
                    doc.id,
                    kind,
                )
                report.outcome(Outcome(doc.id, kind, "stale"))
                continue
            start = time.perf_counter()
            seen = brand.only(fmt.brand_tables)
            check = check_output(doc, seen, kind, folder / entry["path"], strict=strict)
            for gap in check.gaps:
                report.fail(f"{doc.id}: {gap}", doc.id, kind)
            for problem in check.problems:
                report.fail(f"{doc.id}: {kind}: {problem}", doc.id, kind)
            if check.passed:
                report.say(f"{doc.id}: {kind} verified ({Path(entry['path']).name})", doc.id)
            entry["verified"] = check.passed
            entry["strict"] = strict
            gaps += [gap.as_json() for gap in check.gaps]
            report.outcome(
                Outcome(doc.id, kind, "up to date", time.perf_counter() - start, check.passed)
            )
        outputs = manifest["outputs"].values()
        manifest["verification"] = {
            "passed": all(entry.get("verified") for entry in outputs),
            "missing": gaps,
        }
        manifest["stale"] = sorted(k for k, e in manifest["outputs"].items() if e.get("stale"))
        files.write_atomic(folder / MANIFEST, files.json_bytes(manifest))


# -- shared ---------------------------------------------------------------------------------


def _brand(project: Project, report: Report) -> Brand | None:
    try:
        return load_brand(project.styles_dir)
    except BrandError as error:
        report.fail(str(error))
        return None


def _today(report: Report) -> dt.date | None:
    try:
        return review.today()
    except review.TodayError as error:
        report.fail(str(error))
        return None


def gather(project: Project) -> Report:
    """Only the landing page, from the manifests in output/ (after shards were built on
    several machines and their output/ folders merged)."""
    report = Report()
    try:
        with exclusive(project.output_dir):
            brand = _brand(project, report)
            if brand is not None:
                write_index(project, brand)
                count = len(list(project.output_dir.glob(f"*/{MANIFEST}")))
                report.say(f"landing page: {count} documents in output/index.html")
    except OutputBusy as error:
        report.fail(str(error))
    return report.finish()
