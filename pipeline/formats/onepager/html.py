"""The plain-language one-pager for the screen: output/<id>/onepager.html, beside the
article page it links to. Its print stylesheet uses the same fit as onepager_pdf, so it
prints on one page too (and fails the same way when the plain text is too long)."""

from __future__ import annotations

from pathlib import Path

from pipeline.brand import Brand
from pipeline.formats import onepager
from pipeline.formats.htmlview import article_view
from pipeline.model import Document


def render(doc: Document, brand: Brand, out_dir: Path) -> Path:
    view = article_view(doc)
    html = onepager.page_html(doc, brand, view, on_paper=False)
    fit = onepager.fit(doc, brand, view, html)
    return onepager.write_page(html, onepager.stylesheet(brand, fit), brand, view, out_dir)
