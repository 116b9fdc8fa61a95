"""Checks of finished files: verification (every section and disclaimer came through, in
order), readability (the one-pager reads at the brand's grade). They read only what
pipeline.extract takes out of the files, never a renderer.

The build calls `check_output` once per finished output, in the worker that rendered it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import extract
from pipeline.brand import Brand
from pipeline.checks import readability, verify
from pipeline.formats import FORMATS
from pipeline.model import Document


@dataclass
class OutputCheck:
    """What the checks found in one finished output."""

    gaps: list[verify.Gap] = field(default_factory=list)
    """Verification: text missing, out of order, or not visible to a reader."""
    problems: list[str] = field(default_factory=list)
    """Any other check that failed (reading level, ...), one line each."""
    notes: list[str] = field(default_factory=list)
    """Lines for the build output that are not failures (the reading level, ...)."""
    record: dict[str, Any] = field(default_factory=dict)
    """Added to this output's entry in manifest.json (e.g. "readability")."""

    @property
    def passed(self) -> bool:
        return not self.gaps and not self.problems


def check_output(
    doc: Document, brand: Brand, kind: str, path: Path, *, strict: bool = False
) -> OutputCheck:
    """Every check that applies to the finished output `path` of format `kind`. `strict`
    reads HTML as headless Chromium renders it (see pipeline.extract)."""
    result = OutputCheck()
    try:
        found = extract.read(path, strict=strict)
    except extract.ExtractError as error:
        result.gaps.append(verify.Gap(kind, doc.id, "output", "file", "missing", str(error)))
        return result
    fmt = FORMATS[kind]
    result.gaps += verify.check(
        doc, kind, fmt.verified, found.text, found.hidden, addresses=fmt.link_addresses
    )
    if kind == readability.SCORED:
        page = extract.read(path, strict=strict, everything=True)
        reading = readability.assess(doc, brand, page.units)
        result.notes.append(reading.summary())
        result.problems += reading.problems
        result.record["readability"] = reading.as_json()
    if kind == "brochure_pdf":
        from pipeline.checks import preflight

        flight = preflight.write_reports(path, brand)  # preflight.txt, print-job.txt beside it
        result.problems += [f"brochure preflight: {failure}" for failure in flight.failures]
        result.notes += [f"brochure: {line}" for line in flight.notes()]
        result.record["preflight"] = flight.record()
        result.record["print_job"] = preflight.TICKET
    return result
