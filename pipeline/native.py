"""Modules that load native libraries (WeasyPrint's Pango, HarfBuzz, Fontconfig), imported
with library lookups that read the linker's cache once.

WeasyPrint opens each library by trying the names it has on every platform in turn
(`libpango-1.0-0`, `pango-1.0-0`, `pango-1.0`, then `libpango-1.0.so.0`, ...). cffi hands
each name that is not a file to `ctypes.util.find_library`, which on Linux runs
`ldconfig -p`, then gcc, then ld: 22 lookups and about 60 processes, a third of a second of
every worker's start. Here each lookup reads one `ldconfig -p` listing instead, as
find_library's own first step does; a name that is not in it is not found, and WeasyPrint
goes on to its next name (the `.so` ones open directly, wherever the loader finds them).
"""

from __future__ import annotations

import ctypes.util
import functools
import importlib
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from pipeline import tools


def import_module(name: str) -> ModuleType:
    """`importlib.import_module`, with the quick library lookup while it runs."""
    with _quick_lookup():
        return importlib.import_module(name)


@contextmanager
def _quick_lookup() -> Iterator[None]:
    original = ctypes.util.find_library
    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original


def find_library(name: str) -> str | None:
    """The file name of library `name` (`pango-1.0` -> `libpango-1.0.so.0`), as the
    linker's cache lists it, or None."""
    match = re.search(rf"\s(lib{re.escape(name)}\.\S+)\s+\(", _linker_cache())
    return match.group(1) if match else None


@functools.cache
def _linker_cache() -> str:
    ldconfig = shutil.which("ldconfig") or "/sbin/ldconfig"
    try:
        return tools.run(ldconfig, ["-p"], timeout=30).decode("utf-8", "replace")
    except tools.ToolError:  # no ldconfig: the names WeasyPrint opens directly still work
        return ""
