"""The command line without surprises: each surprise a new user met has its test, run through
invoke in a subprocess as a user runs it. Then the summary a build ends with, on a terminal
and in a log, and the short Python API."""

from __future__ import annotations

import copy
import inspect
import os
import pty
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from invoke import Task

import pipeline
import tasks
from pipeline import cli
from pipeline.builder.files import exclusive
from pipeline.formats import FORMATS
from tasks import BUILD_PACKAGES
from tests.conftest import ROOT
from tests.test_build import make_project, manifest_of, run_invoke
from tests.test_source import GOOD

TASKS = {"build", "check", "verify", "preview", "new", "ingest", "bench", "test", "lint", "fmt"}
TASKS |= {"setup", "clean"}

# Each task that takes a repeatable flag, given it without a value in both spellings (also
# followed by another flag), and empty: each is an error, and nothing is done. A bare flag is
# invoke's own error (it would read as no flag at all: every document); an empty value the
# command's, as `leaflet` says it.
NEEDS = {
    "doc": "argument -d/--doc: needs a document id, e.g. --doc knee-pain",
    "formats": "argument -f/--formats: needs a format, e.g. html,docx",
    "approve_disclaimer": (
        "argument -p/--approve-disclaimer: needs a disclaimer id, e.g. --approve-disclaimer "
        "not-a-cure"
    ),
}
BARE = {
    "doc": [
        ("build", "--doc"),
        ("build", "-d"),
        ("build", "-d", "--formats", "html"),
        ("build", "--doc="),
        ("preview", "--doc"),
        ("preview", "-d", "--port", "0"),
        ("check", "--doc"),
        ("check", "-d"),
        ("verify", "--doc", "--strict"),
        ("verify", "-d"),
        ("translate", "new", "--doc"),
        ("translate", "mark-current", "-d", "--lang", "es-US"),
    ],
    "formats": [
        ("build", "--formats"),
        ("build", "--doc", "sample", "-f"),
        ("build", "-f", "html,,docx"),
        ("preview", "--formats"),
        ("preview", "-f"),
    ],
    "approve_disclaimer": [
        ("ingest", "review.docx", "--approve-disclaimer"),
        ("ingest", "review.docx", "-p"),
        ("ingest", "review.docx", "-p", ","),
        ("translate", "import", "--file", "x.xlf", "--approve-disclaimer"),
        ("translate", "import", "-p", "--file", "x.xlf"),
    ],
}


def tasks_taking(flag: str) -> set[str]:
    """The tasks in tasks.py with this option."""
    return {
        name
        for name, value in vars(tasks).items()
        if isinstance(value, Task) and flag in inspect.signature(value.body).parameters
    }


def spellings(task: str, flag: str) -> set[str]:
    """How invoke spells the task's option: --doc and -d."""
    probe = copy.copy(getattr(tasks, task))
    probe.help = {}  # get_arguments() uses the help texts up
    (argument,) = [a for a in probe.get_arguments() if a.name == flag]
    return {("-" if len(name) == 1 else "--") + name for name in argument.names}


@pytest.mark.fast
def test_every_task_with_a_repeatable_flag_is_tried_in_each_spelling() -> None:
    for flag, cases in BARE.items():
        tried = {(args[0], a) for args in cases for a in args}
        for task in tasks_taking(flag):
            for spelling in spellings(task, flag):
                assert (task, spelling) in tried, (task, spelling)


@pytest.mark.parametrize(
    ("flag", "args"),
    [pytest.param(flag, args, id=" ".join(args)) for flag, cases in BARE.items() for args in cases],
)
def test_a_repeatable_flag_without_a_value_is_an_error(
    tmp_path: Path, flag: str, args: tuple[str, ...]
) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    result = run_invoke(tmp_path, *args)
    if any(arg.endswith("=") or "," in arg for arg in args):  # a value, empty
        assert result.returncode == 2
        assert result.stderr.splitlines()[-1] == f"invoke {args[0]}: error: {NEEDS[flag]}"
    else:
        assert result.returncode == 1
        assert result.stderr.strip() == (
            f"Flag <Argument: {flag} ({flag[0] if flag != 'approve_disclaimer' else 'p'}) "
            "[list]> needed value and was not given one!"
        )
    assert result.stdout == "" and not project.output_dir.exists(), "nothing was done"


