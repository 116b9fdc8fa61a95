"""What a build (or a verification) is asked to do: one frozen record, each field one meaning.

The command line's `--strict` (CI) is not a field: it sets several of them (`strictly`), at
the command line and in the Python API only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from pipeline.extract import HtmlReading

Severity = Literal["warning", "error"]
"""What a finding is: a warning (said, the build goes on) or an error (the build fails)."""


@dataclass(frozen=True)
class Options:
    docs: tuple[str, ...] = ()
    """The documents to build, by id; all when empty."""
    formats: tuple[str, ...] = ()
    """The formats to build; all when empty."""
    shard: tuple[int, int] | None = None
    """Only shard K of N (K, N) of the documents, by a hash of their ids."""
    force: bool = False
    """Rebuild every output, even those that are up to date."""
    jobs: int = 0
    """Worker processes; 0: one per core."""
    overdue_review: Severity = "warning"
    """What a review past its due date is. An error stops the document before any work."""
    placeholders: Severity = "warning"
    """What a placeholder left in styles/brand.toml (an example address, ...) is."""
    html_reading: HtmlReading = "markup"
    """How pages are read back for their checks: from their markup, or in a browser."""
    stale_translation: Severity = "warning"
    """What a translation is whose original changed since it was made (in the parts the
    build names). An error stops the translation's new edition before any work."""


def strictly(options: Options) -> Options:
    """`--strict`, CI's mode: an overdue review, a placeholder and a stale translation are
    errors, and pages are read as a browser renders them."""
    return replace(
        options,
        overdue_review="error",
        placeholders="error",
        html_reading="browser",
        stale_translation="error",
    )
