"""A fake format's renderer, for builder tests that render nothing heavy: the document's full
text as a bare page, straight from the model (no pandoc, no layout), so that verification of
the finished file passes. A document whose title says "refuse <format>" makes that format
fail, as a renderer that refuses its input would (a user's error); "bug <format>" makes it
raise a KeyError, as a bug would; one whose title says "hidden" makes a page that hides its
first heading."""

from __future__ import annotations

import html
from pathlib import Path

from pipeline.errors import UserError
from pipeline.formats import Job
from pipeline.model import Disclaimer
from pipeline.text import paragraphs


def render(job: Job, out_dir: Path) -> Path:
    doc = job.doc
    if f"refuse {job.format.name}" in doc.title:
        (out_dir / job.file).write_text("<html><body><main>half a pa", encoding="utf-8")
        raise UserError("the fake renderer refused")
    if f"bug {job.format.name}" in doc.title:
        return {}["x"]  # type: ignore[index]
    units = []
    for section in doc.sections:
        units.append(section.title)
        for item in section.body:
            blocks = item.wording if isinstance(item, Disclaimer) else [item]
            units += paragraphs(blocks)
    hide = " hidden" if "hidden" in doc.title.lower() else ""
    body = "".join(
        f"<p{hide if i == 0 else ''}>{html.escape(unit)}</p>" for i, unit in enumerate(units)
    )
    target = out_dir / job.file
    target.write_text(
        f'<!DOCTYPE html><html lang="{doc.lang}"><head><title>{html.escape(doc.title)}</title>'
        f"</head><body><main>{body}</main></body></html>",
        encoding="utf-8",
    )
    return target
