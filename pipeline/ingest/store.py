"""Where what ingest writes lives, and how it is written. A review's files (review.md,
source.critic.md, source.patch, the backups source.before-N.md) hold reviewers' names,
comments and raw text, so they live outside the served output/, in
build/reviews/<id>/<name of the DOCX>/. They are written while holding the build's lock on
output/ (a build and an ingest never write at once: --apply changes a source a build may be
reading), each file whole or not at all."""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from pipeline.builder.files import OutputBusy, exclusive, write_atomic
from pipeline.builder.project import Project
from pipeline.ingest.package import IngestError

WAIT = 300
"""Seconds ingest waits for a build that holds output/ to finish."""
_UNSAFE = re.compile(r"[^\w.-]+")

__all__ = ["WAIT", "folder", "held", "keep_copy", "write_atomic"]


def folder(project: Project, doc_id: str, docx: Path) -> Path:
    """build/reviews/<id>/<the DOCX's name, made safe>/: never outside build/reviews/<id>,
    whatever the file is called ("...docx", a name with slashes or dots)."""
    name = _UNSAFE.sub("-", docx.stem).strip(".-")[:80] or "review"
    home = project.reviews_dir / doc_id
    chosen = home / name
    if not chosen.resolve().is_relative_to(home.resolve()):
        raise IngestError(f"{project.shown(chosen)} leads outside {project.shown(home)}")
    return chosen


@contextmanager
def held(project: Project) -> Iterator[None]:
    """The build's lock on output/, waited for (up to WAIT seconds) while a build holds it."""
    waited = 0.0
    with ExitStack() as stack:
        while True:
            try:
                stack.enter_context(exclusive(project.output_dir))
                break
            except OutputBusy:
                if waited >= WAIT:
                    raise IngestError(
                        f"a build has been writing {project.shown(project.output_dir)} for "
                        f"{WAIT} s; run ingest again when it is done"
                    ) from None
                time.sleep(0.2)
                waited += 0.2
        yield


def keep_copy(folder: Path, data: bytes) -> Path:
    """`data` as the next free `source.before-N.md` in `folder`, never replacing one: the
    same review is often applied twice (then again with a disclaimer approved), and the
    source before the first is the one a person may need back."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".source.before-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        number = 1
        while True:
            path = folder / f"source.before-{number}.md"
            try:
                os.link(temporary, path)  # whole, and only where no file is
                return path
            except FileExistsError:
                number += 1
    finally:
        Path(temporary).unlink(missing_ok=True)
