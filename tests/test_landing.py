"""output/index.html, the landing page: every link and picture on it resolves, the thumbnails
are the real first pages (drawn once per PDF version, never inside a document's folder), it
shows each file's size, the verification, reading grade and review due date (due soon and
overdue marked). In a browser it passes the article's checks: axe-core at 1280 and 320 px,
light and dark; the Nu checker; no sideways scrolling at 400 % and 200 % zoom; no text cut
off under WCAG 1.4.12 text spacing; printed whole; a visible focus on every link."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from lxml import html as lxml_html
from PIL import Image
from playwright.sync_api import Browser

from pipeline.builder import gather
from tests.browser import (
    axe_violations,
    chromium,
    clipped_text,
    clipped_under_text_spacing,
    describe_violations,
    horizontal_overflow,
    open_page,
    press_tab,
    scroll_width,
)
from tests.conftest import ARTICLE_ID, Built
from tests.nu_checker import nu_errors


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def landing(built: Built) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(index_of(built).read_bytes())


def index_of(built: Built) -> Path:
    return built.project.output_dir / "index.html"


def test_every_link_and_picture_resolves(built: Built) -> None:
    page = landing(built)
    output = built.project.output_dir
    targets = page.xpath("//a/@href") + page.xpath("//img/@src")
    assert targets
    assert [t for t in targets if not (output / t).is_file()] == []
    hrefs = set(page.xpath("//main//a/@href"))
    for entry in built.manifest["outputs"].values():
        assert f"{ARTICLE_ID}/{entry['path']}" in hrefs


def test_each_format_shows_its_file_size(built: Built) -> None:
    items = landing(built).xpath("//ul[@class='formats']/li")
    assert len(items) == len(built.manifest["outputs"])
    for item in items:
        size = (built.project.output_dir / item.xpath("a/@href")[0]).stat().st_size
        shown = item.xpath("span[@class='size']")[0].text
        number, unit = shown.split()
        factor = {"bytes": 1, "KB": 1000, "MB": 1_000_000}[unit]
        assert abs(float(number) * factor - size) <= factor * (0.5 if unit == "KB" else 0.05)


def test_thumbnails_are_the_first_pages_as_cut(built: Built) -> None:
    page = landing(built)
    sources = page.xpath("//div[@class='previews']//img/@src")
    assert sorted(Path(s).name.split("-")[-2] for s in sources) == ["brochure", "onepager"]
    for src in sources:
        assert src.startswith("thumbnails/"), "outside every document's folder"
        kind = "brochure_pdf" if "-brochure-" in src else "onepager_pdf"
        entry = built.manifest["outputs"][kind]
        assert src.endswith(f"-{entry['sha256'][:8]}.png")
        with pikepdf.open(built.path(kind)) as pdf:
            first = pdf.pages[0]
            box = first.trimbox if "/TrimBox" in first.obj else first.mediabox
            width, height = float(box[2] - box[0]), float(box[3] - box[1])
        with Image.open(built.project.output_dir / src) as image:
            assert image.format == "PNG" and abs(image.width - 360) <= 1  # PDFium rounds
            assert abs(image.height / image.width - height / width) < 0.005, "the trimmed page"
            low, high = image.convert("L").getextrema()
            assert isinstance(low, int | float) and isinstance(high, int | float), "one band"
            assert high - low > 100, "a real page, not a blank"


def test_a_thumbnail_is_drawn_again_only_when_its_pdf_changes(mutable: Built) -> None:
    folder = mutable.project.output_dir / "thumbnails"
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert not gather(mutable.project).failed
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before

    manifest_path = mutable.folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["outputs"]["brochure_pdf"]["sha256"] = "0" * 64  # as if the brochure changed
    manifest_path.write_text(json.dumps(manifest))
    assert not gather(mutable.project).failed
    after = sorted(p.name for p in folder.iterdir())
    assert f"{ARTICLE_ID}-brochure-00000000.png" in after
    assert not [name for name in before if "-brochure-" in name and name in after], "old gone"
    assert len(after) == 2


@pytest.mark.parametrize(
    ("today", "mark"),
    [("2026-06-01", None), ("2026-11-25", "due soon"), ("2027-02-01", "overdue")],
)
def test_the_review_due_date_is_marked_when_due_soon_or_overdue(
    mutable: Built, monkeypatch: pytest.MonkeyPatch, today: str, mark: str | None
) -> None:
    monkeypatch.setenv("PIPELINE_TODAY", today)
    assert not gather(mutable.project).failed
    page = lxml_html.fromstring((mutable.project.output_dir / "index.html").read_bytes())
    due = page.xpath("//dt[.='Review due']/following-sibling::dd[1]")[0]
    assert due.xpath("time/@datetime")[0] == mutable.manifest["review_due"]
    assert due.xpath("strong[@class='mark']/text()") == ([mark] if mark else [])


def test_a_failed_verification_is_shown(mutable: Built) -> None:
    manifest_path = mutable.folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["outputs"]["html"]["verified"] = False  # as `invoke verify` leaves it
    manifest["verification"]["passed"] = False
    manifest_path.write_text(json.dumps(manifest))
    assert not gather(mutable.project).failed
    page = lxml_html.fromstring((mutable.project.output_dir / "index.html").read_bytes())
    verified = page.xpath("//dt[.='Verified']/following-sibling::dd[1]")[0]
    assert verified.text_content().startswith("NO: see its manifest")
    assert verified.xpath("a/@href") == [f"{ARTICLE_ID}/manifest.json"]


@pytest.mark.parametrize(
    ("width", "dark"), [(1280, False), (1280, True), (320, False), (320, True)]
)
def test_the_landing_page_has_no_axe_violations(
    browser: Browser, built: Built, width: int, dark: bool
) -> None:
    page = open_page(browser, built.project.output_dir / "index.html", width=width, dark=dark)
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    assert horizontal_overflow(page) == 0
    loaded = page.evaluate(
        "document.fonts.ready.then(set => [...set].filter(f => f.status === 'loaded')"
        ".map(f => f.family))"
    )
    assert any("Atkinson Hyperlegible" in family for family in loaded), loaded
    # Keyboard and screen-reader users meet each format once; the pictures are for the mouse.
    reachable = page.locator("main a:not([tabindex='-1'])").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(reachable) == len(built.manifest["outputs"]) == len(set(reachable))
    page.context.close()


def test_each_document_shows_its_reading_grade(built: Built) -> None:
    page = landing(built)
    manifests = [
        json.loads(p.read_text()) for p in built.project.output_dir.glob("*/manifest.json")
    ]
    assert manifests
    for manifest in manifests:
        (card,) = page.xpath(f"//li[@class='document'][.//h2[@id='doc-{manifest['id']}']]")
        (grade,) = card.xpath(".//dt[.='Reading grade']/following-sibling::dd[1]")
        shown = grade.text_content().split()[0]
        assert shown == f"{manifest['readability']['onepager']['fk']:.1f}"


def test_nu_html_checker_reports_no_errors(built: Built) -> None:
    assert nu_errors(index_of(built)) == []


# 320 CSS px is a 1280 px window zoomed to 400 %; 640 is the same window at 200 %.
@pytest.mark.parametrize("width", [320, 640])
def test_no_sideways_scrolling_when_narrow_or_zoomed(
    browser: Browser, built: Built, width: int
) -> None:
    page = open_page(browser, index_of(built), width=width)
    assert horizontal_overflow(page) == 0, scroll_width(page)
    assert clipped_text(page) == []
    page.context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_text_spacing_overrides_clip_no_text(browser: Browser, built: Built, width: int) -> None:
    page = open_page(browser, index_of(built), width=width)
    assert clipped_under_text_spacing(page) == []
    assert horizontal_overflow(page) == 0, scroll_width(page)
    page.context.close()


def test_print_keeps_each_document_whole_and_nothing_cut_off(
    browser: Browser, built: Built
) -> None:
    page = open_page(browser, index_of(built))
    page.emulate_media(media="print")
    breaks = page.locator(".document").evaluate_all(
        "cards => cards.map(card => getComputedStyle(card).breakInside)"
    )
    assert breaks and set(breaks) == {"avoid"}
    assert horizontal_overflow(page) == 0 and clipped_text(page) == []
    page.context.close()


def test_keyboard_focus_is_visible_on_every_link_in_turn(browser: Browser, built: Built) -> None:
    page = open_page(browser, index_of(built), width=320)
    links = page.locator("main a:not([tabindex='-1'])").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert links
    for href in links:
        focused = press_tab(page)
        assert focused["href"] == href, focused
        assert focused["outlineStyle"] not in ("none", "auto") and focused["outlineWidth"] >= 2
        assert focused["onScreen"], focused
    page.context.close()
