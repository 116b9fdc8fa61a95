"""Tasks (`invoke --list`; `invoke TASK --help`): the developers' own (setup, test, lint, fmt,
bench) and thin wrappers of the product's commands, `leaflet build` and the rest
(pipeline/cli.py), for the developers' workflow and CI.

Only the command line's parser and help texts are imported here, so `invoke --list` stays
quick."""

from __future__ import annotations

import functools
import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from invoke import Argument, Context, Exit, Task
from invoke import task as invoke_task

from pipeline import cli  # the command line's parser and help texts: no renderer is imported

ROOT = Path(__file__).resolve().parent


class HelpfulTask(Task[Any]):
    """A task whose options never take -h: invoke gives each option the first free letter of
    its name as a short flag, so build's --shard took -h and `invoke build -h` asked for a
    shard instead of showing the help."""

    def arg_opts(self, name: str, default: str, taken_names: set[str]) -> dict[str, object]:
        return dict(super().arg_opts(name, default, taken_names | {"h"}))

    def get_arguments(self, ignore_unknown_help: bool | None = None) -> list[Argument]:
        """A repeatable option (--doc) given without a value is invoke's own error: invoke
        starts such an option as an empty list, which reads as a value given, so a bare
        --doc would quietly mean every document."""
        arguments = super().get_arguments(ignore_unknown_help)
        for argument in arguments:
            if argument.kind is list:
                argument.raw_value = None
        return arguments


task = functools.partial(invoke_task, klass=HelpfulTask)
TEST_EXTRA = "pip install -e '.[test]'"

# Debian packages: what a build needs (the registered print conditions' characterisation data
# and ArgyllCMS to make their ICC profiles, SVG for DOCX images, the fallback fonts of
# styles/brand.toml and fc-list to find them) ...
BUILD_PACKAGES = {
    "icc-profiles-free": "/usr/share/color/icc/TR006.ti3",
    "argyll": "/usr/bin/colprof",
    "librsvg2-bin": "/usr/bin/rsvg-convert",
    "fontconfig": "/usr/bin/fc-list",
    "fonts-noto-core": "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "fonts-noto-cjk": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
}
# ... and what the tests add: a real browser, a real word processor, PDF to PNG, Java and npm
# for the Nu checker (vnu-jar), and Ghostscript, a print shop's separations and PDF/X route.
TEST_PACKAGES = {
    "ghostscript": "/usr/bin/gs",
    "chromium": "/usr/bin/chromium",
    "libreoffice-writer-nogui": "/usr/bin/soffice",
    # LibreOffice driven through UNO, to make a real reviewer's DOCX (tests/uno_review.py).
    "python3-uno": "/usr/lib/python3/dist-packages/uno.py",
    "poppler-utils": "/usr/bin/pdftoppm",
    "default-jre-headless": "/usr/bin/java",
    "npm": "/usr/bin/npm",
}
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


HELPS = cli.helps(ROOT)


def product(**options: Any) -> Callable[[Callable[..., None]], Task[Any]]:
    """A task wrapping the product's command of its name: its summary and option helps are
    the command's (`leaflet COMMAND --help`)."""

    def wrap(body: Callable[..., None]) -> Task[Any]:
        texts = HELPS[body.__name__]
        body.__doc__ = f"{texts['']}\n\n{cli.DESCRIPTIONS.get(body.__name__, '')}".strip()
        helps = {name: text for name, text in texts.items() if name}
        made: Task[Any] = task(help=helps, **options)(body)
        return made

    return wrap


# -- setup ----------------------------------------------------------------------------------


def _step(c: Context, what: str, command: str) -> None:
    """One line for a step; its full output only when it fails."""
    print(f"{what} …", end=" ", flush=True)
    start = time.perf_counter()
    result = c.run(command, hide=True, warn=True)
    if result is None or not result.ok:
        print("FAILED")
        if result is not None:
            print(result.stdout + result.stderr, file=sys.stderr)
        raise Exit(f"setup FAILED: {command}", code=1)
    print(f"done ({time.perf_counter() - start:.0f} s)")


