"""The resource policy (docs/resource-policy.md), in one place: what a source document may
point at, and what it may carry into an output.

The loader asks this module about every node of every document: raw markup, links,
attributes and images (the image files too). A document that breaks the policy is refused
with file:line, so the model holds only what every renderer may publish as it is. (The
renderers add their own fence: pandoc runs with --sandbox, WeasyPrint through
formats.weasy.ProjectFetcher.)
"""

from __future__ import annotations

import os
import re
import unicodedata
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from pipeline import limits
from pipeline.errors import UserError

# The figure files a page may show, by name ending, and how each file must begin.
IMAGE_TYPES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".svg": "SVG"}
_SIGNATURES = {"PNG": (b"\x89PNG\r\n\x1a\n",), "JPEG": (b"\xff\xd8\xff",), "GIF": (b"GIF8",)}
LINK_SCHEMES = ("http", "https", "mailto", "tel")
"""A link goes to the web, an e-mail address, a phone number, or (`#id`) this document."""

_LENGTH = re.compile(r"(?=[0-9.]*[1-9])[0-9]+(?:\.[0-9]+)?(?:px|cm|mm|in|pt|pc|em|ex|%)?")
"""A length more than zero (a figure 0 wide shows nothing)."""
ATTRIBUTES = {
    "width": _LENGTH,
    "height": _LENGTH,
    "lang": re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*"),
    "dir": re.compile(r"ltr|rtl|auto"),
    "include": re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*"),
}
"""The pandoc attributes (`{key=value}`) a document may use, and the values each takes: an
attribute reaches the HTML as it is, so an event handler (`onclick`), a `style`, `hidden`,
`aria-hidden` or a `rel=attachment` never may. (A Word style, `custom-style`, is the DOCX
renderer's own: in a source it could dress any paragraph as a disclaimer, or a disclaimer's
as any other.)"""
FIGURE_ONLY = ("width", "height")
"""Attributes that mean something on a figure only."""
LABEL = "label"
"""A disclaimer's label (`::: {.disclaimer #call-911 label="Call 911"}`): what its box is
headed with instead of "Important". Visible words, so letters, digits, marks, spaces and a
little punctuation only, at most LABEL_LENGTH characters, on a disclaimer alone."""
LABEL_LENGTH = 40
_LABEL_PUNCTUATION = frozenset(" ,.'\u2019!?:;()/&-")
INCLUDE = "include"
"""`::: {include=id}` and `:::`: a shared passage (styles/passages/<id>.md) stands here.
An empty div of its own: nothing else on it, nothing in it."""
CLASSES = {"Div": ("plain", "disclaimer"), "Link": ("uri", "email")}
"""The classes a source may use: `plain` and `disclaimer` on a `:::` div, and those pandoc
gives an address written as a link (`<https://...>`, `<name@example.org>`). Any other class
would reach the page as it is, where the templates' own rules apply to it (`.skip-link`
moves its text above the top of the page). pandoc's `[text]{.underline}` and
`[text]{.smallcaps}` are not classes: pandoc reads them as underlined and small-capital
text."""
# Where each kind of pandoc node keeps its attributes [id, classes, key-values].
_ATTR_INDEX = {
    "Code": 0,
    "CodeBlock": 0,
    "Header": 1,
    "Div": 0,
    "Span": 0,
    "Link": 0,
    "Image": 0,
    "Table": 0,
    "Figure": 0,
}


class Refused(UserError):
    """What breaks the policy and how to fix it; the loader adds the file and line."""


def node_problems(node: dict[str, Any], where: str) -> Iterator[tuple[str, str]]:
    """(text on the offending source line, message) for each way this one node (not its
    children) breaks the policy: raw markup, a link target, an attribute, a class."""
    kind, content = node.get("t"), node.get("c", [])
    if kind in {"RawBlock", "RawInline"}:
        yield content[1].strip()[:40], raw_markup_problem(content[0], content[1], where)
    if kind == "Math":
        yield content[1][:40], math_problem(content[0]["t"] == "DisplayMath", content[1], where)
    if kind == "Link":
        target = content[2][0]
        problem = link_problem(target)
        if problem:
            yield target, f'link "{target}" in {where} {problem}'
    if kind in _ATTR_INDEX:
        _ident, classes, attributes = content[_ATTR_INDEX[kind]]
        for key, value in attributes:
            problem = attribute_problem(key, value)
            if not problem and key in FIGURE_ONLY and kind != "Image":
                problem = f"is not allowed here: only a figure takes a {key}"
            if not problem and key == LABEL and not (kind == "Div" and "disclaimer" in classes):
                problem = "is not allowed here: only a disclaimer takes a label"
            if not problem and key == INCLUDE and not is_include(node):
                problem = (
                    f"is not allowed here: a shared passage is included by an empty div of its "
                    f'own, the line "::: {{include={value}}}" then the line ":::"'
                )
            if problem:
                yield f"{key}=", f'attribute "{key}" in {where} {problem}'
        for name in classes:
            if name not in CLASSES.get(kind, ()):
                # A code fence's language is written without its dot (```python).
                needle = name if kind in {"Code", "CodeBlock"} else f".{name}"
                yield needle, f'class "{name}" in {where} {class_problem(name)}'


