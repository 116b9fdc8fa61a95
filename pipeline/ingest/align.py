"""Which paragraph of one list is which of another: the source's paragraphs against the
reviewed DOCX's, by their text."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

Pair = tuple[int | None, int | None]
"""(left index, right index): both for the same paragraph (changed or not), one side only
for a paragraph only that side has."""

SIMILAR = 0.5
"""How alike (difflib's ratio over words) two paragraphs must be to count as one edited
paragraph rather than one deleted and another added."""


def similarity(left: str, right: str) -> float:
    return difflib.SequenceMatcher(None, left.split(), right.split(), autojunk=False).ratio()


def align(left: Sequence[str], right: Sequence[str]) -> list[Pair]:
    """Pairs in order, covering every index of both sides once. Equal paragraphs pair first
    (difflib's longest matching runs); between them, paragraphs pair by similarity."""
    pairs: list[Pair] = []
    matcher = difflib.SequenceMatcher(None, list(left), list(right), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs += [(i1 + k, j1 + k) for k in range(i2 - i1)]
        else:
            pairs += _pair_similar(left, right, range(i1, i2), range(j1, j2))
    return pairs


def _pair_similar(
    left: Sequence[str], right: Sequence[str], lefts: range, rights: range
) -> list[Pair]:
    """The order-keeping pairing of the most total similarity (a small dynamic programme:
    these runs are a few paragraphs long)."""
    n, m = len(lefts), len(rights)
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best = max(score[i + 1][j], score[i][j + 1])
            alike = similarity(left[lefts[i]], right[rights[j]])
            if alike >= SIMILAR or (n == m == 1):
                best = max(best, alike + score[i + 1][j + 1])
            score[i][j] = best
    pairs: list[Pair] = []
    i = j = 0
    while i < n and j < m:
        alike = similarity(left[lefts[i]], right[rights[j]])
        if (alike >= SIMILAR or n == m == 1) and score[i][j] == alike + score[i + 1][j + 1]:
            pairs.append((lefts[i], rights[j]))
            i, j = i + 1, j + 1
        elif score[i][j] == score[i + 1][j]:
            pairs.append((lefts[i], None))
            i += 1
        else:
            pairs.append((None, rights[j]))
            j += 1
    pairs += [(lefts[k], None) for k in range(i, n)]
    pairs += [(None, rights[k]) for k in range(j, m)]
    return pairs
