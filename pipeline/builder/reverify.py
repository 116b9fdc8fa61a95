"""`invoke verify`: the published outputs checked again, by the same checks and said by the
same report as a build, and their verdicts and records (readability, preflight) written to
each manifest. An output whose source or styles changed since it was built is stale:
reported as such, not as missing text. The files themselves are never touched."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from pipeline.builder import files, manifest
from pipeline.builder.files import OutputBusy, exclusive
from pipeline.builder.keys import document_inputs
from pipeline.builder.manifest import MANIFEST, Output
from pipeline.builder.options import Options
from pipeline.builder.plan import Setting, select_sources, setting
from pipeline.builder.project import Project
from pipeline.builder.report import Listener, Outcome, Report
from pipeline.extract import reads_in_browser
from pipeline.formats import FORMATS
from pipeline.problems import SourceError
from pipeline.source import load


def verify_published(
    project: Project, options: Options | None = None, *, listener: Listener | None = None
) -> Report:
    """Check the published outputs of the documents `options` names (all by default)
    against their sources again, reading pages as `options.html_reading` says."""
    options = options or Options()
    report = Report(listener)
    try:
        with exclusive(project.output_dir):
            where = setting(project, options, report)
            paths = select_sources(project, options, report)
            if where is not None and paths is not None:
                for path in paths:
                    _verify(where, path, report)
    except OutputBusy as error:
        report.fail(str(error))
    return report.finish()


def _verify(where: Setting, path: Path, report: Report) -> None:
    from pipeline.checks import check_output

    edition = path.stem
    folder = where.project.folder(edition)
    published = manifest.read(folder)
    if published is None:
        report.fail(f"{path.stem}: not built yet; run `leaflet build --doc {path.stem}`")
        return
    try:
        doc = load(path, where.project.root, where.today)
    except SourceError as error:
        for problem in error.problems:
            report.fail(str(problem), doc=path.stem)
        return
    report.document(edition).title = doc.title
    keys = where.keys(document_inputs(doc, where.project.root), where.languages(edition))
    outputs: dict[str, Output] = {}
    gaps = []
    for kind, entry in published.outputs.items():
        fmt = FORMATS.get(kind)
        if fmt is None:
            outputs[kind] = entry
            continue
        # Set both ways: an output marked stale matches again once its source is reverted.
        if entry.key != keys[kind]:
            outputs[kind] = replace(entry, stale=True)
            report.stale(edition, kind)
            continue
        start = time.perf_counter()
        seen = where.brand.only(fmt.brand_tables)
        reading = where.options.html_reading
        check = check_output(doc, seen, kind, folder / entry.path, html_reading=reading)
        report.checked(edition, kind, check, Path(entry.path).name)
        outputs[kind] = replace(
            entry,
            stale=False,
            verified=check.passed,
            html_reading=reading if reads_in_browser(fmt.suffix) else "",
            records={**entry.records, **check.record},
        )
        gaps += [gap.as_json() for gap in check.gaps]
        seconds = time.perf_counter() - start
        report.outcome(Outcome(edition, kind, "up to date", seconds, check.passed))
    checked = replace(published, outputs=outputs, missing=tuple(gaps))
    files.write_atomic(folder / MANIFEST, checked.to_bytes())
