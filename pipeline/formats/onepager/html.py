"""The plain-language one-pager for the screen: output/<id>/onepager.html, beside the
article page it links to. Its print stylesheet uses the same fit as onepager_pdf (the
one-page layout both share), so it prints on one page too (and fails the same way when the
plain text is too long)."""

from __future__ import annotations

from pathlib import Path

from pipeline.formats import Job, onepager


def render(job: Job, out_dir: Path) -> Path:
    layout, view = job.shared, job.view
    assert isinstance(layout, onepager.PageLayout) and view is not None
    html = onepager.page_html(job.doc, job.brand, view, on_paper=False, languages=job.languages)
    css = onepager.stylesheet(job.brand, layout.fit)
    target = onepager.write_page(html, css, job.brand, view, out_dir, job.file)
    layout.check(target)
    return target
