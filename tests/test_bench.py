"""The pure parts of `invoke bench --against`: the verdict on a figure, and the other
revision's files, there while measured and gone afterwards (the bench itself is figures, run
by hand: no timed test)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench import ROOT, checkout, run, verdict

pytestmark = pytest.mark.fast


def test_a_figure_is_worse_only_beyond_the_spread_of_its_repeats() -> None:
    assert verdict([2.0, 2.1, 2.2], [2.6, 2.7, 2.8]) == "worse"
    assert verdict([2.0, 2.1, 2.2], [1.5, 1.6, 1.7]) == "better"
    # 10 % slower, but the repeats of each lie 20 % apart: noise.
    assert verdict([2.0, 2.2, 2.4], [2.2, 2.4, 2.6]) == "same (within noise)"
    # A speed-up that falls is worse.
    assert verdict([2.0, 2.05, 2.1], [1.5, 1.55, 1.6], higher_is_better=True) == "worse"
    assert verdict([2.0], [3.0]) == "? (1 repeat)"


def test_the_other_revision_is_the_committed_code_in_a_folder_removed_afterwards() -> None:
    head = subprocess.run(
        ["git", "-C", str(ROOT), "show", "HEAD:pipeline/__init__.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    with checkout("HEAD") as code:
        assert (code / "pipeline" / "__init__.py").read_text(encoding="utf-8") == head
        assert (code / "tasks.py").is_file() and (code / "styles").is_dir()
        folder = code
    assert not Path(folder).exists()


def test_an_unknown_revision_is_named() -> None:
    with (
        pytest.raises(SystemExit, match="git archive no-such-revision failed"),
        checkout("no-such-revision"),
    ):
        pass


def test_a_run_counts_the_cpu_time_of_the_processes_its_command_waited_for() -> None:
    # The command's own process only waits; a child it starts (as a build starts its
    # workers) spends at least 0.3 s of CPU: the run's CPU time holds it.
    busy = "import time\nwhile time.process_time() < 0.3: pass"
    waits = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {busy!r}], check=True)"
    made = run([sys.executable, "-c", waits], ROOT)
    assert made.cpu >= 0.3
    assert made.seconds > 0
