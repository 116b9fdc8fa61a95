"""The accessible PDF: output/<id>/<id>.pdf, tagged PDF/UA-1 for screens and screen readers,
in the brand's sRGB colours, with a bookmark per section and no bleed or marks."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pikepdf

from pipeline.formats import Job
from pipeline.formats.pdf import glyph_text, paged
from pipeline.formats.pdf.artifacts import running_heads_to_artifacts


def render(job: Job, out_dir: Path) -> Path:
    doc, brand, view = job.doc, job.brand, job.view
    assert view is not None, "the accessible PDF is drawn from the HTML view"
    target = out_dir / job.file
    html = paged.page_html(doc, brand, view, "accessible.html.j2", "screen")
    with tempfile.TemporaryDirectory(prefix="accessible-") as scratch:
        work = Path(scratch)
        view.copy_images(work)
        # WeasyPrint takes /Title from <title>, /Lang from <html lang>, and with pdf/ua-1 sets
        # DisplayDocTitle, MarkInfo and the structure tree itself.
        draft = paged.write(html, work, work / "tagged.pdf", brand, pdf_variant="pdf/ua-1")
        with pikepdf.open(draft) as pdf:
            running_heads_to_artifacts(pdf)
            glyph_text.complete(pdf)
            pdf.save(target, deterministic_id=True)
    return target
