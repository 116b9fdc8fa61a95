"""Clinicians' edits back into the source: `invoke ingest PATH.docx [--apply]
[--approve-disclaimer ID ...]`.

It reads a reviewed DOCX (never a renderer): the source it was built from (carried inside
it), the text after the review, each tracked change and comment. It merges the reviewer's
edits with the source as it is today (a three-way merge) and writes, in
build/reviews/<id>/<docx name>/: review.md (for a person), source.critic.md (CriticMarkup)
and source.patch (what --apply writes). The modules, in the order they run:

    package     read the DOCX within bounds: sizes, parts, one safe XML parser
    reviewed    open the DOCX, check it is ours, take out the source it was built from
    units       cut a source into paragraphs, items, rows (and their text's spans)
    paragraphs  the DOCX's paragraphs, tracked changes and bookmarks (lxml)
    versions    each paragraph before and after the review (pandoc)
    comments    comments with their anchors and replies (lxml)
    locate      which DOCX paragraph is which source paragraph (align)
    edits       the reviewer's edits, in the source's own Markdown (inline, markdown)
    place       edits written into the source text
    proof       the edited source reads as the reviewer left it
    trust       whether the project vouches for the source the DOCX carries
    merge       three-way merge with the source today (merge3)
    guard       which disclaimers a merge would change (held back unless approved)
    report, critic, describe   review.md and source.critic.md
    store       where the review's files live, written under the build's lock
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.builder.project import Project
from pipeline.ingest import critic, report, run, store
from pipeline.ingest.reviewed import IngestError

__all__ = ["IngestError", "Outcome", "ingest"]


@dataclass
class Outcome:
    findings: run.Findings
    folder: Path
    lines: list[str] = field(default_factory=list)
    """The console's short summary."""

    @property
    def exit_code(self) -> int:
        """0: nothing left for a person; 1: something is (a conflict, a disclaimer edit
        waiting for approval, an edit that could not be placed, a merged source that breaks
        the source's rules)."""
        return 1 if self.findings.left_for_a_person or self.findings.blocked else 0

    @property
    def review(self) -> Path:
        return self.folder / "review.md"


def ingest(
    project: Project, docx: Path, apply: bool = False, approve: Sequence[str] = ()
) -> Outcome:
    """Ingest one reviewed DOCX. Raises IngestError for bad input (nothing is written);
    once the DOCX is read, the review folder is always written, whatever --apply finds."""
    findings = run.find(project, docx, approve)
    folder = store.folder(project, findings.reviewed.doc_id, docx)
    try:
        with store.held(project):
            if apply:
                run.apply(findings, folder)  # first, so that the report says what it did
            for name, text in (
                ("review.md", report.review_markdown(findings)),
                ("source.critic.md", critic.critic_markdown(findings)),
                ("source.patch", patch(findings)),
            ):
                store.write_atomic(folder / name, text.encode("utf-8"))
    except OSError as error:
        done = (
            f"; {findings.shown_source} was applied (the file before: "
            f"{project.shown(findings.backup)})"
            if findings.applied and findings.backup
            else ""
        )
        raise IngestError(
            f"cannot write the review to {project.shown(folder)} "
            f"({error.strerror or error}){done}; make room or give write access, then run "
            "ingest again"
        ) from None
    outcome = Outcome(findings, folder)
    outcome.lines = list(_summary(project, outcome))
    return outcome


def patch(findings: run.Findings) -> str:
    """A unified diff from the source today to the merged source (empty: no change)."""
    name = findings.shown_source
    lines = difflib.unified_diff(
        findings.ours.splitlines(keepends=True),
        findings.merged.splitlines(keepends=True),
        f"a/{name}",
        f"b/{name}",
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def _summary(project: Project, outcome: Outcome) -> list[str]:
    findings = outcome.findings
    lines = [f"{findings.reviewed.doc_id}: {report.summary(findings)}"]
    if not findings.vouched:
        lines.append(
            "  the source this DOCX carries is not a version this project published: "
            "every change in or next to a disclaimer is held back"
        )
    for edit in findings.left_for_a_person:
        state = findings.state(edit)
        where = f"{edit.section or 'title page'}"
        if state == run.HELD:
            lines += [
                f"  held back: disclaimer {ident} (approve with --approve-disclaimer {ident})"
                for ident in findings.unapproved(edit)
            ]
        elif state == run.CONFLICT:
            lines.append(f"  conflict in {where}: the source changed that paragraph too")
        else:
            lines.append(f"  not applied in {where}: {edit.problem}")
    if findings.broken_rules:
        lines.append(
            f"  not applied: with these edits {findings.shown_source} would break its rules:"
        )
        lines += [f"    {problem}" for problem in findings.broken_rules]
    if findings.refused:
        lines.append(
            f"  not applied: the merge would change disclaimer {', '.join(findings.refused)} "
            "without approval"
        )
    if findings.changed_meanwhile:
        lines.append(f"  not applied: {findings.shown_source} changed while ingesting; run again")
    if findings.applied:
        lines.append(
            f"applied to {findings.shown_source} "
            f"(the file before: {project.shown(findings.backup) if findings.backup else ''})"
        )
    lines.append(f"review: {project.shown(outcome.review)}")
    return list(dict.fromkeys(lines))
