"""Errors sorted: what a user can cause is said in one message, without a traceback; what
only a bug can cause (ours, or an external program's on input the pipeline made) keeps its
traceback and is said to be a bug, never blamed on the user's files."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import passages, tools
from pipeline.errors import UserError, failure
from pipeline.translations import xliff
from tests.conftest import ROOT
from tests.test_build import make_project
from tests.test_source import GOOD

LEAFLET = Path(sys.executable).with_name("leaflet")

# The exception classes of pipeline/ that are not a user's error, each with why. Every other
# exception class derives from UserError.
NOT_THE_USERS = {
    "ToolError": "an external program failed on what the pipeline gave it (its callers say "
    "a user's file as a UserError); ToolMissing, a UserError, is the program not installed",
    "NotRegular": "an OSError every caller turns into its own message with the file's name",
    "FinishError": "pandoc's DOCX is not what the finisher expects",
    "WeasyPrintChanged": "WeasyPrint no longer draws text as the pipeline expects",
    "_Unmappable": "caught where it is raised: an SVG drawn another way",
    "_Unmade": "carries the failure, user's or bug, of what an output is drawn from",
}


def leaflet(where: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [str(LEAFLET), *args], cwd=where, env=environment, capture_output=True, text=True
    )


@pytest.mark.fast
def test_every_exception_class_is_a_users_error_or_named_as_not_one() -> None:
    """Read from the code (not imported: nothing heavy): each class deriving from an
    exception is a UserError's subclass, or named above with the reason it is not."""
    classes: dict[str, list[str]] = {}
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = [b.id if isinstance(b, ast.Name) else ast.unparse(b) for b in node.bases]
                classes[node.name] = bases
    exceptions = {"Exception", "RuntimeError", "OSError", "ValueError", "UserError"}

    def is_exception(name: str, seen: frozenset[str] = frozenset()) -> bool:
        bases = classes.get(name, [])
        return any(
            b.split(".")[-1] in exceptions
            or (b not in seen and is_exception(b.split(".")[-1], seen | {name}))
            for b in bases
        )

    def is_users(name: str) -> bool:
        bases = [b.split(".")[-1] for b in classes.get(name, [])]
        return "UserError" in bases or any(b in classes and is_users(b) for b in bases)

    found = {name for name in classes if is_exception(name) and name != "UserError"}
    unsorted = {name for name in found if not is_users(name) and name not in NOT_THE_USERS}
    assert unsorted == set()
    assert set(NOT_THE_USERS) <= found, "a class named above is gone: take it out"


@pytest.mark.fast
def test_a_missing_passage_and_a_bad_xliff_file_are_a_users_errors(tmp_path: Path) -> None:
    """Each is said as its message, with no traceback (they once derived from Exception, and
    wherever one escaped its caller it was reported as a bug)."""
    (tmp_path / "styles" / "passages").mkdir(parents=True)
    with pytest.raises(UserError) as missing:
        passages.file_for(tmp_path, "nowhere", "en-US")
    said = failure(missing.value)
    assert (said.bug, said.text) == (
        False,
        'no shared passage "nowhere": write it in styles/passages/nowhere.md, or include one '
        "that exists",
    )
    bad = tmp_path / "back.xlf"
    bad.write_text("<xliff version='1.2'><file>", encoding="utf-8")
    with pytest.raises(UserError) as unreadable:
        xliff.read(bad)
    said = failure(unreadable.value)
    assert not said.bug
    assert said.text.startswith("back.xlf is not well-formed XML (")
    assert said.text.endswith("); export it again")


def test_a_users_bad_xliff_and_missing_passage_are_one_message_at_the_command_line(
    tmp_path: Path,
) -> None:
    make_project(tmp_path, {"sample": GOOD})
    (tmp_path / "back.xlf").write_text("<xliff version='1.2'><file>", encoding="utf-8")
    result = leaflet(tmp_path, "translate", "import", "back.xlf")
    assert result.returncode == 2
    assert result.stderr.startswith("leaflet translate: back.xlf is not well-formed XML (")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    including = GOOD.replace("## Symptoms", "::: {include=nowhere}\n:::\n\n## Symptoms")
    (tmp_path / "source" / "sample.md").write_text(including, encoding="utf-8")
    result = leaflet(tmp_path, "check")
    said = result.stdout + result.stderr
    assert result.returncode == 1
    assert 'source/sample.md:8: no shared passage "nowhere": write it in' in said
    assert "Traceback" not in said


def fake_pandoc(where: Path, failing: str) -> Path:
    """A pandoc that fails as pandoc fails (a message on stderr, exit 1) when its arguments
    hold `failing`, and is the real pandoc otherwise."""
    real = tools.pandoc_binary()
    script = where / "pandoc"
    script.write_text(
        "#!/bin/sh\n"
        f'case " $* " in *" {failing} "*) echo "pandoc: simulated failure" >&2; exit 1;; esac\n'
        f'exec "{real}" "$@"\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


def run_with_pandoc(where: Path, pandoc: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`leaflet ARGS` with the gateway finding `pandoc`."""
    script = (
        "import sys; from pathlib import Path; from pipeline import cli, tools; "
        f"tools.pandoc_binary = lambda: Path({str(pandoc)!r}); "
        f"sys.exit(cli.main({list(args)!r}))"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=where,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )


def test_pandoc_failing_to_write_the_docx_is_an_internal_failure_of_the_docx(
    tmp_path: Path,
) -> None:
    """The source was read, so a failure writing its DOCX is ours or pandoc's: said as a bug
    of that output, at the line that ran pandoc, with its traceback; the other outputs are
    built and nothing blames the source."""
    make_project(tmp_path, {"sample": GOOD})
    result = run_with_pandoc(
        tmp_path, fake_pandoc(tmp_path, "--to=docx"), "build", "--formats", "html,docx"
    )
    assert result.returncode == 3, result.stderr
    assert "sample: html built, verified" in result.stdout
    problem = (
        "sample: docx could not be rendered: a bug in the pipeline: ToolError: pandoc failed: "
        "pandoc: simulated failure (at pipeline/formats/docx/__init__.py:"
    )
    assert problem in result.stderr
    assert "source/sample.md" not in result.stderr
    trace = result.stderr[result.stderr.index("Traceback (most recent call last):") :]
    assert "in _pandoc" in trace and "pipeline.tools.ToolError: pandoc failed" in trace
    assert trace.endswith(
        "This is a bug in the pipeline, not a mistake in your files: please report it with the "
        "traceback above.\n"
    )


def test_pandoc_failing_to_read_a_source_stays_the_users_error_with_its_file(
    tmp_path: Path,
) -> None:
    make_project(tmp_path, {"sample": GOOD})
    failing = "--from=markdown-auto_identifiers"
    result = run_with_pandoc(tmp_path, fake_pandoc(tmp_path, failing), "check")
    assert result.returncode not in (0, 3), result.stderr
    said = result.stdout + result.stderr
    assert "source/sample.md:1: pandoc cannot read the file: pandoc: simulated failure" in said
    assert "Traceback" not in said
