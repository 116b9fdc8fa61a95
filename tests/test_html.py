"""The article page as a browser renders it: WCAG 2.2 AA (axe-core in Debian's Chromium),
reflow at 320 px, text spacing, dark mode, print, structure, contrast, the Nu checker.

Two pages: the real article (the session `built` fixture) and a sample document made here
with what the article lacks: PNG, JPEG and SVG figures, a wide table, a long URL, deep and
skipped subheadings, an id clash and a title that tries to close the JSON-LD script."""

from __future__ import annotations

import functools
import http.server
import itertools
import json
import statistics
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from pipeline.brand import Brand, load_brand
from pipeline.builder import Options, Project, build
from tests.browser import (
    axe_violations,
    chromium,
    clipped_text,
    clipped_under_text_spacing,
    describe_violations,
    horizontal_overflow,
    load_failures,
    open_page,
    scroll_width,
)
from tests.conftest import ROOT, Built
from tests.nu_checker import nu_errors

SAMPLE_TITLE = 'Knee care </script><script>alert("x")</script> & <b>"more"</b>'
WIDE_TABLE_COLUMNS = 9


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def brand() -> Brand:
    return load_brand(ROOT / "styles")


@pytest.fixture(scope="module")
def article_page(built: Built) -> Path:
    return built.path("html")


# ---------------------------------------------------------------- the sample document


@dataclass(frozen=True)
class Sample:
    page: Path
    source: Path


