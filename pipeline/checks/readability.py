"""How hard the plain-language text is to read, offline: Flesch-Kincaid grade and SMOG.

The check "readability" applies to every one-pager, PDF and HTML alike, whichever is built.
Two limits, both from the brand's `[readability]` table, both failures:
- every part (each section's plain summary, each disclaimer's plain wording) must not be
  above `onepager-max-grade` (default 8, the NIH ceiling): an average of many easy parts
  hides no hard one. A part is scored as written, once verification has found it in the
  file: where a layout breaks or hyphenates a line is not a reader's difficulty;
- the one-pager as a whole (everything a reader reads on the finished page, as
  pipeline.extract reads it: title, headings, labels, the plain text, the footer) must reach
  `plain-target-grade` or lower (default 6, the AMA's advice).
A failing part is named with its file:line and its hardest sentence. Both are judged on the
Flesch-Kincaid grade; SMOG is reported beside it. SMOG needs three sentences at least
(textstat scores shorter texts 0), so a short text has none.

`estimate` scores the same from the source alone, in a moment (`invoke check` warns with
it), with the title and headings standing in for the page around the plain text.

Each language is scored in its own measure, never in another's: English as above; Spanish
by two reading-ease scales (`EASE`: Fernández-Huerta and Szigriszt-Pazos on the INFLESZ
scale, higher is easier), each part and the whole page held to the floors of the brand's
`[readability.es]`; any other language has no validated measure here: it is reported as
such and passes the gate with that note.

textstat stays at 0.7.4: it counts syllables with pyphen's bundled dictionaries, where later
versions download a dictionary at run time. Its language is one setting for the whole
process (`textstat.set_lang`): every call here sets it first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.brand import Brand, BrandError
from pipeline.checks.finished import Finished, OutputCheck
from pipeline.model import Disclaimer, Document, PartKind, Section
from pipeline.text import paragraphs

CEILING, TARGET = "onepager-max-grade", "plain-target-grade"
DEFAULTS = {CEILING: 8.0, TARGET: 6.0}
SHOWN = 3
"""How many of the hardest sentences a failure of the whole quotes."""

# textstat's own idea of a sentence, so that the sentences quoted add up to its scores.
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")
_TERMINAL = re.compile(r"[.!?][\"'\u2019\u201d)]*$")
# A web address is read as one "word" of many syllables; it is a pointer, not prose.
_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+")
_PLAIN_FENCE = re.compile(r"^\s*:{3,}.*\bplain\b")


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
    where: str
    """file:line of its hardest sentence in the source (else of its plain block)."""

    @property
    def name(self) -> str:
        if self.kind == "section":
            return f'the plain summary of section "{self.id}"'
        return f'the plain wording of disclaimer "{self.id}"'

    @property
    def quoted(self) -> str:
        """Its hardest sentence, quoted with its grade."""
        return f'"{self.hardest.text}" (grade {self.hardest.grade:g})' if self.hardest else ""

    def as_json(self) -> dict[str, Any]:
        hardest = self.hardest and {"text": self.hardest.text, "fk": self.hardest.grade}
        return {
            "id": self.id,
            "kind": self.kind,
            "where": self.where,
            **self.score.as_json(),
            "hardest": hardest,
        }


@dataclass(frozen=True)
class Assessment:
    whole: Score
    """The one-pager as a whole."""
    parts: tuple[Part, ...]
    ceiling: float
    target: float

    @property
    def problems(self) -> list[str]:
        problems = [
            f"{part.where}: {part.name} reads at grade {part.score.fk:g} (Flesch-Kincaid), "
            f"above the ceiling of grade {self.ceiling:g} for any part ([readability] "
            f"{CEILING} in styles/brand.toml); its hardest sentence: {part.quoted}; shorten "
            "its sentences and words"
            for part in self.parts
            if part.score.fk > self.ceiling
        ]
        if self.whole.fk > self.target:
            problems.append(
                f"the one-pager reads at grade {self.whole.fk:g} (Flesch-Kincaid) as a whole; "
                f"it must reach grade {self.target:g} or lower ([readability] {TARGET} in "
                f"styles/brand.toml); {self._hardest()}"
            )
        return problems

    def _hardest(self) -> str:
        ranked = sorted(
            (part for part in self.parts if part.hardest),
            key=lambda part: -part.hardest.grade if part.hardest else 0,
        )[:SHOWN]
        quoted = "; ".join(
            f'{part.kind} "{part.id}" ({part.where}): {part.quoted}' for part in ranked
        )
        return f"shorten the sentences and words of the hardest plain texts: {quoted}"

    def summary(self) -> str:
        """One line for the build output."""
        line = f"reading level: one-pager {self.whole} (target {self.target:g})"
        hardest = max(self.parts, key=lambda part: part.score.fk, default=None)
        if hardest is not None:
            line += (
                f'; hardest part {hardest.kind} "{hardest.id}" FK grade {hardest.score.fk:g} '
                f"(ceiling {self.ceiling:g})"
            )
        return line

    def as_json(self) -> dict[str, Any]:
        return {
            "onepager": self.whole.as_json(),
            "ceiling": self.ceiling,
            "target": self.target,
            "passed": not self.problems,
            "parts": [part.as_json() for part in self.parts],
        }


def run(finished: Finished) -> OutputCheck:
    """The check "readability", on a finished one-pager."""
    reading = assess_any(finished.doc, finished.brand, finished.whole.units)
    return OutputCheck(
        problems=[f"readability: {problem}" for problem in reading.problems],
        notes=[reading.summary()],
        record={"readability": reading.as_json()},
    )


def measured(lang: str) -> str:
    """The measure a language is scored in: "en" (Flesch-Kincaid), one of EASE's languages,
    or "" (no validated measure)."""
    base = lang.split("-")[0].lower()
    return base if base == "en" or base in EASE else ""


def assess_any(
    doc: Document, brand: Brand, page: Sequence[str]
) -> Assessment | EaseAssessment | Unmeasured:
    """`assess` in the measure of the document's language."""
    language = measured(doc.lang)
    if language == "en":
        return assess(doc, brand, page)
    if language:
        return assess_ease(doc, brand, page, language)
    return Unmeasured(doc.lang)


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


