"""Checks of finished files, one registry: each check reads only what pipeline.extract
takes out of a finished output, never a renderer, and each format names the checks its file
must pass (`Format.checks`).

- verify: every section and disclaimer came through, in order, visible to a reader;
- readability: a one-pager's plain parts, and the page as a whole, read at the brand's grades;
- preflight: the brochure is what a print shop's preflight accepts.

A check is a module with `run(finished: Finished) -> OutputCheck`. Adding one: the module,
and one entry in CHECKS; then name it in the formats it applies to.

The build calls `check_output` once per finished output, in the worker that rendered it;
`invoke verify` calls it again on the published files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline import extract, native
from pipeline.brand import Brand
from pipeline.checks.finished import Finished, Gap, OutputCheck
from pipeline.formats import FORMATS
from pipeline.model import Document


@dataclass(frozen=True)
class Check:
    name: str
    module: str
    """The module whose `run(finished)` checks one finished output."""
    summary: str
    """One line: what it makes sure of."""

    def run(self, finished: Finished) -> OutputCheck:
        result: OutputCheck = native.import_module(self.module).run(finished)
        return result


CHECKS: dict[str, Check] = {
    c.name: c
    for c in (
        Check(
            "verify",
            "pipeline.checks.verify",
            "every section and disclaimer came through, in order, visible to a reader",
        ),
        Check(
            "readability",
            "pipeline.checks.readability",
            "every plain part under the brand's ceiling, the whole page at its target grade",
        ),
        Check("preflight", "pipeline.checks.preflight", "what a print shop's preflight checks"),
    )
}


def check_output(
    doc: Document,
    brand: Brand,
    kind: str,
    path: Path,
    *,
    html_reading: extract.HtmlReading = "markup",
) -> OutputCheck:
    """Every check the format `kind` names, on its finished output `path`, in order. A file
    that cannot be read as its type is a gap, and nothing more is checked."""
    fmt = FORMATS[kind]
    finished = Finished(doc, fmt, brand, path, html_reading)
    result = OutputCheck()
    for name in fmt.checks:
        try:
            result.add(CHECKS[name].run(finished))
        except extract.ExtractError as error:
            result.gaps.append(Gap(kind, doc.id, "output", "file", "missing", str(error)))
            break
    return result


__all__ = ["CHECKS", "Check", "Finished", "OutputCheck", "check_output"]
