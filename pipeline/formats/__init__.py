"""The output formats: what each is called, what verification expects of it, and the module
that renders it. Modules are imported only when a format is rendered, so listing formats (or
a build with nothing to do) never loads WeasyPrint, pandoc or python-docx.

Adding a format: one module with `render(doc, brand, out_dir) -> Path`, listed once below."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import native
from pipeline.model import Scope

if TYPE_CHECKING:
    from pipeline.brand import Brand
    from pipeline.model import Document


@dataclass(frozen=True)
class Format:
    kind: str
    scope: Scope
    """What it carries: the "full" text, or the "plain" wording (one-pagers)."""
    module: str
    """The module whose `render(doc, brand, out_dir)` writes the output (and its assets)
    into out_dir and returns the main file's path."""
    summary: str
    """One line for help texts and the landing page."""
    styles: tuple[str, ...]
    """What it reads under styles/ (glob patterns), besides brand.toml: part of its key.
    Templates by family: "templates/brochure*" is brochure.html.j2 and every
    brochure-*.j2 beside it, so a template added to a family is in its key."""
    brand_tables: tuple[str, ...]
    """The brand.toml tables it reads (its renderer and its checks see only these)."""
    embeds_fonts: bool = False
    """It embeds the fonts it draws with (a PDF): the fallback fonts' files are in its key."""
    group: str = ""
    """Formats of one group and one document render in one worker, one after the other, so
    they can share work (the one-pagers share their one-page fit)."""
    plain_too: bool = False
    """It also holds every plain part (the DOCX: clinicians review all a patient reads)."""
    link_addresses: bool = False
    """It is paper: each link's address is printed after its text (text.printed_link), and
    verification expects it there."""
    html_view: bool = True
    """It is drawn from the document's HTML view (formats/htmlview.py), which a build makes
    once per document and hands to the workers."""

    @property
    def verified(self) -> tuple[Scope, ...]:
        """What verification expects of it, each scope in its own order."""
        return (self.scope, "plain") if self.plain_too else (self.scope,)

    def render(self, doc: Document, brand: Brand, out_dir: Path) -> Path:
        renderer = native.import_module(self.module).render
        path: Path = renderer(doc, brand, out_dir)
        return path


# Every format reads these brand tables and files; each adds its own.
_TABLES = ("organisation", "colors", "fonts", "page")
_FILES = ("fonts/*", "images/*")

FORMATS: dict[str, Format] = {
    f.kind: f
    for f in (
        Format(
            "html",
            "full",
            "pipeline.formats.html",
            "accessible web page",
            (*_FILES, "templates/article*"),
            _TABLES,
        ),
        Format(
            "brochure_pdf",
            "full",
            "pipeline.formats.pdf.brochure",
            "print brochure (PDF/X-4, CMYK)",
            (*_FILES, "templates/print*", "templates/brochure*"),
            (*_TABLES, "print", "brochure"),
            embeds_fonts=True,
            link_addresses=True,
        ),
        Format(
            "accessible_pdf",
            "full",
            "pipeline.formats.pdf.accessible",
            "tagged PDF/UA for screens",
            (*_FILES, "templates/print*", "templates/accessible*"),
            (*_TABLES, "print"),
            embeds_fonts=True,
        ),
        Format(
            "docx",
            "full",
            "pipeline.formats.docx",
            "Word file for clinical review",
            _FILES,
            (*_TABLES, "print"),
            plain_too=True,
            html_view=False,
        ),
        Format(
            "onepager_pdf",
            "plain",
            "pipeline.formats.onepager.pdf",
            "plain-language one-pager (PDF)",
            (*_FILES, "templates/onepager*"),
            (*_TABLES, "onepager", "readability"),
            embeds_fonts=True,
            group="onepager",
        ),
        Format(
            "onepager_html",
            "plain",
            "pipeline.formats.onepager.html",
            "plain-language one-pager (web)",
            (*_FILES, "templates/onepager*"),
            (*_TABLES, "onepager", "readability"),
            group="onepager",
        ),
    )
}
