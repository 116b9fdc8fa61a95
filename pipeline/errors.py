"""The errors a user can cause, told apart from bugs.

A `UserError` is something the person running the pipeline can fix: a source or a brand
table that breaks a rule, a reviewed DOCX that cannot be read, a port already in use, a
folder that is not a project. Its message says where (file and line when there is one),
what is wrong and how to fix it; the command line shows it and exits 2, a build reports it
as that document's or output's problem. Every other exception is a bug in the pipeline: it
keeps its traceback (`Failure.trace`) and is said to be one.
"""

from __future__ import annotations

import errno
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BUG = (
    "This is a bug in the pipeline, not a mistake in your files: please report it with the "
    "traceback above."
)


class UserError(Exception):
    """An error the user caused and can fix: shown as its message, never a traceback."""

    def __init__(self, message: str, *, file: str = "", line: int = 0, fix: str = ""):
        self.message, self.file, self.line, self.fix = message, file, line, fix
        super().__init__(message)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else ""
        where = where or (f"{self.file}: " if self.file else "")
        return where + self.message + (f"; {self.fix}" if self.fix else "")

    def __reduce__(self) -> tuple[Any, ...]:
        # Whole across processes (a worker's error reaches the build), whatever a subclass's
        # __init__ takes: pickle would call it with `args` alone.
        return (_restore, (type(self), self.args, dict(vars(self))))


def _restore(kind: type[UserError], args: tuple[Any, ...], state: dict[str, Any]) -> UserError:
    error = kind.__new__(kind)
    error.args = args
    vars(error).update(state)
    return error


_NO_ROOM = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS)
"""Errors that mean the disk, not the document: said as such."""
_GATEWAYS = ("/pipeline/tools.py", "/pipeline/pandoc.py")
"""The external programs' gateway: a failure there is named at the line that called it."""
_REFUSED = (errno.EACCES, errno.EPERM)
"""A file the system will not let the pipeline read or write: the machine's state."""


@dataclass(frozen=True)
class Failure:
    """Why something could not be done, as a report says it: one line, and for a bug its
    traceback."""

    text: str
    trace: str = ""
    """A bug's traceback; "" for an error the user caused."""

    @property
    def bug(self) -> bool:
        return bool(self.trace)


def failure(error: BaseException) -> Failure:
    """`error` as a report says it: a user's error (or the machine's: out of memory, a full
    or read-only disk, a file it may not read; or a broken template in styles/) by its message;
    anything else as a bug, with where it was raised and its traceback."""
    if isinstance(error, UserError):
        return Failure(str(error).strip() or type(error).__name__)
    if isinstance(error, MemoryError):
        return Failure("out of memory")
    if isinstance(error, OSError) and error.errno in _NO_ROOM:
        return Failure(
            f"cannot write a file ({error.strerror}); free some disk space and build again"
        )
    if isinstance(error, OSError) and error.errno in _REFUSED:
        return Failure(str(error))
    template = _template_error(error)
    if template:
        return Failure(template)
    frames = traceback.extract_tb(error.__traceback__)
    # Where the pipeline called an external program that failed, not the gateway's own line.
    ours = [f for f in frames if not f.filename.endswith(_GATEWAYS)] or frames
    where = f" (at {_shown(ours[-1])})" if ours else ""
    return Failure(
        f"a bug in the pipeline: {type(error).__name__}: {error}{where}",
        "".join(traceback.format_exception(error)),
    )


def _shown(frame: traceback.FrameSummary) -> str:
    path = frame.filename
    marker = path.rfind("/pipeline/")
    return f"{path[marker + 1 :] if marker >= 0 else path}:{frame.lineno} in {frame.name}"


def _template_error(error: BaseException) -> str:
    """A Jinja2 template of styles/templates that cannot be read or rendered (the brand's,
    which a user edits), with its file and line; "" for anything else."""
    import sys

    jinja2 = sys.modules.get("jinja2")  # loaded when a template was: nothing to import
    if jinja2 is None or not isinstance(error, jinja2.TemplateError):
        return ""
    name = getattr(error, "filename", None) or getattr(error, "name", None)
    if name and Path(name).is_absolute() and Path(name).is_relative_to(Path.cwd()):
        name = Path(name).relative_to(Path.cwd()).as_posix()
    line = getattr(error, "lineno", None)
    where = f"{name}:{line}: " if name and line else f"{name}: " if name else ""
    return f"{where}the template cannot be used: {error.message or type(error).__name__}"
