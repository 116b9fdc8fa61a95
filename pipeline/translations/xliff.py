"""Translators' files in XLIFF 1.2 (docs/translations.md, "Translators' files"): written with
lxml, and read back as untrusted input: no DTD, no entity, no network, within
limits.TRANSLATORS_FILE, every element of a unit's target checked against what the export
wrote. Nothing here knows Markdown: a unit's text is `segments.Content`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from pipeline import limits
from pipeline.errors import UserError
from pipeline.translations.segments import ALONE, PAIRED, Content, Segment, Tag

NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TOOL = "patient-education-pipeline"
DONE = ("translated", "final", "signed-off")
"""The states in which a unit's translation is finished (XLIFF 1.2's state values)."""
RESTYPE = {
    "title": "x-title",
    "subtitle": "x-subtitle",
    "heading": "x-heading",
    "paragraph": "x-paragraph",
    "item": "x-list-item",
    "cell": "x-table-cell",
    "term": "x-term",
    "caption": "x-caption",
    "image": "x-image-description",
    "note": "x-footnote",
}
EQUIV = {"lb": "\u21b5", "image": "[image]", "x-footnote": "[note]"}
_CTYPES = set(PAIRED.values()) | set(ALONE.values())
# A DTD or an entity declaration, in any of the encodings XML allows for its prolog.
_DECLARATIONS = [
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
]


class FileError(UserError):
    """The translators' file cannot be read as one of ours; the message says why."""


@dataclass
class Unit:
    """One unit as a translator's file holds it."""

    id: str
    line: int
    source: Content
    target: Content | None
    """None: no target, or an empty one."""
    state: str


@dataclass
class Returned:
    """What a translator's file says: its header and its units, in order."""

    original: str
    source_language: str
    target_language: str
    units: list[Unit] = field(default_factory=list)


@dataclass(frozen=True)
class Outgoing:
    """One unit as the export writes it."""

    segment: Segment
    target: Content | None
    state: str
    notes: tuple[str, ...] = ()


def write(
    original: str, source_lang: str, target_lang: str, units: Sequence[Outgoing], header: str
) -> bytes:
    """The XLIFF 1.2 file: one <file>, a <group> per section (a disclaimer's units in a group
    of their own inside it), one <trans-unit> per segment."""
    root = etree.Element(f"{{{NS}}}xliff", nsmap={None: NS}, version="1.2")
    file = etree.SubElement(
        root,
        f"{{{NS}}}file",
        original=original,
        datatype="x-pandoc-markdown",
        **{"source-language": source_lang, "target-language": target_lang},
    )
    head = etree.SubElement(file, f"{{{NS}}}header")
    etree.SubElement(
        head, f"{{{NS}}}tool", **{"tool-id": TOOL, "tool-name": "patient-education pipeline"}
    )
    etree.SubElement(head, f"{{{NS}}}note").text = header
    body = etree.SubElement(file, f"{{{NS}}}body")
    groups: dict[str, etree._Element] = {}
    for unit in units:
        segment = unit.segment
        parent = body
        if segment.section:
            parent = groups.get(segment.section)
            if parent is None:
                parent = groups[segment.section] = _group(body, segment.section, "x-section")
        if segment.disclaimer:
            key = "\x00" + segment.disclaimer
            if key not in groups:
                groups[key] = _group(parent, segment.disclaimer, "x-disclaimer")
            parent = groups[key]
        _unit(parent, unit, source_lang, target_lang)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _group(parent: etree._Element, ident: str, restype: str) -> etree._Element:
    return etree.SubElement(
        parent, f"{{{NS}}}group", id=f"{restype[2:]}:{ident}", resname=ident, restype=restype
    )


def _unit(parent: etree._Element, unit: Outgoing, source_lang: str, target_lang: str) -> None:
    segment = unit.segment
    element = etree.SubElement(
        parent,
        f"{{{NS}}}trans-unit",
        id=segment.id,
        resname=segment.id,
        restype=RESTYPE.get(segment.kind, "x-paragraph"),
        translate="yes",
    )
    source = etree.SubElement(element, f"{{{NS}}}source", {XML_LANG: source_lang})
    _fill(source, segment.content)
    target = etree.SubElement(element, f"{{{NS}}}target", {XML_LANG: target_lang})
    target.set("state", unit.state)
    if unit.target is not None:
        _fill(target, unit.target)
    for text in unit.notes:
        etree.SubElement(element, f"{{{NS}}}note", {"from": TOOL}).text = text


def _fill(element: etree._Element, content: Content) -> None:
    """Words as text, placeholders as <g> (around words) and <x/> (standing alone)."""
    last: etree._Element | None = None
    for item in content:
        if isinstance(item, str):
            if last is None:
                element.text = (element.text or "") + item
            else:
                last.tail = (last.tail or "") + item
            continue
        if item.children is not None:
            last = etree.SubElement(element, f"{{{NS}}}g", id=str(item.id), ctype=item.ctype)
            _fill(last, item.children)
        else:
            last = etree.SubElement(element, f"{{{NS}}}x", id=str(item.id), ctype=item.ctype)
            last.set("equiv-text", _equiv(item))


