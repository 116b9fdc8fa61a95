"""A reviewed DOCX, read within stated bounds. It comes from outside the organisation: a file
of a few megabytes can inflate to gigabytes (a zip bomb), declare entities that expand or
name files outside the project, nest elements deeper than a parser's stack, or hold the same
part twice so that two readers see two documents.

So before anything parses it: the file's size; the zip's central directory (its members,
its size), read from the end of the file before zipfile reads it; no name twice; each part
ingest reads, by its claimed size and then read with a budget (a claim can lie); each parsed
once, here, by the one parser every ingest module uses (no DTD, no entities, no network, no
huge trees), its depth counted; the body's paragraphs and text counted. pandoc then reads a
copy made only of parts that passed (its pictures a placeholder: ingest reads no picture),
in its sandbox and within a time limit.

Within LIMITS an ingest takes at most 1 GB of memory and 60 s (BUDGET; held in
tests/test_ingest_hostile.py under an address-space cap). Every refusal is an IngestError:
exit 2, the file, what is wrong, what to do."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from pipeline.errors import UserError

MB = 1 << 20


class IngestError(UserError):
    """The DOCX cannot be ingested; the message says why and what to do."""


@dataclass(frozen=True)
class Limits:
    file: int = 100 * MB
    """The DOCX on disk (pictures make a DOCX large; ingest reads none)."""
    members: int = 2000
    """Members of the zip package."""
    directory: int = 2 * MB
    """The zip's central directory (the list of members)."""
    inflated: int = 512 * MB
    """All members together, inflated, as the zip claims (nothing is inflated to know)."""
    part: int = 4 * MB
    """One part ingest reads, inflated (a leaflet's word/document.xml is about 0.1 MB)."""
    total: int = 16 * MB
    """All the parts ingest reads, inflated, together."""
    source: int = 2 * MB
    """The embedded source, decoded."""
    paragraphs: int = 10_000
    """Paragraphs of the body and the footnotes."""
    text: int = 1 << 20
    """Characters of text in the body and footnotes."""
    depth: int = 128
    """Elements nested in one another (Word writes fewer than 30)."""
    seconds: int = 50
    """Each pandoc run."""


LIMITS = Limits()
BUDGET = "1 GB of memory and 60 s"
"""What an ingest of any DOCX within LIMITS takes at most."""

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_READ = (
    "[Content_Types].xml",
    "_rels/.rels",
    "docProps/core.xml",
    "docProps/custom.xml",
    "word/_rels/document.xml.rels",
    "word/_rels/footnotes.xml.rels",
    "word/document.xml",
    "word/styles.xml",
    "word/numbering.xml",
    "word/footnotes.xml",
    "word/comments.xml",
    "word/commentsExtended.xml",
)
"""The parts ingest (and pandoc) read; besides these, customXml/*.xml (the source)."""
_FOR_PANDOC = set(_READ) - {
    "docProps/custom.xml",
    "word/comments.xml",
    "word/commentsExtended.xml",
}
_MEDIA = "word/media/"
PLACEHOLDER = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
"""A picture of one transparent pixel, in place of each picture for pandoc."""
_DECLARATIONS = tuple(
    text.encode(encoding)
    for text in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class Package:
    path: Path
    names: tuple[str, ...]
    parts: dict[str, bytes]
    """The parts read (those present), each checked: well-formed, within the limits."""

    def xml(self, name: str) -> etree._Element | None:
        """The part parsed (a new tree each time); None when the DOCX has no such part."""
        data = self.parts.get(name)
        return None if data is None else parse(data, name)

    def pandoc_copy(self, changed: dict[str, bytes]) -> bytes:
        """A DOCX for pandoc: only the parts it needs, each one checked here (`changed`
        replaces some), and a placeholder for each picture."""
        copied = io.BytesIO()
        with zipfile.ZipFile(copied, "w") as copy:
            for name in self.names:
                if name in _FOR_PANDOC and name in self.parts:
                    copy.writestr(name, changed.get(name, self.parts[name]))
                elif name.startswith(_MEDIA):
                    copy.writestr(name, PLACEHOLDER)
        return copied.getvalue()


def parse(data: bytes, name: str) -> etree._Element:
    """A part of a reviewed DOCX as XML: refused when it declares a DTD or entities (a
    Word document never does), is not well-formed, or nests too deep."""
    if any(declaration in data for declaration in _DECLARATIONS):
        raise IngestError(
            f"{name} declares a DTD or entities (<!DOCTYPE, <!ENTITY), which a Word "
            "document never does: they can expand to gigabytes or read files elsewhere"
        )
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as error:
        if "depth" in str(error):
            raise _too_deep(name) from None
        raise IngestError(f"{name} is not well-formed XML ({error})") from None
    depth = 0
    for event, _element in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > LIMITS.depth:
            raise _too_deep(name)
    return root


def _too_deep(name: str) -> IngestError:
    return IngestError(
        f"{name} nests elements more than {LIMITS.depth} deep (Word writes fewer than 30)"
    )


def open_package(path: Path) -> Package:
    """The DOCX at `path`, checked and its parts read. Raises IngestError, saying why,
    for any file that is not a DOCX within LIMITS."""
    size = _size(path)
    if size > LIMITS.file:
        raise _too_big(path.name, f"is {_mb(size)}", f"a DOCX of at most {_mb(LIMITS.file)}")
    _check_directory(path)
    try:
        with zipfile.ZipFile(path) as package:
            infos = package.infolist()
            _check_names(path.name, [info.filename for info in infos])
            claimed = sum(info.file_size for info in infos)
            if claimed > LIMITS.inflated:
                raise _too_big(
                    path.name,
                    f"claims to inflate to {_mb(claimed)}",
                    f"a DOCX of at most {_mb(LIMITS.inflated)} inflated",
                )
            if "word/document.xml" not in {info.filename for info in infos}:
                raise IngestError(f"{path.name} is not a Word document (no word/document.xml)")
            wanted = [
                info
                for info in infos
                if info.filename in _READ
                or (info.filename.startswith("customXml/") and info.filename.endswith(".xml"))
            ]
            parts = _read(package, wanted)
    except IngestError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError,
            ValueError) as error:  # fmt: skip
        raise IngestError(
            f"{path.name} is not a readable DOCX ({error}); it may be damaged: "
            "ask the reviewer to send it again"
        ) from None
    for name, data in parts.items():
        parse(data, name)  # each part once, so that no later reading can fail
    _check_body(parts["word/document.xml"], parts.get("word/footnotes.xml"))
    return Package(path, tuple(info.filename for info in infos), parts)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        raise IngestError(f"{path}: no such file") from None
    except OSError as error:
        raise IngestError(f"{path}: cannot be read ({error.strerror})") from None


