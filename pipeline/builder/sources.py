"""Every version of a source the build published, kept by its content: build/sources/<id>/
<sha256>.md, beside output/ and never inside it (a web server serves output/).

A reviewed DOCX carries the source it was built from, and its sender controls that copy.
`invoke ingest` believes it only when it is, byte for byte, a version kept here (or one in the
project's git history): see pipeline/ingest/trust.py. The build keeps a version before it
publishes anything made from it, so every published DOCX's source is here."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.builder import files
from pipeline.builder.project import Project
from pipeline.model import Document


def folder(project: Project, doc_id: str) -> Path:
    return project.output_dir.parent / "build" / "sources" / doc_id


def keep(project: Project, doc: Document) -> None:
    """Keep the source `doc` was loaded from (once: the same bytes have the same name). A
    translation's versions are kept apart from its original's (build/sources/<id>.<lang>/):
    a version of the Spanish is never taken for a version of the English."""
    keep_version(project, doc.edition, doc.source_text.encode("utf-8"))


def keep_version(project: Project, doc_id: str, data: bytes) -> None:
    path = folder(project, doc_id) / f"{hashlib.sha256(data).hexdigest()}.md"
    if not (path.is_file() and path.read_bytes() == data):
        files.write_atomic(path, data)


def kept(project: Project, doc_id: str, data: bytes) -> Path | None:
    """The kept version of document `doc_id` that is exactly `data`, if there is one."""
    path = folder(project, doc_id) / f"{hashlib.sha256(data).hexdigest()}.md"
    try:
        return path if path.read_bytes() == data else None
    except OSError:
        return None
