"""The plain-language one-pager on paper: output/<id>/onepager.pdf, exactly one page of the
brand's size, for patients to take home. It is the one-pager's HTML laid out by WeasyPrint
(sRGB: it is printed on office printers, not by a print shop), as the one-page layout both
one-pagers share laid it out."""

from __future__ import annotations

from pathlib import Path

from pipeline.formats import Job, onepager


def render(job: Job, out_dir: Path) -> Path:
    layout = job.shared
    assert isinstance(layout, onepager.PageLayout)
    target = out_dir / job.file
    layout.document.write_pdf(target)
    layout.check(target)
    return target