def _equiv(tag: Tag) -> str:
    if tag.ctype == "x-code" and tag.node is not None:
        return str(tag.node["c"][1])
    return EQUIV.get(tag.ctype, f"[{tag.ctype.removeprefix('x-')}]")


# -- reading --------------------------------------------------------------------------------


def read(path: Path) -> Returned:
    """A translator's file, read safely. Raises FileError."""
    try:
        raw, size = limits.read_regular(path, path.parent, limits.TRANSLATORS_FILE)
    except OSError as error:
        raise FileError(f"{path.name} {error.strerror or error}") from None
    if size > limits.TRANSLATORS_FILE.most:
        raise FileError(f"{path.name}: {limits.TRANSLATORS_FILE.exceeded('it is', size)}")
    if any(marker in raw for marker in _DECLARATIONS):
        raise FileError(
            f"{path.name} declares a DTD or entities, which a translators' file never needs and "
            "which could make the reader fetch files or expand text without end; it is not "
            "read. Export the file again from your translation tool as XLIFF 1.2"
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as error:
        raise FileError(f"{path.name} is not well-formed XML ({error}); export it again") from None
    return _returned(path.name, root)


def _returned(name: str, root: etree._Element) -> Returned:
    if root.tag != f"{{{NS}}}xliff" or root.get("version") != "1.2":
        raise FileError(
            f"{name} is not an XLIFF 1.2 file (its root is <{etree.QName(root).localname}>"
            f"{' version ' + root.get('version', '') if root.get('version') else ''}); "
            "this pipeline reads back the XLIFF 1.2 files `leaflet translate export` writes"
        )
    files = root.findall(f"{{{NS}}}file")
    if len(files) != 1:
        raise FileError(f"{name} holds {len(files)} <file> elements; it must hold exactly one")
    file = files[0]
    returned = Returned(
        file.get("original", ""), file.get("source-language", ""), file.get("target-language", "")
    )
    seen: set[str] = set()
    for element in file.iter(f"{{{NS}}}trans-unit"):
        if element.getparent() is None or etree.QName(element.getparent()).localname not in (
            "body",
            "group",
        ):
            continue  # inside something else (an <alt-trans>'s)
        ident = element.get("id", "")
        if ident in seen:
            raise FileError(f"{name}: unit {ident} appears twice; each unit once")
        seen.add(ident)
        returned.units.append(_read_unit(name, ident, element))
    return returned


def _read_unit(name: str, ident: str, element: etree._Element) -> Unit:
    source = element.find(f"{{{NS}}}source")
    if source is None:
        raise FileError(f"{name}: unit {ident} (line {element.sourceline}) has no <source>")
    target = element.find(f"{{{NS}}}target")
    where = f"{name}: unit {ident} (line {element.sourceline})"
    content = _content(source, where + ", its source")
    translated = None if target is None else _content(target, where)
    if translated is not None and not _text_of(translated).strip() and not _tags(translated):
        translated = None
    state = "" if target is None else target.get("state", "translated" if translated else "new")
    return Unit(ident, element.sourceline or 0, content, translated, state)


def _content(element: etree._Element, where: str) -> Content:
    """An element's words and placeholders; refuses any other markup, naming the unit."""
    out: Content = []
    if element.text:
        out.append(element.text)
    for child in element:
        tag = etree.QName(child)
        name = tag.localname
        if tag.namespace != NS or name not in ("g", "x", "mrk"):
            raise FileError(
                f"{where} holds <{name}>, which is not a placeholder this file was exported "
                "with; keep the tags (<g>, <x/>) as they were, and only translate the words"
            )
        if name == "mrk":  # a tool's segment or term mark: its words count, the mark not
            out += _content(child, where)
        else:
            number = child.get("id", "")
            if not re.fullmatch(r"[1-9][0-9]{0,3}", number):
                raise FileError(f'{where} has a <{name}> with the id "{number}"; keep the ids')
            ctype = child.get("ctype", "")
            out.append(
                Tag(
                    int(number),
                    ctype if ctype in _CTYPES else "",
                    None,
                    _content(child, where) if name == "g" else None,
                )
            )
            if name == "x" and (child.text or len(child)):
                raise FileError(f"{where} has words inside <x/> {number}; an <x/> holds none")
        if child.tail:
            out.append(child.tail)
    return out


def _text_of(content: Iterable[str | Tag]) -> str:
    return "".join(i if isinstance(i, str) else _text_of(i.children or []) for i in content)


def _tags(content: Iterable[str | Tag]) -> bool:
    return any(isinstance(item, Tag) for item in content)
