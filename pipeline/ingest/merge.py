"""The three-way merge of a source, paragraph by paragraph: the base (the source the DOCX was
built from), theirs (the base with the reviewer's edits) and ours (the source today).

merge3 (the classic algorithm, as in bzr and Breezy) finds the stretches all three share.
Between them, a stretch changed on one side only takes that side. Where both sides changed
something, the stretch is looked at paragraph by paragraph: changes to different paragraphs
both apply, and only a paragraph changed on both sides (or a place both added to) is a
conflict, where the source keeps its own version."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import merge3


@dataclass(frozen=True)
class Hunk:
    kind: str
    """ "unchanged", "ours" (changed in the source only), "theirs" (by the reviewer only),
    "same" (both made the same change) or "conflict"."""
    start: int
    end: int
    """The base's units it covers."""
    base: tuple[str, ...]
    theirs: tuple[str, ...]
    ours: tuple[str, ...]

    @property
    def merged(self) -> tuple[str, ...]:
        """What the merged source has here: the source's own version in a conflict."""
        return self.theirs if self.kind in {"theirs", "same"} else self.ours


class _Matcher(difflib.SequenceMatcher[str]):
    """difflib's matcher without its "popular element" heuristic: blank lines are frequent
    units, and must not be ignored."""

    def __init__(
        self,
        isjunk: Callable[[str], bool] | None = None,
        a: Sequence[str] = (),
        b: Sequence[str] = (),
        autojunk: bool = False,
    ):
        super().__init__(isjunk, a, b, autojunk=False)


def merge(base: Sequence[str], theirs: Sequence[str], ours: Sequence[str]) -> list[Hunk]:
    # merge3 types its matcher protocol with str defaults for a and b; ours takes units.
    merger = merge3.Merge3(list(base), list(theirs), list(ours), sequence_matcher=_Matcher)  # type: ignore[arg-type]
    hunks: list[Hunk] = []
    z = a = b = 0
    for z1, z2, a1, a2, b1, b2 in merger.find_sync_regions():
        if (z, a, b) != (z1, a1, b1):
            hunks += _between(base, theirs, ours, (z, z1), (a, a1), (b, b1))
        if z1 < z2:
            hunks.append(Hunk("unchanged", z1, z2, *(tuple(base[z1:z2]),) * 3))
        z, a, b = z2, a2, b2
    return hunks


def merged_text(hunks: Sequence[Hunk]) -> str:
    return "".join(unit for hunk in hunks for unit in hunk.merged)


def _between(
    base: Sequence[str],
    theirs: Sequence[str],
    ours: Sequence[str],
    zs: tuple[int, int],
    as_: tuple[int, int],
    bs: tuple[int, int],
) -> list[Hunk]:
    old = tuple(base[zs[0] : zs[1]])
    mine, yours = tuple(ours[bs[0] : bs[1]]), tuple(theirs[as_[0] : as_[1]])
    if yours == old and mine == old:
        return [Hunk("unchanged", *zs, old, old, old)]
    if yours == old:
        return [Hunk("ours", *zs, old, yours, mine)]
    if mine == old:
        return [Hunk("theirs", *zs, old, yours, mine)]
    if yours == mine:
        return [Hunk("same", *zs, old, yours, mine)]
    return _paragraph_by_paragraph(old, yours, mine, zs[0])


@dataclass(frozen=True)
class _Change:
    start: int
    end: int
    units: tuple[str, ...]
    side: str


def _changes(old: tuple[str, ...], new: tuple[str, ...], side: str) -> list[_Change]:
    """One side's changes; a run of paragraphs each replaced by one is one change each, so
    that an edit of the next paragraph on the other side does not touch it."""
    changes = []
    for tag, i1, i2, j1, j2 in _Matcher(None, old, new).get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            changes += [
                _Change(i1 + k, i1 + k + 1, new[j1 + k : j1 + k + 1], side) for k in range(i2 - i1)
            ]
        elif tag != "equal":
            changes.append(_Change(i1, i2, new[j1:j2], side))
    return changes


def _overlap(one: _Change, other: _Change) -> bool:
    if one.start == one.end == other.start == other.end:
        return True  # both add at the same place: which goes first is a person's call
    return one.start < other.end and other.start < one.end


def _paragraph_by_paragraph(
    old: tuple[str, ...], theirs: tuple[str, ...], ours: tuple[str, ...], offset: int
) -> list[Hunk]:
    changes = sorted(
        _changes(old, theirs, "theirs") + _changes(old, ours, "ours"),
        key=lambda change: (change.start, change.end),
    )
    clusters: list[list[_Change]] = []
    for change in changes:
        if clusters and any(_overlap(change, other) for other in clusters[-1]):
            clusters[-1].append(change)
        else:
            clusters.append([change])
    hunks: list[Hunk] = []
    position = 0
    for cluster in clusters:
        start = min(c.start for c in cluster)
        end = max(c.end for c in cluster)
        if position < start:
            same = old[position:start]
            hunks.append(Hunk("unchanged", offset + position, offset + start, same, same, same))
        base = old[start:end]
        mine = _applied(base, start, [c for c in cluster if c.side == "ours"])
        yours = _applied(base, start, [c for c in cluster if c.side == "theirs"])
        sides = {c.side for c in cluster}
        kind = "same" if mine == yours else sides.pop() if len(sides) == 1 else "conflict"
        hunks.append(Hunk(kind, offset + start, offset + end, base, yours, mine))
        position = end
    if position < len(old):
        rest = old[position:]
        hunks.append(Hunk("unchanged", offset + position, offset + len(old), rest, rest, rest))
    return hunks


def _applied(base: tuple[str, ...], start: int, changes: list[_Change]) -> tuple[str, ...]:
    out: list[str] = []
    position = start
    for change in changes:
        out += base[position - start : change.start - start]
        out += change.units
        position = change.end
    out += base[position - start :]
    return tuple(out)
