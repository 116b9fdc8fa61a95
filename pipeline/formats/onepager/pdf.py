"""The plain-language one-pager on paper: output/<id>/onepager.pdf, exactly one page of the
brand's size, for patients to take home. It is the one-pager's HTML laid out by WeasyPrint
(sRGB: it is printed on office printers, not by a print shop)."""

from __future__ import annotations

from pathlib import Path

from pipeline.brand import Brand
from pipeline.formats import onepager
from pipeline.formats.htmlview import article_view
from pipeline.model import Document


def render(doc: Document, brand: Brand, out_dir: Path) -> Path:
    view = article_view(doc)
    html = onepager.page_html(doc, brand, view, on_paper=True)
    layout = onepager.fit_to_page(doc, brand, view, html)
    target = out_dir / "onepager.pdf"
    layout.document.write_pdf(target)
    return target
