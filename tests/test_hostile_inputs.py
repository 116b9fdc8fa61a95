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
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from lxml import html as lxml_html
from PIL import Image

from pipeline.brand import load_brand
from pipeline.builder import Options, Project, build
from pipeline.formats import FORMATS
from pipeline.templates import environment
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
    "svg with <script>": Refused(
        *in_para(FIGURE),
        "images/spine.svg",
        f'image "images/spine.svg" in {SECTION} holds a <script> element (line 1 of the SVG); '
        + FIX,
        svg("<script>alert(1)</script>"),
    ),
    "svg with an onload handler": Refused(
        *in_para(FIGURE),
        "images/spine.svg",
        f'image "images/spine.svg" in {SECTION} holds an event handler attribute "onload" '
        f"(line 1 of the SVG); {FIX}",
        svg("", open_tag=SVG_OPEN.replace(">", ' onload="alert(1)">')),
    ),
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
    "svg animating a link to javascript:": Refused(
        *in_para(FIGURE),
        "images/spine.svg",
        f'image "images/spine.svg" in {SECTION} holds an <set> element that changes "href" '
        f"(line 1 of the SVG); {FIX}",
        svg('<a><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a>'),
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
        f"raw html in {SECTION}; write it in Markdown instead",
    ),
    "raw HTML inline: object": Refused(
        *in_para('See <object data="x.swf"></object> here.'),
        "<object",
        f"raw html in {SECTION}; write it in Markdown instead",
    ),
    "raw HTML: script": Refused(
        *in_para("<script>alert(1)</script>"),
        "<script>",
        f"raw html in {SECTION}; write it in Markdown instead",
    ),
    "raw HTML: link rel=attachment": Refused(
        *in_para('<link rel="attachment" href="file:///etc/passwd">'),
        "<link",
        f"raw html in {SECTION}; write it in Markdown instead",
    ),
    "raw LaTeX reading a file": Refused(
        *in_para("\\input{/etc/passwd}"),
        "\\input",
        f"raw tex in {SECTION}; write it in Markdown instead",
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
        "more than 50 levels of lists, quotes or divs inside one another; flatten them",
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
    assert published_svgs and all(p.read_text() == CLEAN_SVG for p in published_svgs)
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