def is_include(node: dict[str, Any]) -> bool:
    """Is this node an include of a shared passage: an empty div whose one attribute is
    `include` (no id, no class, no text)?"""
    if node.get("t") != "Div":
        return False
    (ident, classes, attributes), content = node["c"]
    return not ident and not classes and not content and [k for k, _ in attributes] == [INCLUDE]


def included(node: dict[str, Any]) -> str | None:
    """The passage id an include names; None for any other node."""
    return dict(node["c"][0][2])[INCLUDE] if is_include(node) else None


def class_problem(name: str) -> str:
    """Why a class may not stand where it is."""
    if name in CLASSES["Div"]:
        return f'is not allowed here: "{name}" names a "::: {name}" div; delete it'
    return (
        f"is not allowed: a source may use only the classes {' and '.join(CLASSES['Div'])}, "
        'each on a ":::" div; delete it'
    )


_MARKDOWN = {
    ("b", "strong"): "**bold text**",
    ("i", "em", "cite", "var"): "*italic text*",
    ("u", "ins", "mark"): "**bold text** or *italic text* (underlined text reads as a link)",
    ("s", "del", "strike"): "~~struck-out text~~",
    ("br",): "a new paragraph (an empty line), or end the line with a backslash \\",
    ("p",): "an empty line between paragraphs",
    ("ul", "li"): 'a list, one "- item" a line',
    ("ol",): 'a numbered list, one "1. item" a line',
    ("h1", "h2", "h3", "h4", "h5", "h6"): 'a subheading, "### Subheading"',
    ("sup",): "^superscript^",
    ("sub",): "~subscript~",
    ("img",): "![what the image shows](images/figure.png)",
    ("table", "thead", "tbody", "tr", "td", "th"): 'a table, "| a | b |" lines',
    ("blockquote", "q"): '"> quoted text"',
    ("code", "kbd", "samp", "tt"): "`code`",
    ("pre",): "a code block between two ``` lines",
    ("hr",): "a line of three asterisks, * * *",
    ("span",): "[text]{lang=xx} for words in another language",
    ("div", "section", "article"): "::: {lang=xx} and ::: around text in another language",
    ("font", "small", "big", "center"): "the text alone: the brand sets fonts, sizes and colours",
    ("dl", "dt", "dd"): 'a definition list: the term, then a line ": definition"',
    ("abbr",): "the words in full",
}
MARKDOWN_FOR_TAG = {tag: markdown for tags, markdown in _MARKDOWN.items() for tag in tags}
"""What to write in Markdown instead of an HTML tag a writer may type."""
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)")
_HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)


def raw_markup_problem(markup: str, text: str, where: str) -> str:
    """What to say of raw HTML or LaTeX in a source: quoted, with the Markdown to write."""
    quoted = " ".join(text.split())
    quoted = quoted if len(quoted) <= 40 else quoted[:39] + "…"
    if markup != "html":
        name = "LaTeX" if markup in {"tex", "latex"} else markup
        return f'raw {name} "{quoted}" in {where}; write it in Markdown instead'
    if quoted.startswith("<!--"):
        return (
            f'an HTML comment "{quoted}" in {where}; delete it (a comment is not shown, but '
            "it would be published in the page's code)"
        )
    tag = _TAG.match(quoted)
    name = tag.group(2).lower() if tag else ""
    if name == "a":
        href = _HREF.search(text)
        instead = f"[link text]({href.group(1) if href else 'https://...'})"
    else:
        instead = MARKDOWN_FOR_TAG.get(name, "")
    if not instead:
        return (
            f'raw HTML "{quoted}" in {where}; delete it: a leaflet holds only Markdown '
            "(docs/authoring.md), and nothing that runs or embeds"
        )
    return f'raw HTML "{quoted}" in {where}; write it in Markdown: {instead}'


def math_problem(display: bool, tex: str, where: str) -> str:
    """TeX math is refused: no format shows it as written without a script (the page) or a
    TeX engine (the PDFs), and a leaflet for patients needs none."""
    fence = "$$" if display else "$"
    shown = tex if len(tex) <= 40 else tex[:39] + "…"
    return (
        f'math "{fence}{shown}{fence}" in {where} cannot be shown in every format; write it '
        "in words, or as text (x^2^ for a superscript, H~2~O for a subscript); if you meant "
        "an amount in dollars, write \\$ for each $"
    )


