"""Whether the project can vouch for the source a reviewed DOCX carries.

The DOCX's copy of its source (its base) is whatever its sender left there: its sha256 is a
checksum, not a signature. Ingest believes the base only when the project itself holds the
same bytes: a version the build published (pipeline/builder/sources.py), or, where the
project lives in git, a version of `source/<id>.md` committed in the history of HEAD. A base
the project cannot vouch for is still read, but ingest then treats every change in or next
to a disclaimer as a change to approved wording (pipeline/ingest/guard.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline import tools
from pipeline.builder import sources
from pipeline.builder.project import Project

GIT_SECONDS = 20


def vouch(project: Project, doc_id: str, data: bytes) -> str:
    """How the project knows `data` as a version of document `doc_id`, in words ("" when it
    does not)."""
    kept = sources.kept(project, doc_id, data)
    if kept is not None:
        return f"a version the build published (kept as {project.shown(kept)})"
    commit = committed(project.source_dir / f"{doc_id}.md", data)
    if commit:
        return f"a version committed to git (commit {commit[:12]})"
    return ""


def committed(path: Path, data: bytes) -> str:
    """The newest commit in the history of HEAD whose `path` is exactly `data`, or ""
    (also when there is no git, or the project is not in a repository)."""
    if not path.parent.is_dir():
        return ""
    blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    try:
        found = tools.run(
            "git",
            # Each commit that changed the file, with the file's object id after it.
            ["log", "--format=%H", "--raw", "--no-abbrev", "HEAD", "--", path.name],
            cwd=path.parent,
            timeout=GIT_SECONDS,
        )
    except tools.ToolError:  # no git, not a repository, or too slow
        return ""
    commit = ""
    for line in found.decode("utf-8", "replace").splitlines():
        if line.startswith(":"):
            fields = line.split("\t")[0].split()
            if len(fields) >= 4 and fields[3] == blob and commit:
                return commit
        elif line.strip():
            commit = line.strip()
    return ""
