"""The output formats: one declarative entry per format, the whole contract of an output.

Everything the pipeline knows about a format is in its entry below: what it is called and
how it is described (help texts, the landing page, the build's table), its file, the brand
tables and style files it reads (its key), how heavy it is to make (scheduling), whether it
is drawn from the document's HTML view, which text it must carry, and which checks (by name,
from pipeline.checks.CHECKS) its finished file must pass. Nothing elsewhere branches on a
format's name.

A renderer is a module with `render(job, out_dir) -> Path`: it writes the output (and its
assets) into out_dir from the job alone (the document, the brand tables the format reads,
and what it shares with other outputs, made once) and returns the main file's path.
Modules are imported only when a format is rendered, so listing formats (or a build with
nothing to do) never loads WeasyPrint, pandoc or python-docx.

Adding a format: one renderer module, and one entry in FORMATS.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import native
from pipeline.errors import UserError
from pipeline.labels import Labels, labels_for
from pipeline.model import Language, Scope

if TYPE_CHECKING:
    from pipeline.brand import Brand
    from pipeline.formats.htmlview import ArticleView
    from pipeline.model import Document


@dataclass(frozen=True)
class Format:
    name: str
    """How commands, manifests and the build's table call it: "brochure_pdf"."""
    label: str
    """What a reader calls it (the landing page): "Print brochure"."""
    description: str
    """One line, for help texts and the landing page: "PDF/X-4, CMYK, for the print shop"."""
    file: str
    """Its main file in the document's folder; "{id}" stands for the document id."""
    module: str
    """The module whose `render(job, out_dir)` writes it."""
    scope: Scope
    """The text it must carry: the "full" text, or the "plain" wording (one-pagers)."""
    checks: tuple[str, ...]
    """The checks its finished file must pass, by name (pipeline.checks.CHECKS), in order."""
    styles: tuple[str, ...]
    """What it reads under styles/ (glob patterns), besides brand.toml: part of its key.
    Templates by family: "templates/brochure*" is brochure.html.j2 and every
    brochure-*.j2 beside it, so a template added to a family is in its key."""
    brand_tables: tuple[str, ...]
    """The brand.toml tables it reads (its renderer and its checks see only these)."""
    weight: int = 1
    """How long it takes to make, relative to the others: the heaviest start first, so the
    workers finish together (longest-processing-time order)."""
    html_view: bool = True
    """It is drawn from the document's HTML view (formats/htmlview.py), which a build makes
    once per document and hands to it in its job."""
    shares: str = ""
    """What it shares with other formats of the document (a name in SHARED): they render in
    one worker, one after the other, and the shared work is made once for them all."""
    plain_too: bool = False
    """It also holds every plain part (the DOCX: clinicians review all a patient reads)."""
    embeds_fonts: bool = False
    """It embeds the fonts it draws with (a PDF): the fallback fonts' files are in its key."""
    thumbnail: str = ""
    """A PDF whose first page the landing page shows as a picture, under this short name."""
    link_addresses: bool = False
    """It is paper: each link's address is printed after its text (text.printed_link), and
    verification expects it there."""
    preview_first: bool = False
    """`invoke preview` makes it first: it is what the open page shows."""
    links_languages: bool = False
    """It links the document's other languages (hreflang alternates and a switcher): the
    list of them is in its key and its job."""

    @property
    def verified(self) -> tuple[Scope, ...]:
        """What verification expects of it, each scope in its own order."""
        return (self.scope, "plain") if self.plain_too else (self.scope,)

    @property
    def suffix(self) -> str:
        """The main file's type (".pdf"): which reader reads it back (pipeline.extract)."""
        return Path(self.file).suffix.lower()

    def file_for(self, doc_id: str) -> str:
        return self.file.replace("{id}", doc_id)

    def render(self, job: Job, out_dir: Path) -> Path:
        renderer = native.import_module(self.module).render
        path: Path = renderer(job, out_dir)
        return path


@dataclass(frozen=True)
class Shared:
    """Work several formats of one document share: made once, in the worker that renders
    them one after the other, and handed to each in its job."""

    name: str
    module: str
    """The module whose `make(doc, brand, view)` makes it."""

    def make(self, doc: Document, brand: Brand, view: ArticleView | None) -> Any:
        return native.import_module(self.module).make(doc, brand, view)


