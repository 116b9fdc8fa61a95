"""Tasks: thin wrappers over the pipeline's functions (`invoke --list`; `invoke TASK --help`).

The pipeline is imported inside each task, so `invoke --list` stays quick."""

from __future__ import annotations

import copy
import difflib
import functools
import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from invoke import Context, Exit, Task
from invoke import task as invoke_task

from pipeline.formats import FORMATS  # the registry only: no renderer is imported

if TYPE_CHECKING:
    from pipeline.builder import Project, Report

ROOT = Path(__file__).resolve().parent


class HelpfulTask(Task):
    """A task whose options never take -h: invoke gives each option the first free letter of
    its name as a short flag, so build's --shard took -h and `invoke build -h` asked for a
    shard instead of showing the help."""

    def arg_opts(self, name: str, default: str, taken_names: set[str]) -> dict[str, object]:
        return dict(super().arg_opts(name, default, taken_names | {"h"}))


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


def _documents() -> str:
    """The document ids, for help texts."""
    ids = sorted(path.stem for path in (ROOT / "source").glob("*.md"))
    if not ids:
        return "none yet"
    shown = ", ".join(ids[:6])
    return shown if len(ids) <= 6 else f"{shown}, … ({len(ids)} in all)"


FORMAT_NAMES = ", ".join(FORMATS)
DOC_HELP = f"only this document (repeatable): {_documents()}"
FORMATS_HELP = "only these formats, comma-separated or repeated (default: all): " + ", ".join(
    f"{f.name} ({f.label})" for f in FORMATS.values()
)


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


# -- arguments ------------------------------------------------------------------------------


def _repeated(task: Task, name: str, given: list[str] | None, needs: str, e_g: str) -> list[str]:
    """The values of a repeatable flag, each repeated or comma-separated. Invoke gives such a
    flag without a value as an empty list, exactly as when it is absent, so the command line
    tells the two apart: a bare --doc (or -d) must not quietly mean every document."""
    values = [part.strip() for value in given or [] for part in value.split(",")]
    if "" in values or _given_bare(task, name):
        flag = "--" + name.replace("_", "-")
        raise Exit(f"{flag} needs {needs}, e.g. {flag} {e_g}", code=2)
    return values


def _given_bare(task: Task, name: str) -> bool:
    """Whether the task's part of the command line has the flag (any spelling) last, or
    followed by another flag."""
    probe = copy.copy(task)
    probe.help = {}  # get_arguments() uses up the help texts; invoke has read them already
    (argument,) = [a for a in probe.get_arguments() if a.name == name]
    spellings = {f"-{n}" if len(n) == 1 else f"--{n}" for n in argument.names}
    argv = sys.argv[1:]
    if task.name not in argv:
        return False  # not run from the command line
    argv = argv[argv.index(task.name) + 1 :]
    return any(
        token in spellings and (i + 1 == len(argv) or argv[i + 1].startswith("-"))
        for i, token in enumerate(argv)
    )


def _doc_ids(task: Task, doc: list[str] | None) -> list[str]:
    return _repeated(task, "doc", doc, "a document id", _example_id())


def _example_id() -> str:
    return next((p.stem for p in sorted((ROOT / "source").glob("*.md"))), "knee-pain")


def _formats(task: Task, formats: list[str] | None) -> list[str]:
    """The formats named with --formats; an unknown one stops here, before any work."""
    kinds = _repeated(task, "formats", formats, "a format", "html,docx")
    for kind in kinds:
        if kind not in FORMATS:
            close = difflib.get_close_matches(kind, FORMATS, n=2, cutoff=0.4)
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            raise Exit(
                f'--formats: unknown format "{kind}"{hint}; choose from {FORMAT_NAMES}', code=2
            )
    return kinds


