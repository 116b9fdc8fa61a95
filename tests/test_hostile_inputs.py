"""Every hostile and broken input, in one table, with exactly what the build does with it.

Each REFUSED case changes one document of a project that also holds a second, good one, and
builds both: the build names the file, the line and the fix; the changed document keeps its
last good output; the other document's outputs stay byte for byte the same. A refusal happens
when the source is loaded, before any format renders, so these builds make the html format
only. The SAFE case is hostile text the policy lets through (it is only text): it builds in
every format, and no output, nor any figure file the build publishes, carries anything active.
The policy: docs/resource-policy.md; its code: pipeline/resources.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from lxml import html as lxml_html
from PIL import Image
from playwright.sync_api import Browser

from pipeline import limits
from pipeline.brand import load_brand
from pipeline.builder import Options, Project, build
from pipeline.formats import FORMATS
from pipeline.svgclean import clean_svg
from pipeline.templates import environment
from tests import oversized
from tests.bounded import run_bounded
from tests.browser import chromium
from tests.conftest import ROOT
from tests.test_build import make_project, snapshot, without_manifest
from tests.test_source import GOOD

SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
CLEAN_SVG = SVG_OPEN + '<circle cx="5" cy="5" r="4" fill="#0b4f6c"/></svg>'
FIX = "export the drawing again as a plain SVG with nothing but shapes, text and styles"
LINKS = (
    "is not allowed: a link goes to a web address (https://...), mailto:, tel: or a section of "
    "this document (#id)"
)
ATTRIBUTES = "is not allowed; attributes may be width, height, lang, dir"
HANDLER = "is an event handler, which would run script; delete it"
DELETE_IT = (
    "delete it: a leaflet holds only Markdown (docs/authoring.md), and nothing that runs or embeds"
)
PARA = "Pain can vary widely."
FIGURE = "![A drawing of the spine](images/spine.svg)"


@dataclass(frozen=True)
class Refused:
    """Replace `old` with `new` in the good source (and write `files` beside it under
    source/); the build must report `message` on the line holding `needle`."""

    old: str
    new: str
    needle: str
    message: str
    files: tuple[tuple[str, str | bytes], ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    """Symbolic links under source/ -> their targets, relative to the project root."""


def svg(body: str, *, before: str = "", open_tag: str = SVG_OPEN) -> tuple[tuple[str, str], ...]:
    return (("images/spine.svg", f"{before}{open_tag}{body}</svg>"),)


def in_para(markdown: str) -> tuple[str, str]:
    return PARA, f"{PARA}\n\n{markdown}"


SECTION = 'section "symptoms"'
REFUSED = {
    # -- figures: SVG ---------------------------------------------------------------------
    "svg reading file:///etc/passwd": Refused(
        *in_para(FIGURE),
        "images/spine.svg",
        f'image "images/spine.svg" in {SECTION} holds a reference to "file:///etc/passwd" '
        f"outside the drawing (line 2 of the SVG); {FIX}",
        svg('\n<image href="file:///etc/passwd" width="9" height="9"/>'),
    ),
    "svg using a drawing from the web": Refused(
        *in_para(FIGURE),
        "images/spine.svg",
        f'image "images/spine.svg" in {SECTION} holds a reference to "https://example.org/a.svg#x" '
        f"outside the drawing (line 1 of the SVG); {FIX}",
        svg('<use xlink:href="https://example.org/a.svg#x"/>'),
    ),
    "svg with a web font in its style": Refused(
        *in_para(FIGURE),
        "images/spine.svg",
        f'image "images/spine.svg" in {SECTION} holds a reference to "https://example.org/f.woff" '
        f"outside the drawing in a <style> element (line 1 of the SVG); {FIX}",
        svg("<style>@font-face { src: url(https://example.org/f.woff) }</style>"),
    ),
    "svg whose <style> hides a web font behind an XML comment": Refused(
        *in_para(FIGURE),
        "images/spine.svg",
        f'image "images/spine.svg" in {SECTION} holds a reference to "https://example.org/f.woff" '
        f"outside the drawing in a <style> element (line 1 of the SVG); {FIX}",
        svg("<style><!-- a note -->@font-face { src: url(https://example.org/f.woff) }</style>"),
    ),
    "svg whose <style> has a child element before its rules": Refused(
        *in_para(FIGURE),
        "images/spine.svg",
        f'image "images/spine.svg" in {SECTION} holds a reference to "https://example.org/p.svg#p" '
        f"outside the drawing in a <style> element (line 1 of the SVG); {FIX}",
        svg("<style><g/>rect { fill: url(https://example.org/p.svg#p) }</style>"),
    ),
    "svg loading a picture through image-set()": Refused(
        *in_para(FIGURE),
        "images/spine.svg",
        f'image "images/spine.svg" in {SECTION} holds a reference to "https://example.org/a.png" '
        f"outside the drawing in a <style> element (line 1 of the SVG); {FIX}",
        svg('<style>rect { background: image-set("https://example.org/a.png" 1x) }</style>'),
    ),
    "svg importing a style sheet": Refused(
        *in_para(FIGURE),
        "images/spine.svg",
        f'image "images/spine.svg" in {SECTION} holds an @import in a <style> element (line 1 '
        f"of the SVG); {FIX}",
        svg('<style>@import "https://example.org/x.css";</style>'),
    ),
    "svg filling a shape from the web": Refused(
        *in_para(FIGURE),
        "images/spine.svg",
        f'image "images/spine.svg" in {SECTION} holds a reference to "https://example.org/p.svg#p" '
        f'outside the drawing in the "fill" attribute (line 1 of the SVG); {FIX}',
        svg('<rect width="5" height="5" fill="url(https://example.org/p.svg#p)"/>'),
    ),
    "svg with <foreignObject> and an HTML iframe": Refused(
        *in_para(FIGURE),
        "images/spine.svg",
        f'image "images/spine.svg" in {SECTION} holds a <foreignObject> element (line 1 of the '
        "SVG), an HTML <iframe> element (line 1 of the SVG); " + FIX,
        svg(
            '<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://x.org"/>'
            "</foreignObject>"
        ),
    ),
    "svg with an XSLT stylesheet": Refused(
        *in_para(FIGURE),
        "images/spine.svg",
        f'image "images/spine.svg" in {SECTION} holds a processing instruction '
        f"<?xml-stylesheet ...?> (line 1 of the SVG); {FIX}",
        svg("", before='<?xml-stylesheet type="text/xsl" href="evil.xsl"?>'),
    ),
    "svg declaring entities (XXE)": Refused(
        *in_para(FIGURE),
        "images/spine.svg",
        f'image "images/spine.svg" in {SECTION} holds a DTD of its own (entities), an entity '
        f"reference &x; (line 1 of the SVG); {FIX}",
        svg(
            "<text>&x;</text>",
            before='<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        ),
    ),
    "svg that is not XML": Refused(
        *in_para(FIGURE),
        "images/spine.svg",
        f'image "images/spine.svg" in {SECTION} is not a well-formed SVG file (',
        (("images/spine.svg", "<svg><g></svg>"),),
    ),
    # -- figures: where they come from, what they are ---------------------------------------
    "image path escaping with ..": Refused(
        *in_para("![The password file](../../../../etc/passwd)"),
        "etc/passwd",
        f'image "../../../../etc/passwd" in {SECTION} is outside the source folder; move it '
        "under source/ (e.g. source/images/)",
    ),
    "image in a heading escaping with ..": Refused(
        "## Treatment {#treatment}",
        "## Treatment ![A secret](../secret.png) {#treatment}",
        "## Treatment",
        'image "../secret.png" in the heading "Treatment " is outside the source folder; move '
        "it under source/ (e.g. source/images/)",
    ),
    "image through a symbolic link leading outside": Refused(
        *in_para("![A secret](images/inside.png)"),
        "inside.png",
        f'image "images/inside.png" in {SECTION} is outside the source folder; move it under '
        "source/ (e.g. source/images/)",
        links=(("images/inside.png", "secret.png"),),
    ),
    "image from file://": Refused(
        *in_para("![The password file](file:///etc/passwd)"),
        "file:///etc/passwd",
        f'image "file:///etc/passwd" in {SECTION} is not a file in the project; save it under '
        "source/ and link it by a relative path",
    ),
    "image from https://": Refused(
        *in_para("![A tracker](https://example.org/pixel.png)"),
        "pixel.png",
        f'image "https://example.org/pixel.png" in {SECTION} is not a file in the project; save '
        "it under source/ and link it by a relative path",
    ),
    "image from http:// without a scheme (//host)": Refused(
        *in_para("![A tracker](//example.org/pixel.png)"),
        "pixel.png",
        f'image "//example.org/pixel.png" in {SECTION} is not a file in the project; save it '
        "under source/ and link it by a relative path",
    ),
    "image that is an HTML page": Refused(
        *in_para("![A page](images/page.html)"),
        "page.html",
        f'image "images/page.html" in {SECTION} is not a PNG, JPEG, GIF or SVG file; save the '
        "figure in one of these",
        (("images/page.html", "<script>alert(1)</script>"),),
    ),
    "image named .png holding HTML": Refused(
        *in_para("![A page](images/page.png)"),
        "page.png",
        f'image "images/page.png" in {SECTION} is not a PNG file inside; save it again as PNG',
        (("images/page.png", "<script>alert(1)</script>"),),
    ),
    # -- markup and links ------------------------------------------------------------------
    "raw HTML block: iframe": Refused(
        *in_para('<iframe src="https://example.org"></iframe>'),
        "<iframe",
        f'raw HTML "<iframe src="https://example.org">" in {SECTION}; {DELETE_IT}',
    ),
    "raw HTML inline: object": Refused(
        *in_para('See <object data="x.swf"></object> here.'),
        "<object",
        f'raw HTML "<object data="x.swf">" in {SECTION}; {DELETE_IT}',
    ),
    "raw HTML: script": Refused(
        *in_para("<script>alert(1)</script>"),
        "<script>",
        f'raw HTML "<script>alert(1)</script>" in {SECTION}; {DELETE_IT}',
    ),
    "raw HTML: link rel=attachment": Refused(
        *in_para('<link rel="attachment" href="file:///etc/passwd">'),
        "<link",
        f'raw HTML "<link rel="attachment" href="file:///et…" in {SECTION}; {DELETE_IT}',
    ),
    "raw LaTeX reading a file": Refused(
        *in_para("\\input{/etc/passwd}"),
        "\\input",
        f'raw LaTeX "\\input{{/etc/passwd}}" in {SECTION}; write it in Markdown instead',
    ),
    "javascript: link": Refused(
        *in_para("[Click me](javascript:alert(1))"),
        "javascript:",
        f'link "javascript:alert(1)" in {SECTION} {LINKS}',
    ),
    "javascript: link in capitals": Refused(
        *in_para("[Click me](JAVASCRIPT:alert(1))"),
        "JAVASCRIPT:",
        f'link "JAVASCRIPT:alert(1)" in {SECTION} {LINKS}',
    ),
    "data: link": Refused(
        *in_para("[Click me](data:text/html,<script>alert(1)</script>)"),
        "data:text",
        f'link "data:text/html,%3Cscript%3Ealert(1)%3C/script%3E" in {SECTION} {LINKS}',
    ),
    "file: link": Refused(
        *in_para("[Passwords](file:///etc/passwd)"),
        "file:///",
        f'link "file:///etc/passwd" in {SECTION} {LINKS}',
    ),
    "event handler on a span": Refused(
        *in_para("[Hover me]{onmouseover=alert(1)}"),
        "onmouseover=",
        f'attribute "onmouseover" in {SECTION} {HANDLER}',
    ),
    "event handler on a link": Refused(
        *in_para("[Read more](https://example.org){onclick=alert(1)}"),
        "onclick=",
        f'attribute "onclick" in {SECTION} {HANDLER}',
    ),
    "event handler on a heading": Refused(
        "## Treatment {#treatment}",
        "## Treatment {#treatment onclick=alert(1)}",
        "## Treatment",
        f'attribute "onclick" in the heading "Treatment" {HANDLER}',
    ),
    "event handler on a disclaimer div": Refused(
        "::: {.disclaimer #see-a-doctor}",
        "::: {.disclaimer #see-a-doctor onclick=alert(1)}",
        "onclick=",
        f'attribute "onclick" in the disclaimer "see-a-doctor" {HANDLER}',
    ),
    "rel=attachment on a link": Refused(
        *in_para("[Notes](https://example.org/notes.pdf){rel=attachment}"),
        "rel=",
        f'attribute "rel" in {SECTION} {ATTRIBUTES}',
    ),
    "style attribute loading from the web": Refused(
        *in_para("[Text]{style=background:url(https://example.org/t.png)}"),
        "style=",
        f'attribute "style" in {SECTION} {ATTRIBUTES}',
    ),
    "width smuggling CSS": Refused(
        *in_para(FIGURE + "{width=10px;background:url(https://example.org/t.png)}"),
        "width=",
        f'attribute "width" in {SECTION} has the value '
        '"10px;background:url(https://example.org/t.png)", which is not a valid width',
        (("images/spine.svg", CLEAN_SVG),),
    ),
    "quotes nested 300 deep": Refused(
        *in_para("> " * 300 + "Deep down."),
        "Deep down.",
        "more than 50 levels of lists, quotes or divs inside one another (the limit "
        '"nesting"); flatten them',
    ),
    # -- metadata and encoding --------------------------------------------------------------
    "broken YAML": Refused(
        "title: A sample leaflet",
        "title: [A sample leaflet",
        "lang:",
        "malformed YAML metadata (expected ',' or ']', but got ':'); write one 'key: value' a line",
    ),
    "YAML asking for a Python object": Refused(
        "title: A sample leaflet",
        "title: !!python/object/apply:os.system ['echo owned']",
        "title:",
        "malformed YAML metadata (could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system'); write one 'key: value' a line",
    ),
    "non-UTF-8 bytes": Refused(
        PARA,
        "Pain can vary widely. Caf\udce9.",  # written as a lone 0xE9 byte, see build_with
        "Caf",
        "is not UTF-8 text; save it as UTF-8",
    ),
    "impossible date": Refused(
        "last-reviewed: 2026-01",
        "last-reviewed: 2025-11-31",
        "last-reviewed",
        'last-reviewed "2025-11-31" is not a date in the calendar: November 2025 has 30 days; '
        "check the day",
    ),
    "date in the future": Refused(
        "last-reviewed: 2026-01",
        "last-reviewed: 2027-01-01",
        "last-reviewed",
        'last-reviewed "2027-01-01" is in the future (today is 2026-11-25); write the date of '
        "the last review that actually happened",
    ),
}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_TODAY", "2026-11-25")


@pytest.fixture(scope="module")
def good_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with two good documents, "sample" and "other", built (html)."""
    root = tmp_path_factory.mktemp("hostile") / "project"
    project = make_project(root, {"sample": GOOD, "other": GOOD.replace("id: sample", "id: other")})
    (root / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\nsecret")
    report = build(project, Options(formats=("html",)))
    assert not report.failed, report.lines
    return root


def build_with(root: Path, text: str, spec: Refused) -> list[str]:
    for name, target in spec.links:
        (root / "source" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "source" / name).symlink_to(root / target)
    for name, content in spec.files:
        path = root / "source" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    data = text.encode("utf-8", "surrogateescape")  # a lone surrogate stands for a bad byte
    (root / "source" / "sample.md").write_bytes(data)
    return build(Project.at(root), Options(formats=("html",))).lines


@pytest.mark.parametrize("case", REFUSED)
def test_hostile_input_is_refused_and_nothing_else_changes(
    good_project: Path, tmp_path: Path, case: str
) -> None:
    spec = REFUSED[case]
    assert spec.old in GOOD, "the case must change the good document"
    root = tmp_path / "project"
    shutil.copytree(good_project, root)
    before = {doc: snapshot(root / "output" / doc) for doc in ("sample", "other")}
    text = GOOD.replace(spec.old, spec.new, 1)

    lines = build_with(root, text, spec)

    line = next(i for i, row in enumerate(text.splitlines(), 1) if spec.needle in row)
    refusals = [row for row in lines if row.startswith("source/sample.md:")]
    assert refusals, lines
    assert refusals[0].startswith(f"source/sample.md:{line}: {spec.message}"), refusals
    assert not any("Traceback" in row or "could not be rendered" in row for row in lines)
    after = snapshot(root / "output" / "sample")
    assert without_manifest(after) == without_manifest(before["sample"]), "the last good stays"
    failed = json.loads((root / "output" / "sample" / "manifest.json").read_text())["rejected"]
    assert failed["problems"] == refusals, "its manifest says the current source failed, why"
    assert snapshot(root / "output" / "other") == before["other"], "other documents unchanged"


# -- oversized input: refused within bounds ---------------------------------------------------
# Each case is built (every format) in a child process capped at MEMORY_MB of address space a
# process and stopped after SECONDS: a regression fails here instead of taking the machine.
# Before the limits, these took up to 3 GB and minutes, or hung (tests/bounded.py measures).
MEMORY_MB = 1500
SECONDS = 60.0
OVER = 'over the limit "{}" of {}'


@dataclass(frozen=True)
class Oversized:
    make: Callable[[Path], str]
    """Writes the case into the project; returns the source text it wrote."""
    line: Callable[[str], int]
    """The line the message names, in that text."""
    message: str
    doc: str = "sample"


def holding(needle: str) -> Callable[[str], int]:
    return lambda text: next(i for i, row in enumerate(text.splitlines(), 1) if needle in row)


def passing_limit(text: str) -> int:
    """The line on which the source passes its size limit."""
    return text.encode()[: limits.SOURCE.most].count(b"\n") + 1


def first(_text: str) -> int:
    return 1


SOURCE_OVER = "the file is {:,} bytes, " + OVER.format("source size", "200,000 bytes")
PIXELS = 'image "images/big-0.png" in section "symptoms" is {:,} pixels, ' + OVER.format(
    "figure size", "25,000,000 pixels"
)
BOUNDED = {
    "YAML alias bomb in lang": Oversized(
        oversized.alias_bomb_in("lang"),
        holding("*a"),
        "the YAML metadata uses an alias (*a), which is not allowed; write the value out",
    ),
    "YAML alias bomb in id": Oversized(
        oversized.alias_bomb_in("id"),
        holding("*a"),
        "the YAML metadata uses an alias (*a), which is not allowed; write the value out",
    ),
    "a 10 MB title": Oversized(oversized.huge_title, passing_limit, SOURCE_OVER.format(10_000_378)),
    "a 201-character title": Oversized(
        lambda root: oversized.write_source(
            root, GOOD.replace("title: A sample leaflet", "title: " + "Care " * 40 + "x")
        ),
        holding("title:"),
        "the title is 201 characters, " + OVER.format("title length", "200 characters"),
    ),
    "a 50,000-row table": Oversized(
        oversized.huge_table, passing_limit, SOURCE_OVER.format(650_426)
    ),
    "a 2,001-row table": Oversized(
        oversized.rows(2_001),
        holding("| Row | Dose |"),
        "the table has 2,001 rows, " + OVER.format("table rows", "2,000 rows"),
    ),
    "a 20 MB paragraph": Oversized(
        oversized.huge_paragraph, passing_limit, SOURCE_OVER.format(20_000_373)
    ),
    "a 5,040-character paragraph": Oversized(
        oversized.long_paragraph,
        holding("Pain comes and goes."),
        "the paragraph is 5,039 characters, " + OVER.format("paragraph length", "5,000 characters"),
    ),
    "101 sections": Oversized(
        oversized.many_sections,
        holding("## Part 99 "),
        "the document has 101 sections, " + OVER.format("sections", "100 sections"),
    ),
    "a 13,000 x 13,000 PNG of 0.5 MB": Oversized(
        oversized.png_bomb(13_000), holding("big-0.png"), PIXELS.format(169_000_000)
    ),
    "a 30,000 x 30,000 PNG": Oversized(
        oversized.png_bomb(30_000), holding("big-0.png"), PIXELS.format(900_000_000)
    ),
    "three PNGs of 22.5 million pixels": Oversized(
        oversized.png_bomb(5_000, 4_500, count=3),
        holding("big-2.png"),
        'image "images/big-2.png" in section "symptoms" brings its figures to 67,500,000 pixels, '
        + OVER.format("figure size in a document", "60,000,000 pixels"),
    ),
    "an SVG of 2.2 MB": Oversized(
        oversized.huge_svg,
        holding("spine.svg"),
        'image "images/spine.svg" in section "symptoms" is 2,240,070 bytes, '
        + OVER.format("SVG size", "2,000,000 bytes"),
    ),
    "an SVG of 10^9 <use>s": Oversized(
        oversized.svg_use_bomb,
        holding("spine.svg"),
        'image "images/spine.svg" in section "symptoms" cannot be made safe to publish: '
        "librsvg cannot draw it",
    ),
    "a source that is a FIFO": Oversized(
        oversized.fifo_source,
        first,
        "this file is not a regular file but a named pipe (FIFO); save it as a file",
        doc="evil",
    ),
    "a translation that is a FIFO": Oversized(
        oversized.fifo_translation,
        first,
        "this file is not a regular file but a named pipe (FIFO); save it as a file",
        doc="evil.es-US",
    ),
    "a figure that is a FIFO": Oversized(
        oversized.fifo_figure,
        holding("spine.png"),
        'image "images/spine.png" in section "symptoms" is not a regular file but a named pipe '
        "(FIFO); save it as a file",
    ),
    "a source linked to a file outside the project": Oversized(
        oversized.symlink_out,
        first,
        "this file is a symbolic link to {outside}, outside source/; copy the file into "
        "source/ instead",
        doc="evil",
    ),
}


def _build_lines(root: Path) -> list[str]:
    return build(Project.at(root)).lines


@pytest.mark.parametrize("case", BOUNDED)
def test_oversized_input_is_refused_within_bounds(tmp_path: Path, case: str) -> None:
    spec = BOUNDED[case]
    root = tmp_path / "project"
    make_project(root, {})
    text = spec.make(root)

    ran = run_bounded(_build_lines, root, memory_mb=MEMORY_MB, seconds=SECONDS)

    assert not ran.timed_out and not ran.error, ran
    lines: list[str] = ran.result
    message = spec.message.format(outside=tmp_path / "outside.md")
    expected = f"source/{spec.doc}.md:{spec.line(text)}: {message}"
    assert any(line.startswith(expected) for line in lines), (expected, lines)
    assert not any("could not be rendered" in line or "verified" in line for line in lines)
    assert not (root / "output" / spec.doc).exists(), "nothing published"


def test_a_shared_passage_that_is_a_fifo_is_refused_within_bounds(tmp_path: Path) -> None:
    """A document includes a passage whose file is a named pipe: reading which language it
    is written in must not wait for a writer."""
    root = tmp_path / "project"
    include = f"{oversized.PARA}\n\n::: {{include=notice}}\n:::\n"
    make_project(
        root, {"evil": GOOD.replace("id: sample", "id: evil").replace(oversized.PARA, include, 1)}
    )
    (root / "styles" / "passages").mkdir(exist_ok=True)
    os.mkfifo(root / "styles" / "passages" / "notice.md")

    ran = run_bounded(_build_lines, root, memory_mb=MEMORY_MB, seconds=SECONDS)

    assert not ran.timed_out and not ran.error, ran
    expected = "styles/passages/notice.md:1: this file is not a regular file but a named pipe"
    assert any(line.startswith(expected) for line in ran.result), ran.result
    assert not (root / "output" / "evil").exists(), "nothing published"


# -- the safe case: hostile-looking text is text, in every format ---------------------------

HOSTILE_TEXT = (
    GOOD.replace(
        "title: A sample leaflet",
        "title: 'Care </style><script>alert(1)</script> & \"quotes\" <iframe src=x>'",
    )
    .replace(
        "lang: en-US", "lang: en-US\nsubtitle: '<img src=x onerror=alert(1)> javascript:alert(1)'"
    )
    .replace(
        PARA,
        f"{PARA} Never type `<script>alert(1)</script>` or javascript:alert(1) anywhere. "
        "Read [the guide](https://example.org/guide) or [this section](#treatment), or call "
        "[the clinic](tel:+15551234567). [Bonjour]{lang=fr}.\n\n"
        "![A clean drawing of the spine](images/clean.svg)\n\n"
        "![A photo of the spine](images/photo.png){width=2in}",
    )
)


def active_content(path: Path) -> list[str]:
    """Anything in a finished file that could run, load or attach something."""
    suffix = path.suffix.lower()
    if suffix == ".html":
        return _active_html(path)
    if suffix == ".svg":
        return _active_svg(path)
    if suffix == ".pdf":
        return _active_pdf(path)
    if suffix == ".docx":
        return _active_docx(path)
    return []


def _active_html(path: Path) -> list[str]:
    found = []
    root = lxml_html.parse(str(path)).getroot()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag == "script" and element.get("type") != "application/ld+json":
            found.append("a script element")
        if tag in {"iframe", "object", "embed", "frame", "applet", "base", "form"}:
            found.append(f"<{tag}>")
        if "attachment" in (element.get("rel") or "").lower().split():
            found.append(f"<{tag} rel=attachment>")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"{name} on <{tag}>")
            if re.match(r"\s*(javascript|vbscript|data|file):", value, re.IGNORECASE) and name in {
                "href",
                "src",
                "action",
                "formaction",
                "srcset",
            }:
                found.append(f'{name}="{value[:30]}" on <{tag}>')
    return found


