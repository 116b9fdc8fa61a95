"""What one source may hold: the table of limits, in one place (docs/resource-policy.md).

Each limit is far above what a patient leaflet needs, and low enough that a build of a
document at every limit at once stays within the memory and time budget below. A source over
a limit is refused when it loads (`invoke check` too), with `file:line`, the limit's name and
value, and the fix; nothing is rendered. Other readers of untrusted files (a reviewed DOCX)
add their limits here.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

MEMORY_BUDGET_MB = 1500
"""What a build of one valid document at every limit needs at most, summed over all its
processes (measured: docs/resource-policy.md)."""


@dataclass(frozen=True)
class Limit:
    name: str
    """How a message names it: `over the limit "<name>" of <most> <unit>`."""
    most: int
    unit: str
    fix: str

    def exceeded(self, what: str, count: int) -> str:
        """The message for `what` ("the title is", "the table has") `count` units."""
        return (
            f'{what} {count:,} {self.unit}, over the limit "{self.name}" of '
            f"{self.most:,} {self.unit}; {self.fix}"
        )


SOURCE = Limit("source size", 200_000, "bytes", "split the leaflet into shorter ones")
"""About 30,000 words: a 100-page booklet (a leaflet is 2,000 to 15,000 bytes)."""
TITLE = Limit("title length", 200, "characters", "shorten it")
"""The title and the subtitle, each."""
HEADING = Limit("heading length", 300, "characters", "shorten it")
PARAGRAPH = Limit("paragraph length", 5_000, "characters", "split it into shorter paragraphs")
"""About 800 words: a paragraph, a list item, a table cell or a heading's text."""
TABLE_ROWS = Limit("table rows", 2_000, "rows", "split the table, or link to the full list")
"""Rows under the header."""
SECTIONS = Limit("sections", 100, "sections", "split the leaflet into shorter ones")
NESTING = Limit("nesting", 50, "levels of lists, quotes or divs inside one another", "flatten them")
"""Few enough that every renderer's recursion stays within Python's limits."""
FIGURE_PIXELS = Limit(
    "figure size",
    25_000_000,
    "pixels",
    "save it smaller: 300 pixels per inch at its printed size is enough (about 1,020 pixels "
    "wide for a full column)",
)
"""Read from the file's header, before any pixel is decoded (5,000 x 5,000 pixels: a full
US Letter page at 300 ppi is 8.4 million)."""
DOCUMENT_PIXELS = Limit(
    "figure size in a document",
    60_000_000,
    "pixels",
    "save the figures smaller: 300 pixels per inch at their printed size is enough",
)
"""All figures of one document together: the PDF renderers hold each figure's pixels while
they lay the document out."""
SVG = Limit("SVG size", 2_000_000, "bytes", "simplify the drawing, or export it again")
TRANSLATORS_FILE = Limit(
    "translators' file size",
    5_000_000,
    "bytes",
    "a file `leaflet translate export` writes holds one document (a few hundred kilobytes); "
    "import that file, or export it again",
)
"""An XLIFF file back from translation: the largest source's text twice (source and target)
with its markup and notes is well under 2 MB."""


class NotRegular(OSError):
    """A path that is not a regular file inside its folder; the message says what it is."""


def open_regular(path: Path, folder: Path) -> int:
    """A file descriptor for `path`, read-only, after making sure it is a regular file that
    lies inside `folder` (a symbolic link may point only inside it). Never blocks: a named
    pipe is refused, not opened for a read that waits forever."""
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError) as error:  # missing, or a loop of links
        raise NotRegular(f"cannot be read ({error})") from None
    if not resolved.is_relative_to(folder.resolve()):
        raise NotRegular(
            f"is a symbolic link to {resolved}, outside {folder.name}/; copy the file into "
            f"{folder.name}/ instead"
        )
    descriptor = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise NotRegular(f"is not a regular file but {_kind(mode)}; save it as a file")
    return descriptor


def read_regular(path: Path, folder: Path, limit: Limit) -> tuple[bytes, int]:
    """At most `limit.most + 1` bytes of a regular file inside `folder` (see open_regular),
    and its whole size in bytes."""
    descriptor = open_regular(path, folder)
    try:
        size = os.fstat(descriptor).st_size
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            return stream.read(limit.most + 1), size
    finally:
        os.close(descriptor)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"