def link_problem(target: str) -> str:
    """What is wrong with a link target, or "" when it is allowed."""
    try:
        parts = urlsplit(target.strip())
    except ValueError:
        parts = None
    if parts is not None and parts.scheme.lower() in LINK_SCHEMES:
        return ""
    if parts is not None and not parts.scheme and target.startswith("#"):
        return ""
    return (
        "is not allowed: a link goes to a web address (https://...), mailto:, tel: "
        "or a section of this document (#id)"
    )


def attribute_problem(key: str, value: str) -> str:
    """What is wrong with a `{key=value}` attribute, or "" when it is allowed."""
    if key.lower().startswith("on"):
        return "is an event handler, which would run script; delete it"
    if key == LABEL:
        return label_problem(value)
    pattern = ATTRIBUTES.get(key)
    if pattern is None:
        return f"is not allowed; attributes may be {', '.join([*ATTRIBUTES, LABEL])}"
    if not pattern.fullmatch(value):
        return f'has the value "{value}", which is not a valid {key}'
    return ""


def label_problem(value: str) -> str:
    """What is wrong with a disclaimer's label, or "" when it may head the box."""
    odd = [c for c in value if not (unicodedata.category(c)[0] in "LNM" or c in _LABEL_PUNCTUATION)]
    if not value.strip() or value != value.strip() or len(value) > LABEL_LENGTH or odd:
        shown = f" ({', '.join(f'U+{ord(c):04X}' for c in dict.fromkeys(odd))})" if odd else ""
        return (
            f'has the value "{value}"{shown}: a label is 1 to {LABEL_LENGTH} letters, digits, '
            'spaces and plain punctuation, such as label="Call 911"'
        )
    return ""


def image_file(target: str, folder: Path) -> Path:
    """The file an image target names: a regular PNG, JPEG, GIF or SVG file inside `folder`
    (the document's folder), checked down to its content and within the limits of
    pipeline/limits.py. Raises Refused."""
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//", target):
        raise Refused(
            "is not a file in the project; save it under source/ and link it by a relative path"
        )
    try:
        path = (folder / target).resolve()
        inside, exists = path.is_relative_to(folder), (folder / target).exists()
    except (OSError, ValueError):
        raise Refused("is not a valid file name; rename the file") from None
    if target.startswith("/"):
        example = path.relative_to(folder).as_posix() if inside else f"images/{path.name}"
        raise Refused(
            "is an absolute path, which names a file on this computer only; write the path "
            f'from the source file\'s folder, e.g. "{example}"'
            + ("" if inside else f" (after copying the file to {folder.name}/images/)")
        )
    if not inside:
        raise Refused("is outside the source folder; move it under source/ (e.g. source/images/)")
    if not exists:
        raise Refused("does not exist; check the file name")
    kind = IMAGE_TYPES.get(path.suffix.lower())
    if kind is None:
        raise Refused("is not a PNG, JPEG, GIF or SVG file; save the figure in one of these")
    try:
        os.close(limits.open_regular(path, folder))
    except OSError as error:
        raise Refused(error.strerror or str(error)) from None
    problem = figure_problem(path, kind)
    if problem:
        raise Refused(problem)
    return path


def figure_problem(path: Path, kind: str) -> str:
    """Why a figure file may not be published as it is, or "" when it may."""
    if kind == "SVG":
        size = path.stat().st_size
        return limits.SVG.exceeded("is", size) if size > limits.SVG.most else svg_problem(path)
    with path.open("rb") as stream:
        head = stream.read(8)
    if not head.startswith(_SIGNATURES[kind]):
        return f"is not a {kind} file inside; save it again as {kind}"
    pixels = figure_pixels(path)
    if pixels is None:
        return f"cannot be read as a {kind} image; save it again as {kind}"
    if pixels > limits.FIGURE_PIXELS.most:
        return limits.FIGURE_PIXELS.exceeded("is", pixels)
    return ""


def figure_pixels(path: Path) -> int | None:
    """Width x height of a bitmap figure, read from its header: no pixel is decoded. None
    when the header cannot be read."""
    from PIL import Image

    with warnings.catch_warnings():
        # Pillow warns above its own limit, and refuses twice that: both tell the size.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                width, height = image.size
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            found = re.search(r"\((\d+) pixels\)", str(error))
            return int(found.group(1)) if found else None
        except (OSError, ValueError, SyntaxError):
            return None
    return int(width) * int(height)


