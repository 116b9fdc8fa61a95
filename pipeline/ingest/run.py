"""One ingest, top to bottom: open the reviewed DOCX, read the review, find the edits, merge
them with the source as it is today, write the review folder, and with `apply`, the source.
"""

from __future__ import annotations

import difflib
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.builder.project import Project
from pipeline.ingest import markdown, merge, place, proof, store, units
from pipeline.ingest.comments import Comment, read_comments
from pipeline.ingest.edits import Edit, find_edits
from pipeline.ingest.locate import Located, locate
from pipeline.ingest.paragraphs import WordParagraph, read_bookmarks, read_paragraphs
from pipeline.ingest.reviewed import IngestError, Reviewed, open_reviewed
from pipeline.ingest.versions import VersionsError, read_versions
from pipeline.source import SourceError, load

# What became of an edit.
APPLIED, READY, CONFLICT, HELD, NOT_PLACED, ALREADY, BLOCKED = (
    "applied", "ready", "conflict", "held back", "not placed", "already in the source",
    "blocked",
)  # fmt: skip


@dataclass
class Findings:
    """Everything one ingest found, for the report and the CriticMarkup."""

    reviewed: Reviewed
    source_path: Path
    shown_source: str
    base: units.Source
    ours: str
    located: Located
    paragraphs: list[WordParagraph]
    edits: list[Edit]
    status: dict[int, str] = field(default_factory=dict)
    """id(edit) -> what became of it."""
    comments: list[Comment] = field(default_factory=list)
    hunks: list[merge.Hunk] = field(default_factory=list)
    """The merge of the edits that may be applied."""
    critic_hunks: list[merge.Hunk] = field(default_factory=list)
    """The merge of every placeable edit, held-back disclaimer edits too."""
    merged: str = ""
    source_now: dict[int, str] = field(default_factory=dict)
    """id(edit) -> for an edit in conflict, the source's lines there as they are now."""
    approved: tuple[str, ...] = ()
    broken_rules: list[str] = field(default_factory=list)
    """The rules of the source format the merged source breaks, as file:line messages at
    the lines of the source today: the merge is then left for a person, never written."""
    changed_meanwhile: bool = False
    """The source changed while this ingest read it (so --apply wrote nothing)."""
    applied: bool = False
    backup: Path | None = None
    _by_index: dict[int, WordParagraph] = field(default_factory=dict, repr=False)

    @property
    def blocked(self) -> bool:
        """The merged source may not be written: a person must look first."""
        return bool(self.broken_rules) or self.changed_meanwhile

    def state(self, edit: Edit) -> str:
        return self.status[id(edit)]

    def paragraph(self, index: int) -> WordParagraph:
        """The DOCX paragraph of that index."""
        if len(self._by_index) != len(self.paragraphs):
            self._by_index = {paragraph.index: paragraph for paragraph in self.paragraphs}
        return self._by_index[index]

    @property
    def left_for_a_person(self) -> list[Edit]:
        return [e for e in self.edits if self.state(e) in {CONFLICT, HELD, NOT_PLACED}]

    @property
    def source_moved_on(self) -> bool:
        return self.ours != self.base.text


def find(project: Project, docx: Path, approved: Sequence[str] = ()) -> Findings:
    """Read the review of `docx` and merge it with the source; writes nothing."""
    reviewed = open_reviewed(docx)
    source_path = project.source_dir / f"{reviewed.doc_id}.md"
    try:
        ours = source_path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise IngestError(
            f'{docx.name} reviews document "{reviewed.doc_id}", but '
            f"{project.shown(source_path)} does not exist"
        ) from None
    except UnicodeDecodeError:
        raise IngestError(f"{project.shown(source_path)} is not UTF-8 text") from None
    base = units.read(reviewed.base.text)
    opaque = base.opaque()
    texts = [base.text[unit.start : unit.end] for unit in opaque]
    for unit, shown in zip(opaque, markdown.shown(texts, base.definitions()), strict=True):
        base.show(unit, shown)
    document = reviewed.parts["word/document.xml"]
    paragraphs = read_paragraphs(
        document, reviewed.parts.get("word/styles.xml"), reviewed.parts.get("word/footnotes.xml")
    )
    try:
        versions = read_versions(reviewed.package)
    except VersionsError as error:
        raise IngestError(f"{docx.name}: {error}") from None
    inlines = markdown.parse([base.markdown(slot) for slot in base.slots], base.definitions())
    texts = _slot_texts(base, inlines)
    located = locate(base, texts, paragraphs, versions, read_bookmarks(document))
    _check_approvals(base, ours, approved)
    slot_inlines = [inlines[base.slots.index(slot)] for slot in located.slots]
    base_paragraphs = proof.read_paragraphs(base.text)
    unsure = proof.unsure_slots(located.slots, located.slot_texts, base_paragraphs)
    edits = find_edits(base, located, slot_inlines, unsure)
    expectation = proof.Expectation(base, located.slots, located.slot_texts, base_paragraphs)
    proof.prove(base, expectation, edits)
    comments = read_comments(
        document,
        reviewed.parts.get("word/comments.xml"),
        reviewed.parts.get("word/commentsExtended.xml"),
    )
    findings = Findings(
        reviewed,
        source_path,
        project.shown(source_path),
        base,
        ours,
        located,
        paragraphs,
        edits,
        comments=comments,
        approved=tuple(approved),
    )
    _merge(findings)
    if findings.merged != ours:
        findings.broken_rules = _broken_rules(project, findings)
    return findings