def _install_missing(c: Context, packages: dict[str, str]) -> None:
    missing = [name for name, marker in packages.items() if not Path(marker).exists()]
    if not missing:
        print(f"Debian packages: all {len(packages)} present")
        return
    _step(c, "Debian package lists: updating", "apt-get update -qq")
    names = " ".join(missing)
    _step(
        c,
        f"Debian packages: installing {names}",
        f"DEBIAN_FRONTEND=noninteractive apt-get install -y -qq {names}",
    )


@task(help={"tests": "also install what the tests need (Chromium, LibreOffice, poppler, vnu)"})
def setup(c: Context, tests: bool = False) -> None:
    """Install the Debian packages a build (or --tests) needs."""
    _install_missing(c, {**BUILD_PACKAGES, **(TEST_PACKAGES if tests else {})})
    _build_print_profiles()
    if tests:
        if VNU_JAR.exists():
            print("Nu HTML checker (npm vnu-jar): present")
        else:
            _step(
                c,
                "Nu HTML checker (npm vnu-jar): installing",
                f"npm install --no-save --no-audit --no-fund --prefix {ROOT} vnu-jar@^24",
            )


def _build_print_profiles() -> None:
    """The ICC profile of each registered print condition (pipeline/printconditions.py)."""
    from pipeline.printconditions import REGISTERED, ProfileError, build_profile

    missing = [c for c in REGISTERED.values() if not c.profile.is_file()]
    if not missing:
        print(f"ICC profiles of the print conditions: all {len(REGISTERED)} present")
    for condition in missing:
        what = f"ICC profile {condition.identifier} ({condition.profile.name})"
        print(f"{what}: building …", end=" ", flush=True)
        start = time.perf_counter()
        try:
            build_profile(condition)
        except ProfileError as error:
            print("FAILED")
            raise Exit(f"setup FAILED: {error}", code=1) from None
        print(f"done ({time.perf_counter() - start:.0f} s)")


# -- the product's commands: `leaflet COMMAND` (pipeline/cli.py), with the same options ----------


def _leaflet(command: str, *arguments: str, **options: object) -> None:
    """Run `leaflet COMMAND` in this project with the task's options; its exit code."""
    argv = ["--project", str(ROOT), command, *arguments]
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if isinstance(value, list):  # each value, an empty one too (an error to say)
            argv += [f"{flag}={given}" for given in value]
        elif value is True:
            argv.append(flag)
        elif not (value is None or value is False or value == ""):  # left out: the default
            argv.append(f"{flag}={value}")
    code = cli.main(argv, prog="invoke")
    if code:
        raise Exit(code=code)


@product()
def new(c: Context, title: str = "", id: str = "", lang: str = "en-US") -> None:
    _leaflet("new", title=title, id=id, lang=lang)


@product(iterable=["doc"])
def check(c: Context, doc: list[str] | None = None, strict: bool = False) -> None:
    _leaflet("check", doc=doc, strict=strict)


@product(iterable=["doc", "formats"])
def preview(
    c: Context, doc: list[str] | None = None, formats: list[str] | None = None, port: int = 8000
) -> None:
    _leaflet("preview", doc=doc, formats=formats, port=port)


@product(iterable=["doc", "formats"])
def build(
    c: Context,
    doc: list[str] | None = None,
    formats: list[str] | None = None,
    output: str = "",
    force: bool = False,
    strict: bool = False,
    allow_placeholders: bool = False,
    jobs: int = 0,
    shard: str = "",
    index_only: bool = False,
) -> None:
    _leaflet(
        "build",
        doc=doc,
        formats=formats,
        output=output,
        force=force,
        strict=strict,
        allow_placeholders=allow_placeholders,
        jobs=jobs,
        shard=shard,
        index_only=index_only,
    )