# -- SVG ------------------------------------------------------------------------------------
# An SVG is a document: opened at its own address it runs its script and loads what it
# references. Every SVG a build publishes is drawn again by librsvg into shapes alone
# (pipeline/svgclean.py), so nothing active can reach a published file, whatever this check
# sees or misses. This check is for the author: it refuses, each with its line, what the
# cleaning would lose from the drawing (a picture or style it references elsewhere, HTML in a
# <foreignObject>) and what cannot be read safely at all (a DTD, entities, a processing
# instruction). A script, an event handler or an animation is dropped: they draw nothing.
SVG = "http://www.w3.org/2000/svg"
_FOREIGN = {"http://www.w3.org/1999/xhtml": "HTML", "http://www.w3.org/1998/Math/MathML": "MathML"}
_EMBEDDED_BITMAP = re.compile(r"data:image/(?:png|jpeg|gif);base64,", re.IGNORECASE)
_URL_FUNCTIONS = {"url", "src"}
_IMAGE_FUNCTIONS = {"image-set", "-webkit-image-set", "image", "cross-fade", "element"}
"""CSS functions whose quoted strings are addresses to load."""
_FIX = "export the drawing again as a plain SVG with nothing but shapes, text and styles"


def svg_problem(path: Path) -> str:
    """What in an SVG would be lost or cannot be read safely, each with its line, or ""."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        tree = etree.parse(str(path), parser)
    except (etree.XMLSyntaxError, OSError) as error:
        return f"is not a well-formed SVG file ({error}); {_FIX}"
    root = tree.getroot()
    problems = []
    if tree.docinfo.internalDTD is not None:
        problems.append("a DTD of its own (entities)")
    if root.tag != f"{{{SVG}}}svg":
        problems.append(f"a root element that is not <svg> in the SVG namespace ({SVG})")
    for node in (*root.itersiblings(preceding=True), *root.iter(), *root.itersiblings()):
        problems += [f"{what} (line {node.sourceline} of the SVG)" for what in _lost(node)]
    if problems:
        return f"holds {', '.join(problems)}; {_FIX}"
    from pipeline.svgclean import SvgError, clean_svg

    try:
        clean_svg(path.read_bytes())
    except SvgError as error:
        return f"cannot be made safe to publish: {error}; {_FIX}"
    return ""


def _lost(node: Any) -> Iterator[str]:
    """What of this one SVG node the drawing would lose, or cannot be read safely."""
    if node.tag is etree.PI:
        yield f"a processing instruction <?{node.target} ...?>"
        return
    if node.tag is etree.Entity:
        yield f"an entity reference {node.text}"
        return
    if node.tag is etree.Comment:
        return
    name = etree.QName(node)
    if name.namespace in _FOREIGN:
        yield f"an {_FOREIGN[name.namespace]} <{name.localname}> element"
    elif name.namespace == SVG and name.localname == "foreignObject":
        yield "a <foreignObject> element"
    if name.namespace == SVG and name.localname == "style":
        yield from _css_problems("".join(node.itertext()), "a <style> element", sheet=True)
    for key, value in node.attrib.items():
        attribute = etree.QName(key).localname
        if attribute.lower().startswith("on"):
            continue  # an event handler: dropped, it draws nothing
        if attribute == "href" and not _internal(value):
            yield f'a reference to "{value[:60]}" outside the drawing'
        elif attribute == "base":
            yield 'an "xml:base" attribute'
        elif "(" in value or "@" in value:
            yield from _css_problems(value, f'the "{attribute}" attribute')


def _css_problems(css: str, where: str, sheet: bool = False) -> Iterator[str]:
    """Addresses a piece of CSS would load, read as a browser reads CSS (tinycss2: comments,
    escapes and nesting are no hiding place)."""
    import tinycss2

    parsed = (
        tinycss2.parse_stylesheet(css, skip_comments=True)
        if sheet
        else tinycss2.parse_component_value_list(css, skip_comments=True)
    )
    for node in _css_nodes(parsed):
        if node.type == "at-rule" and node.lower_at_keyword == "import":
            yield f"an @import in {where}"
        for target in _css_addresses(node):
            if not _internal(target):
                yield f'a reference to "{target[:60]}" outside the drawing in {where}'


def _css_nodes(nodes: Any) -> Iterator[Any]:
    for node in nodes or ():
        yield node
        for inner in ("prelude", "content", "arguments"):
            yield from _css_nodes(getattr(node, inner, None))


def _css_addresses(node: Any) -> Iterator[str]:
    if node.type == "url":
        yield node.value
    elif node.type == "function" and node.lower_name in _URL_FUNCTIONS | _IMAGE_FUNCTIONS:
        for argument in node.arguments:
            if argument.type == "string":
                yield argument.value


def _internal(reference: str) -> bool:
    """A reference that stays inside the file: to an element (#id) or an embedded bitmap."""
    reference = reference.strip()
    return reference.startswith("#") or bool(_EMBEDDED_BITMAP.match(reference))
