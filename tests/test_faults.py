"""Faults survived: a build killed at any moment, two builds at once, a full disk or a
read-only output folder. Each leaves every manifest consistent with its files and the last
good output in place; the next build clears the leftovers."""

from __future__ import annotations

import builtins
import errno
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline.builder import Options, Project, build, files, verify_published
from tests.conftest import ROOT
from tests.test_build import make_project, snapshot
from tests.test_source import GOOD

OTHER = GOOD.replace("id: sample", "id: other")
FAST = ("html", "docx")


def assert_consistent(project: Project) -> None:
    """Every manifest names exactly the files beside it, with their hashes; the landing page,
    where there is one, is whole."""
    index = project.output_dir / "index.html"
    if index.exists():
        assert index.read_text().rstrip().endswith("</html>"), "a landing page cut short"
    for manifest_path in project.output_dir.glob("*/manifest.json"):
        folder = manifest_path.parent
        manifest = json.loads(manifest_path.read_text())
        listed = {"manifest.json"}
        for kind, entry in manifest["outputs"].items():
            for name, digest in entry["files"].items():
                path = folder / name
                assert path.is_file(), f"{folder.name}: {kind} lists {name}, which is missing"
                assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, name
            listed |= set(entry["files"])
        on_disk = {
            p.relative_to(folder).as_posix()
            for p in folder.rglob("*")
            if p.is_file() and not p.name.startswith(files.PARTIAL_PREFIX)  # a kill's leftover
        }
        assert on_disk == listed, f"{folder.name}: files no manifest names"


def edit_both(project: Project, text: str) -> None:
    for name, source in (("sample", GOOD), ("other", OTHER)):
        (project.source_dir / f"{name}.md").write_text(source.replace("Rest can help.", text))


