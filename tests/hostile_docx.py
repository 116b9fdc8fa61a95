"""Hostile reviewed DOCX files, made from a good one: zip bombs, parts that are not XML or
expand entities, nesting too deep, an external entity, a document without a body, a member
twice, an embedded source that is not UTF-8 or is 50 MB. Each maker takes the good DOCX's
members and writes a new package with a small zip writer of its own, which can store
deflated data it did not compress (a bomb is one compressed megabyte repeated) and the same
name twice, as an attacker's tool would."""

from __future__ import annotations

import base64
import hashlib
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

MB = 1 << 20
SOURCE_PART = "customXml/item1.xml"
NAMESPACE = "urn:patient-education:source"


@dataclass(frozen=True)
class Deflated:
    """A member's deflated bytes with what they inflate to."""

    data: bytes
    size: int
    crc: int


def deflated(data: bytes) -> Deflated:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Deflated(packer.compress(data) + packer.flush(), len(data), zlib.crc32(data))


def repeated(chunk: bytes, times: int, head: bytes = b"", tail: bytes = b"") -> Deflated:
    """`head`, `chunk` `times` over, then `tail`, deflated without inflating it: the chunk
    is compressed once (flushed, so that each copy stands alone) and its bytes repeated."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    one = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    end = packer.compress(tail) + packer.flush()
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    return Deflated(start + one * times + end, len(head) + len(chunk) * times + len(tail), crc)


def write_zip(path: Path, members: list[tuple[str, bytes | Deflated]]) -> Path:
    """A zip file of `members` in order (a name may come twice), zip64 where a size needs."""
    out = bytearray()
    central = bytearray()
    for name, content in members:
        member = content if isinstance(content, Deflated) else deflated(content)
        encoded = name.encode()
        big = member.size >= 0xFFFFFFFF or len(member.data) >= 0xFFFFFFFF
        extra = struct.pack("<HHQQ", 1, 16, member.size, len(member.data)) if big else b""
        sizes = (0xFFFFFFFF, 0xFFFFFFFF) if big else (len(member.data), member.size)
        version = 45 if big else 20
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, version, 0, 8, 0, 0x5C21, member.crc, *sizes,
            len(encoded), len(extra),
        )  # fmt: skip
        out += encoded + extra + member.data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, version, version, 0, 8, 0, 0x5C21, member.crc,
            *sizes, len(encoded), len(extra), 0, 0, 0, 0, offset,
        )  # fmt: skip
        central += encoded + extra
    start = len(out)
    out += central
    out += struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), start, 0
    )
    path.write_bytes(bytes(out))
    return path


def members(docx: Path) -> list[tuple[str, bytes | Deflated]]:
    with zipfile.ZipFile(docx) as package:
        return [(info.filename, package.read(info)) for info in package.infolist()]


def replaced(docx: Path, target: Path, name: str, content: bytes | Deflated) -> Path:
    """The DOCX with member `name` replaced (or added)."""
    found = members(docx)
    names = [n for n, _ in found]
    if name in names:
        found[names.index(name)] = (name, content)
    else:
        found.append((name, content))
    return write_zip(target, found)


def document_xml(docx: Path) -> bytes:
    with zipfile.ZipFile(docx) as package:
        return package.read("word/document.xml")


def bomb(
    docx: Path, target: Path, size: int = 4096 * MB, part: str = "word/media/bomb.png"
) -> Path:
    """A member that inflates to `size` bytes of zeros (4 GB from about 4 MB)."""
    return replaced(docx, target, part, repeated(b"\0" * MB, size // MB))


def spaces_in_body(docx: Path, target: Path, size: int = 3072 * MB) -> Path:
    """word/document.xml with `size` bytes of white space inside w:body: well-formed XML."""
    xml = document_xml(docx)
    at = xml.index(b"<w:body>") + len(b"<w:body>")
    return replaced(
        docx, target, "word/document.xml", repeated(b" " * MB, size // MB, xml[:at], xml[at:])
    )


def long_paragraph(docx: Path, target: Path, size: int = 200 * MB) -> Path:
    """A paragraph of `size` bytes of text, in runs of a megabyte (each under libxml2's
    limit for one text node)."""
    xml = document_xml(docx)
    at = xml.index(b"<w:body>") + len(b"<w:body>")
    head = xml[:at] + b"<w:p>"
    run = b"<w:r><w:t>" + b"word " * (MB // 5) + b"</w:t></w:r>"
    return replaced(
        docx, target, "word/document.xml", repeated(run, size // MB, head, b"</w:p>" + xml[at:])
    )


def many_paragraphs(docx: Path, target: Path, count: int = 80_000) -> Path:
    xml = document_xml(docx)
    at = xml.index(b"<w:body>") + len(b"<w:body>")
    paragraph = b"<w:p><w:r><w:t>Text.</w:t></w:r></w:p>"
    return replaced(docx, target, "word/document.xml", xml[:at] + paragraph * count + xml[at:])


def malformed(docx: Path, target: Path, part: str = "word/document.xml") -> Path:
    with zipfile.ZipFile(docx) as package:
        xml = package.read(part)
    return replaced(docx, target, part, xml[: len(xml) // 2])


LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE w:document [<!ENTITY a "ha">'
    + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9)
    )
    + b"]>\n"
)


def entities(docx: Path, target: Path, part: str = "word/document.xml") -> Path:
    """A billion laughs: nine levels of entities, each ten of the one before."""
    with zipfile.ZipFile(docx) as package:
        xml = package.read(part)
    body = xml.split(b"?>", 1)[1]
    body = body.replace(b"</w:t>", b"&j;</w:t>", 1)
    return replaced(docx, target, part, LAUGHS + body)


def external_entity(docx: Path, target: Path, part: str = "word/styles.xml") -> Path:
    """An external entity that names a file outside the project."""
    with zipfile.ZipFile(docx) as package:
        xml = package.read(part)
    head = b'<?xml version="1.0"?>\n<!DOCTYPE w:styles [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    body = xml.split(b"?>", 1)[1].replace(b'<w:name w:val="Normal"/>', b'<w:name w:val="&x;"/>', 1)
    return replaced(docx, target, part, head + body)


def deep(docx: Path, target: Path, depth: int = 3000) -> Path:
    xml = document_xml(docx)
    at = xml.index(b"<w:body>") + len(b"<w:body>")
    nested = b"<w:sdt><w:sdtContent>" * depth + b"</w:sdtContent></w:sdt>" * depth
    return replaced(docx, target, "word/document.xml", xml[:at] + nested + xml[at:])


def no_body(docx: Path, target: Path) -> Path:
    xml = document_xml(docx)
    start, end = xml.index(b"<w:body>"), xml.index(b"</w:body>") + len(b"</w:body>")
    return replaced(docx, target, "word/document.xml", xml[:start] + xml[end:])


def duplicate_document(docx: Path, target: Path) -> Path:
    """word/document.xml twice: one reader takes the first, another the last."""
    found = members(docx)
    other = document_xml(docx).replace(b"<w:t", b"<w:t", 1)
    return write_zip(target, [*found, ("word/document.xml", other)])


def embedded(data: bytes, doc_id: str) -> bytes:
    return (
        (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<source xmlns="{NAMESPACE}" id="{doc_id}" '
            f'path="source/{doc_id}.md" sha256="{hashlib.sha256(data).hexdigest()}" '
            f'encoding="base64">'
        ).encode()
        + base64.b64encode(data)
        + b"</source>"
    )


def source_not_utf8(docx: Path, target: Path, doc_id: str) -> Path:
    return replaced(
        docx, target, SOURCE_PART, embedded("Caf\u00e9 au lait".encode("latin-1"), doc_id)
    )


def large_source(docx: Path, target: Path, doc_id: str, size: int = 50 * MB) -> Path:
    text = f"---\nid: {doc_id}\n---\n".encode() + b"Words and more words.\n" * (size // 22)
    return replaced(docx, target, SOURCE_PART, embedded(text, doc_id))