def _active_pdf(path: Path) -> list[str]:
    found = []
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Dictionary):
                continue
            for key in ("/JS", "/JavaScript", "/EmbeddedFile", "/EmbeddedFiles", "/Launch"):
                if key in obj:
                    found.append(key)
            if obj.get("/S") in (pikepdf.Name.JavaScript, pikepdf.Name.Launch):
                found.append(str(obj.get("/S")))
            uri = str(obj.get("/URI", ""))
            if re.match(r"\s*(javascript|file|data):", uri, re.IGNORECASE):
                found.append(f"/URI {uri[:30]}")
    return found


def _active_svg(path: Path) -> list[str]:
    found = []
    for element in etree.parse(str(path)).iter():
        if not isinstance(element.tag, str):
            found.append("a processing instruction, comment or entity")
            continue
        name = etree.QName(element).localname
        if name in {"script", "foreignObject", "iframe", "object", "embed"}:
            found.append(f"<{name}>")
        for key, value in element.attrib.items():
            attribute = etree.QName(key).localname
            if attribute.lower().startswith("on"):
                found.append(f"{attribute} on <{name}>")
            if attribute == "href" and not value.startswith("#"):
                found.append(f'href="{value[:30]}"')
            if re.search(r"(?i)url\(\s*['\"]?(?!#)", value):
                found.append(f'url() in "{attribute}"')
    return found


