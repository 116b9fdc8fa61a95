"""A source cannot hide what it must show, and verification sees what a reader cannot.

Hiding attempts, each in a table: written in a source, every one is refused when the source
loads (classes and attributes come from an allow-list; approved wording holds no character
that draws nothing), with the file, the line and the fix, in a build and in `invoke check`.
Made in a finished page instead (as a template or a renderer could), each is failed by
strict verification, as Chromium lays the page out, naming the disclaimer and how it is
hidden."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import html as lxml_html

from pipeline.builder import Options, Project, build, strictly
from pipeline.checks import check_output
from pipeline.problems import SourceError
from pipeline.source import load
from pipeline.validate import validate
from tests.conftest import ROOT, Built
from tests.leaflet import BRAND

HEAD = """\
---
id: leaflet
title: A test leaflet
lang: en-US
last-reviewed: 2026-01
---

## Resting {#resting}

::: plain
Rest when it hurts.
:::

Rest helps your back heal.

::: {.disclaimer #not-a-cure}
"""
TAIL = """

::: plain
Rest is not a cure.
:::
:::
"""
WORDS = "Rest is not a cure for back pain."
CLASSES = 'a source may use only the classes plain and disclaimer, each on a ":::" div'
ATTRIBUTES = "is not allowed; attributes may be width, height, lang, dir"


def template_classes() -> list[str]:
    """Every class the templates define or use (their CSS selectors and class attributes)."""
    found: set[str] = set()
    for path in sorted((ROOT / "styles" / "templates").glob("*.j2")):
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", path.read_text(), flags=re.S)
        css = (
            [text]
            if path.name.endswith(".css.j2")
            else re.findall(r"<style>(.*?)</style>", text, re.S)
        )
        for sheet in css:
            sheet = re.sub(r"/\*.*?\*/", " ", sheet, flags=re.S)
            for selectors in re.findall(r"([^{};]+)\{", sheet):
                found |= set(re.findall(r"\.([A-Za-z][\w-]*)", selectors))
        for value in re.findall(r'class="([^"]*)"', text):
            found |= set(value.split())
    return sorted(found)


def leaflet(tmp_path: Path, wording: str) -> Path:
    path = tmp_path / "source" / "leaflet.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEAD + wording + TAIL, encoding="utf-8")
    return path


def refusals(tmp_path: Path, wording: str) -> list[str]:
    path = leaflet(tmp_path, wording)
    with pytest.raises(SourceError) as refused:
        load(path, tmp_path)
    return [str(problem) for problem in refused.value.problems]


def line_of(needle: str, wording: str) -> int:
    text = HEAD + wording + TAIL
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# -- written in a source: refused when it loads ---------------------------------------------


@pytest.mark.parametrize("name", template_classes())
def test_every_class_the_templates_define_is_refused_in_a_source(tmp_path: Path, name: str) -> None:
    wording = f"[{WORDS}]{{.{name}}}"
    problems = refusals(tmp_path, wording)
    line = line_of(f".{name}", wording)
    assert problems[0].startswith(
        f'source/leaflet.md:{line}: class "{name}" in disclaimer "not-a-cure"'
    )
    assert CLASSES in problems[0] or f'"{name}" names a "::: {name}" div' in problems[0]


def test_the_templates_define_the_classes_that_hide_text() -> None:
    """The table above reaches the classes a page's CSS moves out of view (finding 3)."""
    assert {"skip-link", "toc", "plain", "disclaimer", "uri"} <= set(template_classes())


@dataclass(frozen=True)
class Attempt:
    wording: str
    """The disclaimer's wording (with its plain wording, if it holds it)."""
    needle: str
    """On the line the problem is said at."""
    message: str
    head: str = HEAD


def style(css: str) -> Attempt:
    """The disclaimer's words in a span with an inline style."""
    return Attempt(
        f'[{WORDS}]{{style="{css}"}}',
        "style=",
        f'attribute "style" in disclaimer "not-a-cure" {ATTRIBUTES}',
    )


def invisible(wording: str, char: str, name: str) -> Attempt:
    return Attempt(
        wording,
        char,
        f'disclaimer "not-a-cure" holds the invisible character U+{ord(char):04X} ({name})',
    )


ATTEMPTS = {
    "the hidden attribute": Attempt(
        f'[{WORDS}]{{hidden="hidden"}}',
        "hidden=",
        f'attribute "hidden" in disclaimer "not-a-cure" {ATTRIBUTES}',
    ),
    "aria-hidden": Attempt(
        f"[{WORDS}]{{aria-hidden=true}}",
        "aria-hidden=",
        f'attribute "aria-hidden" in disclaimer "not-a-cure" {ATTRIBUTES}',
    ),
    "an inline style": style("color: red"),
    "a wrapping span with display:none": style("display: none"),
    "a transform": style("transform: translateX(-200vw)"),
    "off-page positioning": style("position: absolute; left: -9999px"),
    "zero font size": style("font-size: 0"),
    "white on white": style("color: #fff"),
    "a wrapping div with display:none": Attempt(
        f'::: {{style="display:none"}}\n{WORDS}\n:::',
        "style=",
        f'attribute "style" in disclaimer "not-a-cure" {ATTRIBUTES}',
    ),
    "a class on the disclaimer's own div": Attempt(
        WORDS,
        ".skip-link",
        f'class "skip-link" in the disclaimer "not-a-cure" is not allowed: {CLASSES}',
        HEAD.replace("{.disclaimer #not-a-cure}", "{.disclaimer #not-a-cure .skip-link}"),
    ),
    "a width on text": Attempt(
        f"[{WORDS}]{{width=1px}}",
        "width=",
        'attribute "width" in disclaimer "not-a-cure" is not allowed here: '
        "only a figure takes a width",
    ),
    "a Word style": Attempt(
        f'[{WORDS}]{{custom-style="Hidden"}}',
        "custom-style=",
        f'attribute "custom-style" in disclaimer "not-a-cure" {ATTRIBUTES}',
    ),
    "a code block's class": Attempt(
        f"```skip-link\n{WORDS}\n```",
        "```skip-link",
        f'class "skip-link" in disclaimer "not-a-cure" is not allowed: {CLASSES}',
    ),
    "a right-to-left override": invisible(
        "Rest is not a \u202eeruc\u202c for back pain.", "\u202e", "RIGHT-TO-LEFT OVERRIDE"
    ),
    "a right-to-left isolate": invisible(
        "Rest is not a \u2067cure\u2069 for back pain.", "\u2067", "RIGHT-TO-LEFT ISOLATE"
    ),
    "a left-to-right mark": invisible(
        "Rest is not a cure\u200e for back pain.", "\u200e", "LEFT-TO-RIGHT MARK"
    ),
    "a zero-width space": invisible(
        "Rest is not a cu\u200bre for back pain.", "\u200b", "ZERO WIDTH SPACE"
    ),
    "a word joiner": invisible("Rest is not\u2060a cure.", "\u2060", "WORD JOINER"),
    "a zero-width joiner between Latin letters": Attempt(
        "Rest is not a cu\u200dre.",
        "\u200d",
        'disclaimer "not-a-cure" holds the invisible character U+200D (ZERO WIDTH JOINER): '
        "approved wording must show a reader exactly what it says; a joiner belongs only "
        "between two letters of a script that joins them",
    ),
    "a byte order mark": invisible(
        "Rest is not a \ufeffcure.", "\ufeff", "ZERO WIDTH NO-BREAK SPACE"
    ),
    "a tag character": invisible(
        "Rest is not a cure.\U000e0041", "\U000e0041", "TAG LATIN CAPITAL LETTER A"
    ),
    "a Hangul filler": invisible("Rest is not a\u3164cure.", "\u3164", "HANGUL FILLER"),
    "an override in the plain wording": invisible(
        f"{WORDS}\n\n::: plain\nRest is \u202eton\u202c a cure.\n:::",
        "\u202e",
        "RIGHT-TO-LEFT OVERRIDE",
    ),
}


@pytest.mark.parametrize("name", ATTEMPTS)
def test_a_hiding_attempt_in_a_source_is_refused_with_its_line(tmp_path: Path, name: str) -> None:
    attempt = ATTEMPTS[name]
    tail = TAIL if "::: plain" not in attempt.wording else "\n:::\n"
    text = attempt.head + attempt.wording + tail
    path = tmp_path / "source" / "leaflet.md"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as refused:
        load(path, tmp_path)
    problems = [str(problem) for problem in refused.value.problems]
    line = next(i for i, row in enumerate(text.splitlines(), 1) if attempt.needle in row)
    expected = f"source/leaflet.md:{line}: {attempt.message}"
    assert any(problem.startswith(expected) for problem in problems), problems


@pytest.mark.parametrize(
    "wording",
    [
        "Ask for help: [می‌خواهم کمک بگیرم]{lang=fa dir=rtl}.",  # test text: Persian, with ZWNJ
        "[क्‍ष]{lang=hi} is written with a joiner.",  # test text: Hindi, a half form by ZWJ
        "Call us 👩‍⚕️ ☎️ any day.",  # an emoji sequence and an emoji presentation
        "[Bonjour]{lang=fr} and [שלום]{lang=he dir=rtl}.",
        "See <https://example.org> or write to <help@example.org>.",
    ],
    ids=["persian-zwnj", "hindi-zwj", "emoji", "lang-and-dir", "addresses"],
)
def test_what_a_script_or_the_format_needs_is_allowed(tmp_path: Path, wording: str) -> None:
    path = leaflet(tmp_path, wording)
    doc = load(path, tmp_path)
    assert [d.id for d in doc.disclaimers] == ["not-a-cure"]


def test_the_corpus_the_article_and_the_guide_use_only_allowed_classes() -> None:
    for path in [
        *sorted((ROOT / "tests" / "corpus").glob("*.md")),
        *sorted((ROOT / "source").glob("*.md")),
    ]:
        load(path, ROOT)  # raises on any refused class, attribute or character


def test_a_class_that_hides_a_disclaimer_stops_a_strict_build_and_invoke_check(
    tmp_path: Path,
) -> None:
    """Finding 3: `[...the disclaimer's words...]{.skip-link}` was accepted and the page's
    own rule moved the words above the top of the page; the strict build verified it."""
    (tmp_path / "styles").symlink_to(ROOT / "styles")
    path = leaflet(tmp_path, f"[{WORDS}]{{.skip-link}}")
    line = line_of(".skip-link", f"[{WORDS}]{{.skip-link}}")
    expected = (
        f'source/leaflet.md:{line}: class "skip-link" in disclaimer "not-a-cure" is not allowed'
    )
    report = build(Project.at(tmp_path), strictly(Options(formats=("html",))))
    assert report.failed
    assert any(row.startswith(expected) for row in report.lines), report.lines
    assert not (tmp_path / "output" / "leaflet").exists()
    checked = validate(Project.at(tmp_path))
    assert any(row.startswith(expected) for row in checked.lines), checked.lines
    assert path.read_text(encoding="utf-8").count(".skip-link") == 1


def test_finding_4_an_override_in_a_disclaimer_no_longer_loads(tmp_path: Path) -> None:
    """Finding 4: a right-to-left override verified in HTML on its logical text while a
    reader saw it reversed, and failed the PDFs as "missing". It is refused at load."""
    wording = "Rest is not a \u202eeruc\u202c for back pain."
    problems = refusals(tmp_path, wording)
    assert problems == [
        f"source/leaflet.md:{line_of(chr(0x202E), wording)}: "
        'disclaimer "not-a-cure" holds the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE): '
        "approved wording must show a reader exactly what it says; for right-to-left words "
        "write [words]{dir=rtl}; otherwise delete it",
        f"source/leaflet.md:{line_of(chr(0x202E), wording)}: "
        'disclaimer "not-a-cure" holds the invisible character U+202C (POP DIRECTIONAL '
        "FORMATTING): approved wording must show a reader exactly what it says; for "
        "right-to-left words write [words]{dir=rtl}; otherwise delete it",
    ]


# -- made in a finished page: failed by strict verification ---------------------------------

ARTICLE_DISCLAIMERS = (
    "still-researched", "case-by-case", "results-vary", "not-a-cure",
    "evaluation-essential", "regulatory-status", "consult-clinician", "references-reviewed",
)  # fmt: skip


@dataclass(frozen=True)
class Hiding:
    disclaimer: str
    plain: bool
    """Its plain wording's paragraph, not its approved wording's."""
    attributes: dict[str, str]
    why: str
    """The start of what verification says hides it."""


HIDINGS = {
    "a template's class (skip-link)": Hiding(
        "still-researched", False, {"class": "skip-link"}, "off the page: position: absolute"
    ),
    "off-page positioning": Hiding(
        "case-by-case",
        False,
        {"style": "position: absolute; left: -9999px"},
        "off the page: position: absolute; left: -9999px",
    ),
    "a transform out of view": Hiding(
        "results-vary", False, {"style": "transform: translateX(-300vw)"}, "off the page: transform"
    ),
    "a clip": Hiding(
        "not-a-cure",
        False,
        {
            "style": "position: absolute; clip: rect(0 0 0 0); width: 1px; height: 1px; "
            "overflow: hidden"
        },
        "clipped",
    ),
    "a clip-path": Hiding(
        "evaluation-essential",
        False,
        {"style": "clip-path: inset(50%)"},
        "clipped: clip-path: inset(50%)",
    ),
    "a box of no height": Hiding(
        "regulatory-status",
        False,
        {"style": "height: 0; overflow: hidden; margin: 0"},
        "clipped: overflow: hidden; height: 0px",
    ),
    "zero font size": Hiding(
        "consult-clinician",
        False,
        {"style": "font-size: 0"},
        "too small to read (0 px high): font-size: 0px",
    ),
    "transparent text": Hiding(
        "references-reviewed", False, {"style": "color: transparent"}, "transparent"
    ),
    "white on white": Hiding(
        "still-researched",
        True,
        {"style": "color: var(--color-disclaimer-background)"},
        "in nearly the colour under it",
    ),
    "scaled to nothing": Hiding(
        "results-vary", True, {"style": "transform: scale(0)"}, "too small to read (0 px high)"
    ),
    "nearly transparent": Hiding(
        "not-a-cure", True, {"style": "opacity: 0.02"}, "transparent: opacity: 0.02"
    ),
    "indented off the page": Hiding(
        "evaluation-essential",
        True,
        {"style": "text-indent: -9999px; overflow: hidden; white-space: nowrap"},
        "off the page: text-indent: -9999px",
    ),
    "covered": Hiding("regulatory-status", True, {}, "covered by span"),
    "display: none": Hiding(
        "consult-clinician", True, {"style": "display: none"}, "hidden by CSS (display: none)"
    ),
    "the hidden attribute": Hiding(
        "references-reviewed", True, {"hidden": ""}, "hidden by CSS (the hidden attribute)"
    ),
}


def paragraph(root: lxml_html.HtmlElement, hiding: Hiding) -> lxml_html.HtmlElement:
    (box,) = root.xpath(f'//div[@id="{hiding.disclaimer}"]')
    if hiding.plain:
        return box.xpath('.//div[@class="disclaimer-plain"]/p[not(@class)]')[0]
    return box.xpath("./p[not(@class)]")[0]


@pytest.fixture(scope="module")
def hidden_page(
    built: Built, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[tuple[str, str, str]]]:
    """The article's page with every hiding of the table at once (each on its own paragraph),
    verified strictly once: the gaps of each disclaimer, (part, problem, why and where)."""
    copy = built.copy(tmp_path_factory.mktemp("hidden") / "output")
    path = copy.path("html")
    tree = lxml_html.parse(str(path))
    root = tree.getroot()
    for hiding in HIDINGS.values():
        element = paragraph(root, hiding)
        for key, value in hiding.attributes.items():
            element.set(key, value)
    covered = paragraph(root, HIDINGS["covered"])  # a box painted over it, and only it
    covered.set("style", "position: relative")
    covered.append(
        lxml_html.fragment_fromstring(
            '<span style="position: absolute; inset: 0; '
            'background: var(--color-disclaimer-background)"></span>'
        )
    )
    path.write_bytes(lxml_html.tostring(tree, doctype="<!DOCTYPE html>", encoding="utf-8"))
    result = check_output(copy.doc, BRAND, "html", path, html_reading="browser")
    found: dict[str, list[tuple[str, str, str]]] = {}
    for gap in result.gaps:
        found.setdefault(gap.id, []).append((gap.part, gap.problem, gap.why))
    return found


@pytest.mark.parametrize("name", HIDINGS)
def test_a_hidden_disclaimer_fails_strict_verification_naming_it_and_how(
    hidden_page: dict[str, list[tuple[str, str, str]]], name: str
) -> None:
    hiding = HIDINGS[name]
    part = "plain" if hiding.plain else "wording"
    gaps = hidden_page.get(hiding.disclaimer, [])
    assert any(
        p == part
        and problem == "not visible"
        and why.startswith(hiding.why)
        and f"div#{hiding.disclaimer}" in why
        for p, problem, why in gaps
    ), gaps


def test_nothing_else_on_the_hidden_page_is_named(
    hidden_page: dict[str, list[tuple[str, str, str]]],
) -> None:
    assert set(hidden_page) <= set(ARTICLE_DISCLAIMERS), hidden_page


def test_the_one_pagers_skip_link_hides_a_plain_wording_and_strict_sees_it(mutable: Built) -> None:
    path = mutable.path("onepager_html")
    tree = lxml_html.parse(str(path))
    (words,) = [
        element
        for element in tree.getroot().iter()
        if element.text and "This is not a sure cure." in element.text
    ]
    words.set("class", "skip-link")
    path.write_bytes(lxml_html.tostring(tree, doctype="<!DOCTYPE html>", encoding="utf-8"))
    result = check_output(mutable.doc, BRAND, "onepager_html", path, html_reading="browser")
    assert [(g.id, g.part, g.problem) for g in result.gaps] == [
        ("not-a-cure", "plain", "not visible")
    ]
    assert result.gaps[0].why.startswith("off the page: position: absolute; left: -999px")