def assess(doc: Document, brand: Brand, page: Sequence[str]) -> Assessment:
    """The document's plain parts, and the one-pager's text as a whole (`page`: what a
    reader reads on it, unit by unit), against the brand's limits."""
    found: dict[str, Section | Disclaimer] = {section.id: section for section in doc.sections}
    found |= {disclaimer.id: disclaimer for disclaimer in doc.disclaimers}
    parts = [
        _part(doc, ident, kind, paragraphs(blocks), found[ident])
        for ident, kind, blocks in doc.plain_parts
    ]
    limits = {**DEFAULTS, **brand.readability}
    return Assessment(
        whole=score(page),
        parts=tuple(parts),
        ceiling=float(limits[CEILING]),
        target=float(limits[TARGET]),
    )


def estimate(doc: Document, brand: Brand) -> Assessment | EaseAssessment | Unmeasured:
    """`assess` from the source alone: the page as the title, each section's heading and the
    plain text, without the masthead, labels and footer a built page adds."""
    page = [doc.title]
    for section in doc.sections:
        page += [section.title, *paragraphs(section.plain)]
        for disclaimer in section.disclaimers:
            page += paragraphs(disclaimer.plain)
    return assess_any(doc, brand, page)


def _part(
    doc: Document, ident: str, kind: PartKind, units: Iterable[str], part: Section | Disclaimer
) -> Part:
    units = list(units)
    graded = sentences(units)
    hardest = max(graded, key=lambda s: s.grade) if graded else None
    if part.passage:  # a shared passage's text: named by its own file
        return Part(ident, kind, score(units), hardest, doc.where(part))
    where = _source_line(doc, part.line, hardest.text if hardest else "")
    return Part(ident, kind, score(units), hardest, f"{doc.source_path}:{where}")


def _source_line(doc: Document, part_line: int, sentence: str) -> int:
    """The line of the source where `sentence` of a part's plain block starts: searched from
    the block's `::: plain` fence (the first after the part's own line); that fence, or the
    part's line, when it cannot be told."""
    lines = doc.source_text.split("\n")
    start = next(
        (i for i in range(part_line - 1, len(lines)) if _PLAIN_FENCE.match(lines[i])),
        part_line - 1,
    )
    words = re.findall(r"\w+", sentence)[:4]
    if words:
        rest = "\n".join(lines[start:])
        found = re.search(r"\b" + r"\W+".join(map(re.escape, words)), rest)
        if found:
            return start + 1 + rest.count("\n", 0, found.start())
    return start + 1


def _as_text(units: Iterable[str]) -> str:
    cleaned = (" ".join(_ADDRESS.sub("", unit).split()).rstrip(":;,") for unit in units)
    return " ".join(u if _TERMINAL.search(u) else f"{u}." for u in cleaned if u)


def _textstat(lang: str = "en") -> Any:
    """textstat, set to `lang` (its one setting for the whole process), imported when a text
    is first scored: it takes a sixth of a second, which only the worker that checks a
    one-pager should pay."""
    import textstat

    textstat.set_lang(lang)
    return textstat


# -- languages scored by reading ease (higher is easier) -----------------------------------


@dataclass(frozen=True)
class Ease:
    key: str
    """As brand.toml and the manifest name it: "fernandez-huerta"."""
    name: str
    function: str
    """textstat's function."""


