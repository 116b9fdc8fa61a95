"""The source a DOCX was built from, carried inside it: a custom XML part (ECMA-376 Part 1,
22.5), which Word and LibreOffice keep when they save. `invoke ingest` reads it back as the
base of its three-way merge, so a review can be merged after the source has moved on.

    <source xmlns="urn:patient-education:source" id="..." path="source/<id>.md"
            sha256="..." encoding="base64">...the file's bytes...</source>

Base64, not text: XML would turn a carriage return into a line feed and cannot hold every
character, and the base must be the exact bytes (its sha256 says so)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from pipeline.errors import UserError

NAMESPACE = "urn:patient-education:source"
DATASTORE = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(frozen=True)
class EmbeddedSource:
    id: str
    path: str
    """Relative to the project root when the DOCX was built, e.g. source/<id>.md."""
    data: bytes
    sha256: str

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


class EmbeddedSourceError(UserError):
    """The embedded source is there but damaged; the message says how."""


def source_xml(doc_id: str, path: str, data: bytes) -> bytes:
    root = etree.Element(f"{{{NAMESPACE}}}source", nsmap={None: NAMESPACE})
    root.set("id", doc_id)
    root.set("path", path)
    root.set("sha256", hashlib.sha256(data).hexdigest())
    root.set("encoding", "base64")
    root.text = base64.b64encode(data).decode("ascii")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def item_properties_xml(data: bytes) -> bytes:
    """The data store item's properties: an id (from the bytes, so the same source gives
    the same DOCX) and the schema it follows."""
    item_id = uuid.UUID(bytes=hashlib.sha256(data).digest()[:16])
    ds = f"{{{DATASTORE}}}"
    root = etree.Element(f"{ds}datastoreItem", nsmap={"ds": DATASTORE})
    root.set(f"{ds}itemID", "{" + str(item_id).upper() + "}")
    references = etree.SubElement(root, f"{ds}schemaRefs")
    etree.SubElement(references, f"{ds}schemaRef").set(f"{ds}uri", NAMESPACE)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def read_source(package: zipfile.ZipFile) -> EmbeddedSource | None:
    """The source embedded in an open DOCX package; None when it carries none. Raises
    EmbeddedSourceError when it is there but damaged."""
    roots = {}
    for name in package.namelist():
        if name.startswith("customXml/") and name.endswith(".xml"):
            try:
                roots[name] = etree.fromstring(package.read(name), _PARSER)
            except etree.XMLSyntaxError:
                continue
    return source_in(roots)


def source_in(parts: Mapping[str, etree._Element]) -> EmbeddedSource | None:
    """The source among a package's custom XML parts (name -> parsed part); None when it
    carries none. Raises EmbeddedSourceError when it is there but does not match its own
    sha256 or is not UTF-8 text."""
    for name, root in parts.items():
        if root.tag != f"{{{NAMESPACE}}}source":
            continue
        try:
            data = base64.b64decode(root.text or "", validate=True)
        except binascii.Error:
            raise EmbeddedSourceError(f"{name}: the embedded source is not base64") from None
        expected = root.get("sha256", "")
        if hashlib.sha256(data).hexdigest() != expected:
            raise EmbeddedSourceError(f"{name}: the embedded source does not match its sha256")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise EmbeddedSourceError(f"{name}: the embedded source is not UTF-8 text") from None
        return EmbeddedSource(root.get("id", ""), root.get("path", ""), data, expected)
    return None
