"""Reading level, offline: known texts score where they should; the gate holds each plain
part to the ceiling and the one-pager as a whole to the target, PDF and HTML alike; a failure
names the part's file:line and its hardest sentence."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline import extract
from pipeline.brand import Brand, load_brand
from pipeline.checks import check_output, readability
from pipeline.formats import FORMATS
from pipeline.model import Document
from tests.conftest import ROOT, Built

BRAND = load_brand(ROOT / "styles")
SIMPLE = "The cat sat on the mat. The dog ran to me. We had fun in the sun."
HARD = (
    "Comprehensive interdisciplinary evaluation of degenerative intervertebral pathology "
    "necessitates meticulous consideration of individual physiological characteristics, "
    "radiological documentation, and contemporaneous therapeutic alternatives."
)


def with_limits(**limits: float) -> Brand:
    tokens = {**BRAND.tokens, "readability": limits}
    return dataclasses.replace(BRAND, tokens=tokens)


@pytest.mark.fast
def test_a_very_simple_text_scores_low() -> None:
    score = readability.score([SIMPLE])
    assert score.fk < 2
    assert score.sentences == 3 and score.words == 17
    assert score.smog is not None and score.smog < 5


@pytest.mark.fast
def test_long_words_in_a_long_sentence_score_high() -> None:
    score = readability.score([HARD])
    assert score.fk > 16
    assert score.smog is None, "SMOG means nothing below three sentences"
    smog = readability.score([HARD] * 3).smog
    assert smog is not None and smog > 12


@pytest.mark.fast
def test_headings_and_labels_are_sentences_of_their_own() -> None:
    """A unit without closing punctuation does not run on into the next one."""
    units = ["Why stem cells are being studied", "Stem cells may help the body."]
    assert readability.score(units).sentences == 2
    assert readability.score(units).fk < readability.score([" ".join(units)]).fk


@pytest.mark.fast
def test_a_web_address_is_not_read_as_a_word() -> None:
    with_address = readability.score(["Read the full article at https://www.example.org/x-y-z/"])
    assert with_address == readability.score(["Read the full article at"])


@pytest.mark.fast
def test_sentences_are_graded_one_by_one() -> None:
    graded = readability.sentences([SIMPLE, HARD])
    assert [s.text for s in graded][:3] == [
        "The cat sat on the mat.",
        "The dog ran to me.",
        "We had fun in the sun.",
    ]
    assert graded[-1].text == HARD
    assert max(graded, key=lambda s: s.grade).text == HARD


@pytest.fixture(scope="module")
def onepager_text(built: Built) -> tuple[str, ...]:
    """What a reader reads on the built one-pager page, unit by unit."""
    return extract.read(built.path("onepager_html"), everything=True).units


def test_the_built_one_pager_is_read_whole(onepager_text: tuple[str, ...]) -> None:
    # Its masthead and footer count: they are outside <main>.
    text = "\n".join(onepager_text)
    assert f"{BRAND.organisation['name']} {BRAND.organisation['department']}" in text
    assert "Read the full article" in text


def test_every_plain_text_is_scored_and_the_one_pager_as_built(
    article: Document, onepager_text: tuple[str, ...]
) -> None:
    # (That the article reads at the brand's grades, the build has asserted.)
    reading = readability.assess(article, BRAND, onepager_text)
    plain_words = sum(part.score.words for part in reading.parts)
    assert reading.whole.words > plain_words, "the one-pager adds title and headings"
    assert [part.id for part in reading.parts] == [
        ident for s in article.sections for ident in (s.id, *(d.id for d in s.disclaimers))
    ]
    shown = reading.as_json()
    assert shown["onepager"]["words"] == reading.whole.words
    assert (shown["ceiling"], shown["target"]) == (8.0, 6.0)


def test_both_one_pagers_are_gated_each_from_its_own_file(built: Built) -> None:
    checked = {
        kind: check_output(built.doc, BRAND, kind, built.path(kind))
        for kind in ("onepager_pdf", "onepager_html")
    }
    for kind, result in checked.items():
        [note] = result.notes
        assert note.startswith("reading level: one-pager FK grade"), kind
        whole = readability.score(extract.read(built.path(kind), everything=True).units)
        assert result.record["readability"]["onepager"] == whole.as_json(), kind
    full = [kind for kind in FORMATS if "readability" not in FORMATS[kind].checks]
    assert all(FORMATS[kind].scope == "full" for kind in full), "every one-pager is gated"


def test_missing_the_target_names_the_hardest_sentences(
    article: Document, onepager_text: tuple[str, ...]
) -> None:
    reading = readability.assess(article, with_limits(**{"plain-target-grade": 1.0}), onepager_text)
    [problem] = reading.problems
    assert "must reach grade 1 or lower" in problem
    hardest = max(
        (p for p in reading.parts if p.hardest), key=lambda p: p.hardest.grade if p.hardest else 0
    )
    assert hardest.hardest is not None
    assert f'{hardest.kind} "{hardest.id}" ({hardest.where}): "{hardest.hardest.text}"' in problem
    assert f"(grade {hardest.hardest.grade:g})" in problem
    assert problem.count("(grade ") == readability.SHOWN
    line = int(hardest.where.rsplit(":", 1)[1])
    source = article.source_text.split("\n")
    assert hardest.hardest.text.split()[0] in source[line - 1], "the line of the sentence"


def test_above_the_ceiling_fails_with_the_brand_setting_named(
    article: Document, onepager_text: tuple[str, ...]
) -> None:
    reading = readability.assess(article, with_limits(**{"onepager-max-grade": 1.0}), onepager_text)
    over = [part for part in reading.parts if part.score.fk > 1.0]
    named = [p for p in reading.problems if "above the ceiling of grade 1 for any part" in p]
    assert over and len(named) == len(over)
    for part, problem in zip(over, named, strict=True):
        assert problem.startswith(f"{part.where}: ") and "onepager-max-grade" in problem
        assert f'"{part.id}" reads at grade {part.score.fk:g}' in problem


@pytest.mark.fast
def test_the_limits_default_to_nih_and_ama_advice(article: Document) -> None:
    reading = readability.assess(article, with_limits(), page=["A short text."])
    assert (reading.ceiling, reading.target) == (8.0, 6.0)


@pytest.mark.fast
@pytest.mark.parametrize("text", ["", "   "])
def test_no_text_scores_zero(text: str) -> None:
    assert readability.score([text]) == readability.Score(0.0, None, 0, 0)
