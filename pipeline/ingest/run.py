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

from pipeline import resources
from pipeline.builder.project import Project
from pipeline.ingest import guard, markdown, merge, place, proof, store, trust, units
from pipeline.ingest.comments import Comment, read_comments
from pipeline.ingest.edits import Edit, find_edits
from pipeline.ingest.locate import Located, locate
from pipeline.ingest.paragraphs import WordParagraph, read_bookmarks, read_paragraphs
from pipeline.ingest.reviewed import IngestError, Reviewed, open_reviewed
from pipeline.ingest.versions import VersionsError, read_versions
from pipeline.problems import SourceError
from pipeline.source import load
from pipeline.text import nodes

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
    vouched: str = ""
    """How the project knows the DOCX's base (trust.vouch); "" when it cannot vouch for it."""
    touches: dict[int, set[str]] = field(default_factory=dict)
    """id(edit) -> the disclaimers of the source today it changes (or borders, with a base
    nobody vouched for): it is applied only when each of them is approved."""
    refused: list[str] = field(default_factory=list)
    """Disclaimers the merge would still change without approval when every edit that does
    so on its own is held back: the merge is then left for a person, never written."""
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
        return bool(self.broken_rules) or self.changed_meanwhile or bool(self.refused)

    def state(self, edit: Edit) -> str:
        return self.status[id(edit)]

    def paragraph(self, index: int) -> WordParagraph:
        """The DOCX paragraph of that index."""
        if len(self._by_index) != len(self.paragraphs):
            self._by_index = {paragraph.index: paragraph for paragraph in self.paragraphs}
        return self._by_index[index]

    def disclaimers(self, edit: Edit) -> list[str]:
        """The disclaimers an edit changes (or borders: see `touches`)."""
        return sorted(self.touches.get(id(edit), set()))

    def unapproved(self, edit: Edit) -> list[str]:
        return [ident for ident in self.disclaimers(edit) if ident not in self.approved]

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
    _refuse_passages(reviewed, project.shown(source_path))
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
    vouched = trust.vouch(project, reviewed.doc_id, reviewed.base.data)
    _check_approvals(base if vouched else None, ours, approved)
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
        vouched=vouched,
    )
    _merge(findings)
    if findings.merged != ours:
        _guard_result(findings)
        findings.broken_rules = _broken_rules(project, findings)
    return findings


def _refuse_passages(reviewed: Reviewed, shown: str) -> None:
    """A source that includes shared passages (styles/passages/) is not ingested: its DOCX
    shows each passage's text, which is no paragraph of the source, so ingest could not tell
    a reviewer's edit of a passage from an edit of the document's own text, nor keep the
    passage's text out of the merge. Decided from the source the DOCX carries as pandoc
    reads it: every include, wherever it stands."""
    included = sorted(
        {
            ident
            for node in nodes(markdown.read_json(reviewed.base.text)["blocks"])
            if (ident := resources.included(node))
        }
    )
    if included:
        files = ", ".join(f"styles/passages/{ident}.md" for ident in included)
        raise IngestError(
            f"{reviewed.path.name} reviews {shown}, which includes the shared passage"
            f"{'s' * (len(included) != 1)} {', '.join(included)}: ingest cannot yet tell an "
            "edit of a passage from an edit of the document, so it merges nothing. Make the "
            f"document's edits in {shown} by hand, and edits of a passage's text in {files} "
            "(every document that includes it changes with it)"
        )


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


def _check_approvals(base: units.Source | None, ours: str, approved: Sequence[str]) -> None:
    """Each approved id names a disclaimer of the source today (or of a base the project
    vouched for)."""
    known = {box.id for box in guard.boxes(units.read(ours))}
    if base is not None:
        known |= {box.id for box in guard.boxes(base)}
    unknown = [ident for ident in approved if ident not in known]
    if unknown:
        raise IngestError(
            f"--approve-disclaimer {', '.join(unknown)}: no such disclaimer; "
            f"the disclaimers are {', '.join(sorted(known))}"
        )


