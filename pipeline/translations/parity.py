"""Parity: a translation holds exactly its original's parts, in the same order. Each section
and disclaimer id of the original is in the translation, as the same kind of part, none is
added, and none is moved (each section's plain summary and each disclaimer's plain wording
are the loader's own rules, said with the original's line too). Each problem names the line
in the translation and the file and line in the original."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from pipeline.model import Document, PartKind, Section


@dataclass(frozen=True)
class Part:
    id: str
    kind: PartKind
    line: int

    @property
    def name(self) -> str:
        return f'{self.kind} "{self.id}"'


def parts(sections: Sequence[Section]) -> list[Part]:
    """Every section and disclaimer, in source order."""
    found = []
    for section in sections:
        found.append(Part(section.id, "section", section.line))
        found += [Part(d.id, "disclaimer", d.line) for d in section.disclaimers]
    return found


def problems(sections: Sequence[Section], original: Document) -> list[tuple[int, str]]:
    """(line in the translation, message) for each part added, missing, moved or of another
    kind than in `original`."""
    mine, theirs = parts(sections), parts(original.sections)
    at = original.source_path
    here = {part.id: part for part in mine}
    there = {part.id: part for part in theirs}
    found: list[tuple[int, str]] = []
    for part in mine:
        other = there.get(part.id)
        if other is None:
            found.append(
                (
                    part.line,
                    f"{part.name} is not in the original {at}: a translation has exactly the "
                    "original's sections and disclaimers, with the same ids; delete it, or give "
                    "it the id of the part it translates",
                )
            )
        elif other.kind != part.kind:
            found.append(
                (
                    part.line,
                    f'"{part.id}" is a {part.kind} here but a {other.kind} in the original '
                    f"({at}:{other.line}); translate each part as what it is",
                )
            )
    for index, part in enumerate(theirs):
        if part.id in here:
            continue
        before = next((p for p in reversed(theirs[:index]) if p.id in here), None)
        line = here[before.id].line if before else (mine[0].line if mine else 1)
        where = f"after {before.name}" if before else "first"
        found.append(
            (
                line,
                f"{part.name} of the original ({at}:{part.line}) is missing here; translate it "
                f"and put it where the original has it, {where}",
            )
        )
    shared_theirs = [p.id for p in theirs if p.id in here]
    shared_mine = [p.id for p in mine if p.id in there]
    matcher = SequenceMatcher(None, shared_theirs, shared_mine, autojunk=False)
    in_order = {
        ident
        for block in matcher.get_matching_blocks()
        for ident in shared_theirs[block.a : block.a + block.size]
    }
    for ident in shared_mine:
        if ident in in_order:
            continue
        part, other = here[ident], there[ident]
        index = shared_theirs.index(ident)
        before = there[shared_theirs[index - 1]] if index else None
        follows = (
            f"after {before.name} (line {before.line} there, {here[before.id].line} here)"
            if before
            else "first"
        )
        found.append(
            (
                part.line,
                f"{part.name} is out of order: the original ({at}:{other.line}) has it "
                f"{follows}; put the parts in the original's order",
            )
        )
    return found
