"""Rendering and checking one group of a document's formats, in a worker (or in the build's
own process): each output into its own folder of the document's staging folder, checked the
moment it is finished. A renderer's error is that output's failure, never the worker's."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import limits
from pipeline.brand import Brand
from pipeline.builder import files
from pipeline.errors import Failure, failure
from pipeline.extract import HtmlReading
from pipeline.formats import FORMATS, SHARED, Job, Unfit
from pipeline.model import Document, Language

if TYPE_CHECKING:  # the checks' readers (PDF, HTML, DOCX) load only when something is built
    from pipeline.checks import OutputCheck
    from pipeline.formats.htmlview import ArticleView


@dataclass(frozen=True)
class Task:
    """One group of a document's formats (formats that share work), for one worker."""

    doc: Document
    brand: Brand
    """The whole brand: each format sees only its own tables."""
    formats: tuple[str, ...]
    staging: Path
    view: ArticleView | None = None
    """The document's HTML view, made once by the build, when a format is drawn from it."""
    view_error: str = ""
    html_reading: HtmlReading = "markup"
    languages: tuple[Language, ...] = ()
    """The document's languages, for the formats that link them."""


@dataclass(frozen=True)
class Rendered:
    """One output, rendered and checked, waiting in the staging folder."""

    kind: str
    main: str = ""
    """The main file, relative to the format's staging folder."""
    files: Mapping[str, str] = field(default_factory=dict)
    check: OutputCheck | None = None
    error: str = ""
    """Why it could not be rendered."""
    trace: str = ""
    """When that was a bug in the pipeline: its traceback."""
    unfit: str = ""
    """Written, but it breaks a rule its renderer knows (see formats.Unfit)."""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.error and not self.unfit and self.check is not None and self.check.passed

    @property
    def problems(self) -> list[str]:
        """Why it failed, one line each ("" prefixes: the build adds "<id>: <kind>")."""
        found = [f"could not be rendered: {self.error}"] if self.error else []
        found += [self.unfit] if self.unfit else []
        if self.check is not None:
            found += [str(gap) for gap in self.check.gaps] + self.check.problems
        return found


def render_group(task: Task) -> list[Rendered]:
    """Render and check the task's formats, one after the other; what they share is made
    once, before the first."""
    from pipeline.checks import check_output

    start = time.perf_counter()
    shared, shared_error = _shared(task)
    results = []
    for kind in task.formats:
        fmt = FORMATS[kind]
        seen = task.brand.only(fmt.brand_tables).in_language(task.doc.lang)
        folder = task.staging / kind
        try:
            folder.mkdir()
            if fmt.html_view and task.view is None:
                raise _Unmade(Failure(task.view_error or "the HTML view was not made"))
            if shared_error:
                raise _Unmade(shared_error)
            languages = task.languages if fmt.links_languages else ()
            view = task.view if fmt.html_view else None
            job = Job(fmt, task.doc, seen, view, shared, languages)
            unfit = ""
            try:
                main = fmt.render(job, folder)
            except Unfit as error:
                main, unfit = error.path, str(error)
            check = check_output(task.doc, seen, kind, main, html_reading=task.html_reading)
            for name, text in check.reports.items():
                (main.parent / name).write_text(text, encoding="utf-8")
            relative = main.relative_to(folder).as_posix()
            seconds = time.perf_counter() - start
            results.append(
                Rendered(
                    kind, relative, files.files_under(folder), check, unfit=unfit, seconds=seconds
                )
            )
        except Exception as error:
            why = failed(error)
            seconds = time.perf_counter() - start
            results.append(Rendered(kind, error=why.text, trace=why.trace, seconds=seconds))
        start = time.perf_counter()
    return results


def _shared(task: Task) -> tuple[Any, Failure | None]:
    """What the group's formats share (`Format.shares`), made once; or why it could not be."""
    first = FORMATS[task.formats[0]]
    if not first.shares or (first.html_view and task.view is None):
        return None, None
    try:
        return SHARED[first.shares].make(
            task.doc, task.brand.only(first.brand_tables).in_language(task.doc.lang), task.view
        ), None
    except Exception as error:
        return None, failed(error)


class _Unmade(Exception):
    """What the output is drawn from could not be made (said when it was tried, with a
    bug's traceback then)."""

    def __init__(self, why: Failure):
        super().__init__(why.text)
        self.why = why


def failed(error: BaseException) -> Failure:
    """An exception as the report says it (see pipeline.errors.failure)."""
    if isinstance(error, _Unmade):
        return error.why
    if isinstance(error, MemoryError):
        budget = limits.MEMORY_BUDGET_MB
        return Failure(f"out of memory (a build of valid input needs at most {budget:,} MB)")
    return failure(error)
