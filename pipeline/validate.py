"""`invoke check`: every source loaded and checked against the contract, nothing rendered, so
an editor or a pre-commit hook gets the build's own messages in a fraction of a second:
those of loading, an overdue review, and a character no font of the brand draws (the
build's glyph check, with its line and the package and family to add)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipeline import review
from pipeline.brand import Brand, BrandError, load_brand
from pipeline.builder.project import Project
from pipeline.builder.report import Listener, Report
from pipeline.builder.run import select_sources
from pipeline.model import Document
from pipeline.source import SourceError, load


def validate(
    project: Project,
    doc_ids: Sequence[str] = (),
    *,
    strict: bool = False,
    listener: Listener | None = None,
) -> Report:
    """Load each source (all, or `doc_ids`); report its problems, and an overdue review (an
    error with `strict`, as in a build)."""
    report = Report(listener)
    paths = select_sources(project, doc_ids, None, report)
    try:
        today = review.today()
    except review.TodayError as error:
        report.fail(str(error))
        return report.finish()
    if not paths:
        if paths is not None:
            report.say("no documents in source/ yet: start one with `invoke new --title ...`")
        return report.finish()

    def attempt(path: Path) -> Document | SourceError:
        try:
            return load(path, project.root)
        except SourceError as error:
            return error

    try:
        brand: Brand | None = load_brand(project.styles_dir)
    except BrandError as error:
        report.fail(str(error))
        brand = None
    with ThreadPoolExecutor(max_workers=8) as pool:  # each load waits on a pandoc process
        loaded = list(pool.map(attempt, paths))
    for path, result in zip(paths, loaded, strict=True):
        summary = report.document(path.stem)
        if isinstance(result, SourceError):
            for problem in result.problems:
                report.fail(str(problem), doc=path.stem)
            continue
        summary.title = result.title
        if brand is not None and not _glyphs_ok(result, brand, path, report):
            continue
        due = review.status(result.last_reviewed, result.review_every_months, today)
        summary.review_due, summary.review = due.due.isoformat(), due.label
        shown = result.source_path
        if due.overdue:
            text = f"{shown}: review overdue since {due.due.isoformat()}; review the content"
            if strict:
                report.fail(text + " (an error with --strict)", doc=path.stem)
            else:
                report.warn(text, doc=path.stem)
        else:
            sections = len(result.sections)
            disclaimers = len(list(result.disclaimers))
            report.say(
                f"{shown}: ok ({sections} section{'s' * (sections != 1)}, {disclaimers} "
                f"disclaimer{'s' * (disclaimers != 1)}; review due {due.due.isoformat()}"
                f"{', soon' if due.due_soon else ''})",
                doc=path.stem,
            )
    return report.finish()


def _glyphs_ok(doc: Document, brand: Brand, path: Path, report: Report) -> bool:
    """What the build would refuse before drawing: a character no brand or fallback font
    has (pipeline.fonts), each with its file, line and what to install."""
    from pipeline.fonts import missing_glyphs  # fontTools: only once a source has loaded

    problems = missing_glyphs(doc, brand, path)
    for problem in problems:
        report.fail(str(problem), doc=path.stem)
    return not problems
