"""Reading HTML as a reader does: text that the page's own CSS hides is left out and named,
from the page's markup and style sheets (default) or as Chromium renders it (CI's strict
builds)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html

from pipeline import extract
from pipeline.checks import check_output
from pipeline.extract import HtmlReading
from pipeline.extract import html as html_reader
from tests.conftest import Built
from tests.leaflet import BRAND

DISCLAIMER = "regulatory-status"
WORDING = "It is vital to be aware of the regulatory status"


def add_to_head(built: Built, markup: str) -> None:
    path = built.path("html")
    tree = lxml_html.parse(str(path))
    head = tree.getroot().find("head")
    for element in lxml_html.fragments_fromstring(markup):
        head.append(element)
    path.write_bytes(lxml_html.tostring(tree, doctype="<!DOCTYPE html>", encoding="utf-8"))


def not_visible(built: Built, reading: HtmlReading) -> list[tuple[str, str, str]]:
    """(id, problem, why) of each gap in the page, read as `reading` says."""
    result = check_output(built.doc, BRAND, "html", built.path("html"), html_reading=reading)
    return [(g.id, g.problem, g.why.split(" (")[0]) for g in result.gaps]


@pytest.mark.parametrize("reading", ["markup", "browser"], ids=["dom", "chromium"])
@pytest.mark.parametrize(
    ("markup", "why"),
    [
        (f"<style>#{DISCLAIMER} {{ display: none }}</style>", "display: none"),
        (f"<style>main #{DISCLAIMER}.disclaimer {{ visibility: hidden }}</style>", "visibility"),
        (f"<style>[id={DISCLAIMER}] {{ opacity: 0 }}</style>", "opacity: 0"),
    ],
)
def test_a_disclaimer_hidden_by_the_pages_css_is_a_named_gap(
    mutable: Built, markup: str, why: str, reading: HtmlReading
) -> None:
    add_to_head(mutable, markup)
    found = not_visible(mutable, reading)
    # Each paragraph of the disclaimer's wording is named: its text, and what hides it.
    assert {ident for ident, _, _ in found} == {DISCLAIMER}
    assert {problem for _, problem, _ in found} == {"not visible"}
    result = check_output(mutable.doc, BRAND, "html", mutable.path("html"), html_reading=reading)
    assert any(WORDING in gap.text for gap in result.gaps)
    assert all(why in gap.why for gap in result.gaps), [gap.why for gap in result.gaps]


@pytest.mark.parametrize("reading", ["markup", "browser"], ids=["dom", "chromium"])
def test_the_linked_style_sheet_and_the_hidden_attribute_hide_text_too(
    mutable: Built, reading: HtmlReading
) -> None:
    sheet = mutable.folder / "assets" / "article.css"
    sheet.write_text(
        sheet.read_text() + f"\n#{DISCLAIMER} > p:not(.box-label) {{ display: none }}\n"
    )
    path = mutable.path("html")
    tree = lxml_html.parse(str(path))
    (heading,) = tree.getroot().xpath('//h2[@id="symptoms"]')
    heading.set("hidden", "")
    path.write_bytes(lxml_html.tostring(tree, doctype="<!DOCTYPE html>", encoding="utf-8"))
    found = set(not_visible(mutable, reading))
    assert ("symptoms", "not visible", "hidden by CSS") in found
    assert {ident for ident, _, _ in found} == {"symptoms", DISCLAIMER}
    read_back = extract.read(path, html_reading=reading)
    assert any(h.why.startswith("hidden by CSS (the hidden attribute)") for h in read_back.hidden)


@pytest.mark.parametrize("reading", ["markup", "browser"], ids=["dom", "chromium"])
def test_rules_for_print_or_other_elements_hide_nothing(
    mutable: Built, reading: HtmlReading
) -> None:
    add_to_head(
        mutable,
        f"<style>@media print {{ #{DISCLAIMER} {{ display: none }} }}"
        f" #{DISCLAIMER}::before {{ display: none }}"
        f" .no-such-class {{ display: none }}"
        " main { visibility: hidden } main > * { visibility: visible }"
        "</style>",
    )
    assert not_visible(mutable, reading) == []


@pytest.mark.fast
def test_a_page_hidden_from_above_its_main_is_not_read(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<!DOCTYPE html><html><head><style>body > div { opacity: 0 }</style></head>"
        "<body><div><main><p>Text</p></main></div></body></html>"
    )
    reading = extract.read(page)
    assert (reading.units, [(h.text, h.why) for h in reading.hidden]) == (
        (),
        [("Text", "hidden by CSS (opacity: 0)")],
    )


@pytest.mark.fast
def test_a_page_without_main_is_read_whole_and_scripts_are_not_text(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<!DOCTYPE html><html><head><style>.x{display:none}</style></head><body>"
        "<p>One <b>bold</b> word</p><script>var a = 1;</script><ul><li>Item<li>Next</ul>"
        "<table><tr><td>No<td>Yes</table><p class=x>Gone</p></body></html>"
    )
    reading = extract.read(page)
    assert reading.units == ("One bold word", "Item", "Next", "No", "Yes")
    assert [(h.text, h.where) for h in reading.hidden] == [("Gone", "p.x")]


def test_strict_reading_needs_chromium_and_says_how_to_install_it(
    built: Built, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(html_reader, "CHROMIUM", tmp_path / "no-chromium")
    with pytest.raises(extract.ExtractError, match=r"needs Chromium.*invoke setup --tests"):
        extract.read(built.path("html"), html_reading="browser")


@pytest.mark.fast
def test_media_queries_that_hold_on_every_screen() -> None:
    assert html_reader.for_screen("")
    assert html_reader.for_screen("screen")
    assert html_reader.for_screen("print, all")
    assert not html_reader.for_screen("print")
    assert not html_reader.for_screen("screen and (min-width: 64rem)")
