"""The record a translation keeps of the original version it was translated from
(`translated-from:` in its metadata): the original's source SHA-256 and one fingerprint per
part. A fingerprint is computed from the model's text, normalised (Unicode NFC, white space
collapsed, line breaks of the source ignored), so re-wrapping a paragraph changes nothing,
and a changed word, link target or image description changes exactly its part's fingerprint.

A section's fingerprint covers its heading, plain summary and body (its disclaimers aside:
each has its own); a disclaimer's covers its full and its plain wording. This module only
computes and reads and writes the record; nothing here does I/O."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from pipeline.model import Block, Disclaimer, Document, Section, TranslatedFrom
from pipeline.text import nodes, paragraphs, stringify

KEY = "translated-from"
FINGERPRINT = re.compile(r"[0-9a-f]{12}")
SHA256 = re.compile(r"[0-9a-f]{64}")


def fingerprints(doc: Document) -> dict[str, str]:
    """Part id -> fingerprint, for every section and disclaimer, in source order; not for a
    part included from a shared passage (pipeline/passages.py): each language's version of
    it is the passage's own, never the document's translators' to keep in step."""
    found: dict[str, str] = {}
    for section in doc.sections:
        if not section.passage:
            found[section.id] = fingerprint(section)
        for disclaimer in section.disclaimers:
            if not disclaimer.passage:
                found[disclaimer.id] = fingerprint(disclaimer)
    return found


def fingerprint(part: Section | Disclaimer) -> str:
    """One part's fingerprint: a section's heading, plain summary and body (its disclaimers
    aside), a disclaimer's full and plain wording."""
    if isinstance(part, Disclaimer):
        return _fingerprint(("wording", part.wording), ("plain", part.plain))
    body = [item for item in part.body if not isinstance(item, Disclaimer)]
    return _fingerprint(
        ("heading", [{"t": "Plain", "c": list(part.heading)}]),
        ("plain", part.plain),
        ("body", body),
    )


def current(original: Document) -> TranslatedFrom:
    """The record of `original` as it is now: what a translation of it made today records."""
    return TranslatedFrom(original.source_sha256, fingerprints(original))


def _fingerprint(*fields: tuple[str, Iterable[Block]]) -> str:
    digest = hashlib.sha256()
    for name, blocks in fields:
        digest.update(f"\x00{name}\x00".encode())
        for unit in _units(list(blocks)):
            digest.update(unit.encode() + b"\n")
    return digest.hexdigest()[:12]


def _units(blocks: list[Any]) -> Iterator[str]:
    """The part's text as a reader meets it, then what a reader follows or is told about:
    each link's target and each image's description (its file is the same for every
    language, so it is not the text's)."""
    for text in paragraphs(blocks):
        yield _normal(text)
    for node in nodes(blocks):
        if node.get("t") == "Link":
            yield "link " + node["c"][2][0]
        elif node.get("t") == "Image":
            yield "image " + _normal(stringify(node["c"][1]))
        elif node.get("t") == "Note":
            yield from (f"note {unit}" for unit in _units(node["c"]))


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def parse(value: Any) -> tuple[TranslatedFrom | None, str]:
    """The record a source's `translated-from:` holds, or what is wrong with it."""
    if not isinstance(value, dict):
        return None, f"must be the record of the original's version: {_SHAPE}"
    source, parts = value.get("source"), value.get("parts")
    unknown = sorted(str(key) for key in value if key not in ("source", "parts"))
    if unknown:
        return None, f'holds the unknown key "{unknown[0]}": {_SHAPE}'
    if not (isinstance(source, str) and SHA256.fullmatch(source)):
        return None, f"needs source: the original's SHA-256 (64 hex digits): {_SHAPE}"
    if not isinstance(parts, dict) or not all(
        isinstance(key, str) and isinstance(print_, str) and FINGERPRINT.fullmatch(print_)
        for key, print_ in parts.items()
    ):
        return None, f"needs parts: each part's id and its 12-hex-digit fingerprint: {_SHAPE}"
    return TranslatedFrom(source, dict(parts)), ""


_SHAPE = (
    "write it with `leaflet translate mark-current`, never by hand "
    "(translated-from: {source: <sha256>, parts: {<id>: <fingerprint>, ...}})"
)


def as_yaml(record: TranslatedFrom) -> list[str]:
    """The record as metadata lines, one part a line (a diff shows which part moved on)."""
    return [
        f"{KEY}:",
        f"  source: {record.source}",
        "  parts:",
        *(f"    {ident}: {print_}" for ident, print_ in record.parts.items()),
    ]


def with_record(text: str, record: TranslatedFrom) -> str:
    """The translation's source text with its `translated-from:` replaced by `record` (added
    before the metadata's closing line when it has none); every other line as it was."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    if not lines or lines[0].strip() != "---":
        raise ValueError("the file does not start with its metadata")
    end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() in {"---", "..."}), None)
    if end is None:
        raise ValueError("the metadata is not closed")
    start = next((i for i in range(1, end) if re.match(rf"{KEY}\s*:", lines[i])), None)
    if start is None:
        start = stop = end
    else:
        stop = start + 1
        while stop < end and (lines[stop][:1] in (" ", "\t") or not lines[stop].strip()):
            stop += 1
    return newline.join([*lines[:start], *as_yaml(record), *lines[stop:]])
