"""Every external program the pipeline runs (pandoc, rsvg-convert, fc-list, git, colprof, ...),
through one function: `run`.

It finds the program (pandoc as pypandoc-binary ships it, found without importing pypandoc;
any other on PATH), gives it its input on stdin, waits at most its time limit, caps its memory
when asked, and raises one error, `ToolError`, for a program that is missing, fails or runs
too long. A missing program is the user's to install (`ToolMissing`, a UserError); any other
failure is said by its caller as what it means for its user (a figure librsvg cannot draw, a
DOCX pandoc cannot read), or, uncaught, is a bug. Memory is capped by util-linux's prlimit,
which sets the limit and then runs the program: nothing runs in the child between fork and
exec (threads forbid it).
pandoc itself is run through `pipeline.pandoc.run`, which adds its sandbox.
"""

from __future__ import annotations

import functools
import importlib.util
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pipeline.errors import UserError

INSTALL = {
    "pandoc": "pip install -e . (pypandoc-binary ships it)",
    "rsvg-convert": "run `invoke setup` (librsvg2-bin)",
    "prlimit": "install util-linux",
    "fc-list": "run `invoke setup` (fontconfig)",
    "colprof": "install the Debian package argyll",
}
"""How to get each program that a build needs and a machine may lack."""
MB = 1024 * 1024


class ToolError(Exception):
    """An external program failed or took too long. That is not in itself the user's doing:
    a caller that handed the program a user's file says what the failure means for them, as a
    UserError (a figure librsvg cannot draw, a DOCX pandoc cannot read); uncaught, it is a bug
    of ours or of the program (pandoc failing to write the DOCX of a source it has read), and
    is reported as one, with its traceback."""

    def __init__(
        self, program: str, how: Literal["missing", "failed", "too slow"], said: str = ""
    ) -> None:
        text = {
            "missing": f"{program} is not installed",
            "failed": f"{program} failed" + (f": {said}" if said else ""),
            "too slow": f"{program} took longer than {said} s",
        }[how]
        super().__init__(text)
        self.program, self.how, self.said = program, how, said

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.program, self.how, self.said))


class ToolMissing(ToolError, UserError):
    """An external program is not installed: the machine's setup, which the user fixes as
    `fix` says."""

    def __init__(self, program: str, how: Literal["missing"] = "missing", said: str = "") -> None:
        super().__init__(program, how, said)
        self.fix = INSTALL.get(program, "")


def run(
    program: str,
    args: Sequence[str] = (),
    *,
    input: bytes = b"",
    timeout: float | None = None,
    memory_mb: int | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> bytes:
    """`program args` with `input` on its standard input; its standard output."""
    command = [find(program), *args]
    if memory_mb is not None:
        command = [find("prlimit"), f"--as={memory_mb * MB}", *command]
    try:
        done = subprocess.run(
            command, input=input, capture_output=True, timeout=timeout, cwd=cwd, env=env
        )
    except subprocess.TimeoutExpired:
        raise ToolError(program, "too slow", f"{timeout:g}") from None
    except OSError as error:
        raise ToolError(program, "failed", error.strerror or str(error)) from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip()
        raise ToolError(program, "failed", said or f"it exited with code {done.returncode}")
    return done.stdout


def find(program: str) -> str:
    """Where `program` (a name, or a path) is; ToolError when it is not installed."""
    found = pandoc_binary() if program == "pandoc" else shutil.which(program)
    if found is None:
        raise ToolMissing(program)
    return str(found)


@functools.cache
def pandoc_binary() -> Path | None:
    """pypandoc-binary's bundled pandoc, found without importing pypandoc (which would ask
    every pandoc it finds for its version); else one on PATH."""
    spec = importlib.util.find_spec("pypandoc")
    for folder in (spec and spec.submodule_search_locations) or []:
        bundled = Path(folder) / "files" / "pandoc"
        if bundled.is_file():
            return bundled
    system = shutil.which("pandoc")
    return Path(system) if system else None
