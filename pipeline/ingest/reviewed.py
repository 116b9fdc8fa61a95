"""Open a reviewed DOCX and check it is one this pipeline built: a Word package whose
`source-id` property names a document and which carries the source it was built from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.formats.docx.embedded import EmbeddedSource, EmbeddedSourceError, source_in
from pipeline.ingest.package import LIMITS, IngestError, Package, open_package
from pipeline.metadata import ID_PATTERN

__all__ = ["IngestError", "Reviewed", "open_reviewed"]

# An encrypted (password-protected) Office file, and an old binary .doc, are OLE compound
# files, not zip packages.
_COMPOUND_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Reviewed:
    path: Path
    doc_id: str
    base: EmbeddedSource
    package: Package
    """The package's parts ingest reads, each checked (pipeline/ingest/package.py)."""

    @property
    def parts(self) -> dict[str, bytes]:
        return self.package.parts


def open_reviewed(path: Path) -> Reviewed:
    shown = path.name
    try:
        with path.open("rb") as stream:
            head = stream.read(8)
    except FileNotFoundError:
        raise IngestError(f"{path}: no such file") from None
    except OSError as error:
        raise IngestError(f"{path}: cannot be read ({error.strerror})") from None
    if head == _COMPOUND_FILE:
        raise IngestError(
            f"{shown} is password-protected (or an old .doc file): save it from Word or "
            "LibreOffice as a .docx without a password, then ingest that file"
        )
    package = open_package(path)
    try:
        base = source_in(
            {
                name: root
                for name in package.parts
                if name.startswith("customXml/") and (root := package.xml(name)) is not None
            }
        )
    except EmbeddedSourceError as error:
        raise IngestError(f"{shown}: {error}; the file is damaged, ask for it again") from None
    doc_id = _custom_property(package, "source-id")
    if not doc_id:
        raise IngestError(
            f"{shown} was not built by this pipeline (it has no source-id property): "
            "ingest reads the DOCX that `leaflet build` writes to output/<id>/<id>.docx, "
            "after a reviewer has edited it in Word, LibreOffice or ONLYOFFICE. (Google Docs "
            "writes a new file without the properties and the source a DOCX carries: a "
            "review from Google Docs cannot be merged back.)"
        )
    if not ID_PATTERN.fullmatch(doc_id):
        # It names the source file ingest reads and writes: never a path of its own choosing.
        raise IngestError(f'{shown}: its source-id "{doc_id}" is not a document id')
    if base is None:
        raise IngestError(
            f"{shown} (document {doc_id}) does not carry the source it was built from: it "
            f"was built before DOCX files carried it. Rebuild it (`leaflet build --doc "
            f"{doc_id} --formats docx`) and send the new file for review"
        )
    if base.id != doc_id:
        raise IngestError(
            f'{shown}: its source-id is "{doc_id}" but it carries the source of "{base.id}"'
        )
    if len(base.data) > LIMITS.source:
        raise IngestError(
            f"{shown}: the source it carries is {len(base.data) / (1 << 20):,.2f} MB; a "
            f"source may be at most {LIMITS.source >> 20} MB, so this file was not built "
            "from one: it is damaged or made to look like a review"
        )
    if _TRANSLATION.search(base.text.split("\n---", 1)[0]):
        raise IngestError(
            f"{shown} is a review of a translation of {doc_id} (its source names "
            "translation-of): reviews of translations cannot be ingested yet; apply its "
            "changes to the translation by hand (docs/translations.md)"
        )
    return Reviewed(path, doc_id, base, package)


_TRANSLATION = re.compile(r"(?m)^translation-of\s*:")


def _custom_property(package: Package, name: str) -> str:
    root = package.xml("docProps/custom.xml")
    if root is None:
        return ""
    for prop in root:
        if prop.get("name") == name:
            return "".join(prop.itertext()).strip()
    return ""