def _shard(value: str) -> tuple[int, int] | None:
    if not value:
        return None
    number, _, count = value.partition("/")
    if not (number.isdigit() and count.isdigit() and 1 <= int(number) <= int(count)):
        raise Exit(f'--shard "{value}" must be K/N with 1 <= K <= N, e.g. 1/4', code=2)
    return int(number), int(count)


def _done(report: Report, what: str) -> None:
    if report.failed:
        raise Exit(f"{what} FAILED: the problems are listed above", code=1)


# -- writing --------------------------------------------------------------------------------


@task(
    help={
        "title": 'the document\'s title, e.g. --title "Knee pain"',
        "id": "its id and file name (default: made from the title)",
        "lang": "its language, a BCP 47 tag (default: en-US)",
    }
)
def new(c: Context, title: str = "", id: str = "", lang: str = "en-US") -> None:
    """Start a document: source/<id>.md, TODO where your words go."""
    from pipeline.scaffold import ScaffoldError, new_source, placeholder_count

    if not title.strip():
        raise Exit('invoke new needs a title: invoke new --title "Knee pain"', code=2)
    try:
        path = new_source(ROOT / "source", title, id, lang)
    except ScaffoldError as error:
        raise Exit(str(error), code=1) from None
    shown = path.relative_to(ROOT).as_posix()
    print(
        f"wrote {shown}: replace each TODO ({placeholder_count(path)} lines) with your own "
        "words.\n"
        "  invoke preview      shows it as you write (and lists the TODOs left)\n"
        "  invoke check        checks it in a moment\n"
        "  docs/authoring.md   how to write one"
    )


@task(
    help={
        "doc": DOC_HELP,
        "strict": "as CI: an overdue review is an error",
    },
    iterable=["doc"],
)
def check(c: Context, doc: list[str] | None = None, strict: bool = False) -> None:
    """Check the sources in a moment, rendering nothing (for hooks)."""
    from pipeline.builder import Options, Project, strictly
    from pipeline.console import BuildConsole
    from pipeline.validate import validate

    options = Options(docs=tuple(_doc_ids(check, doc)))
    console = BuildConsole("check", live=False)
    report = validate(Project.at(ROOT), strictly(options) if strict else options, listener=console)
    n = len(report.documents)
    problems = sum(1 for m in report.messages if m.level == "error")
    print(
        f"{n} document{'s' * (n != 1)} checked, "
        + (f"{problems} problem{'s' * (problems != 1)}" if problems else "no problems")
        + f", {report.seconds:.1f} s"
    )
    _done(report, "check")


@task(
    help={
        "doc": f"preview only this document (repeatable): {_documents()}",
        "formats": f"after the HTML, {FORMATS_HELP}",
        "port": "the port on 127.0.0.1 (default: 8000; 0: any free port)",
    },
    iterable=["doc", "formats"],
)
def preview(
    c: Context, doc: list[str] | None = None, formats: list[str] | None = None, port: int = 8000
) -> None:
    """Serve output/ on 127.0.0.1; rebuild and reload as you save."""
    ids, kinds = _doc_ids(preview, doc), _formats(preview, formats)
    from pipeline.builder import Project
    from pipeline.preview import PreviewError, serve

    try:
        serve(Project.at(ROOT), port=port, docs=ids, kinds=kinds)
    except PreviewError as error:
        raise Exit(str(error), code=1) from None


# -- building -------------------------------------------------------------------------------