def _active_docx(path: Path) -> list[str]:
    """Parts that would bring in HTML or files (altChunk, attached templates, OLE objects),
    and relationships that point outside the package anywhere but the source's own links."""
    found = []
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if re.search(r"(?i)afchunk|altchunk|oleObject|\.bin$|\.html?$", name):
                found.append(name)
            if not name.endswith(".rels"):
                continue
            for rel in etree.fromstring(package.read(name)):
                target = rel.get("Target", "")
                if rel.get("TargetMode") == "External" and not re.match(
                    r"https://example\.org/guide$|tel:\+15551234567$", target
                ):
                    found.append(
                        f"{name}: external {rel.get('Type', '').rsplit('/', 1)[-1]} {target}"
                    )
    return found


def test_hostile_text_is_only_text_in_every_output(tmp_path: Path) -> None:
    project = make_project(
        tmp_path, {"sample": GOOD, "other": GOOD.replace("id: sample", "id: other")}
    )
    kinds = list(FORMATS)
    build(project, Options(formats=tuple(kinds)))
    other_before = snapshot(project.output_dir / "other")
    images = project.source_dir / "images"
    images.mkdir()
    (images / "clean.svg").write_text(CLEAN_SVG)
    Image.new("RGB", (900, 600), (200, 30, 30)).save(images / "photo.png")
    (project.source_dir / "sample.md").write_text(HOSTILE_TEXT, encoding="utf-8")

    report = build(project, Options(formats=tuple(kinds)))

    assert not [line for line in report.lines if line.startswith("source/")], report.lines
    assert not [line for line in report.lines if "could not be rendered" in line], report.lines
    outputs = [p for p in tmp_path.rglob("*") if p.is_file() and "sample" in p.parts]
    outputs = [p for p in outputs if "source" not in p.relative_to(tmp_path).parts]
    kinds_seen = {p.suffix for p in outputs}
    assert {".html", ".pdf", ".docx", ".svg", ".png"} <= kinds_seen, kinds_seen
    assert {p.name: active_content(p) for p in outputs if active_content(p)} == {}
    published_svgs = [p for p in outputs if p.suffix == ".svg" and "clean" in p.name]
    assert published_svgs and all("<path" in p.read_text() for p in published_svgs), "redrawn"
    page = (project.output_dir / "sample" / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text, in the title too
    assert snapshot(project.output_dir / "other") == other_before, "other documents unchanged"


def test_every_template_is_autoescaped_css_ones_too(tmp_path: Path) -> None:
    """A value put into any template, whatever its file name, cannot write markup: the `<`
    that could close an inlined <style> comes out escaped."""
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    for name in ("probe.css.j2", "probe.html.j2", "probe.txt"):
        (styles / "templates" / name).write_text("a { content: {{ value }}; }")
    env = environment(load_brand(styles))
    hostile = "</style><script>alert(1)</script>"
    for name in ("probe.css.j2", "probe.html.j2", "probe.txt"):
        rendered = env.get_template(name).render(value=hostile)
        assert "<" not in rendered.replace("&lt;", ""), (name, rendered)
    css = env.from_string("{{ value | css_string }}").render(value='a"b</style>')
    assert css == '"a\\22 b\\3c \\2f style\\3e "'


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "https://example.org/pixel.png", "ftp://example.org/x.png"]
)
def test_weasyprint_reads_nothing_outside_the_project(tmp_path: Path, url: str) -> None:
    """The renderers' own fence, behind the loader: WeasyPrint fetches only files of the
    folders it is given (formats/weasy.ProjectFetcher), and fails rather than leave a hole."""
    from weasyprint.urls import FatalURLFetchingError

    from pipeline.formats import weasy

    page = f'<p>x</p><img src="{url}" alt="x">'
    with pytest.raises(FatalURLFetchingError, match="refused to"):
        weasy.fenced(page, tmp_path, load_brand(ROOT / "styles")).render()


