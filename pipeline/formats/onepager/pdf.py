"""The plain-language one-pager on paper: output/<id>/onepager.pdf, exactly one page of the
brand's size, for patients to take home. It is the one-pager's HTML laid out by WeasyPrint
(sRGB: it is printed on office printers, not by a print shop)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pikepdf

from pipeline.brand import Brand
from pipeline.formats import onepager
from pipeline.formats.htmlview import article_view
from pipeline.formats.pdf import glyph_text
from pipeline.model import Document


def render(doc: Document, brand: Brand, out_dir: Path) -> Path:
    view = article_view(doc)
    html = onepager.page_html(doc, brand, view, on_paper=True)
    layout = onepager.fit_to_page(doc, brand, view, html)
    target = out_dir / "onepager.pdf"
    with tempfile.TemporaryDirectory(prefix="onepager-") as scratch:
        layout.document.write_pdf(Path(scratch) / "onepager.pdf")
        with pikepdf.open(Path(scratch) / "onepager.pdf") as pdf:
            glyph_text.complete(pdf)
            pdf.save(target, deterministic_id=True)
    return target
