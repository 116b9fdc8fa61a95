"""WeasyPrint's native libraries, found with the linker's cache only (pipeline/native.py)."""

from __future__ import annotations

import ctypes.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import native
from tests.conftest import ROOT

pytestmark = pytest.mark.fast  # unit tests that render nothing (invoke test --fast)

LIBRARIES = ["gobject-2.0", "pango-1.0", "harfbuzz", "fontconfig", "pangoft2-1.0"]


@pytest.mark.parametrize("name", LIBRARIES)
def test_it_finds_what_find_library_finds(name: str) -> None:
    found = native.find_library(name)
    assert found is not None and found.startswith(f"lib{name}.so")
    assert found == ctypes.util.find_library(name)


def test_a_library_the_machine_lacks_is_not_found() -> None:
    assert native.find_library("no-such-library-0") is None
    assert native.find_library("libpango-1.0-0") is None  # WeasyPrint's Windows name


@pytest.mark.parametrize("quick", [True, False])
def test_loading_weasyprint_runs_no_compiler_or_linker(tmp_path: Path, quick: bool) -> None:
    """Plain `import weasyprint` asks gcc and ld for each name ldconfig does not know (about
    60 processes); through native.import_module, none. The plain import is the control: it
    shows a compiler run would be seen."""
    tools = tmp_path / "bin"
    tools.mkdir()
    seen = tmp_path / "ran"
    for tool in ("gcc", "cc", "ld"):
        (tools / tool).write_text(f"#!/bin/sh\necho {tool} >> {seen}\nexit 1\n")
        (tools / tool).chmod(0o755)
    load = "native.import_module('weasyprint')" if quick else "import weasyprint"
    code = f"from pipeline import native; {load}; import weasyprint.text.ffi as f; assert f.pango"
    env = {**os.environ, "PATH": f"{tools}:{os.environ['PATH']}"}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    assert seen.exists() != quick, seen.read_text() if seen.exists() else "no tool ran"