def _sample_markdown() -> str:
    header = "| " + " | ".join(f"Measurement {n}" for n in range(WIDE_TABLE_COLUMNS)) + " |"
    rule = "|" + "---|" * WIDE_TABLE_COLUMNS
    row = "| " + " | ".join(f"value {n} in millimetres" for n in range(WIDE_TABLE_COLUMNS)) + " |"
    return f"""---
id: sample
title: '{SAMPLE_TITLE}'
lang: en-GB
last-reviewed: 2025-11-03
---

## Looking after your knee {{#knee}}

::: plain
Rest, ice and gentle movement help most knees heal.
:::

Read more at <https://example.org/patient-information/musculoskeletal/knee/after-your-operation/exercises-week-one-to-six>
or on [the exercise page](https://example.org/exercises).

#### Straight after the operation

Pneumonoultramicroscopicsilicovolcanoconiosisandotherextraordinarilylongwordswithoutanybreaks.

![A red square drawn as a PNG image](images/red.png)

##### The first night

![A blue square drawn as a JPEG photo](images/blue.jpg)

### Overview

![A green circle drawn as an SVG diagram](images/green.svg)

Table: How far your knee bends, week by week

{header}
{rule}
{row}

::: {{.disclaimer #sample-note}}
Stop the exercises and call the clinic if your knee swells.

::: plain
Call us if your knee swells.
:::
:::

## Overview {{#overview}}

::: plain
This is what the leaflet covers.
:::

Every section has a short summary.
"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    """A temporary project (source/ with three kinds of image, the real styles/) built to
    HTML."""
    root = tmp_path_factory.mktemp("sample-project")
    images = root / "source" / "images"
    images.mkdir(parents=True)
    Image.new("RGB", (240, 160), (200, 30, 30)).save(images / "red.png")
    Image.new("RGB", (1600, 400), (30, 60, 200)).save(images / "blue.jpg", quality=85)
    (images / "green.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200">'
        '<circle cx="100" cy="100" r="90" fill="green"/></svg>',
        encoding="utf-8",
    )
    source = root / "source" / "sample.md"
    source.write_text(_sample_markdown(), encoding="utf-8")
    (root / "styles").symlink_to(ROOT / "styles", target_is_directory=True)
    output = root / "output"
    report = build(Project.at(root, output), Options(docs=("sample",), formats=("html",)))
    assert not report.failed, "\n".join(report.lines)
    return Sample(output / "sample" / "index.html", source)


# ---------------------------------------------------------------- axe, reflow, spacing

VIEWS = [
    pytest.param(1280, False, id="1280-light"),
    pytest.param(320, False, id="320-light"),
    pytest.param(320, True, id="320-dark"),
    pytest.param(1280, True, id="1280-dark"),
]


@pytest.mark.parametrize(("width", "dark"), VIEWS)
def test_article_has_no_axe_violations(
    browser: Browser, article_page: Path, width: int, dark: bool
) -> None:
    violations = axe_violations(open_page(browser, article_page, width=width, dark=dark))
    assert violations == [], describe_violations(violations)


@pytest.mark.parametrize(("width", "dark"), [VIEWS[1], VIEWS[3]])
def test_sample_with_figures_and_table_has_no_axe_violations(
    browser: Browser, sample: Sample, width: int, dark: bool
) -> None:
    violations = axe_violations(open_page(browser, sample.page, width=width, dark=dark))
    assert violations == [], describe_violations(violations)


# 320 CSS px is a 1280 px window zoomed to 400 %; 640 is the same window at 200 %.
@pytest.mark.parametrize("width", [320, 640])
@pytest.mark.parametrize("which", ["article", "sample"])
def test_no_sideways_scrolling_when_narrow_or_zoomed(
    browser: Browser, article_page: Path, sample: Sample, which: str, width: int
) -> None:
    page = open_page(browser, article_page if which == "article" else sample.page, width=width)
    assert horizontal_overflow(page) == 0, scroll_width(page)
    assert clipped_text(page) == []


def test_wide_table_scrolls_inside_its_own_keyboard_reachable_box(
    browser: Browser, sample: Sample
) -> None:
    page = open_page(browser, sample.page, width=320)
    region = page.get_by_role("region", name="How far your knee bends, week by week")
    expect(region).to_have_attribute("tabindex", "0")
    sizes = region.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert sizes[0] > sizes[1], "the sample table should be wider than the phone screen"
    assert region.locator("table th").count() == WIDE_TABLE_COLUMNS


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("which", ["article", "sample"])
def test_text_spacing_overrides_clip_no_text(
    browser: Browser, article_page: Path, sample: Sample, which: str, width: int
) -> None:
    page = open_page(browser, article_page if which == "article" else sample.page, width=width)
    assert clipped_under_text_spacing(page) == []
    assert horizontal_overflow(page) == 0, scroll_width(page)


# ---------------------------------------------------------------- structure in the DOM


def test_page_language_title_and_description(browser: Browser, built: Built, brand: Brand) -> None:
    page = open_page(browser, built.path("html"))
    assert page.evaluate("document.documentElement.lang") == built.doc.lang
    assert built.doc.title in page.title()
    assert brand.organisation["name"] in page.title()
    description = page.locator('meta[name="description"]').get_attribute("content")
    assert description and description == built.doc.subtitle


def test_landmarks_and_skip_link(browser: Browser, article_page: Path) -> None:
    page = open_page(browser, article_page)
    for role in ("banner", "main", "contentinfo"):
        assert page.get_by_role(role).count() == 1, role
    # Two navigation landmarks (the contents, and the languages when the article has a
    # translation) are told apart by their names.
    navs = page.get_by_role("navigation")
    names = [navs.nth(n).get_attribute("aria-label") for n in range(navs.count())]
    assert page.get_by_role("navigation", name="On this page").count() == 1
    assert len(set(names)) == len(names), names
    first_link = page.locator("a").first
    expect(first_link).to_have_attribute("href", "#content")
    assert page.locator("#content").evaluate("el => el.tagName") == "MAIN"


def test_one_h1_and_no_skipped_heading_level(browser: Browser, built: Built) -> None:
    page = open_page(browser, built.path("html"))
    levels = _heading_levels(page)
    assert [level for level, _ in levels].count(1) == 1
    assert levels[0] == (1, built.doc.title)
    _assert_no_skipped_level(levels)
    section_headings = [text for level, text in levels if level == 2]
    assert section_headings[1:] == [s.title for s in built.doc.sections]


def test_contents_links_every_section_in_order(browser: Browser, built: Built) -> None:
    page = open_page(browser, built.path("html"))
    nav = page.get_by_role("navigation", name="On this page")
    hrefs = nav.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == [f"#{section.id}" for section in built.doc.sections]
    for section in built.doc.sections:
        target = page.locator(f"[id='{section.id}']")
        assert target.count() == 1
        assert target.evaluate("el => el.tagName") == "H2"
        expect(target).to_have_text(section.title)


def test_every_disclaimer_is_a_labelled_note_with_its_wording(
    browser: Browser, built: Built
) -> None:
    page = open_page(browser, built.path("html"))
    disclaimers = list(built.doc.disclaimers)
    assert page.get_by_role("note", name="Important", exact=True).count() == len(disclaimers)
    for disclaimer in disclaimers:
        note = page.locator(f"[id='{disclaimer.id}']")
        expect(note).to_have_role("note")
        expect(note).to_have_accessible_name("Important")
        text = " ".join(note.inner_text().split())
        for paragraph in _paragraphs(disclaimer.wording):
            assert paragraph in text
    colours = page.locator(".disclaimer").first.evaluate(
        "el => [getComputedStyle(el).backgroundColor, getComputedStyle(document.body)"
        ".backgroundColor, getComputedStyle(el).borderLeftWidth]"
    )
    assert colours[0] != colours[1], "a disclaimer must stand out from the page"
    assert float(colours[2].removesuffix("px")) >= 4


def test_every_section_has_an_in_short_box(browser: Browser, built: Built) -> None:
    page = open_page(browser, built.path("html"))
    boxes = page.get_by_role("note", name="In short", exact=True)
    assert boxes.count() == len(built.doc.sections)
    for box, section in zip(boxes.all(), built.doc.sections, strict=True):
        text = " ".join(box.inner_text().split())
        for paragraph in _paragraphs(section.plain):
            assert paragraph in text


def test_review_date_and_structured_data(browser: Browser, built: Built, brand: Brand) -> None:
    page = open_page(browser, built.path("html"))
    reviewed = page.locator(".reviewed time")
    expect(reviewed).to_have_attribute("datetime", built.doc.last_reviewed.iso)
    expect(reviewed).to_have_text(built.doc.last_reviewed.human)
    data = _json_ld(page)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["name"] == built.doc.title
    assert data["lastReviewed"] == built.doc.last_reviewed.iso
    assert data["inLanguage"] == built.doc.lang
    assert data["audience"] == "https://schema.org/Patient"
    assert data["publisher"]["name"] == brand.organisation["name"]


def test_logo_and_organisation_in_the_header(browser: Browser, built: Built, brand: Brand) -> None:
    page = open_page(browser, built.path("html"))
    banner = page.get_by_role("banner")
    expect(banner).to_contain_text(brand.organisation["name"])
    logo = banner.locator("img")
    assert logo.get_attribute("src", timeout=1000) == "assets/logo.svg"
    assert logo.evaluate("img => img.complete && img.naturalWidth > 0")


# ---------------------------------------------------------------- the sample's hard cases


def test_subheadings_fit_under_their_section(browser: Browser, sample: Sample) -> None:
    page = open_page(browser, sample.page)
    levels = _heading_levels(page)
    _assert_no_skipped_level(levels)
    assert levels[2:] == [
        (2, "Looking after your knee"),
        (3, "Straight after the operation"),  # #### in the source
        (4, "The first night"),  # ##### in the source
        (3, "Overview"),
        (2, "Overview"),
    ]
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map(el => el.id)")
    assert len(ids) == len(set(ids)), "every id on the page is unique"
    expect(page.locator("#overview")).to_have_text("Overview")
    assert page.locator("#overview").evaluate("el => el.tagName") == "H2"


@pytest.mark.parametrize("width", [1280, 320])
def test_png_jpeg_and_svg_figures_load_with_alt_text_and_no_copy_as_caption(
    browser: Browser, sample: Sample, width: int
) -> None:
    page = open_page(browser, sample.page, width=width)
    figures = page.locator("main figure")
    assert figures.count() == 3
    for figure, (suffix, alt) in zip(
        figures.all(),
        [
            (".png", "A red square drawn as a PNG image"),
            (".jpg", "A blue square drawn as a JPEG photo"),
            (".svg", "A green circle drawn as an SVG diagram"),
        ],
        strict=True,
    ):
        image = figure.locator("img")
        assert (image.get_attribute("src") or "").endswith(suffix)
        expect(image).to_have_attribute("alt", alt)
        expect(figure.locator("figcaption")).to_have_count(0)  # the alt text is not printed
        loaded = image.evaluate(
            "img => [img.complete && img.naturalWidth > 0, img.getBoundingClientRect().width,"
            " document.documentElement.clientWidth]"
        )
        assert loaded[0], f"{suffix} image did not load"
        assert loaded[1] <= loaded[2], f"{suffix} image is wider than the screen"


def test_title_cannot_break_out_of_the_structured_data(browser: Browser, sample: Sample) -> None:
    raw = sample.page.read_text(encoding="utf-8")
    assert raw.lower().count("</script") == 1
    page = open_page(browser, sample.page)
    assert page.locator("script").count() == 1
    assert _json_ld(page)["name"] == SAMPLE_TITLE
    expect(page.locator("h1")).to_have_text(SAMPLE_TITLE)


def test_print_hides_navigation_shows_urls_and_keeps_notes_whole(
    browser: Browser, sample: Sample
) -> None:
    page = open_page(browser, sample.page)
    page.emulate_media(media="print")
    for selector in (".skip-link", "nav.toc"):
        assert page.locator(selector).evaluate("el => getComputedStyle(el).display") == "none"
    for selector in (".disclaimer", ".in-short"):
        style = page.locator(selector).first.evaluate("el => getComputedStyle(el).breakInside")
        assert style == "avoid", selector
    after = page.get_by_role("link", name="the exercise page").evaluate(
        "a => getComputedStyle(a, '::after').content"
    )
    assert "https://example.org/exercises" in after
    bare = page.locator("a.uri").evaluate("a => getComputedStyle(a, '::after').content")
    assert bare in ("none", "normal"), "a bare URL is not printed twice"
    assert horizontal_overflow(page) == 0


# ---------------------------------------------------------------- typography and colour


def test_body_text_size_line_height_and_brand_font(browser: Browser, article_page: Path) -> None:
    page = open_page(browser, article_page)
    styles = page.locator(".article-body p").evaluate_all(
        "ps => ps.map(p => { const s = getComputedStyle(p);"
        " return [parseFloat(s.fontSize), parseFloat(s.lineHeight), s.fontFamily]; })"
    )
    for size, line_height, family in styles:
        assert size >= 16
        assert line_height / size >= 1.5
        assert family.startswith('"Atkinson Hyperlegible"')
    assert page.evaluate("document.fonts.check('1em \"Atkinson Hyperlegible\"')")
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )
    assert any("Atkinson Hyperlegible" in family for family in loaded), "web font not loaded"


def test_line_length_is_60_to_75_characters(browser: Browser, article_page: Path) -> None:
    page = open_page(browser, article_page, width=1280)
    lines = page.evaluate(_CHARACTERS_PER_LINE_JS)
    assert len(lines) > 30
    assert 60 <= statistics.mean(lines) <= 75, statistics.mean(lines)
    assert max(lines) <= 80, max(lines)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("which", ["article", "sample"])
def test_rendered_text_contrast(
    browser: Browser, article_page: Path, sample: Sample, which: str, dark: bool
) -> None:
    """Every piece of text against the background it sits on: body text (paragraphs and
    list items in the article) at least 7:1, all other text at least 4.5:1."""
    page = open_page(browser, article_page if which == "article" else sample.page, dark=dark)
    runs = page.evaluate(_TEXT_COLOURS_JS)
    assert {run["body"] for run in runs} == {True, False}
    failures = [
        f"{run['where']}: {ratio:.2f} ({run['color']} on {run['background']})"
        for run in runs
        if (ratio := contrast(_rgb(run["color"]), _rgb(run["background"])))
        < (7 if run["body"] else 4.5)
    ]
    assert failures == []


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_colour_on_the_page_is_a_brand_token(
    browser: Browser, sample: Sample, brand: Brand, dark: bool
) -> None:
    page = open_page(browser, sample.page, dark=dark)
    tokens = {_rgb_of_hex(c.dark if dark else c.srgb): c.name for c in brand.colours}
    used = set(page.evaluate(_USED_COLOURS_JS))
    assert used, "no colour found"
    assert {colour for colour in used if _rgb(colour) not in tokens} == set()


def test_dark_mode_uses_the_dark_tokens(browser: Browser, article_page: Path, brand: Brand) -> None:
    page = open_page(browser, article_page, dark=True)
    body = page.evaluate(
        "[getComputedStyle(document.body).color,"
        " getComputedStyle(document.documentElement).backgroundColor]"
    )
    assert _rgb(body[0]) == _rgb_of_hex(brand.colour("text").dark)
    assert _rgb(body[1]) == _rgb_of_hex(brand.colour("background").dark)


# The pairs the stylesheet puts together: (text, background, minimum ratio).
TOKEN_PAIRS = [
    ("text", "background", 7.0),
    ("text", "summary-background", 7.0),
    ("text", "disclaimer-background", 7.0),
    ("primary", "background", 4.5),
    ("primary", "summary-background", 4.5),
    ("primary", "disclaimer-background", 4.5),
    ("muted", "background", 4.5),
    ("muted", "summary-background", 4.5),
    ("disclaimer-accent", "disclaimer-background", 4.5),
    ("disclaimer-background", "disclaimer-accent", 4.5),  # the "!" mark
    ("background", "primary", 4.5),  # the skip link
]


@pytest.mark.fast
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_brand_token_pairs_meet_contrast_minimums(brand: Brand, dark: bool) -> None:
    def value(name: str) -> tuple[int, int, int]:
        colour = brand.colour(name)
        return _rgb_of_hex(colour.dark if dark else colour.srgb)

    low = {
        f"{fg} on {bg}": round(ratio, 2)
        for fg, bg, least in TOKEN_PAIRS
        if (ratio := contrast(value(fg), value(bg))) < least
    }
    assert low == {}


# ---------------------------------------------------------------- focus, motion, offline


def test_keyboard_focus_is_visible_and_the_skip_link_works(browser: Browser, built: Built) -> None:
    page = open_page(browser, built.path("html"), width=320)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const el = document.activeElement, s = getComputedStyle(el),"
        " r = el.getBoundingClientRect();"
        " return [el.className, s.outlineStyle, parseFloat(s.outlineWidth), r.top, r.bottom,"
        " innerHeight]; })()"
    )
    name, outline_style, outline_width, top, bottom, viewport = focused
    assert name == "skip-link"
    assert outline_style != "none" and outline_width >= 2
    assert top >= 0 and bottom <= viewport, "the focused skip link is on screen"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == built.doc.sections[0].title
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_reduced_motion_turns_off_smooth_scrolling(browser: Browser, article_page: Path) -> None:
    behaviour = "getComputedStyle(document.documentElement).scrollBehavior"
    assert open_page(browser, article_page).evaluate(behaviour) == "smooth"
    assert open_page(browser, article_page, reduced_motion=True).evaluate(behaviour) == "auto"


def test_page_is_self_contained_from_file(browser: Browser, built: Built, sample: Sample) -> None:
    assert load_failures(browser, built.path("html")) == []
    assert load_failures(browser, sample.page) == []


def test_page_works_from_a_static_server(browser: Browser, sample: Sample) -> None:
    handler = functools.partial(_QuietHandler, directory=str(sample.page.parent.parent))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/sample/index.html"
            assert load_failures(browser, url) == []
        finally:
            server.shutdown()


def test_page_needs_no_javascript(built: Built, sample: Sample) -> None:
    for path in (built.path("html"), sample.page):
        root = lxml_html.parse(str(path)).getroot()
        scripts = root.xpath("//script")
        assert [script.get("type") for script in scripts] == ["application/ld+json"]
        assert not root.xpath("//script[@src] | //*[@*[starts-with(name(), 'on')]]")
        for element in root.xpath("//*[@src or @href]"):
            target = element.get("src") or element.get("href")
            if target.startswith(("#", "http://", "https://")) and element.tag == "a":
                continue
            if element.get("hreflang"):  # another language's edition, in its own folder
                continue
            assert (path.parent / target).is_file(), f"{target} is not beside the page"


# ---------------------------------------------------------------- W3C Nu checker


def test_nu_html_checker_reports_no_errors(built: Built, sample: Sample) -> None:
    pages = [built.path("html"), sample.page]
    assert nu_errors(*pages, built.path("html").parent / "assets" / "article.css") == []


# ---------------------------------------------------------------- helpers


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (0-255 channels)."""

    def luminance(rgb: tuple[float, ...]) -> float:
        linear = [
            c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
            for c in (v / 255 for v in rgb[:3])
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.fast
def test_contrast_formula_matches_known_values() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert contrast((118, 118, 118), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)


def _rgb(css: str) -> tuple[int, int, int]:
    """`rgb(1, 2, 3)` or `rgba(1, 2, 3, 1)` -> (1, 2, 3)."""
    values = css[css.index("(") + 1 : css.index(")")].replace("/", ",").split(",")
    r, g, b = (round(float(v)) for v in values[:3])
    return r, g, b


def _rgb_of_hex(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def _heading_levels(page: Page) -> list[tuple[int, str]]:
    return [
        (int(tag[1]), " ".join(text.split()))
        for tag, text in page.evaluate(
            "[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]"
            ".map(h => [h.tagName.toLowerCase(), h.textContent])"
        )
    ]


def _assert_no_skipped_level(levels: list[tuple[int, str]]) -> None:
    assert levels and levels[0][0] == 1
    for (before, _), (level, text) in itertools.pairwise(levels):
        assert level <= before + 1, f"h{before} is followed by h{level} ({text})"


def _paragraphs(blocks: Any) -> list[str]:
    from pipeline.text import paragraphs

    return [" ".join(p.split()) for p in paragraphs(blocks)]


def _json_ld(page: Page) -> dict[str, Any]:
    scripts = page.locator('script[type="application/ld+json"]')
    assert scripts.count() == 1
    return dict(json.loads(scripts.first.text_content() or ""))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


# Characters on each full line of the article's body paragraphs (a paragraph's last line is
# left out: it is as short as the sentence makes it).
_CHARACTERS_PER_LINE_JS = """
() => {
  const lines = [];
  const range = document.createRange();
  for (const p of document.querySelectorAll('.article-body .section > p')) {
    const perLine = [];
    let top = null, count = 0;
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      for (let i = 0; i < node.length; i++) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (!rect) continue;
        if (top !== null && rect.top > top + rect.height / 2) {
          perLine.push(count);
          count = 0;
        }
        if (top === null || rect.top > top + rect.height / 2) top = rect.top;
        count++;
      }
    }
    lines.push(...perLine);  // full lines only: the last one is never pushed
  }
  return lines;
}
"""

# Each visible text run: its colour, the colour of the first opaque background behind it,
# and whether it is body text (a paragraph or list item of the article).
_TEXT_COLOURS_JS = """
() => {
  const runs = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el.getClientRects().length || el.closest('.skip-link')) continue;
    let background = null;
    for (let a = el; a; a = a.parentElement) {
      const bg = getComputedStyle(a).backgroundColor;
      if (bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') { background = bg; break; }
    }
    background = background || 'rgb(255, 255, 255)';
    const body = !!el.closest('.article-body p, .article-body li') &&
                 !el.closest('.box-label, .plain-label, figcaption');
    const color = getComputedStyle(el).color;
    const key = color + background + body;
    if (seen.has(key)) continue;
    seen.add(key);
    runs.push({color, background, body, where: el.tagName.toLowerCase() + '.' + el.className});
  }
  return runs;
}
"""

# Every colour the page paints with: text, backgrounds and visible borders.
_USED_COLOURS_JS = """
() => {
  const used = new Set();
  const transparent = c => c === 'rgba(0, 0, 0, 0)' || c === 'transparent';
  for (const el of [document.documentElement, ...document.body.querySelectorAll('*'),
                    document.body]) {
    if (el.closest('svg') || el.tagName === 'IMG') continue;  // images keep their own colours
    const s = getComputedStyle(el);
    if (el.textContent.trim()) used.add(s.color);
    if (!transparent(s.backgroundColor)) used.add(s.backgroundColor);
    for (const side of ['Top', 'Right', 'Bottom', 'Left']) {
      if (s['border' + side + 'Style'] !== 'none' && parseFloat(s['border' + side + 'Width']) > 0)
        used.add(s['border' + side + 'Color']);
    }
  }
  return [...used].filter(c => !transparent(c));
}
"""


def test_a_figure_replaced_under_the_same_name_gives_a_new_view(tmp_path: Path) -> None:
    """The HTML view is remembered per process (a worker or the preview renders several
    formats from it); a figure's new pixels under the same file name must not reuse the
    old view, whose image is named by the old content."""
    from pipeline.formats.htmlview import article_view
    from tests.leaflet import leaflet, section

    images = tmp_path / "source" / "images"
    images.mkdir(parents=True)
    Image.new("RGB", (40, 40), (200, 30, 30)).save(images / "dot.png")
    body = section("figure", "![A dot](images/dot.png)")
    first = set(article_view(leaflet(tmp_path, body)).images)
    Image.new("RGB", (40, 40), (30, 30, 200)).save(images / "dot.png")
    second = set(article_view(leaflet(tmp_path, body)).images)
    assert len(first) == len(second) == 1
    assert first != second, "the view kept the old figure's name"