@task(
    help={
        "doc": DOC_HELP,
        "formats": FORMATS_HELP,
        "output": "output folder (default: output/)",
        "force": "rebuild every output, even those that are up to date",
        "strict": (
            "CI mode: an overdue review and a placeholder left in styles/brand.toml are errors; "
            "HTML verified in Chromium"
        ),
        "allow_placeholders": (
            "with --strict, placeholders in styles/brand.toml stay warnings (this repository's "
            "sample brand in its own CI; never for a real organisation's leaflets)"
        ),
        "jobs": "worker processes (default: one per core)",
        "shard": "build only shard K of N (K/N) of the documents, by a hash of their ids",
        "index_only": "only rebuild output/index.html from the manifests found",
    },
    iterable=["doc", "formats"],
)
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
    """Build, verify and publish every document (or --doc) to output/."""
    ids, kinds, shards = _doc_ids(build, doc), _formats(build, formats), _shard(shard)
    from dataclasses import replace

    from pipeline.builder import Options, Project, gather, strictly
    from pipeline.builder import build as run_build
    from pipeline.console import BuildConsole

    options = Options(docs=tuple(ids), formats=tuple(kinds), shard=shards, force=force, jobs=jobs)
    if strict:
        options = strictly(options)
    if allow_placeholders:
        options = replace(options, placeholders="warning")

    project = Project.at(ROOT, Path(output) if output else None)
    if index_only:
        report = gather(project)
        for line in report.lines:
            print(line)
        _done(report, "gather")
        return
    with BuildConsole("build") as console:
        report = run_build(project, options, listener=console)
    console.finish(report)
    _done(report, "build")


@task(
    help={
        "doc": DOC_HELP,
        "output": "output folder (default: output/)",
        "strict": "read HTML as Chromium renders it",
    },
    iterable=["doc"],
)
def verify(
    c: Context, doc: list[str] | None = None, output: str = "", strict: bool = False
) -> None:
    """Verify the published outputs again (every section, disclaimer)."""
    ids = _doc_ids(verify, doc)
    from pipeline.builder import Options, Project, strictly, verify_published
    from pipeline.console import BuildConsole

    project = Project.at(ROOT, Path(output) if output else None)
    options = Options(docs=tuple(ids))
    with BuildConsole("verification") as console:
        report = verify_published(
            project, strictly(options) if strict else options, listener=console
        )
    console.finish(report)
    _done(report, "verification")


@task
def clean(c: Context) -> None:
    """Remove everything built (output/ keeps its README)."""
    output = ROOT / "output"
    for path in output.iterdir() if output.is_dir() else ():
        if path.name != "README.md":
            shutil.rmtree(path) if path.is_dir() else path.unlink()


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


def _help_if_asked(name: str, positional: str) -> None:
    """Show the task's help when invoke gave -h or --help to its positional argument."""
    if positional in ("-h", "--help"):
        command = [sys.executable, "-m", "invoke", "--search-root", str(ROOT), "--help", name]
        raise Exit(code=subprocess.run(command).returncode)


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
    """Bring a reviewed DOCX's edits and comments back into the source.

    Writes review.md, source.critic.md and source.patch in build/reviews/<id>/<name>/. Exit
    0: nothing left for a person; 1: something is; 2: the DOCX cannot be ingested."""
    _help_if_asked("ingest", docx)
    approved = _repeated(
        ingest, "approve_disclaimer", approve_disclaimer, "a disclaimer id", "not-a-cure"
    )
    from pipeline.builder import Project
    from pipeline.ingest import IngestError
    from pipeline.ingest import ingest as run_ingest

    project = Project.at(ROOT, Path(output) if output else None)
    try:
        outcome = run_ingest(project, Path(docx), apply, approved)
    except IngestError as error:
        raise Exit(f"ingest: {error}", code=2) from None
    print("\n".join(outcome.lines))
    if outcome.exit_code:
        raise Exit(code=outcome.exit_code)


TRANSLATE_ACTIONS = {
    "new": "start source/<id>.<lang>.md: every part of the original, its words marked TODO",
    "mark-current": "record that the translation now follows the original as it is",
    "export": "write the translators' XLIFF 1.2 file of --doc for --lang",
    "import": "bring a translated XLIFF file (FILE) back into source/<id>.<lang>.md",
}


