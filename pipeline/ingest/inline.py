"""A reviewer's edit of one paragraph, written into the source's own Markdown.

pandoc writes the paragraph as it was built and as the reviewer left it, in its own
spelling of Markdown; the source may spell the same thing differently (`_x_` for `*x*`,
a line break, an escape). A three-way merge of words and marks (merge3, the classic
algorithm) keeps the source's spelling wherever the reviewer changed nothing, and takes the
reviewer's words and formatting where they did."""

from __future__ import annotations

import re

import merge3

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def tokens(text: str) -> list[str]:
    """Words, runs of white space, and every other character on its own."""
    return _TOKEN.findall(text)


def merged(built: str, reviewed: str, source: str) -> str | None:
    """`source` (which reads as `built`) with the changes from `built` to `reviewed`; None
    when a change touches a place where the source's spelling differs (the caller then
    takes `reviewed` whole)."""
    merger = merge3.Merge3(tokens(built), tokens(reviewed), tokens(source))
    out: list[str] = []
    for region in merger.merge_regions():
        kind = region[0]
        if kind == "unchanged":
            out += merger.base[region[1] : region[2]]
        elif kind in {"a", "same"}:
            out += merger.a[region[1] : region[2]]
        elif kind == "b":
            out += merger.b[region[1] : region[2]]
        else:
            return None
    return "".join(out)