@dataclass(frozen=True)
class Job:
    """Everything a renderer reads: one document, for one format."""

    format: Format
    doc: Document
    brand: Brand
    """Only the tables the format reads (its key covers exactly these)."""
    view: ArticleView | None = None
    """The document's HTML view, made once per document, for a format drawn from it."""
    shared: Any = None
    """What the format shares with others (`Format.shares`), made once for them all."""
    languages: tuple[Language, ...] = ()
    """Every language the document is published in (its own too), for a format that links
    them (`Format.links_languages`); none when it has no translation."""

    @property
    def labels(self) -> Labels:
        """The words the pipeline adds, in the document's language (pipeline.labels)."""
        return labels_for(self.brand.styles_dir, self.doc.lang)

    @property
    def file(self) -> str:
        """The main file's name."""
        return self.format.file_for(self.doc.id)

    @classmethod
    def alone(
        cls, fmt: Format, doc: Document, brand: Brand, view: ArticleView | None = None
    ) -> Job:
        """The job of one output made by itself (a test, a tool), with what it would share
        made for it alone (from `view`, when given)."""
        if fmt.html_view and view is None:
            from pipeline.formats.htmlview import article_view

            view = article_view(doc)
        seen = brand.only(fmt.brand_tables).in_language(doc.lang)
        shared = SHARED[fmt.shares].make(doc, seen, view) if fmt.shares else None
        return cls(fmt, doc, seen, view if fmt.html_view else None, shared)


class Unfit(UserError):
    """The output is written, but breaks a rule its renderer knows (a one-pager that runs
    over one page even at its tightest layout): it fails, and is kept for inspection."""

    def __init__(self, message: str, path: Path):
        super().__init__(message)
        self.path = path


def render_alone(kind: str, doc: Document, brand: Brand, out_dir: Path) -> Path:
    """One output of `doc`, made by itself into out_dir (see `Job.alone`)."""
    fmt = FORMATS[kind]
    return fmt.render(Job.alone(fmt, doc, brand), out_dir)


SHARED: dict[str, Shared] = {
    s.name: s for s in (Shared("one-page layout", "pipeline.formats.onepager"),)
}

# Every format reads these brand tables and files; each adds its own.
_TABLES = ("organisation", "colors", "fonts", "page")
_FILES = ("fonts/*", "images/*")

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "html",
            "Web page",
            "accessible HTML",
            file="index.html",
            module="pipeline.formats.html",
            scope="full",
            checks=("verify",),
            styles=(*_FILES, "templates/article*", "templates/languages*"),
            brand_tables=_TABLES,
            preview_first=True,
            links_languages=True,
        ),
        Format(
            "brochure_pdf",
            "Print brochure",
            "PDF/X-4, CMYK, for the print shop",
            file="brochure.pdf",
            module="pipeline.formats.pdf.brochure",
            scope="full",
            checks=("verify", "preflight"),
            styles=(*_FILES, "templates/print*", "templates/brochure*"),
            brand_tables=(*_TABLES, "print", "brochure"),
            weight=5,
            embeds_fonts=True,
            thumbnail="brochure",
            link_addresses=True,
        ),
        Format(
            "accessible_pdf",
            "Accessible PDF",
            "tagged, for screens and screen readers",
            file="{id}.pdf",
            module="pipeline.formats.pdf.accessible",
            scope="full",
            checks=("verify",),
            styles=(*_FILES, "templates/print*", "templates/accessible*"),
            brand_tables=(*_TABLES, "print"),
            weight=3,
            embeds_fonts=True,
        ),
        Format(
            "docx",
            "Word document",
            "for clinical review",
            file="{id}.docx",
            module="pipeline.formats.docx",
            scope="full",
            checks=("verify",),
            styles=_FILES,
            brand_tables=(*_TABLES, "print"),
            weight=2,
            html_view=False,
            plain_too=True,
        ),
        Format(
            "onepager_pdf",
            "One-pager, PDF",
            "plain language, to print",
            file="onepager.pdf",
            module="pipeline.formats.onepager.pdf",
            scope="plain",
            checks=("verify", "readability"),
            styles=(*_FILES, "templates/onepager*", "templates/languages*"),
            brand_tables=(*_TABLES, "onepager", "readability"),
            weight=3,
            shares="one-page layout",
            embeds_fonts=True,
            thumbnail="onepager",
        ),
        Format(
            "onepager_html",
            "One-pager, web page",
            "plain language",
            file="onepager.html",
            module="pipeline.formats.onepager.html",
            scope="plain",
            checks=("verify", "readability"),
            styles=(*_FILES, "templates/onepager*", "templates/languages*"),
            brand_tables=(*_TABLES, "onepager", "readability"),
            shares="one-page layout",
            links_languages=True,
        ),
    )
}
