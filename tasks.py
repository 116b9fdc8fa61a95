"""Tasks: thin wrappers over the pipeline's functions (`invoke --list`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from invoke import Context, Exit, task

from pipeline.build import Report

ROOT = Path(__file__).resolve().parent

# Debian packages: what a build needs (ICC profile for PDF/X, SVG for DOCX images, the
# fallback fonts of styles/brand.toml and fc-list to find them) ...
BUILD_PACKAGES = {
    "libgs-common": "/usr/share/color/icc/ghostscript/default_cmyk.icc",
    "librsvg2-bin": "/usr/bin/rsvg-convert",
    "fontconfig": "/usr/bin/fc-list",
    "fonts-noto-core": "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "fonts-noto-cjk": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
}
# ... and what the tests add: a real browser, a real word processor, PDF to PNG, Java for vnu.
TEST_PACKAGES = {
    "chromium": "/usr/bin/chromium",
    "libreoffice-writer-nogui": "/usr/bin/soffice",
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


def _report(report: Report) -> None:
    for line in report.lines:
        print(line, file=sys.stderr if report.failed and not line.endswith(")") else sys.stdout)
    if report.failed:
        raise Exit("build FAILED: see the lines above", code=1)


@task(
    help={
        "doc": "build only this document id (repeatable)",
        "formats": "comma-separated formats, e.g. html,docx (default: all)",
        "output": "output folder (default: output/)",
    },
    iterable=["doc"],
)
def build(c: Context, doc: list[str] | None = None, formats: str = "", output: str = "") -> None:
    """Build every document in source/ into output/, then verify every output."""
    from pipeline.build import Project
    from pipeline.build import build as run_build

    kinds = [kind.strip() for kind in formats.split(",") if kind.strip()]
    project = Project.at(ROOT, Path(output) if output else None)
    _report(run_build(project, doc or (), kinds))


@task(
    help={"doc": "verify only this document id (repeatable)", "output": "output folder"},
    iterable=["doc"],
)
def verify(c: Context, doc: list[str] | None = None, output: str = "") -> None:
    """Check the published outputs again: every section and disclaimer, in order."""
    from pipeline.build import Project, verify_published

    _report(verify_published(Project.at(ROOT, Path(output) if output else None), doc or ()))


@task
def lint(c: Context) -> None:
    """ruff (check and format --check) and mypy."""
    with c.cd(str(ROOT)):
        c.run("ruff check .")
        c.run("ruff format --check .")
        c.run("mypy")


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


@task
def bench(c: Context) -> None:
    """Time and measure a full build (figures and ratios, not pass/fail)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, str(ROOT / "tests" / "bench.py")], check=True, env=env)