# -- SVG figures: what a published one fetches when opened in a browser ----------------------

EVIL = "http://evil.example"
HOSTILE_SVGS = {
    "<style> with an XML comment": f"<style><!-- x -->@font-face {{ font-family: f; src: "
    f"url({EVIL}/font.woff) }} text {{ font-family: f }}</style><text y='9'>Hi</text>",
    "<style> with a child element first": f"<style><g/>rect {{ fill: url({EVIL}/p.svg#p) }}"
    "</style><rect width='9' height='9'/>",
    "image-set()": f"<style>rect {{ fill: red; mask-image: image-set('{EVIL}/m.png' 1x) }}</style>"
    "<rect width='9' height='9'/>",
    "@import": f"<style>@import url({EVIL}/x.css);</style><rect width='9' height='9'/>",
    "url(http://...) in an attribute": f"<rect width='9' height='9' fill='url({EVIL}/p.svg#p)'/>",
    "xlink:href outside": f"<image xlink:href='{EVIL}/i.png' width='9' height='9'/>",
    "<script>": f"<script>fetch('{EVIL}/script')</script><circle r='4'/>",
    "onload": f"<circle r='4'/><set attributeName='fill' to='red' onbegin=\"fetch('{EVIL}/on')\"/>",
    "<foreignObject>": f"<foreignObject width='9' height='9'><img xmlns='http://www.w3.org/1999/"
    f"xhtml' src='{EVIL}/fo.png'/></foreignObject><circle r='4'/>",
    "file: reference": "<image href='file:///etc/hostname' width='9' height='9'/><circle r='4'/>",
}
SVG_HOSTILE_OPEN = SVG_OPEN.replace(
    ">", f" width='20' height='20' onload=\"fetch('{EVIL}/load')\">"
)