def _merge(findings: Findings) -> None:
    """Each edit merged on its own first, to tell which conflict with the source as it is
    today and which change a disclaimer of it; then the merge of all those that may be
    applied."""
    ours = units.read(findings.ours)
    for edit in findings.edits:
        if edit.problem:
            findings.status[id(edit)] = NOT_PLACED
            continue
        hunks = _merged_with(findings, [edit])
        kinds = {h.kind for h in hunks} - {"unchanged", "ours"}
        findings.touches[id(edit)] = _touched(findings, ours, merge.merged_text(hunks))
        if kinds == {"same"}:
            state = ALREADY
        elif "conflict" in kinds:
            state = CONFLICT
            findings.source_now[id(edit)] = "".join(
                unit for h in hunks if h.kind == "conflict" for unit in h.ours
            )
        elif findings.unapproved(edit):
            state = HELD
        else:
            state = READY
        findings.status[id(edit)] = state
    _hold_moves_whole(findings)
    _merge_ready(findings)


def _touched(findings: Findings, ours: units.Source, alone: str) -> set[str]:
    """The disclaimers an edit changes: those its merge on its own (`alone`) changes, or
    borders, with a base nobody vouched for."""
    return guard.changed_boxes(ours, units.read(alone), borders=not findings.vouched)


def _hold_moves_whole(findings: Findings) -> None:
    """A tracked move is one change: when one of its ends is held back, so is the other
    (text moved out of a disclaimer is not left in two places, nor moved in and lost)."""
    held = True
    while held:
        held = False
        for edit in findings.edits:
            if findings.state(edit) != HELD:
                continue
            moved = guard.moves(edit.members, findings.paragraphs)
            for other in findings.edits:
                if findings.state(other) == READY and moved & guard.moves(
                    other.members, findings.paragraphs
                ):
                    findings.touches[id(other)] |= findings.touches[id(edit)]
                    findings.status[id(other)] = HELD
                    held = True


def _merge_ready(findings: Findings) -> None:
    """The merge of the edits that may be applied (`hunks`, `merged`), and of those and the
    held-back ones (`critic_hunks`, for the CriticMarkup)."""
    clean = [e for e in findings.edits if findings.state(e) in {READY, ALREADY}]
    held = [e for e in findings.edits if findings.state(e) == HELD]
    findings.hunks = _merged_with(findings, clean)
    findings.merged = merge.merged_text(findings.hunks)
    findings.critic_hunks = _merged_with(findings, clean + held)


def _merged_with(findings: Findings, edits: Sequence[Edit]) -> list[merge.Hunk]:
    """The three-way merge of the base with `edits` and the source today."""
    base = findings.base
    theirs = units.read(place.apply(base, edits)).unit_texts()
    return merge.merge(base.unit_texts(), theirs, units.read(findings.ours).unit_texts())


def merged_with(findings: Findings, edits: Sequence[Edit]) -> str:
    """The source today merged with `edits` (and no other edit)."""
    return merge.merged_text(_merged_with(findings, edits))


def _guard_result(findings: Findings) -> None:
    """The guard on the result: the merged source's disclaimers against today's, as written
    and as pandoc reads them. Each edit that changes one without approval on its own is held
    back; if the merge of the rest still would, it is refused whole."""
    ours = units.read(findings.ours)
    borders = not findings.vouched

    def unapproved(text: str) -> set[str]:
        changed = guard.changed_boxes(ours, units.read(text), borders)
        changed |= guard.read_differently(findings.ours, text)
        return changed - set(findings.approved)

    if not unapproved(findings.merged):
        return
    for edit in [e for e in findings.edits if findings.state(e) == READY]:
        touched = unapproved(merged_with(findings, [edit]))
        if touched:
            findings.touches[id(edit)] |= touched
            findings.status[id(edit)] = HELD
    _hold_moves_whole(findings)
    _merge_ready(findings)
    findings.refused = sorted(unapproved(findings.merged))


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