EASE: dict[str, tuple[Ease, ...]] = {
    "es": (
        Ease("fernandez-huerta", "Fernández-Huerta", "fernandez_huerta"),
        Ease("szigriszt-pazos", "Szigriszt-Pazos (INFLESZ)", "szigriszt_pazos"),
    )
}
"""The validated reading-ease measures of each language textstat 0.7.4 scores."""


@dataclass(frozen=True)
class EasePart:
    id: str
    kind: PartKind
    scores: dict[str, float]
    hardest: tuple[str, float] | None
    """Its hardest sentence, with its score in the first measure."""
    where: str

    @property
    def name(self) -> str:
        return Part(self.id, self.kind, Score(0, None, 0, 0), None, self.where).name


@dataclass(frozen=True)
class EaseAssessment:
    lang: str
    measures: tuple[Ease, ...]
    whole: dict[str, float]
    parts: tuple[EasePart, ...]
    floors: dict[str, tuple[float, float]]
    """Measure key -> (every part at least, the page as a whole at least)."""

    @property
    def problems(self) -> list[str]:
        found = []
        for part in self.parts:
            for measure in self.measures:
                value, floor = part.scores[measure.key], self.floors[measure.key][0]
                if value < floor:
                    found.append(
                        f"{part.where}: {part.name} reads at {value:g} ({measure.name}), below "
                        f"{floor:g} for any part ([readability.{self.lang}] {measure.key} in "
                        f"styles/brand.toml; higher is easier); its hardest sentence: "
                        f"{_quote(part.hardest)}; shorten its sentences and words"
                    )
        for measure in self.measures:
            value, floor = self.whole[measure.key], self.floors[measure.key][1]
            if value < floor:
                found.append(
                    f"the one-pager reads at {value:g} ({measure.name}) as a whole; it must "
                    f"reach {floor:g} or more ([readability.{self.lang}] {measure.key} in "
                    "styles/brand.toml; higher is easier)"
                )
        return found

    def summary(self) -> str:
        shown = ", ".join(
            f"{m.name} {self.whole[m.key]:g} (at least {self.floors[m.key][1]:g})"
            for m in self.measures
        )
        return f"reading level: one-pager {shown}"

    def as_json(self) -> dict[str, Any]:
        return {
            "measure": self.lang,
            "onepager": self.whole,
            "floors": {key: list(pair) for key, pair in self.floors.items()},
            "passed": not self.problems,
            "summary": self.summary().removeprefix("reading level: one-pager "),
            "parts": [
                {"id": p.id, "kind": p.kind, "where": p.where, **p.scores} for p in self.parts
            ],
        }


@dataclass(frozen=True)
class Unmeasured:
    """A language no validated formula scores: said, never scored in another's measure."""

    lang: str
    problems: tuple[str, ...] = ()

    def summary(self) -> str:
        return (
            f"reading level: no validated measure for {self.lang} (an English formula means "
            "nothing in it): the gate passes on it; have a reader of the language judge the "
            "one-pager"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "measure": "none",
            "lang": self.lang,
            "passed": True,
            "summary": f"no validated measure for {self.lang}",
        }


def ease(text: str, lang: str, measure: Ease) -> float:
    return float(getattr(_textstat(lang), measure.function)(text))


def assess_ease(doc: Document, brand: Brand, page: Sequence[str], lang: str) -> EaseAssessment:
    measures = EASE[lang]
    limits = brand.readability.get(lang) or {}
    floors = {}
    for measure in measures:
        pair = limits.get(measure.key)
        if not (isinstance(pair, list) and len(pair) == 2):
            raise BrandError(
                f"styles/brand.toml: [readability.{lang}] {measure.key} must be two numbers, "
                "the floor for every part and for the page as a whole, e.g. [60, 70]"
            )
        floors[measure.key] = (float(pair[0]), float(pair[1]))
    lines = {section.id: section.line for section in doc.sections}
    lines |= {disclaimer.id: disclaimer.line for disclaimer in doc.disclaimers}
    parts = []
    for ident, kind, blocks in doc.plain_parts:
        text = _as_text(paragraphs(blocks))
        found = [m.group().strip() for m in _SENTENCE.finditer(text)]
        graded = [(s, ease(s, lang, measures[0])) for s in found if s]
        hardest = min(graded, key=lambda item: item[1]) if graded else None
        where = _source_line(doc, lines[ident], hardest[0] if hardest else "")
        scores = {m.key: ease(text, lang, m) if text else 0.0 for m in measures}
        parts.append(EasePart(ident, kind, scores, hardest, f"{doc.source_path}:{where}"))
    whole_text = _as_text(page)
    whole = {m.key: ease(whole_text, lang, m) if whole_text else 0.0 for m in measures}
    return EaseAssessment(lang, measures, whole, tuple(parts), floors)


def _quote(hardest: tuple[str, float] | None) -> str:
    return f'"{hardest[0]}" ({hardest[1]:g})' if hardest else ""