def _check_directory(path: Path) -> None:
    """How many members the zip says it has and how large its list of them is, from the
    end-of-central-directory record (and its zip64 form), before zipfile reads the list."""
    tail_size = min(_size(path), 22 + 0xFFFF)
    try:
        with path.open("rb") as stream:
            stream.seek(-tail_size, 2)
            tail = stream.read()
    except OSError as error:
        raise IngestError(f"{path}: cannot be read ({error.strerror})") from None
    at = tail.rfind(b"PK\x05\x06")
    if at < 0:
        return  # not a zip: zipfile says so
    entries, directory = struct.unpack("<10xHI", tail[at : at + 16])
    locator = tail.rfind(b"PK\x06\x07", 0, at)
    if locator >= 0 and (entries == 0xFFFF or directory == 0xFFFFFFFF):
        (record,) = struct.unpack("<8xQ", tail[locator : locator + 16])
        with path.open("rb") as stream:
            stream.seek(record)
            zip64 = stream.read(56)
        if zip64[:4] == b"PK\x06\x06":
            entries, directory = struct.unpack("<32xQQ", zip64[:48])
    if entries > LIMITS.members:
        raise IngestError(
            f"{path.name} has {entries:,} parts; a DOCX made in Word or LibreOffice has a few "
            f"dozen, and ingest reads at most {LIMITS.members:,}"
        )
    if directory > LIMITS.directory:
        raise _too_big(
            path.name,
            f"lists its parts in {_mb(directory)}",
            f"a list of at most {_mb(LIMITS.directory)}",
        )


def _check_names(shown: str, names: list[str]) -> None:
    twice = sorted(name for name, count in Counter(names).items() if count > 1)
    if twice:
        raise IngestError(
            f"{shown} holds {', '.join(twice)} more than once, so two programs could read "
            "two different documents from it: ask the reviewer to save it again from Word "
            "or LibreOffice"
        )


def _read(package: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> dict[str, bytes]:
    """Each part whole, within its own limit and the total: each claimed size first, then
    each read stops one byte past what is left of the budget (a claim can lie)."""
    left = LIMITS.total
    for info in infos:
        if info.file_size > LIMITS.part:
            raise _too_big(
                info.filename,
                f"inflates to {_mb(info.file_size)}",
                f"a part of at most {_mb(LIMITS.part)}",
            )
    parts = {}
    for info in infos:
        most = min(LIMITS.part, left)
        with package.open(info) as stream:
            data = stream.read(most + 1)
        if len(data) > LIMITS.part:
            raise _too_big(
                info.filename,
                f"inflates to more than {_mb(LIMITS.part)}",
                f"a part of at most {_mb(LIMITS.part)}",
            )
        if len(data) > most:
            raise _too_big(
                f"{info.filename} and the parts read before it",
                f"inflate to more than {_mb(LIMITS.total)}",
                f"at most {_mb(LIMITS.total)} of parts in all",
            )
        left -= len(data)
        parts[info.filename] = data
    return parts


def _check_body(document: bytes, footnotes: bytes | None) -> None:
    root = parse(document, "word/document.xml")
    if root.tag != f"{W}document" or root.find(f"{W}body") is None:
        raise IngestError(
            "word/document.xml has no w:body: it is not the text of a Word document; ask the "
            "reviewer to save the file again from Word or LibreOffice"
        )
    roots = [root] if footnotes is None else [root, parse(footnotes, "word/footnotes.xml")]
    paragraphs = sum(1 for r in roots for _ in r.iter(f"{W}p"))
    if paragraphs > LIMITS.paragraphs:
        raise IngestError(
            f"the document has {paragraphs:,} paragraphs; ingest reads at most "
            f"{LIMITS.paragraphs:,} (a long leaflet has a few hundred)"
        )
    text = sum(len(t.text or "") for r in roots for t in r.iter(f"{W}t", f"{W}delText"))
    if text > LIMITS.text:
        raise IngestError(
            f"the document holds {text:,} characters of text; ingest reads at most "
            f"{LIMITS.text:,} (a long leaflet has about 30,000)"
        )


def _too_big(what: str, size: str, most: str) -> IngestError:
    return IngestError(
        f"{what} {size}; ingest reads {most}, so the file is not read: a reviewed leaflet "
        "is far smaller (the file may be damaged, or made to exhaust memory)"
    )


def _mb(size: int) -> str:
    """4 MB, 4.02 MB, 66.67 MB, 3 GB."""
    number, unit = (size / MB, "MB") if size < 1 << 30 else (size / (1 << 30), "GB")
    return f"{number:,.2f}".rstrip("0").rstrip(".") + f" {unit}"