def requests_made(browser: Browser, path: Path) -> list[str]:
    """Every URL the browser asks for while it opens `path` at its own address and lets it
    run for a moment (each fetch aborted, so nothing leaves the machine)."""
    seen: list[str] = []
    context = browser.new_context()
    try:
        page = context.new_page()
        page.on("request", lambda request: seen.append(request.url))
        page.route(
            "**/*",
            lambda route: route.abort() if "evil" in route.request.url else route.continue_(),
        )
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_timeout(300)
    finally:
        context.close()
    return [url for url in seen if url != path.as_uri()]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.mark.parametrize("case", HOSTILE_SVGS)
def test_an_svg_drawn_again_fetches_nothing_in_a_browser(
    browser: Browser, tmp_path: Path, case: str
) -> None:
    """Whatever the author's SVG holds, what svgclean makes of it fetches nothing when opened
    at its own address; the author's file itself (the control) does reach out, or the case
    would prove nothing."""
    original = tmp_path / "original.svg"
    original.write_text(f"{SVG_HOSTILE_OPEN}{HOSTILE_SVGS[case]}</svg>")
    assert requests_made(browser, original), "the control: the original fetches something"
    cleaned = tmp_path / "cleaned.svg"
    cleaned.write_bytes(clean_svg(original.read_bytes()))
    assert requests_made(browser, cleaned) == []
    assert _active_svg(cleaned) == []


