"""Word bookmark names for section and disclaimer ids, and back."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

# Word accepts bookmark names of at most 40 characters that start with a letter.
BOOKMARK_MAX = 40


def bookmark_name(ident: str) -> str:
    """The Word bookmark for a section or disclaimer id.

    An id that is a valid bookmark name is used as it is (LibreOffice and Word keep its
    hyphens). Any other id (too long, or starting with a digit) becomes "id_" + as much of it
    as fits + "_" + 6 hex digits of its SHA-1. Source ids never contain "_", so a name with
    one is always a mapped id; map it back by computing bookmark_name of each source id."""
    if ident[:1].isalpha() and len(ident) <= BOOKMARK_MAX:
        return ident
    digest = hashlib.sha1(ident.encode()).hexdigest()[:6]
    return f"id_{ident[: BOOKMARK_MAX - 10]}_{digest}"


def ids_by_bookmark(ids: Iterable[str]) -> dict[str, str]:
    """The reverse map, from the source's ids: bookmark name -> id."""
    return {bookmark_name(ident): ident for ident in ids}
