"""Tasks: thin wrappers over the pipeline's functions (`invoke --list`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from invoke import Context, Exit, task

if TYPE_CHECKING:  # the pipeline is imported inside each task: `invoke --list` stays quick
    from pipeline.build import Report

ROOT = Path(__file__).resolve().parent

# Debian packages: what a build needs (ICC profile for PDF/X, SVG for DOCX images) ...
BUILD_PACKAGES = {
    "libgs-common": "/usr/share/color/icc/ghostscript/default_cmyk.icc",
    "librsvg2-bin": "/usr/bin/rsvg-convert",
}
# ... and what the tests add: a real browser, a real word processor, PDF to PNG, Java for vnu.
TEST_PACKAGES = {
    "chromium": "/usr/bin/chromium",
    "libreoffice-writer-nogui": "/usr/bin/soffice",
    # LibreOffice driven through UNO, to make a real reviewer's DOCX (tests/uno_review.py).
    "python3-uno": "/usr/lib/python3/dist-packages/uno.py",
    "poppler-utils": "/usr/bin/pdftoppm",
    "default-jre-headless": "/usr/bin/java",
}
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _install_missing(c: Context, packages: dict[str, str]) -> None:
    missing = [name for name, marker in packages.items() if not Path(marker).exists()]
    if missing:
        print(f"installing {' '.join(missing)} (Debian packages)")
        c.run("apt-get update -qq", hide=True)
        c.run(f"DEBIAN_FRONTEND=noninteractive apt-get install -y -qq {' '.join(missing)}")


@task(help={"tests": "also install what the tests need (Chromium, LibreOffice, poppler, vnu)"})
def setup(c: Context, tests: bool = False) -> None:
    """Install the system packages the pipeline (and, with --tests, its tests) needs."""
    _install_missing(c, {**BUILD_PACKAGES, **(TEST_PACKAGES if tests else {})})
    if tests and not VNU_JAR.exists():
        c.run(f"npm install --no-save --no-audit --no-fund --prefix {ROOT} vnu-jar@^24", hide=True)


def _print(event: object) -> None:
    """Each message as it happens: problems to stderr, the rest to stdout."""
    from pipeline.build import Message

    if isinstance(event, Message):
        print(event.text, file=sys.stderr if event.level != "info" else sys.stdout, flush=True)


def _report(report: Report, what: str) -> None:
    print(report.summary())
    if report.failed:
        raise Exit(f"{what} FAILED: see the lines above", code=1)


def _shard(value: str) -> tuple[int, int] | None:
    if not value:
        return None
    number, _, count = value.partition("/")
    if not (number.isdigit() and count.isdigit() and 1 <= int(number) <= int(count)):
        raise Exit(f'--shard "{value}" must be K/N with 1 <= K <= N, e.g. 1/4', code=2)
    return int(number), int(count)


@task(
    help={
        "doc": "build only this document id (repeatable)",
        "formats": "comma-separated formats, e.g. html,docx (default: all)",
        "output": "output folder (default: output/)",
        "force": "rebuild every output, even those that are up to date",
        "strict": "CI mode: an overdue review is an error; HTML verified in Chromium",
        "jobs": "worker processes (default: one per core)",
        "shard": "build only shard K of N (K/N) of the documents, by a hash of their ids",
        "index_only": "only rebuild output/index.html from the manifests found",
    },
    iterable=["doc"],
)
def build(
    c: Context,
    doc: list[str] | None = None,
    formats: str = "",
    output: str = "",
    force: bool = False,
    strict: bool = False,
    jobs: int = 0,
    shard: str = "",
    index_only: bool = False,
) -> None:
    """Build every document in source/ into output/, then verify every output."""
    from pipeline.build import Project, gather
    from pipeline.build import build as run_build

    project = Project.at(ROOT, Path(output) if output else None)
    if index_only:
        _report(gather(project), "gather")
        return
    kinds = [kind.strip() for kind in formats.split(",") if kind.strip()]
    report = run_build(
        project,
        doc or (),
        kinds,
        force=force,
        strict=strict,
        jobs=jobs,
        shard=_shard(shard),
        listener=_print,
    )
    _report(report, "build")


@task(
    help={
        "doc": "verify only this document id (repeatable)",
        "output": "output folder",
        "strict": "read HTML as Chromium renders it",
    },
    iterable=["doc"],
)
def verify(
    c: Context, doc: list[str] | None = None, output: str = "", strict: bool = False
) -> None:
    """Check the published outputs again: every section and disclaimer, in order."""
    from pipeline.build import Project, verify_published

    project = Project.at(ROOT, Path(output) if output else None)
    _report(verify_published(project, doc or (), strict=strict, listener=_print), "verification")


@task(
    help={
        "docx": "the reviewed DOCX (built by `invoke build`, edited in Word or LibreOffice)",
        "apply": "write the merged source (never a conflict, nor an unapproved disclaimer edit)",
        "approve_disclaimer": "apply the edits to this disclaimer too (repeatable)",
        "output": "output folder (default: output/)",
    },
    iterable=["approve_disclaimer"],
)
def ingest(
    c: Context,
    docx: str,
    apply: bool = False,
    approve_disclaimer: list[str] | None = None,
    output: str = "",
) -> None:
    """A reviewer's edits and comments back into the source: review.md, CriticMarkup, patch.
    Exit 0: nothing left for a person; 1: something is; 2: the DOCX cannot be ingested."""
    from pipeline.build import Project
    from pipeline.ingest import IngestError
    from pipeline.ingest import ingest as run_ingest

    project = Project.at(ROOT, Path(output) if output else None)
    try:
        outcome = run_ingest(project, Path(docx), apply, approve_disclaimer or ())
    except IngestError as error:
        raise Exit(f"ingest: {error}", code=2) from None
    print("\n".join(outcome.lines))
    if outcome.exit_code:
        raise Exit(code=outcome.exit_code)


@task
def lint(c: Context) -> None:
    """ruff (check and format --check) and mypy."""
    with c.cd(str(ROOT)):
        c.run("ruff check .")
        c.run("ruff format --check .")
        c.run("mypy")
        c.run("deptry .")


@task(help={"k": "only tests matching this pytest expression", "fast": "skip lint"})
def test(c: Context, k: str = "", fast: bool = False) -> None:
    """Install what the tests need, lint, then run the whole test suite."""
    setup(c, tests=True)
    if not fast:
        lint(c)
    selection = f" -k {k!r}" if k else ""
    with c.cd(str(ROOT)):
        c.run(f"{sys.executable} -m pytest{selection}", pty=False)


@task
def clean(c: Context) -> None:
    """Remove everything built (output/ keeps its README)."""
    for path in (ROOT / "output").iterdir():
        if path.name != "README.md":
            shutil.rmtree(path) if path.is_dir() else path.unlink()


@task
def fmt(c: Context) -> None:
    """Format and auto-fix the code."""
    with c.cd(str(ROOT)):
        c.run("ruff format .")
        c.run("ruff check --fix .")


@task(
    help={
        "repeats": "runs of each figure (the median is shown)",
        "library": "documents in the large library",
    }
)
def bench(c: Context, repeats: int = 5, library: int = 50) -> None:
    """Time builds against their targets (figures and ratios, not pass/fail)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(ROOT / "tests" / "bench.py"), f"--repeats={repeats}"]
    subprocess.run([*command, f"--library={library}"], check=True, env=env)
