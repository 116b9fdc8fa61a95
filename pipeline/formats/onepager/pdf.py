"""The plain-language one-pager on paper: output/<id>/onepager.pdf, exactly one page of the
brand's size, for patients to take home. It is the one-pager's HTML laid out by WeasyPrint
(sRGB: it is printed on office printers, not by a print shop), as the one-page layout both
one-pagers share laid it out."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pikepdf

from pipeline.formats import Job, onepager
from pipeline.formats.pdf import glyph_text


def render(job: Job, out_dir: Path) -> Path:
    layout = job.shared
    assert isinstance(layout, onepager.PageLayout)
    target = out_dir / job.file
    with tempfile.TemporaryDirectory(prefix="onepager-") as scratch:
        layout.document.write_pdf(Path(scratch) / "onepager.pdf")
        with pikepdf.open(Path(scratch) / "onepager.pdf") as pdf:
            glyph_text.complete(pdf)
            pdf.save(target, deterministic_id=True)
    layout.check(target)
    return target
