"""`invoke check`: every source loaded and checked against the contract, nothing rendered, so
an editor or a pre-commit hook gets the build's own messages in a fraction of a second:
those of loading, the review date as the build judges it (one policy, pipeline.review), a
character no font of the brand draws (the build's glyph check, with its line and the package
and family to add), and, as warnings, the reading grades the build's gate will hold the
one-pagers to, estimated from the source; for a translation, parity with its original (an
error, at load) and the parts whose original changed since (a warning, an error with
--strict); a label missing for the document's language."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipeline import review
from pipeline.brand import Brand, BrandError, load_brand
from pipeline.builder.options import Options
from pipeline.builder.plan import select_sources
from pipeline.builder.project import Project
from pipeline.builder.report import Listener, Report
from pipeline.labels import check as check_labels
from pipeline.model import Document
from pipeline.problems import SourceError
from pipeline.source import load
from pipeline.translations import staleness


def validate(
    project: Project, options: Options | None = None, *, listener: Listener | None = None
) -> Report:
    """Load each source `options` names (all by default); report its problems, its review
    date as `options.overdue_review` says, and the reading grades it is likely to reach."""
    options = options or Options()
    report = Report(listener)
    paths = select_sources(project, options, report)
    try:
        today = review.today()
    except review.TodayError as error:
        report.fail(str(error))
        return report.finish()
    if not paths:
        if paths is not None:
            report.say("no documents in source/ yet: start one with `leaflet new --title ...`")
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
        for missing in check_labels(project.styles_dir, result.lang):
            report.fail(f"{path.stem}: {missing}", doc=path.stem)
        stale = staleness.message(result)
        if stale:
            report.add(options.stale_translation, f"{path.stem}: {stale}", doc=path.stem)
        due = review.status(result.last_reviewed, result.review_every_months, today)
        summary.review_due, summary.review = due.due.isoformat(), due.label
        verdict = review.policy(due, result.id, options.overdue_review)
        if verdict is not None and verdict.level != "info":
            report.add(verdict.level, verdict.text, doc=path.stem)
        else:
            sections = len(result.sections)
            disclaimers = len(list(result.disclaimers))
            report.say(
                f"{result.source_path}: ok ({sections} section{'s' * (sections != 1)}, "
                f"{disclaimers} disclaimer{'s' * (disclaimers != 1)}; review due "
                f"{due.due.isoformat()}{', soon' if due.due_soon else ''})",
                doc=path.stem,
            )
        if brand is not None:
            _reading(result, brand, report)
    return report.finish()


def _reading(doc: Document, brand: Brand, report: Report) -> None:
    """The one-pagers' reading grades, estimated from the source: a warning each that the
    build's gate would likely fail."""
    from pipeline.checks import readability

    for problem in readability.estimate(doc, brand).problems:
        report.warn(f"{doc.id}: likely to fail the one-pagers' reading gate: {problem}", doc.id)


def _glyphs_ok(doc: Document, brand: Brand, path: Path, report: Report) -> bool:
    """What the build would refuse before drawing: a character no brand or fallback font
    has (pipeline.fonts), each with its file, line and what to install."""
    from pipeline.fonts import missing_glyphs  # fontTools: only once a source has loaded

    problems = missing_glyphs(doc, brand, path)
    for problem in problems:
        report.fail(str(problem), doc=path.stem)
    return not problems
