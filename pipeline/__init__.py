"""Patient-education publishing: one source in, verified outputs out.

For other tools (importing the package loads nothing heavy):

    import pipeline

    report = pipeline.build("path/to/project", docs=["knee-pain"], formats=["html"])
    print(report.summary())        # "1 document, 1 file, 0.6 s"
    report = pipeline.verify("path/to/project")
    doc = pipeline.load("path/to/project/source/knee-pain.md")
"""

from __future__ import annotations

import importlib
from typing import Any

from pipeline.api import load, verify

__all__ = ["build", "load", "verify"]


def __getattr__(name: str) -> Any:
    # `pipeline.build` is the package that builds; calling it is `pipeline.api.build`.
    if name == "build":
        return importlib.import_module("pipeline.build")
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
