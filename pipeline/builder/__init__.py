"""Building, in phases: plan (documents, formats, keys), schedule (render and check in a
pool of workers), publish (one edition per document, atomically), report.

from pipeline.builder import Options, Project, build
report = build(Project.at(root), Options(docs=("ddd-stem-cell-therapy",), formats=("html",)))
"""

from pipeline.builder.manifest import MANIFEST
from pipeline.builder.options import Options, strictly
from pipeline.builder.project import Project
from pipeline.builder.report import Message, Outcome, Report
from pipeline.builder.reverify import verify_published
from pipeline.builder.run import build, gather

__all__ = [
    "MANIFEST",
    "Message",
    "Options",
    "Outcome",
    "Project",
    "Report",
    "build",
    "gather",
    "strictly",
    "verify_published",
]
