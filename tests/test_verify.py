"""Verification catches what a renderer drops: mutate a finished file, verify again.

Each format's own tests add the same mutations for its files; these cover the HTML page, the
matcher and the normalisation rules themselves."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from pipeline.builder import Options, build, verify_published
from pipeline.checks import check_output
from pipeline.checks.verify import Haystack, check, expected, normalise
from pipeline.extract import Hidden
from pipeline.model import Document, Scope
from tests.conftest import Built
from tests.leaflet import BRAND, leaflet, render, section, table
from tests.test_build import make_project, manifest_of
from tests.test_source import GOOD


def edit_page(built: Built, change: Callable[[lxml_html.HtmlElement], None]) -> None:
    path = built.path("html")
    tree = lxml_html.parse(str(path))
    change(tree.getroot())
    path.write_bytes(lxml_html.tostring(tree, doctype="<!DOCTYPE html>", encoding="utf-8"))


def gaps_for(gaps: list[dict[str, str]], output: str) -> list[tuple[str, str, str]]:
    return [(g["id"], g["part"], g["problem"]) for g in gaps if g["output"] == output]


def test_a_disclaimer_sentence_removed_from_the_page_is_named(mutable: Built) -> None:
    sentence = "Some treatments may be considered experimental or investigational"

    def remove(root: lxml_html.HtmlElement) -> None:
        (paragraph,) = root.xpath(f'//main//p[contains(., "{sentence}")]')
        for node in paragraph.iter():
            node.text = node.text and re.sub(sentence + r"[^.]*\.", "", node.text)
            node.tail = node.tail and re.sub(sentence + r"[^.]*\.", "", node.tail)

    edit_page(mutable, remove)
    assert gaps_for(mutable.verify(), "html") == [("regulatory-status", "wording", "missing")]
    assert mutable.manifest["verification"]["passed"] is False


def test_a_dropped_paragraph_is_named(mutable: Built) -> None:
    def drop(root: lxml_html.HtmlElement) -> None:
        (paragraph,) = root.xpath('//main//p[starts-with(., "The symptoms of DDD can vary")]')
        paragraph.drop_tree()

    edit_page(mutable, drop)
    assert gaps_for(mutable.verify(), "html") == [("symptoms", "body", "missing")]


def test_two_swapped_sections_are_named(mutable: Built) -> None:
    def swap(root: lxml_html.HtmlElement) -> None:
        first = root.xpath('//main//section[.//h2[@id="spine"]]')[0]
        second = root.xpath('//main//section[.//h2[@id="symptoms"]]')[0]
        first.addprevious(second)  # symptoms now comes before spine

    edit_page(mutable, swap)
    found = gaps_for(mutable.verify(), "html")
    assert found and {problem for _, _, problem in found} == {"out of order"}
    assert {ident for ident, _, _ in found} <= {"spine", "what-is-ddd", "symptoms"}


@pytest.mark.fast
def test_normalising_forgives_only_what_formats_change() -> None:
    source = "The \u201cparacrine\u201d effects \u2014 case-by-case \ufb01ndings."
    rendered = 'THE "paracrine" effects \u2014 case-by-\ncase \ufb01nd\u00adings.'
    assert normalise(source) == normalise(rendered)
    assert normalise("disc health") != normalise("disc heath")


@pytest.mark.fast
def test_check_reports_missing_and_out_of_order(article: Document) -> None:
    first, second = article.sections[0].title, article.sections[1].title
    gaps = check(article, "html", "full", f"{second} {first}")
    problems = {(gap.id, gap.part): gap.problem for gap in gaps}
    assert problems[(article.sections[0].id, "heading")] == "out of order"
    assert problems[(article.sections[2].id, "heading")] == "missing"


# -- the matcher ---------------------------------------------------------------------------------


def expected_text(doc: Document, scope: Scope = "full") -> str:
    return "\n".join(item.text for item in expected(doc, scope))


@pytest.mark.fast
@pytest.mark.parametrize("scope", ["full", "plain"])
def test_the_expected_text_checked_against_itself_passes(article: Document, scope: Scope) -> None:
    assert check(article, "self", scope, expected_text(article, scope)) == []


def test_a_short_unit_found_60_times_before_its_place_is_in_order(tmp_path: Path) -> None:
    # Every "No" cell occurs as often as there are rows before it: none is out of order.
    rows = [[f"Question {n}", "No"] for n in range(70)]
    body = table(rows, ["Question", "Answer"]) + "\nNo\n"
    doc = leaflet(tmp_path, section("answers", body))
    assert check(doc, "self", "full", expected_text(doc)) == []
    assert check_output(doc, BRAND, "html", render(doc, "html", tmp_path)).gaps == []


@pytest.mark.parametrize("kind", ["html", "accessible_pdf"])
def test_a_200_row_table_verifies(tmp_path: Path, kind: str) -> None:
    # (How long it takes is measured by `invoke bench`.)
    rows = [[f"Row {n}", f"{n % 7 + 1} mg", "Yes" if n % 3 else "No"] for n in range(200)]
    doc = leaflet(tmp_path, section("doses", table(rows, ["Row", "Dose", "Taken"])))
    assert check(doc, "self", "full", expected_text(doc)) == []
    assert check_output(doc, BRAND, kind, render(doc, kind, tmp_path)).gaps == []


TABLES = {
    "a unique first column": [[f"Week {n}", "No"] for n in range(2000)],
    "no unique cell": [["Yes", "No"]] * 2000,
}


@dataclass(frozen=True)
class LongTable:
    """A 2,000-row table (a "No" in every row) and the page that shows it."""

    doc: Document
    page: Path
    rows: list[list[str]]

    def gaps_once(
        self, change: Callable[[list[Any]], object], folder: Path
    ) -> list[tuple[str, ...]]:
        """The gaps verification finds in the page once `change` has moved its rows."""
        tree = lxml_html.parse(str(self.page))
        change(tree.getroot().xpath("//main//tbody/tr"))
        edited = folder / "index.html"
        edited.write_bytes(lxml_html.tostring(tree, doctype="<!DOCTYPE html>", encoding="utf-8"))
        gaps = check_output(self.doc, BRAND, "html", edited).gaps
        return [(g.id, g.part, g.problem, g.text) for g in gaps]


@pytest.fixture(scope="module", params=list(TABLES))
def long_table(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> LongTable:
    folder = tmp_path_factory.mktemp("table")
    rows = TABLES[request.param]
    doc = leaflet(folder, section("answers", table(rows, ["Week", "Any pain?"])))
    return LongTable(doc, render(doc, "html", folder), rows)


def test_a_row_missing_from_a_2000_row_table_is_named_alone(
    long_table: LongTable, tmp_path: Path
) -> None:
    # Its "No" is missing, not out of order: each other "No" on the page is another row's.
    # (How long it takes is measured by `invoke bench`.)
    gaps = long_table.gaps_once(lambda rows: rows[1000].drop_tree(), tmp_path)
    assert gaps == [("answers", "body", "missing", cell) for cell in long_table.rows[1000]]


def test_a_row_moved_in_a_2000_row_table_is_named_out_of_order(
    long_table: LongTable, tmp_path: Path
) -> None:
    gaps = long_table.gaps_once(lambda rows: rows[1500].addnext(rows[1000]), tmp_path)
    if long_table.rows[1000] == long_table.rows[1500]:
        assert gaps == []  # a row like every other: the page reads the same
    else:
        moved = [("answers", "body", "out of order", cell) for cell in long_table.rows[1000]]
        assert gaps == moved


@pytest.mark.fast
def test_a_word_is_found_only_whole() -> None:
    haystack = Haystack("Note the notes.\nNot now: NO-\nnonsense, No.")
    assert len(haystack.occurrences("no")) == 2  # "NO-" and "No.", nothing inside a word
    # A hyphen at a line end may be hyphenation or a real hyphen: both readings are found.
    assert haystack.occurrences("nonsense") and haystack.occurrences("nononsense")
    assert haystack.occurrences("otes") == [] and haystack.occurrences("notes.notnow")


@pytest.mark.fast
def test_the_order_that_keeps_the_most_text_wins(article: Document) -> None:
    # A short heading moved to the end is out of order; the long text it jumped over is not.
    first = article.sections[0]
    found = expected_text(article).replace(first.title, "", 1) + "\n" + first.title
    gaps = check(article, "html", "full", found)
    assert [(g.id, g.part, g.problem) for g in gaps] == [(first.id, "heading", "out of order")]


@pytest.mark.fast
def test_text_a_reader_cannot_see_is_a_named_gap(article: Document) -> None:
    disclaimer = next(iter(article.disclaimers))
    [wording, *_] = [item.text for item in expected(article, "full") if item.id == disclaimer.id]
    found = expected_text(article).replace(wording, "")
    hidden = [
        Hidden(wording, "hidden by CSS (display: none)", "div#x"),
        Hidden("\ue000", "drawn as a missing-glyph box", "page 1"),
    ]
    gaps = check(article, "html", "full", found, hidden)
    assert [(g.id, g.problem, g.text[:20], g.why) for g in gaps] == [
        (disclaimer.id, "not visible", wording[:20], "hidden by CSS (display: none), div#x"),
        (article.id, "not visible", "\ue000", "drawn as a missing-glyph box, page 1"),
    ]
    assert str(gaps[1]).endswith('not visible: "\ue000" (drawn as a missing-glyph box, page 1)')


@pytest.mark.fast
def test_vowel_signs_and_marks_are_compared_like_letters() -> None:
    """The PDFs say what each run of complex text reads (logical_text.py), so a vowel sign,
    a virama or a mark that a format loses is a difference; so are Latin accents."""
    assert normalise("सेवाएं उपलब्ध हैं") != normalise("सेवाएं उपलिब्ध हैं")
    assert normalise("উপলব্ধ") != normalise("উপলবধ")
    assert normalise("مجانًا") != normalise("مجانا")
    assert normalise("café") != normalise("cafe")


# -- verifying what is published ------------------------------------------------------------------


@pytest.mark.parametrize("back", ["source reverted", "output rebuilt"])
def test_an_output_stale_after_a_partial_build_is_not_once_it_matches_again(
    tmp_path: Path, back: str
) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    assert not build(project, Options(formats=("html", "docx"))).failed
    source = project.source_dir / "sample.md"
    source.write_text(GOOD.replace("Rest can help.", "Rest helps."))
    assert not build(project, Options(formats=("html",))).failed
    assert verify_published(project).outcomes[("sample", "docx")].state == "stale"

    if back == "source reverted":
        source.write_text(GOOD)  # the docx matches again; the page, built from the edit, not
    else:
        assert not build(project, Options(formats=("docx",))).failed
    report = verify_published(project)

    assert not report.failed, report.lines
    assert report.outcomes[("sample", "docx")].state == "up to date"
    assert report.outcomes[("sample", "docx")].verified
    assert not any("docx is stale" in line for line in report.lines)
    stale = ["html"] if back == "source reverted" else []
    assert manifest_of(project, "sample")["stale"] == stale