@task(
    help={
        "action": "; ".join(f"{name}: {what}" for name, what in TRANSLATE_ACTIONS.items()),
        "file": "import: the XLIFF file back from translation (invoke takes it as --file; "
        "the console script will take it as the command's argument)",
        "doc": f"the original's id, one of: {_documents()}",
        "lang": "the translation's language, a BCP 47 tag (e.g. es-US)",
        "output": "export: where to write the XLIFF (default: build/translations/<id>.<lang>.xlf)",
        "approve_disclaimer": "import: apply a changed translation of this disclaimer too "
        "(repeatable)",
        "passage": "mark-current: a shared passage's id (its version in --lang, "
        "styles/passages/<id>.<lang>.md, records the original passage as it is)",
    },
    iterable=["approve_disclaimer", "doc"],
)
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
    """Translations: start one, mark it current, export or import XLIFF.

    `invoke translate new|mark-current|export --doc ID --lang es-US`,
    `invoke translate import --file FILE.xlf [--approve-disclaimer ID]`,
    `invoke translate mark-current --passage ID --lang es` (a shared passage's version).

    import exits 0 when all is applied, 1 when a disclaimer's translation waits for
    approval, 2 when the file cannot be imported (nothing written)."""
    _help_if_asked("translate", action)
    if action not in TRANSLATE_ACTIONS:
        choices = ", ".join(TRANSLATE_ACTIONS)
        raise Exit(
            f'invoke translate needs what to do ({choices}), e.g. "invoke translate '
            f'new --doc {_example_id()} --lang es-US"',
            code=2,
        )
    from pipeline.builder import Project

    project = Project.at(ROOT)
    if action == "import":
        _translate_import(project, file, approve_disclaimer)
        return
    if passage:
        _translate_passage(project, action, passage, lang)
        return
    ids = _doc_ids(translate, doc)
    if len(ids) != 1 or not lang:
        raise Exit(
            f"invoke translate {action} needs --doc ID and --lang TAG, e.g. --doc "
            f"{_example_id()} --lang es-US",
            code=2,
        )
    from pipeline.translations.commands import TranslateError, mark_current, start
    from pipeline.translations.exchange import export

    try:
        if action == "export":
            done = export(project, ids[0], lang, Path(output) if output else None)
        else:
            done = {"new": start, "mark-current": mark_current}[action](project, ids[0], lang)
    except TranslateError as error:
        raise Exit(f"translate {action}: {error}", code=1) from None
    print("\n".join(done.lines))


def _translate_passage(project: Project, action: str, passage: str, lang: str) -> None:
    if action != "mark-current" or not lang:
        raise Exit(
            "--passage is for mark-current: invoke translate mark-current --passage ID --lang TAG, "
            "e.g. --passage language-help --lang es",
            code=2,
        )
    from pipeline.translations.commands import TranslateError, mark_passage_current

    try:
        done = mark_passage_current(project, passage, lang)
    except TranslateError as error:
        raise Exit(f"translate {action}: {error}", code=1) from None
    print("\n".join(done.lines))


def _translate_import(project: Project, file: str, approve: list[str] | None) -> None:
    if not file:
        raise Exit(
            "invoke translate import needs the file: invoke translate import --file FILE.xlf", 2
        )
    approved = _repeated(translate, "approve_disclaimer", approve, "a disclaimer id", "not-a-cure")
    from pipeline.translations.exchange import ImportRefused, take_in

    try:
        done = take_in(project, Path(file), approved)
    except ImportRefused as error:
        raise Exit(f"translate import: {error}", code=2) from None
    print("\n".join(done.lines))
    if done.exit_code:
        raise Exit(code=done.exit_code)


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
    _need("pytest", "ruff", "mypy", "playwright", "pikepdf")
    if not fast:
        setup(c, tests=True)
        lint(c)
    selection = (" -m fast" if fast else "") + (f" -k {k!r}" if k else "")
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
    }
)
def bench(c: Context, repeats: int = 5, library: int = 50) -> None:
    """Time builds against their targets (figures, not pass/fail)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(ROOT / "tests" / "bench.py"), f"--repeats={repeats}"]
    subprocess.run([*command, f"--library={library}"], check=True, env=env)