def test_an_unknown_format_stops_before_any_work(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    result = run_invoke(tmp_path, "build", "--formats", "pdf")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        'invoke build: error: argument -f/--formats: unknown format "pdf" (did you mean '
        f"onepager_pdf or brochure_pdf?); choose from {', '.join(FORMATS)}"
    )
    assert result.stdout == "" and not project.output_dir.exists()


@pytest.mark.parametrize("task", sorted(tasks_taking("doc") | tasks_taking("formats")))
def test_help_lists_the_valid_values(tmp_path: Path, task: str) -> None:
    make_project(tmp_path, {"sample": GOOD, "knee-pain": GOOD.replace("sample", "knee-pain")})
    result = run_invoke(tmp_path, task, "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split()).replace("- ", "-")
    if task in tasks_taking("doc"):  # translate takes one: the original's
        said = {"translate": "the original's id, one of"}.get(
            task, "only this document (repeatable)"
        )
        assert f"{said}: knee-pain, sample" in text
    if task in tasks_taking("formats"):
        listed = ", ".join(f"{f.name} ({f.label})" for f in FORMATS.values())
        assert f"(default: all): {listed}" in text


@pytest.mark.parametrize("spelling", ["--help", "-h"])
@pytest.mark.parametrize("name", sorted(TASKS))
def test_every_task_shows_its_help(tmp_path: Path, name: str, spelling: str) -> None:
    """-h too: invoke gave build's --shard the short flag -h, and ingest's DOCX, a
    positional argument, took "--help" for a file name."""
    make_project(tmp_path, {})
    result = run_invoke(tmp_path, name, spelling)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Usage: inv[oke] [--core-opts] {name}")
    summary = (getattr(tasks, name).__doc__ or "").splitlines()[0]
    assert summary in result.stdout and result.stderr == ""


def test_a_failing_verification_says_verification(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    assert run_invoke(tmp_path, "build", "--formats", "html").returncode == 0
    page = project.output_dir / "sample" / "index.html"
    page.write_text(page.read_text().replace("Pain can vary widely.", ""))
    result = run_invoke(tmp_path, "verify")
    assert result.returncode == 1
    assert "verification FAILED" in result.stderr and "build" not in result.stderr.lower()
    assert "verification summary" in result.stdout


def test_lint_and_test_say_how_to_install_the_test_extra(tmp_path: Path) -> None:
    """Without the test extra's tools (hidden here from the interpreter), each task says
    what to install instead of "command not found"."""
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text(
        "import sys\n"
        "class Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'ruff', 'mypy', 'pytest'}:\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Hide())\n"
    )
    make_project(tmp_path, {})
    (tmp_path / "tasks.py").write_text((ROOT / "tasks.py").read_text())
    env = {**os.environ, "PYTHONPATH": f"{hide}{os.pathsep}{ROOT}"}
    for task, missing in (("lint", "ruff, mypy are"), ("test", "pytest, ruff, mypy are")):
        result = subprocess.run(
            [sys.executable, "-m", "invoke", task],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 1, task
        assert result.stderr.strip() == (
            f"{missing} not installed: install the test extra with pip install -e '.[test]'"
        )


def test_list_shows_every_task_with_a_one_line_help(tmp_path: Path) -> None:
    make_project(tmp_path, {})
    listing = run_invoke(tmp_path, "--list").stdout.splitlines()
    assert listing[0] == "Available tasks:"
    rows = [line for line in listing[1:] if line.strip()]
    helps = dict(line.strip().split(None, 1) for line in rows)
    assert set(helps) >= TASKS, sorted(TASKS - set(helps))
    assert all(re.match(r"  \S", line) for line in rows), "each help fits on its line"
    for name, text in helps.items():
        assert re.fullmatch(r"[A-Z].*\.", text), (name, text)


def test_setup_says_one_line_a_kind_when_nothing_is_missing(tmp_path: Path) -> None:
    from pipeline.printconditions import REGISTERED

    make_project(tmp_path, {})
    result = run_invoke(tmp_path, "setup")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        f"Debian packages: all {len(BUILD_PACKAGES)} present",
        f"ICC profiles of the print conditions: all {len(REGISTERED)} present",
    ]


# -- leaflet, the console script ---------------------------------------------------------------

LEAFLET = Path(sys.executable).with_name("leaflet")
"""The console script pyproject.toml declares, as pip installed it."""
COMMANDS = {"new", "check", "preview", "build", "verify", "ingest", "clean"}


def leaflet(where: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`leaflet ARGS` run in the folder `where`, as a user runs it."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [str(LEAFLET), *args], cwd=where, env=environment, capture_output=True, text=True
    )


def test_leaflet_builds_from_any_folder_of_a_project(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {"sample": GOOD})
    below = project.root / "notes" / "drafts"
    below.mkdir(parents=True)
    result = leaflet(below, "build", "--formats", "html")
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"1 document, 1 file, \d+\.\d s", result.stdout.splitlines()[-1])
    assert (project.output_dir / "sample" / "index.html").is_file(), "the project's output/"
    assert not (below / "output").exists()
    checked = leaflet(project.source_dir, "check")
    assert checked.returncode == 0 and "1 document checked, no problems" in checked.stdout


def test_leaflet_outside_a_project_says_so_and_exits_2(tmp_path: Path) -> None:
    result = leaflet(tmp_path, "build")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        f"leaflet build: {tmp_path} is not inside a project: no folder from here up holds "
        "styles/brand.toml and source/; run this in a project's folder (or one below it), or "
        "name one with --project DIR\n"
    )
    project = make_project(tmp_path / "elsewhere", {"sample": GOOD})
    named = leaflet(tmp_path, "--project", str(project.root), "check")
    assert named.returncode == 0, named.stderr


