"""A build, in named phases: plan (which documents and formats; each output's key, so what
is up to date is skipped), schedule (render and check each group of formats in a pool of
workers, each output checked the moment it is finished), publish (each document's new
edition whole, or its rejection), and report (the landing page, the summary).

- One failing document never stops the others; the build reports every failure and fails.
- One build at a time holds output/ (a lock); a second one stops with a clear message.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

from pipeline.brand import BrandError, load_brand
from pipeline.builder import files, plan, publish, schedule
from pipeline.builder.files import OutputBusy, exclusive
from pipeline.builder.index import write_index
from pipeline.builder.manifest import MANIFEST
from pipeline.builder.options import Options
from pipeline.builder.project import Project
from pipeline.builder.report import Listener, Report
from pipeline.formats import FORMATS


def build(
    project: Project, options: Options | None = None, *, listener: Listener | None = None
) -> Report:
    """Build, check and publish the documents and formats `options` names (all by default)."""
    options = options or Options()
    report = Report(listener)
    unknown = [kind for kind in options.formats if kind not in FORMATS]
    if unknown:
        report.fail(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
        return report.finish()
    try:
        with exclusive(project.output_dir):
            _build(project, options, report)
    except OutputBusy as error:
        report.fail(str(error))
    except OSError as error:  # a full disk, a read-only output folder
        report.fail(f"cannot write {project.shown(project.output_dir)}: {error}")
    return report.finish()


def _build(project: Project, options: Options, report: Report) -> None:
    files.clear_leftovers(project.output_dir)
    where = plan.setting(project, options, report)
    paths = plan.select_sources(project, options, report)
    if where is None or paths is None:
        return
    plan.say_placeholders(where, report)
    surveys = [plan.survey(where, path) for path in paths]
    stagings: list[Path] = []

    def staged() -> Iterator[schedule.Staged]:
        """Each document with work to render, the moment its source is loaded and checked
        (the workers render one document while the next loads); the others settle now."""
        for known in surveys:
            made = plan.complete(where, known, report)
            if isinstance(made, plan.Refusal):
                publish.refuse(project, made, report)
            elif isinstance(made, plan.Plan) and not made.render:
                publish.settle(project, made, None, {}, options, report)
            elif isinstance(made, plan.Plan):
                stagings.append(files.staging_folder(project.output_dir, made.id))
                yield schedule.Staged(made, stagings[-1])

    work = sum(1 for known in surveys if known.render)
    with schedule.executor(options, where.formats, work) as executor:
        try:
            for done, results in schedule.render(staged(), where, executor, report):
                publish.settle(project, done.plan, done.staging, results, options, report)
        finally:
            for staging in stagings:
                shutil.rmtree(staging, ignore_errors=True)
    write_index(project, where.brand)


def gather(project: Project) -> Report:
    """Only the landing page, from the manifests in output/ (after shards were built on
    several machines and their output/ folders merged)."""
    report = Report()
    try:
        with exclusive(project.output_dir):
            brand = load_brand(project.styles_dir)
            write_index(project, brand)
            count = len(list(project.output_dir.glob(f"*/{MANIFEST}")))
            report.say(f"landing page: {count} documents in output/index.html")
    except (OutputBusy, BrandError) as error:
        report.fail(str(error))
    return report.finish()
