"""Writing the output tree safely: one build at a time (`exclusive`, the output folder's
lock), whole files or none (`write_atomic`), readable modes, and a document's folder
replaced in one step (`swap_in`), so a killed build never leaves a manifest that disagrees
with its files."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import UserError

FILE_MODE, FOLDER_MODE = 0o644, 0o755
"""Published files and folders: readable by a web server running as another user."""
STAGING_PREFIX = ".staging-"
PARTIAL_PREFIX = ".partial-"
"""A file being written (write_atomic); renamed into place when whole."""
_RENAME_EXCHANGE = 2  # linux/fs.h


class OutputBusy(UserError):
    """Another build holds the output folder."""


@contextmanager
def exclusive(output_dir: Path) -> Iterator[None]:
    """Hold the output folder for one build or verification at a time (a lock on the folder
    itself, released when the process ends, however it ends)."""
    output_dir.mkdir(parents=True, exist_ok=True)
    handle = os.open(output_dir, os.O_RDONLY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputBusy(
                f"another build is writing {output_dir}; wait for it to finish, "
                "or build into another folder with --output"
            ) from None
        _held.append(handle)
        yield
    finally:
        if handle in _held:
            _held.remove(handle)
        os.close(handle)


_held: list[int] = []


def drop_inherited_lock() -> None:
    """In a forked worker: let go of the parent's lock, so that if the parent is killed the
    lock goes with it, not with the last worker to notice."""
    for handle in _held:
        os.close(handle)
    _held.clear()


def clear_leftovers(output_dir: Path) -> None:
    """Staging folders and half-written files of a build that was killed: never published,
    safe to delete (the caller holds the lock, so no build is using them)."""
    for folder in output_dir.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(folder, ignore_errors=True)
    for partial in [
        *output_dir.glob(f"{PARTIAL_PREFIX}*"),
        *output_dir.glob(f"*/{PARTIAL_PREFIX}*"),
        *output_dir.glob(f"*/*/{PARTIAL_PREFIX}*"),  # a translation's
    ]:
        partial.unlink(missing_ok=True)


def clean(output_dir: Path, keep: str = "README.md") -> None:
    """Remove everything built (output/ keeps its `keep`), holding the output folder's lock:
    while a build or an ingest writes there, it says so (OutputBusy) and deletes nothing."""
    if not output_dir.is_dir():
        return
    with exclusive(output_dir):
        for path in output_dir.iterdir():
            if path.name != keep:
                shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()


def staging_folder(output_dir: Path, doc_id: str) -> Path:
    """A private folder inside output/ (same file system, so publishing is a rename)."""
    return Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{doc_id}-", dir=output_dir))


def swap_in(new: Path, folder: Path) -> None:
    """Make `new` the folder at `folder` in one step; the previous contents end up at `new`
    (the caller deletes them). Linux exchanges the two atomically; where the file system
    cannot, the old folder is renamed away first (a crash in between leaves no manifest,
    never a wrong one)."""
    if not folder.exists():
        os.rename(new, folder)
        return
    if not _exchange(new, folder):
        parked = new.with_name(new.name + "-old")
        os.rename(folder, parked)
        os.rename(new, folder)
        os.rename(parked, new)


def _exchange(a: Path, b: Path) -> bool:
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_cwd = -100
    if renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def readable(folder: Path) -> None:
    """Published modes: 0644 files, 0755 folders (mkdtemp and mkstemp make them private)."""
    folder.chmod(FOLDER_MODE)
    for path in folder.rglob("*"):
        path.chmod(FOLDER_MODE if path.is_dir() else FILE_MODE)


def write_atomic(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """Write a whole file or nothing: a temporary file beside it, renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f"{PARTIAL_PREFIX}{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def sha256(path: Path) -> str:
    """The file's digest; an OSError for anything but a regular file (a named pipe put in
    a source's place is not waited on)."""
    digest = hashlib.sha256()
    with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC), "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise OSError(f"{path} is not a regular file")
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def files_under(folder: Path) -> dict[str, str]:
    """Every file under `folder`: relative path -> sha256."""
    return {
        path.relative_to(folder).as_posix(): sha256(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
