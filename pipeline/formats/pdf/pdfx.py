"""What the brochure's file says about itself for print, written after WeasyPrint: the print
condition named in its PDF/X OutputIntent, a version you can tell apart, and what was done to
make it printable (figures separated, pages fitted to sheets), for the preflight to report.

The same source and figures give the same bytes: every identifier derives from them, and
the dates are the review date's (not the clock's)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

import pikepdf
from pikepdf.models.metadata import PdfMetadata

from pipeline.brand import PrintCondition
from pipeline.formats.htmlview import ArticleView
from pipeline.model import Document

NAMESPACE = "http://ns.pipeline.invalid/brochure/1.0/"
"""XMP namespace of the brochure's own print record (read back by checks/preflight.py)."""
PREFIX = "brochure"
PdfMetadata.register_xml_namespace(NAMESPACE, PREFIX)
PDFX_VERSION = "PDF/X-4"


@dataclass(frozen=True)
class Version:
    """Which edition of which document a brochure is."""

    document: str
    """The document's id: the same for every edition (XMP DocumentID derives from it)."""
    digest: str
    """SHA-256 over the source file and the figures it uses."""

    @classmethod
    def of(cls, doc: Document, view: ArticleView) -> Version:
        digest = hashlib.sha256(doc.source_sha256.encode())
        for _relative, source in sorted(view.images.items()):
            digest.update(hashlib.sha256(source.read_bytes()).hexdigest().encode())
        return cls(doc.id, digest.hexdigest())

    @property
    def id(self) -> str:
        """The version people see (slug, job ticket, XMP VersionID)."""
        return self.digest[:12]


def name_print_condition(pdf: pikepdf.Pdf, condition: PrintCondition) -> None:
    """The OutputIntent WeasyPrint wrote (with the embedded profile), named as the brand
    names its print condition."""
    (intent,) = pdf.Root.OutputIntents
    intent.OutputConditionIdentifier = pikepdf.String(condition.identifier)
    intent.OutputCondition = pikepdf.String(condition.description or condition.identifier)
    intent.Info = pikepdf.String(condition.description or condition.identifier)
    if condition.registry:
        intent.RegistryName = pikepdf.String(condition.registry)


def drop_unused_colour_spaces(pdf: pikepdf.Pdf) -> None:
    """WeasyPrint declares CIELAB colour spaces in every document's resources; a brochure
    that never paints with them should not carry them (a preflight may count them)."""
    used = set()
    for item in (*[page.obj for page in pdf.pages], *_forms(pdf)):
        for instruction in pikepdf.parse_content_stream(item, "cs CS"):
            used.add(str(instruction.operands[0]))
    for item in pdf.objects:
        spaces = item.get("/ColorSpace") if isinstance(item, pikepdf.Dictionary) else None
        if isinstance(spaces, pikepdf.Dictionary):
            for name, space in list(spaces.items()):
                lab = isinstance(space, pikepdf.Array) and space[0] == pikepdf.Name.Lab
                if lab and name not in used:
                    del spaces[name]


def _forms(pdf: pikepdf.Pdf) -> list[pikepdf.Stream]:
    return [
        item
        for item in pdf.objects
        if isinstance(item, pikepdf.Stream)
        and (item.get("/Subtype") == pikepdf.Name.Form or item.get("/PatternType") == 1)
    ]


def record(pdf: pikepdf.Pdf, version: Version, figures: list[str], fitting: list[str]) -> None:
    """XMP: DocumentID (the document, every edition), InstanceID and VersionID (this
    edition), RenditionClass `default` (the file itself, not a proof of it: WeasyPrint says
    `proof:pdf`), and the print record: one line per figure and per fitting step. The Info
    dictionary names the PDF/X version too, as the XMP does, for the tools that read only
    Info (PDF/X-1a and X-3 era RIPs and converters). The trailer's
    /ID pairs the same way: its first element (permanent, ISO 32000 14.4) is the DocumentID's
    16 bytes; pikepdf's `deterministic_id` makes the second a hash of the finished file, which
    holds this edition's InstanceID."""
    document = uuid.uuid5(uuid.NAMESPACE_URL, _urn(version))
    pdf.trailer.ID = pikepdf.Array([pikepdf.String(document.bytes)] * 2)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["xmpMM:DocumentID"] = f"uuid:{document}"
        meta["xmpMM:InstanceID"] = f"uuid:{uuid.UUID(version.digest[:32])}"
        meta["xmpMM:VersionID"] = version.id
        meta["xmpMM:RenditionClass"] = "default"
        if figures:
            meta[f"{PREFIX}:Figures"] = figures
        if fitting:
            meta[f"{PREFIX}:Fitting"] = fitting
    pdf.docinfo[pikepdf.Name.GTS_PDFXVersion] = pikepdf.String(PDFX_VERSION)


def _urn(version: Version) -> str:
    return f"urn:x-patient-education:{version.document}"