def build_dying_at(project: Project, step: int) -> int:
    """Build, then verify, in a child process that dies (like SIGKILL: no clean-up) at its
    `step`-th rename, link or folder exchange, or just after it opens a file under output/
    by name to write it (a file written in place is then cut short). Returns the child's
    exit code (0: it got to the end)."""
    pid = os.fork()
    if pid == 0:  # the child
        count = [0]

        def dying(
            real: Callable[..., Any], opens: Callable[..., bool] | None = None
        ) -> Callable[..., Any]:
            def step_then(*args: Any, **kwargs: Any) -> Any:
                if opens is None or opens(*args, **kwargs):
                    count[0] += 1
                    if count[0] == step:
                        if opens is not None:
                            real(*args, **kwargs)  # opened, so truncated: then die
                        os._exit(9)
                return real(*args, **kwargs)

            return step_then

        def writes_output(file: object, mode: str = "r", *args: Any, **kwargs: Any) -> bool:
            if not isinstance(file, str | os.PathLike):
                return False
            inside = Path(file).resolve().is_relative_to(project.output_dir)
            return inside and any(letter in mode for letter in "wax+")

        os.replace, os.rename, os.link = dying(os.replace), dying(os.rename), dying(os.link)
        files._exchange = dying(files._exchange)
        io.open = builtins.open = dying(io.open, writes_output)
        report = build(project, Options(formats=FAST, jobs=1))
        report = verify_published(project) if not report.failed else report
        os._exit(1 if report.failed else 0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_a_build_killed_at_every_step_of_publishing_leaves_consistent_manifests(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path, {"sample": GOOD, "other": OTHER})
    assert not build(project, Options(formats=FAST)).failed
    step = 0
    while True:
        step += 1
        edit_both(project, f"Rest helps, round {step}.")
        code = build_dying_at(project, step)
        assert_consistent(project)
        for name in ("sample", "other"):  # the last good version, or the new one: never none
            assert (project.output_dir / name / "manifest.json").is_file(), (step, name)
        if code == 0:
            break
        assert code == 9
        assert step < 200, "the build never finished"
    assert step > 10, "the steps were counted"
    # The next build clears what the killed ones left and publishes.
    assert not build(project, Options(formats=FAST)).failed
    assert not [p for p in project.output_dir.rglob(".*")], "the leftovers are cleared"
    assert_consistent(project)


def _wait_until_gone(group: int) -> None:
    """Every process of a killed build's group has died: its workers hold the output lock
    until the kernel has ended them, which on a busy machine can be after the parent's end."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError("the killed build's processes were still there after 30 s")


@pytest.mark.parametrize("after", [0.4, 1.0, 1.6])
def test_a_build_killed_by_sigkill_leaves_consistent_manifests(
    after: float, tmp_path: Path
) -> None:
    project = make_project(tmp_path, {"sample": GOOD, "other": OTHER})
    assert not build(project, Options(formats=FAST)).failed
    edit_both(project, "Rest helps.")
    script = (
        "import sys; from pathlib import Path; "
        "from pipeline.builder import Options, Project, build; "
        f"build(Project.at(Path({str(project.root)!r})), Options(formats={FAST!r}))"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,  # its workers too
    )
    time.sleep(after)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    _wait_until_gone(child.pid)
    assert_consistent(project)
    assert not build(project, Options(formats=FAST)).failed
    assert_consistent(project)


def test_two_builds_at_once_one_waits_and_nothing_is_corrupted(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": GOOD, "other": OTHER})
    command = [sys.executable, "-m", "invoke", "build", "--formats", ",".join(FAST)]
    (tmp_path / "tasks.py").write_bytes((ROOT / "tasks.py").read_bytes())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first, second = (
        subprocess.Popen(
            command,
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    )
    results = [(*process.communicate(), process.returncode) for process in (first, second)]
    codes = sorted(code for _, _, code in results)
    assert codes == [0, 1], results
    refused = next(err for _, err, code in results if code == 1)
    assert "another build is writing" in refused
    assert "Traceback" not in refused
    assert_consistent(project)


def test_a_full_disk_fails_cleanly_and_keeps_the_last_good_output(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": GOOD, "other": OTHER})
    assert not build(project, Options(formats=FAST)).failed
    before = snapshot(project.output_dir)
    edit_both(project, "Rest helps.")
    # No file may grow beyond 8 KiB: writes fail with EFBIG, as on a full disk.
    script = (
        "import resource, signal, sys; from pathlib import Path; "
        "from pipeline.builder import Options, Project, build; "
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192)); "
        f"report = build(Project.at(Path({str(project.root)!r})), Options(formats={FAST!r})); "
        "print(*report.lines, sep='\\n'); sys.exit(1 if report.failed else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "could not be rendered" in result.stdout
    assert "File too large" in result.stdout
    after = snapshot(project.output_dir)
    assert outputs_only(after) == outputs_only(before)
    assert_consistent(project)
    manifest = json.loads((project.output_dir / "sample" / "manifest.json").read_text())
    assert manifest["stale"] == sorted(FAST), "the kept outputs no longer match the edited source"
    assert not build(project, Options(formats=FAST)).failed


def outputs_only(files: dict[str, str]) -> dict[str, str]:
    """The outputs, without the manifests and the landing page (which now say "stale")."""
    return {
        name: digest
        for name, digest in files.items()
        if name != "index.html" and not name.endswith("manifest.json")
    }


def test_a_read_only_output_folder_fails_cleanly_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path, {"sample": GOOD, "other": OTHER})
    assert not build(project, Options(formats=FAST)).failed
    before = snapshot(project.output_dir)
    edit_both(project, "Rest helps.")

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    # Root ignores permission bits, so the refusal is the file system's, simulated.
    monkeypatch.setattr(os, "replace", read_only)
    report = build(project, Options(formats=FAST, jobs=1))

    assert report.failed
    assert any(
        line.startswith("sample: cannot publish to output/sample (")
        and "Read-only file system" in line
        for line in report.lines
    ), report.lines
    assert snapshot(project.output_dir) == before
    assert_consistent(project)


def test_a_worker_that_dies_says_which_document_and_output_and_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed while it renders (as the system kills a process when memory runs
    out): its document and output are named, with the signal, never "the worker stopped"."""

    def killed(*args: object) -> Path:
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("not reached")

    import pipeline.formats.html

    monkeypatch.setattr(pipeline.formats.html, "render", killed)  # the forked workers' too
    project = make_project(tmp_path, {"sample": GOOD})

    report = build(project, Options(formats=("html", "docx"), jobs=2))  # two groups: forked workers

    assert report.failed
    [line] = [line for line in report.lines if line.startswith("sample: html could not")]
    assert line == (
        "sample: html could not be rendered: the worker process rendering it was killed "
        "(SIGKILL), as the system does when memory runs out (a build of valid input needs at "
        "most 1,500 MB); outputs rendered with it stopped too"
    )
    assert not (project.output_dir / "sample" / "index.html").exists()