def test_a_users_error_is_one_line_and_exit_2(tmp_path: Path) -> None:
    make_project(tmp_path, {"sample": GOOD})
    cases = {
        ("ingest", "missing.docx"): "leaflet ingest: missing.docx: no such file",
        ("new", "--title", "Sample"): (
            "leaflet new: sample.md already exists in source/; choose another title, or an "
            "id with --id"
        ),
        ("new", "--title", "Knee", "--lang", "English"): (
            'leaflet new: lang "English" is not a BCP 47 language tag; write e.g. --lang en-US'
        ),
    }
    for args, said in cases.items():
        result = leaflet(tmp_path, *args)
        assert (result.returncode, result.stderr, result.stdout) == (2, said + "\n", ""), args


def test_a_bug_keeps_its_traceback_says_so_and_exits_3(tmp_path: Path) -> None:
    """A renderer's KeyError, injected through the format contract: the build goes on with
    the other formats, names the bug where it lists problems, and ends with its traceback
    (a KeyError once read as the message 'x')."""
    make_project(tmp_path, {"sample": GOOD})
    (tmp_path / "buggy.py").write_text(
        "def render(job, out_dir):\n    return {}['x']\n", encoding="utf-8"
    )
    script = (
        "import dataclasses, sys; from pipeline import cli; from pipeline.formats import "
        "FORMATS; FORMATS['docx'] = dataclasses.replace(FORMATS['docx'], module='buggy'); "
        "sys.exit(cli.main(['build', '--formats', 'html,docx']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 3
    assert "sample: html built, verified" in result.stdout
    problem = (
        "sample: docx could not be rendered: a bug in the pipeline: KeyError: 'x' (at "
        f"{tmp_path / 'buggy.py'}:2 in render)"
    )
    assert problem in result.stderr
    assert f"  {problem[:60]}" in result.stdout, "listed again after the table"
    trace = result.stderr[result.stderr.index("Traceback (most recent call last):") :]
    assert f'File "{tmp_path / "buggy.py"}", line 2, in render' in trace
    assert trace.endswith(
        "KeyError: 'x'\nThis is a bug in the pipeline, not a mistake in your files: please "
        "report it with the traceback above.\n"
    )


@pytest.mark.fast
@pytest.mark.parametrize("spelling", ["--help", "-h"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_shows_its_help(
    name: str, spelling: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main([name, spelling])
    shown = capsys.readouterr()
    assert exited.value.code == 0 and shown.err == ""
    assert shown.out.startswith(f"usage: leaflet {name} ")
    summary = cli.helps(None)[name][""]
    assert summary in " ".join(shown.out.split())
    options = [line.split()[0] for line in shown.out.splitlines() if line.startswith("  -")]
    for option in options:  # every option says what it does
        line = next(line for line in shown.out.splitlines() if line.startswith(f"  {option}"))
        assert len(line.split()) > 2 or "\n" in shown.out, line


@pytest.mark.fast
def test_leaflet_help_lists_every_command_and_the_exit_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    shown = " ".join(capsys.readouterr().out.split())
    for name in COMMANDS:
        assert f"{name} {cli.helps(None)[name]['']}" in shown
    assert "Exit codes: 0 done; 1 something is left for a person" in shown
    assert "2 the command cannot be done as asked; 3 a bug." in shown


@pytest.mark.fast
def test_every_command_has_its_task_with_the_same_options() -> None:
    """invoke's wrappers take every option of the command they wrap, and no other."""
    needed = {"new": ["--title", "Knee pain"], "ingest": ["reviewed.docx"]}
    for name in COMMANDS:
        parsed = cli.parser().parse_args([name, *needed.get(name, [])])
        options = set(vars(parsed)) - {"project", "command"}
        task = getattr(tasks, name)
        assert set(inspect.signature(task.body).parameters) - {"c"} == options, name


def test_the_console_script_is_declared() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert declared == {"leaflet": "pipeline.cli:run"}
    assert LEAFLET.is_file()


# -- what a build shows -----------------------------------------------------------------------


def test_a_build_in_a_log_ends_with_the_summary_table_and_one_line(tmp_path: Path) -> None:
    make_project(tmp_path, {"sample": GOOD})
    env = {"PIPELINE_TODAY": "2026-11-25"}
    result = run_invoke_env(tmp_path, env, "build", "--formats", "html,docx")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"sample: html built, verified \(\d+\.\d s\)", lines_with(lines, "html"))
    assert re.fullmatch(r"1 document, 2 files, \d+\.\d s", lines[-1])
    table = lines[lines.index("build summary") :]
    row = next(line.strip() for line in table if line.strip().startswith("sample"))
    assert re.fullmatch(r"sample +✓ +✓ +yes +2027-01-01 due soon +\d+\.\d s", row), row
    assert "✓ built" in table

    again = run_invoke_env(tmp_path, env, "build", "--formats", "html")
    assert again.returncode == 0
    assert re.fullmatch(r"1 document, 1 file, \d+\.\d s", again.stdout.splitlines()[-1])
    assert "sample: html" not in again.stdout, "an output up to date has no line of its own"


def test_a_build_ends_by_listing_every_failure_and_exits_1(tmp_path: Path) -> None:
    """One broken document stops neither the others nor the build's account of it: each
    problem is listed again after the summary table, where a long log ends."""
    lang = GOOD.replace("id: sample", "id: lang").replace("lang: en-US", "lang: English")
    ids = GOOD.replace("id: sample", "id: ids").replace(" {#treatment}", "")
    make_project(tmp_path, {"sample": GOOD, "lang": lang, "ids": ids})
    result = run_invoke(tmp_path, "build", "--formats", "html")
    assert result.returncode == 1
    problems = [line for line in result.stderr.splitlines() if line.startswith("source/")]
    assert len(problems) == 2, result.stderr
    lines = result.stdout.splitlines()
    end = lines[lines.index("build summary") :]
    listed = end[end.index("2 problems:") + 1 : -1]
    assert sorted(line.strip() for line in listed) == sorted(problems)
    assert re.fullmatch(r"3 documents, 1 file, \d+\.\d s \(FAILED\)", lines[-1])
    assert (tmp_path / "output" / "sample" / "index.html").exists()


def test_a_build_on_a_terminal_shows_it_live_and_ends_with_the_summary(tmp_path: Path) -> None:
    make_project(tmp_path, {"sample": GOOD})
    (tmp_path / "tasks.py").write_text((ROOT / "tasks.py").read_text())
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120", "LINES": "40"}
    env.pop("CI", None)
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "invoke", "build", "--formats", "html"],
        cwd=tmp_path,
        env=env,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
    )
    os.close(secondary)
    screen = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal closed: the build is over
            break
        if not chunk:
            break
        screen += chunk
    assert process.wait(60) == 0
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.decode())
    assert "build …" in text, "the live table"
    assert "build summary" in text and "Traceback" not in text
    assert re.search(r"1 document, 1 file, \d+\.\d s", text)