def _slot_texts(base: units.Source, inlines: list[markdown.Inlines]) -> list[str]:
    """What a reader sees of each slot: pandoc's reading of its Markdown; a title's or
    subtitle's value as YAML reads it."""
    meta = proof.metadata(base.text)
    return [
        markdown.plain(str(meta.get(slot.role, "")))
        if slot.kind == "meta"
        else slot.shown
        if slot.kind == "shown"
        else markdown.text_of(read)
        for slot, read in zip(base.slots, inlines, strict=True)
    ]


def _check_approvals(base: units.Source, ours: str, approved: Sequence[str]) -> None:
    known = {slot.disclaimer for slot in base.slots if slot.disclaimer}
    known |= {slot.disclaimer for slot in units.read(ours).slots if slot.disclaimer}
    unknown = [ident for ident in approved if ident not in known]
    if unknown:
        raise IngestError(
            f"--approve-disclaimer {', '.join(unknown)}: no such disclaimer; "
            f"the disclaimers are {', '.join(sorted(known))}"
        )


def _merge(findings: Findings) -> None:
    """Each edit merged on its own first, to tell which conflict with the source as it is
    today; then the merge of all those that may be applied."""
    base, edits = findings.base, findings.edits
    base_units, ours_units = base.unit_texts(), units.read(findings.ours).unit_texts()
    for edit in edits:
        if edit.problem:
            findings.status[id(edit)] = NOT_PLACED
            continue
        theirs = units.read(place.apply(base, [edit])).unit_texts()
        hunks = merge.merge(base_units, theirs, ours_units)
        kinds = {h.kind for h in hunks} - {"unchanged", "ours"}
        if kinds == {"same"}:
            state = ALREADY
        elif "conflict" in kinds:
            state = CONFLICT
            findings.source_now[id(edit)] = "".join(
                unit for h in hunks if h.kind == "conflict" for unit in h.ours
            )
        elif edit.guarded and edit.disclaimer not in findings.approved:
            state = HELD
        else:
            state = READY
        findings.status[id(edit)] = state
    clean = [e for e in edits if findings.state(e) in {READY, ALREADY}]
    held = [e for e in edits if findings.state(e) == HELD]
    theirs = units.read(place.apply(base, clean)).unit_texts()
    findings.hunks = merge.merge(base_units, theirs, ours_units)
    findings.merged = merge.merged_text(findings.hunks)
    shown = units.read(place.apply(base, clean + held)).unit_texts()
    findings.critic_hunks = merge.merge(base_units, shown, ours_units)


def edit_unit(base: units.Source, edit: Edit) -> int:
    """The base unit an edit changes, or follows (an added paragraph)."""
    assert edit.slot is not None
    return base.units.index(base.unit_of(edit.slot))


def apply(findings: Findings, folder: Path) -> None:
    """Write the merged source in place of the current one (atomically, with its
    permissions), keeping the current one in the review `folder`; not when it breaks a rule
    of the source format, nor when the source changed since it was read
    (`changed_meanwhile`). The caller holds the build's lock."""
    if findings.merged == findings.ours or findings.blocked:
        return
    current = findings.source_path.read_bytes()
    if current != findings.ours.encode("utf-8"):
        findings.changed_meanwhile = True
        return
    backup = store.keep_copy(folder, current)
    mode = findings.source_path.stat().st_mode & 0o777
    store.write_atomic(findings.source_path, findings.merged.encode("utf-8"), mode)
    findings.applied, findings.backup = True, backup


def _broken_rules(project: Project, findings: Findings) -> list[str]:
    """The merged source loaded (every rule of the source format) from a copy of the source
    folder (for its images); each problem at its line of the source today."""
    with tempfile.TemporaryDirectory(prefix="ingest-") as work:
        copy = Path(work) / "source"
        # Links are copied as links, never followed: a linked folder, a loop or a link
        # to nowhere is the loader's to judge, as in a build.
        shutil.copytree(project.source_dir, copy, symlinks=True)
        merged = copy / findings.source_path.name
        merged.write_text(findings.merged, encoding="utf-8")
        try:
            load(merged, Path(work))
        except SourceError as error:
            mine = f"source/{merged.name}"
            return [
                f"{findings.shown_source}:{_line_today(findings, p.line)}: {p.message}"
                if p.file == mine
                else str(p)
                for p in error.problems
            ]
    return []


def _line_today(findings: Findings, line: int) -> int:
    """The line of the source today where line `line` of the merged source stands (where
    the changed lines begin, for a line the merge changed)."""
    ours, merged = findings.ours.splitlines(), findings.merged.splitlines()
    matcher = difflib.SequenceMatcher(None, ours, merged, autojunk=False)
    for tag, i1, _i2, j1, j2 in matcher.get_opcodes():
        if j1 <= line - 1 < j2:
            return i1 + (line - 1 - j1 if tag == "equal" else 0) + 1
    return len(ours)
