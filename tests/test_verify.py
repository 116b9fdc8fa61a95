"""Verification catches what a renderer drops: mutate a finished file, verify again.

Each format's own tests add the same mutations for its files; these cover the HTML page and
the normalisation rules themselves."""

from __future__ import annotations

import re

from lxml import html as lxml_html

from pipeline.checks.verify import check, normalise
from tests.conftest import Built


def edit_page(built: Built, change) -> None:  # type: ignore[no-untyped-def]
    path = built.path("html")
    tree = lxml_html.parse(str(path))
    change(tree.getroot())
    path.write_bytes(lxml_html.tostring(tree, doctype="<!DOCTYPE html>", encoding="utf-8"))


def gaps_for(gaps: list[dict[str, str]], output: str) -> list[tuple[str, str, str]]:
    return [(g["id"], g["part"], g["problem"]) for g in gaps if g["output"] == output]


def test_unchanged_outputs_verify(mutable: Built) -> None:
    assert mutable.verify() == []


def test_a_disclaimer_sentence_removed_from_the_page_is_named(mutable: Built) -> None:
    sentence = "Some treatments may be considered experimental or investigational"

    def remove(root):  # type: ignore[no-untyped-def]
        (paragraph,) = root.xpath(f'//main//p[contains(., "{sentence}")]')
        for node in paragraph.iter():
            node.text = node.text and re.sub(sentence + r"[^.]*\.", "", node.text)
            node.tail = node.tail and re.sub(sentence + r"[^.]*\.", "", node.tail)

    edit_page(mutable, remove)
    assert gaps_for(mutable.verify(), "html") == [("regulatory-status", "wording", "missing")]
    assert mutable.manifest["verification"]["passed"] is False


def test_a_dropped_paragraph_is_named(mutable: Built) -> None:
    def drop(root):  # type: ignore[no-untyped-def]
        (paragraph,) = root.xpath('//main//p[starts-with(., "The symptoms of DDD can vary")]')
        paragraph.drop_tree()

    edit_page(mutable, drop)
    assert gaps_for(mutable.verify(), "html") == [("symptoms", "body", "missing")]


def test_two_swapped_sections_are_named(mutable: Built) -> None:
    def swap(root):  # type: ignore[no-untyped-def]
        first = root.xpath('//main//section[.//h2[@id="spine"]]')[0]
        second = root.xpath('//main//section[.//h2[@id="symptoms"]]')[0]
        first.addprevious(second)  # symptoms now comes before spine

    edit_page(mutable, swap)
    found = gaps_for(mutable.verify(), "html")
    assert found and {problem for _, _, problem in found} == {"out of order"}
    assert {ident for ident, _, _ in found} <= {"spine", "what-is-ddd", "symptoms"}


def test_normalising_forgives_only_what_formats_change() -> None:
    source = "The \u201cparacrine\u201d effects \u2014 case-by-case \ufb01ndings."
    rendered = 'THE "paracrine" effects \u2014 case-by-\ncase \ufb01nd\u00adings.'
    assert normalise(source) == normalise(rendered)
    assert normalise("disc health") != normalise("disc heath")


def test_check_reports_missing_and_out_of_order(article) -> None:  # type: ignore[no-untyped-def]
    first, second = article.sections[0].title, article.sections[1].title
    gaps = check(article, "html", "full", f"{second} {first}")
    problems = {(gap.id, gap.part): gap.problem for gap in gaps}
    assert problems[(article.sections[0].id, "heading")] == "out of order"
    assert problems[(article.sections[2].id, "heading")] == "missing"