def run_invoke_env(
    project: Path, extra: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    (project / "tasks.py").write_text((ROOT / "tasks.py").read_text())
    env = {**os.environ, "PYTHONPATH": str(ROOT), **extra}
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )


def lines_with(lines: list[str], needle: str) -> str:
    return next(line for line in lines if needle in line)


def test_translate_marks_a_passages_version_current_and_says_what_passage_is_for(
    tmp_path: Path,
) -> None:
    make_project(tmp_path, {"sample": GOOD})
    version = tmp_path / "styles/passages/language-help.es.md"
    version.write_text(re.sub(r"(?m)^translated-from:\n(  .*\n)+", "", version.read_text()))
    done = run_invoke(
        tmp_path, "translate", "mark-current", "--passage", "language-help", "-l", "es"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "styles/passages/language-help.es.md now records styles/passages/language-help.md as it is"
    )
    assert "translated-from:" in version.read_text()
    wrong = run_invoke(tmp_path, "translate", "export", "--passage", "language-help", "-l", "es")
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("invoke translate: --passage is for mark-current")


# -- the Python API -----------------------------------------------------------------------------


def test_the_python_api_builds_verifies_and_loads(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    wrong = pipeline.build(tmp_path, formats=["html", "pdf"])
    assert wrong.failed and wrong.lines == [f"unknown format pdf; choose from {', '.join(FORMATS)}"]
    assert not project.output_dir.exists()
    report = pipeline.build(tmp_path, "sample", formats="html, docx")  # as the command line
    assert not report.failed and report.summary().startswith("1 document, 2 files")
    assert set(manifest_of(project, "sample")["outputs"]) == {"html", "docx"}
    assert not pipeline.verify(tmp_path, "sample").failed
    doc = pipeline.load(tmp_path / "source" / "sample.md")
    assert doc.id == "sample" and doc.source_path == "source/sample.md"


@pytest.mark.fast
def test_importing_the_package_loads_nothing_heavy() -> None:
    code = (
        "import sys, pipeline; "
        "print(sorted(m for m in ('weasyprint', 'pypandoc', 'docx', 'rich', 'pipeline.builder')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip() == "[]"


def test_clean_deletes_nothing_while_a_build_holds_the_output_folder(tmp_path: Path) -> None:
    """output/ is written by one process at a time: clean too takes its lock, so it cannot
    delete an edition a build is publishing."""
    project = make_project(tmp_path, {"sample": GOOD})
    built = project.output_dir / "sample" / "index.html"
    built.parent.mkdir(parents=True)
    built.write_text("<p>published</p>", encoding="utf-8")
    (project.output_dir / "README.md").write_text("What output/ holds.", encoding="utf-8")
    with exclusive(project.output_dir):
        refused = leaflet(project.root, "clean")
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.startswith("leaflet clean: another build is writing")
    assert built.is_file()
    done = leaflet(project.root, "clean")
    assert done.returncode == 0, done.stderr
    assert [path.name for path in project.output_dir.iterdir()] == ["README.md"]
