"""The resource policy (docs/resource-policy.md), in one place: what a source document may
point at, and what it may carry into an output.

The loader asks this module about every node of every document: raw markup, links,
attributes and images (the image files too). A document that breaks the policy is refused
with file:line, so the model holds only what every renderer may publish as it is. (The
renderers add their own fence: pandoc runs with --sandbox, WeasyPrint through
formats.weasy.ProjectFetcher.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

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
}
"""The pandoc attributes (`{key=value}`) a document may use, and the values each takes: an
attribute reaches the HTML as it is, so an event handler (`onclick`), a `style`, `hidden`,
`aria-hidden` or a `rel=attachment` never may. (A Word style, `custom-style`, is the DOCX
renderer's own: in a source it could dress any paragraph as a disclaimer, or a disclaimer's
as any other.)"""
FIGURE_ONLY = ("width", "height")
"""Attributes that mean something on a figure only."""
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


class Refused(Exception):
    """What breaks the policy and how to fix it; the loader adds the file and line."""


def node_problems(node: dict[str, Any], where: str) -> Iterator[tuple[str, str]]:
    """(text on the offending source line, message) for each way this one node (not its
    children) breaks the policy: raw markup, a link target, an attribute, a class."""
    kind, content = node.get("t"), node.get("c", [])
    if kind in {"RawBlock", "RawInline"}:
        yield content[1][:40], f"raw {content[0]} in {where}; write it in Markdown instead"
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
            if problem:
                yield f"{key}=", f'attribute "{key}" in {where} {problem}'
        for name in classes:
            if name not in CLASSES.get(kind, ()):
                # A code fence's language is written without its dot (```python).
                needle = name if kind in {"Code", "CodeBlock"} else f".{name}"
                yield needle, f'class "{name}" in {where} {class_problem(name)}'


def class_problem(name: str) -> str:
    """Why a class may not stand where it is."""
    if name in CLASSES["Div"]:
        return f'is not allowed here: "{name}" names a "::: {name}" div; delete it'
    return (
        f"is not allowed: a source may use only the classes {' and '.join(CLASSES['Div'])}, "
        'each on a ":::" div; delete it'
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
    pattern = ATTRIBUTES.get(key)
    if pattern is None:
        return f"is not allowed; attributes may be {', '.join(ATTRIBUTES)}"
    if not pattern.fullmatch(value):
        return f'has the value "{value}", which is not a valid {key}'
    return ""


def image_file(target: str, folder: Path) -> Path:
    """The file an image target names: a PNG, JPEG, GIF or SVG file inside `folder` (the
    document's folder), checked down to its content. Raises Refused."""
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//", target):
        raise Refused(
            "is not a file in the project; save it under source/ and link it by a relative path"
        )
    try:
        path = (folder / target).resolve()
        inside, exists = path.is_relative_to(folder), path.is_file()
    except (OSError, ValueError):
        raise Refused("is not a valid file name; rename the file") from None
    if not inside:
        raise Refused("is outside the source folder; move it under source/ (e.g. source/images/)")
    if not exists:
        raise Refused("does not exist; check the file name")
    kind = IMAGE_TYPES.get(path.suffix.lower())
    if kind is None:
        raise Refused("is not a PNG, JPEG, GIF or SVG file; save the figure in one of these")
    problem = figure_problem(path, kind)
    if problem:
        raise Refused(problem)
    return path


def figure_problem(path: Path, kind: str) -> str:
    """Why a figure file may not be published as it is, or "" when it may."""
    if kind == "SVG":
        return svg_problem(path)
    with path.open("rb") as stream:
        head = stream.read(8)
    if not head.startswith(_SIGNATURES[kind]):
        return f"is not a {kind} file inside; save it again as {kind}"
    return ""


# -- SVG ------------------------------------------------------------------------------------
# An SVG is a document: opened at its own address it runs its script, follows its links and
# loads what it references. The build publishes figures as they are (no rewriting: a figure
# is content too), so an SVG must hold nothing active. Refused, each with its line:
SVG = "http://www.w3.org/2000/svg"
_FOREIGN = {"http://www.w3.org/1999/xhtml": "HTML", "http://www.w3.org/1998/Math/MathML": "MathML"}
_ACTIVE_SVG_ELEMENTS = {"script", "foreignObject", "handler"}
_ANIMATIONS = {"set", "animate", "animateColor", "animateMotion", "animateTransform"}
_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.IGNORECASE)
_EMBEDDED_BITMAP = re.compile(r"data:image/(?:png|jpeg|gif);base64,", re.IGNORECASE)
_FIX = "export the drawing again as a plain SVG with nothing but shapes, text and styles"


def svg_problem(path: Path) -> str:
    """What in an SVG is active or reaches outside it, each with its line, or "" if nothing."""
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
        problems += [f"{what} (line {node.sourceline} of the SVG)" for what in _active(node)]
    return f"holds {', '.join(problems)}; {_FIX}" if problems else ""


def _active(node: Any) -> Iterator[str]:
    """What makes this one SVG node active or reach outside the file."""
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
    elif name.namespace == SVG and name.localname in _ACTIVE_SVG_ELEMENTS:
        yield f"a <{name.localname}> element"
    elif name.namespace == SVG and name.localname in _ANIMATIONS:
        animated = (node.get("attributeName") or "").split(":")[-1].lower()
        if animated == "href" or animated.startswith("on"):
            yield f'an <{name.localname}> element that changes "{animated}"'
    if name.namespace == SVG and name.localname == "style":
        yield from _css_problems(node.text or "", "a <style> element")
    for key, value in node.attrib.items():
        attribute = etree.QName(key).localname
        if attribute.lower().startswith("on"):
            yield f'an event handler attribute "{attribute}"'
        elif attribute == "href" and not _internal(value):
            yield f'a reference to "{value[:60]}" outside the drawing'
        elif attribute == "base":
            yield 'an "xml:base" attribute'
        else:
            yield from _css_problems(value, f'the "{attribute}" attribute')


def _css_problems(css: str, where: str) -> Iterator[str]:
    if "@import" in css.lower():
        yield f"an @import in {where}"
    if "\\" in css:
        yield f"a backslash escape in {where}"
    for target in _URL.findall(css):
        if not _internal(target):
            yield f'a reference to "{target[:60]}" outside the drawing in {where}'


def _internal(reference: str) -> bool:
    """A reference that stays inside the file: to an element (#id) or an embedded bitmap."""
    reference = reference.strip()
    return reference.startswith("#") or bool(_EMBEDDED_BITMAP.match(reference))
