"""Building: which documents and formats, keys, parallel work, checks, atomic publishing.

from pipeline.builder import Project, build
report = build(Project.at(root), ["ddd-stem-cell-therapy"], ["html"])
"""

from pipeline.builder.files import MANIFEST
from pipeline.builder.project import Project
from pipeline.builder.report import Message, Outcome, Report
from pipeline.builder.run import build, gather, verify_published

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
