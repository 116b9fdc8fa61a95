"""Building: which documents and formats, keys, parallel work, checks, atomic publishing.

from pipeline.build import Project, build
report = build(Project.at(root), ["ddd-stem-cell-therapy"], ["html"])
"""

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
