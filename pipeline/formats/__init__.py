"""The output formats: what each is called, what verification expects of it, and the module
that renders it. Modules are imported only when a format is rendered, so listing formats (or
a build with nothing to do) never loads WeasyPrint, pandoc or python-docx.

Adding a format: one module with `render(doc, brand, out_dir) -> Path`, listed once below."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.model import Scope

if TYPE_CHECKING:
    from pipeline.brand import Brand
    from pipeline.model import Document


@dataclass(frozen=True)
class Format:
    kind: str
    scope: Scope
    """What verification expects: the "full" text, or the "plain" wording (one-pagers)."""
    module: str
    """The module whose `render(doc, brand, out_dir)` writes the output (and its assets)
    into out_dir and returns the main file's path."""
    summary: str
    """One line for help texts and the landing page."""

    def render(self, doc: Document, brand: Brand, out_dir: Path) -> Path:
        renderer = importlib.import_module(self.module).render
        path: Path = renderer(doc, brand, out_dir)
        return path


FORMATS: dict[str, Format] = {
    f.kind: f
    for f in (
        Format("html", "full", "pipeline.formats.html", "accessible web page"),
        Format("brochure_pdf", "full", "pipeline.formats.pdf.brochure", "print brochure (PDF/X-4)"),
        Format("accessible_pdf", "full", "pipeline.formats.pdf.accessible", "tagged PDF/UA"),
        Format("docx", "full", "pipeline.formats.docx", "Word file for clinicians"),
        Format("onepager_pdf", "plain", "pipeline.formats.onepager.pdf", "one-page summary (PDF)"),
        Format(
            "onepager_html",
            "plain",
            "pipeline.formats.onepager.html",
            "one-page summary (web page)",
        ),
    )
}