def test_a_published_svg_with_script_and_handlers_fetches_nothing(
    browser: Browser, tmp_path: Path
) -> None:
    """Scripts, handlers and animations draw nothing: the loader lets such an SVG through and
    the build publishes it drawn again, as shapes alone, in the page's and the one-pager's
    images/ and inside the DOCX."""
    project = make_project(tmp_path, {"sample": GOOD})
    images = project.source_dir / "images"
    images.mkdir()
    body = HOSTILE_SVGS["<script>"] + HOSTILE_SVGS["onload"] + "<rect width='5' height='5'/>"
    (images / "spine.svg").write_text(f"{SVG_HOSTILE_OPEN}{body}</svg>")
    assert requests_made(browser, images / "spine.svg"), "the control"
    (project.source_dir / "sample.md").write_text(GOOD.replace(PARA, f"{PARA}\n\n{FIGURE}"))

    report = build(project, Options(formats=("html", "docx")))

    assert not report.failed, report.lines
    [published] = (project.output_dir / "sample" / "images").glob("*spine.svg")
    assert requests_made(browser, published) == []
    assert _active_svg(published) == []
    with zipfile.ZipFile(project.output_dir / "sample" / "sample.docx") as package:
        [inside] = [name for name in package.namelist() if name.endswith(".svg")]
        assert package.read(inside) == published.read_bytes(), "the same drawing in the DOCX"
