"""Footnotes: their text reaches every full output, each note with the text that calls it;
verification expects it, and its mark (a number in a page or a PDF, nothing in a Word
file's text) never breaks the sentence around it."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html

from pipeline.checks import check_output
from pipeline.checks.verify import expected
from tests.leaflet import BRAND, leaflet, render, section

BODY = """\
Soap and water are best.[^dirt] A gel is handy when you are away from a sink[^sink], and
easy to carry.

A paragraph after the notes.

::: {.disclaimer #label}
Read the label first.[^label]

::: plain
Read the label.
:::
:::

[^dirt]: Gel does not take away dirt you can see.
[^sink]: Wash with soap when you get to a sink.

    A note of two paragraphs.
[^label]: The label names what is in it.
"""
NOTES = [
    "Gel does not take away dirt you can see.",
    "Wash with soap when you get to a sink.",
    "A note of two paragraphs.",
    "The label names what is in it.",
]
FULL = ("html", "brochure_pdf", "accessible_pdf", "docx")


def test_the_notes_are_expected_and_their_marks_split_the_text_around_them(
    tmp_path: Path,
) -> None:
    doc = leaflet(tmp_path, section("soap", BODY))
    items = [(item.id, item.part, item.text, item.ordered) for item in expected(doc, "full")]
    assert items[1:] == [
        ("soap", "body", "Soap and water are best.", True),
        ("soap", "body", " A gel is handy when you are away from a sink", True),
        ("soap", "body", ", and easy to carry.", True),
        ("soap", "footnote", NOTES[0], False),
        ("soap", "footnote", NOTES[1], False),
        ("soap", "footnote", NOTES[2], False),
        ("soap", "body", "A paragraph after the notes.", True),
        ("label", "wording", "Read the label first.", True),
        ("label", "footnote", NOTES[3], False),
    ]


@pytest.mark.parametrize("kind", FULL)
def test_every_note_reaches_every_full_output(tmp_path: Path, kind: str) -> None:
    doc = leaflet(tmp_path, section("soap", BODY))
    path = render(doc, kind, tmp_path)
    assert check_output(doc, BRAND, kind, path).gaps == []


def test_each_note_stands_with_the_text_that_calls_it_and_links_both_ways(
    tmp_path: Path,
) -> None:
    doc = leaflet(tmp_path, section("soap", BODY))
    page = lxml_html.parse(str(render(doc, "html", tmp_path))).getroot()
    section_notes = page.xpath('//section[.//h2[@id="soap"]]//aside[contains(@class, "footnotes")]')
    text = [" ".join(aside.text_content().split()) for aside in section_notes]
    assert len(text) == 2 and NOTES[0] in text[0] and NOTES[3] in text[1]
    assert section_notes[1].xpath("ancestor::div[@id='label']"), "the disclaimer's own note"
    for ref in page.xpath('//a[@role="doc-noteref"]'):
        note = page.get_element_by_id(ref.get("href")[1:])
        assert note.xpath(f'.//a[@href="#{ref.get("id")}"]'), "the note links back"
    ids = page.xpath("//@id")
    assert len(ids) == len(set(ids))


def test_a_lost_note_is_named(tmp_path: Path) -> None:
    doc = leaflet(tmp_path, section("soap", BODY))
    path = render(doc, "html", tmp_path)
    page = lxml_html.parse(str(path))
    (note,) = page.xpath(f'//li[contains(., "{NOTES[3]}")]')
    note.drop_tree()
    path.write_bytes(lxml_html.tostring(page, doctype="<!DOCTYPE html>", encoding="utf-8"))
    gaps = check_output(doc, BRAND, "html", path).gaps
    assert [(g.id, g.part, g.problem, g.text) for g in gaps] == [
        ("label", "footnote", "missing", NOTES[3])
    ]
