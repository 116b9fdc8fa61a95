"""The short API for other tools: `pipeline.build(...)`, `pipeline.verify(...)`,
`pipeline.load(...)`. Paths in, a report or a document out; heavy modules load on first use."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.builder.project import Project
    from pipeline.builder.report import Listener, Report
    from pipeline.model import Document

Where = str | os.PathLike[str]


def build(
    project: Where | Project = ".",
    docs: str | Sequence[str] = (),
    formats: str | Sequence[str] = (),
    *,
    output: Where | None = None,
    force: bool = False,
    strict: bool = False,
    jobs: int = 0,
    shard: tuple[int, int] | None = None,
    listener: Listener | None = None,
) -> Report:
    """Build, verify and publish the project's documents (all, or `docs`) in `formats` (all
    by default), each a list or a comma-separated string, as `invoke build` does (`strict`
    as `--strict`). `report.failed` says whether anything went wrong, `report.lines` what,
    `report.summary()` the last line."""
    from pipeline.builder.options import Options, strictly
    from pipeline.builder.run import build as run

    options = Options(
        docs=_names(docs), formats=_names(formats), shard=shard, force=force, jobs=jobs
    )
    return run(
        _project(project, output), strictly(options) if strict else options, listener=listener
    )


def verify(
    project: Where | Project = ".",
    docs: str | Sequence[str] = (),
    *,
    output: Where | None = None,
    strict: bool = False,
    listener: Listener | None = None,
) -> Report:
    """Check the published outputs again, as `invoke verify` does (`strict` as
    `--strict`)."""
    from pipeline.builder.options import Options, strictly
    from pipeline.builder.reverify import verify_published

    options = Options(docs=_names(docs))
    return verify_published(
        _project(project, output), strictly(options) if strict else options, listener=listener
    )


def load(path: Where, root: Where | None = None) -> Document:
    """One source file as the model; raises `pipeline.problems.SourceError` (its `problems`:
    file, line, message) when it breaks the contract. `root`: the project (default: the
    folder above source/)."""
    from pipeline.source import load as load_source

    source = Path(path)
    if root is None:
        folder = source.resolve().parent
        root = folder.parent if folder.name == "source" else folder
    return load_source(source, Path(root))


def _project(project: Where | Project, output: Where | None) -> Project:
    from pipeline.builder.project import Project

    if isinstance(project, Project):
        return project if output is None else Project.at(project.root, Path(output))
    return Project.at(Path(project), Path(output) if output is not None else None)


def _names(value: str | Sequence[str]) -> tuple[str, ...]:
    """Names as the command line takes them: a list, or one string, comma-separated."""
    values = [value] if isinstance(value, str) else value
    return tuple(part.strip() for item in values for part in item.split(",") if part.strip())
