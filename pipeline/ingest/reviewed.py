"""Open a reviewed DOCX and check it is one this pipeline built: a Word package whose
`source-id` property names a document and which carries the source it was built from."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from pipeline.formats.docx.embedded import EmbeddedSource, EmbeddedSourceError, read_source
from pipeline.source import ID_PATTERN

# An encrypted (password-protected) Office file, and an old binary .doc, are OLE compound
# files, not zip packages.
_COMPOUND_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_VT = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
_PARTS = (
    "word/document.xml",
    "word/styles.xml",
    "word/comments.xml",
    "word/commentsExtended.xml",
    "docProps/custom.xml",
)


class IngestError(Exception):
    """The DOCX cannot be ingested; the message says why and what to do."""


@dataclass(frozen=True)
class Reviewed:
    path: Path
    doc_id: str
    base: EmbeddedSource
    parts: dict[str, bytes]
    """The package's XML parts ingest reads (those present)."""


def open_reviewed(path: Path) -> Reviewed:
    shown = path.name
    try:
        head = path.read_bytes()[:8]
    except FileNotFoundError:
        raise IngestError(f"{path}: no such file") from None
    except OSError as error:
        raise IngestError(f"{path}: cannot be read ({error.strerror})") from None
    if head == _COMPOUND_FILE:
        raise IngestError(
            f"{shown} is password-protected (or an old .doc file): save it from Word or "
            "LibreOffice as a .docx without a password, then ingest that file"
        )
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            if "word/document.xml" not in names:
                raise IngestError(f"{shown} is not a Word document (no word/document.xml)")
            parts = {name: package.read(name) for name in _PARTS if name in names}
            base = read_source(package)
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise IngestError(
            f"{shown} is not a readable DOCX ({error}); it may be damaged: "
            "ask the reviewer to send it again"
        ) from None
    except EmbeddedSourceError as error:
        raise IngestError(f"{shown}: {error}; the file is damaged, ask for it again") from None
    doc_id = _custom_property(parts.get("docProps/custom.xml"), "source-id")
    if not doc_id:
        raise IngestError(
            f"{shown} was not built by this pipeline (it has no source-id property): "
            "ingest reads the DOCX that `invoke build` writes to output/<id>/<id>.docx, "
            "after a reviewer has edited it"
        )
    if not ID_PATTERN.fullmatch(doc_id):
        # It names the source file ingest reads and writes: never a path of its own choosing.
        raise IngestError(f'{shown}: its source-id "{doc_id}" is not a document id')
    if base is None:
        raise IngestError(
            f"{shown} (document {doc_id}) does not carry the source it was built from: it "
            f"was built before DOCX files carried it. Rebuild it (`invoke build --doc "
            f"{doc_id} --formats docx`) and send the new file for review"
        )
    if base.id != doc_id:
        raise IngestError(
            f'{shown}: its source-id is "{doc_id}" but it carries the source of "{base.id}"'
        )
    if _TRANSLATION.search(base.text.split("\n---", 1)[0]):
        raise IngestError(
            f"{shown} is a review of a translation of {doc_id} (its source names "
            "translation-of): reviews of translations cannot be ingested yet; apply its "
            "changes to the translation by hand (docs/translations.md)"
        )
    return Reviewed(path, doc_id, base, parts)


_TRANSLATION = re.compile(r"(?m)^translation-of\s*:")


def _custom_property(xml: bytes | None, name: str) -> str:
    if xml is None:
        return ""
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError:
        return ""
    for prop in root:
        if prop.get("name") == name:
            return "".join(prop.itertext()).strip()
    return ""
