"""How hard the plain-language text is to read, offline: Flesch-Kincaid grade and SMOG.

Two limits, both from the brand's `[readability]` table, both failures:
- the one-pager (everything a reader reads on the built onepager.html, as pipeline.extract
  reads it: title, headings, labels, the plain text, the footer) must not be above
  `onepager-max-grade` (default 8, the NIH ceiling). The printed one-pager has the same
  text; its footer gives the article's web address where the page links its title;
- the article's plain text (every plain summary and plain disclaimer wording together) must
  reach `plain-target-grade` or lower (default 6, the AMA's advice). The issue says "must
  reach", so missing it fails the build too, with the same kind of message.
Both are judged on the Flesch-Kincaid grade; SMOG is reported beside it. SMOG needs three
sentences at least (textstat scores shorter texts 0), so a short summary has none.

textstat stays at 0.7.4: it counts syllables with pyphen's bundled dictionaries, where later
versions download a dictionary at run time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.brand import Brand
from pipeline.model import Document, PartKind
from pipeline.text import paragraphs

SCORED = "onepager_html"
"""The output whose text is scored (once per document): the built one-pager page."""
CEILING, TARGET = "onepager-max-grade", "plain-target-grade"
DEFAULTS = {CEILING: 8.0, TARGET: 6.0}
SHOWN = 3
"""How many of the hardest sentences a failure quotes."""

# textstat's own idea of a sentence, so that the sentences quoted add up to its scores.
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")
_TERMINAL = re.compile(r"[.!?][\"'\u2019\u201d)]*$")
# A web address is read as one "word" of many syllables; it is a pointer, not prose.
_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+")


@dataclass(frozen=True)
class Score:
    fk: float
    """Flesch-Kincaid grade level."""
    smog: float | None
    """SMOG grade; None below three sentences, where SMOG means nothing."""
    sentences: int
    words: int

    def as_json(self) -> dict[str, Any]:
        return {"fk": self.fk, "smog": self.smog, "sentences": self.sentences, "words": self.words}

    def __str__(self) -> str:
        smog = "n/a" if self.smog is None else f"{self.smog:g}"
        return f"FK grade {self.fk:g}, SMOG {smog}"


@dataclass(frozen=True)
class Sentence:
    text: str
    grade: float
    """Its own Flesch-Kincaid grade."""


@dataclass(frozen=True)
class Part:
    """One plain summary or plain disclaimer wording, scored."""

    id: str
    kind: PartKind
    score: Score
    hardest: Sentence | None

    def as_json(self) -> dict[str, Any]:
        hardest = self.hardest and {"text": self.hardest.text, "fk": self.hardest.grade}
        return {"id": self.id, "kind": self.kind, **self.score.as_json(), "hardest": hardest}


@dataclass(frozen=True)
class Assessment:
    onepager: Score
    plain: Score
    ceiling: float
    target: float
    parts: tuple[Part, ...]

    @property
    def problems(self) -> list[str]:
        problems = []
        if self.onepager.fk > self.ceiling:
            problems.append(
                f"the one-pager reads at grade {self.onepager.fk:g} (Flesch-Kincaid), above "
                f"the ceiling of grade {self.ceiling:g} ([readability] {CEILING} in "
                f"styles/brand.toml); {self._hardest()}"
            )
        if self.plain.fk > self.target:
            problems.append(
                f"the plain text reads at grade {self.plain.fk:g} (Flesch-Kincaid); it must "
                f"reach grade {self.target:g} or lower ([readability] {TARGET}); "
                f"{self._hardest()}"
            )
        return problems

    def _hardest(self) -> str:
        ranked = sorted(
            (part for part in self.parts if part.hardest),
            key=lambda part: -part.hardest.grade if part.hardest else 0,
        )[:SHOWN]
        quoted = "; ".join(
            f'{part.kind} "{part.id}": "{part.hardest.text}" (grade {part.hardest.grade:g})'
            for part in ranked
            if part.hardest
        )
        return f"shorten the sentences and words of the hardest plain texts: {quoted}"

    def summary(self) -> str:
        """One line for the build output."""
        return (
            f"reading level: one-pager {self.onepager} (ceiling {self.ceiling:g}); "
            f"plain text {self.plain} (target {self.target:g})"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "onepager": self.onepager.as_json(),
            "plain": self.plain.as_json(),
            "ceiling": self.ceiling,
            "target": self.target,
            "passed": not self.problems,
            "parts": [part.as_json() for part in self.parts],
        }


def score(units: Iterable[str]) -> Score:
    """The scores of a text given as units a reader takes one at a time (headings, paragraphs,
    labels). A unit without closing punctuation is a sentence of its own, not the start of
    the next one."""
    text = _as_text(units)
    if not text:
        return Score(0.0, None, 0, 0)
    textstat = _textstat()
    sentences = textstat.sentence_count(text)
    smog = float(textstat.smog_index(text)) if sentences >= 3 else None
    return Score(
        float(textstat.flesch_kincaid_grade(text)), smog, sentences, textstat.lexicon_count(text)
    )


def sentences(units: Iterable[str]) -> list[Sentence]:
    """Each sentence with its own grade, in order."""
    found = (match.group().strip() for match in _SENTENCE.finditer(_as_text(units)))
    grade = _textstat().flesch_kincaid_grade
    return [Sentence(s, float(grade(s))) for s in found if s]


def assess(doc: Document, brand: Brand, onepager_text: Sequence[str]) -> Assessment:
    """The document's plain text and its one-pager (`onepager_text`: what a reader reads on
    the built one-pager, unit by unit) against the brand's limits."""
    parts = [_part(ident, kind, paragraphs(blocks)) for ident, kind, blocks in doc.plain_parts]
    plain = [text for _, _, blocks in doc.plain_parts for text in paragraphs(blocks)]
    limits = {**DEFAULTS, **brand.readability}
    return Assessment(
        onepager=score(onepager_text),
        plain=score(plain),
        ceiling=float(limits[CEILING]),
        target=float(limits[TARGET]),
        parts=tuple(parts),
    )


def _part(ident: str, kind: PartKind, units: Iterable[str]) -> Part:
    units = list(units)
    graded = sentences(units)
    hardest = max(graded, key=lambda s: s.grade) if graded else None
    return Part(ident, kind, score(units), hardest)


def _as_text(units: Iterable[str]) -> str:
    cleaned = (" ".join(_ADDRESS.sub("", unit).split()).rstrip(":;,") for unit in units)
    return " ".join(u if _TERMINAL.search(u) else f"{u}." for u in cleaned if u)


def _textstat() -> Any:
    """textstat, imported when a text is first scored: it takes a sixth of a second, which
    only the worker that checks a one-pager should pay."""
    import textstat

    return textstat
