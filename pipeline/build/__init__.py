"""Building: which documents and formats, keys, parallel work, checks, atomic publishing.

from pipeline.build import Project, build
report = build(Project.at(root), ["ddd-stem-cell-therapy"], ["html"])
"""

import sys
import types
from typing import Any

from pipeline.build.files import MANIFEST
from pipeline.build.project import Project
from pipeline.build.report import Message, Outcome, Report
from pipeline.build.run import build, gather, verify_published

__all__ = [
    "MANIFEST",
    "Message",
    "Outcome",
    "Project",
    "Report",
    "build",
    "gather",
    "verify_published",
]


class _Package(types.ModuleType):
    """`pipeline.build(...)` (the short API, pipeline.api.build) calls this package."""

    def __call__(self, *args: Any, **kwargs: Any) -> Report:
        from pipeline.api import build as api_build

        return api_build(*args, **kwargs)


sys.modules[__name__].__class__ = _Package
