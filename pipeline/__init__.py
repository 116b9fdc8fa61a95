"""Patient-education publishing: one source in, verified outputs out.

For other tools (importing the package loads nothing heavy):

    import pipeline

    report = pipeline.build("path/to/project", docs=["knee-pain"], formats=["html"])
    print(report.summary())        # "1 document, 1 file, 0.6 s"
    report = pipeline.verify("path/to/project")
    doc = pipeline.load("path/to/project/source/knee-pain.md")
"""

from pipeline.api import build, load, verify

__all__ = ["build", "load", "verify"]