@product(iterable=["doc"])
def verify(
    c: Context, doc: list[str] | None = None, output: str = "", strict: bool = False
) -> None:
    _leaflet("verify", doc=doc, output=output, strict=strict)


@product(iterable=["approve_disclaimer"])
def ingest(
    c: Context,
    docx: str,
    apply: bool = False,
    approve_disclaimer: list[str] | None = None,
    output: str = "",
) -> None:
    if docx in ("-h", "--help"):  # invoke gave the flag to the positional argument
        command = [sys.executable, "-m", "invoke", "--search-root", str(ROOT), "--help", "ingest"]
        raise Exit(code=subprocess.run(command).returncode)
    _leaflet("ingest", docx, apply=apply, approve_disclaimer=approve_disclaimer, output=output)


@product(iterable=["doc", "approve_disclaimer"])
def translate(
    c: Context,
    action: str,
    file: str = "",
    doc: list[str] | None = None,
    lang: str = "",
    output: str = "",
    approve_disclaimer: list[str] | None = None,
    passage: str = "",
) -> None:
    # `action` has no default, so invoke takes `new` as its value, not as the task `new`.
    _leaflet(
        "translate",
        action,
        *([file] if file else []),
        doc=doc,
        lang=lang,
        output=output,
        approve_disclaimer=approve_disclaimer,
        passage=passage,
    )


@product()
def clean(c: Context) -> None:
    _leaflet("clean")


# -- maintaining ----------------------------------------------------------------------------


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _need(*modules: str) -> None:
    """Stop with how to install the test extra when one of its tools is missing."""
    missing = [name for name in modules if not _installed(name)]
    if missing:
        raise Exit(
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed: "
            f"install the test extra with {TEST_EXTRA}",
            code=1,
        )


@task
def lint(c: Context) -> None:
    """Check the code: ruff, mypy, and deptry (dependencies declared)."""
    _need("ruff", "mypy", "deptry")
    python = sys.executable
    with c.cd(str(ROOT)):
        c.run(f"{python} -m ruff check .")
        c.run(f"{python} -m ruff format --check .")
        c.run(f"{python} -m mypy")
        c.run(f"{python} -m deptry .")


@task(
    help={
        "k": "only tests matching this pytest expression",
        "fast": "only the fast tier: unit tests that render nothing (well under a minute), no lint",
    }
)
def test(c: Context, k: str = "", fast: bool = False) -> None:
    """Install what tests need, lint, run them (--fast: the fast tier)."""
    _need("pytest", "xdist", "ruff", "mypy", "playwright", "pikepdf")
    if not fast:
        setup(c, tests=True)
        lint(c)
    # The whole suite runs on every core, a test module to a worker (its module fixtures
    # built once), and names its slowest tests, where time is won back.
    whole = " -n auto --dist loadfile --durations=15"
    selection = (" -m fast" if fast else whole) + (f" -k {k!r}" if k else "")
    with c.cd(str(ROOT)):
        c.run(f"{sys.executable} -m pytest{selection}", pty=False)


@task
def fmt(c: Context) -> None:
    """Format the code and fix what ruff can fix."""
    _need("ruff")
    with c.cd(str(ROOT)):
        c.run(f"{sys.executable} -m ruff format .")
        c.run(f"{sys.executable} -m ruff check --fix .")


@task(
    help={
        "repeats": "runs of each figure (the median is shown)",
        "library": "documents in the large library",
        "against": "a git revision to measure too, turn about with this checkout, and compare",
    }
)
def bench(c: Context, repeats: int = 5, library: int = 50, against: str = "") -> None:
    """Time builds against their targets, or against a git revision."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(ROOT / "tests" / "bench.py"), f"--repeats={repeats}"]
    command += [f"--library={library}"] + ([f"--against={against}"] if against else [])
    subprocess.run(command, check=True, env=env)
