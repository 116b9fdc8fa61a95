"""A review made by a real word processor: LibreOffice 7.4, driven through UNO with change
recording on (tests/uno_review.py; its docstring has the command that made the fixture).
LibreOffice writes its own XML: bookmarks moved into paragraphs and written twice, content
controls emptied of their tags and locks, its own style ids ("TextBody"), a paragraph mark
inserted on the paragraph before a new one. Ingest must read it as the reviewer meant it.

The review is also made again, from this build's DOCX, and ingested the same way. Each
ends as a reviewer's session does: the disclaimer edit approved, applied, and the source
built in every format, verified, with the reviewer's words read back from each file."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

from pipeline.builder import Options, Project, build, sources
from pipeline.checks.verify import normalise
from pipeline.extract import text_of
from pipeline.formats import FORMATS
from pipeline.formats.docx.embedded import read_source
from pipeline.ingest import ingest
from tests.conftest import ROOT, Built

FIXTURE = ROOT / "tests" / "fixtures" / "ingest" / "libreoffice-review.docx"
SCRIPT = ROOT / "tests" / "uno_review.py"
SYSTEM_PYTHON = "/usr/bin/python3"  # python3-uno works with Debian's own Python only
DOC_ID = "ddd-stem-cell-therapy"


def project_at_base(folder: Path, docx: Path) -> tuple[Project, str]:
    """A project whose source is the one the DOCX was built from, with the real styles,
    which keeps that version as the build that made the DOCX kept it."""
    with zipfile.ZipFile(docx) as package:
        base = read_source(package)
    assert base is not None
    (folder / "source").mkdir(parents=True)
    shutil.copytree(ROOT / "styles", folder / "styles")
    (folder / base.path).write_bytes(base.data)
    project = Project.at(folder)
    sources.keep_version(project, base.id, base.data)  # the build that made the DOCX did
    return project, base.text


def check_libreoffice_review(docx: Path, folder: Path) -> None:
    project, base = project_at_base(folder, docx)
    source = project.source_dir / f"{DOC_ID}.md"

    outcome = ingest(project, docx)
    assert outcome.exit_code == 1, "the disclaimer edit waits for approval"
    assert outcome.lines[:2] == [
        "ddd-stem-cell-therapy: 4 changes (3 ready, 1 held back); 1 comment",
        "  held back: disclaimer still-researched "
        "(approve with --approve-disclaimer still-researched)",
    ]
    report = outcome.review.read_text()
    assert "Dana Rivera, " in report
    assert (
        "replaced “mild and intermittent discomfort” with “mild, occasional discomfort”" in report
    )
    assert "inserted “Ask your care team to show you on a model.”" in report
    assert "### Added: new paragraph" in report
    assert "### Changed: disclaimer still-researched (plain wording)" in report
    assert "### Comment by Dana Rivera" in report
    assert "- On “spinal fusion” (paragraph)" in report
    assert "> Should we say in plain words what a fusion is?" in report
    assert "Track Changes off" not in report, "every edit was tracked"
    critic = (outcome.folder / "source.critic.md").read_text()
    assert "from mild{~~ and intermittent~>, occasional~~} discomfort" in critic
    assert "{==spinal fusion==}{>>Dana Rivera, " in critic
    assert "Experts are still studying this{-- a lot--}." in critic

    applied = ingest(project, docx, apply=True, approve=["still-researched"])
    assert applied.exit_code == 0
    after = source.read_text()
    expected = (
        base.replace(
            "distributing mechanical loads across the spine.\n",
            "distributing mechanical loads across the spine. "
            "Ask your care team to show you on a model.\n",
        )
        .replace("from mild and intermittent discomfort", "from mild, occasional discomfort")
        .replace(
            "degeneration of the disc itself.\n",
            "degeneration of the disc itself.\n\n"
            "Ask your care team which of these options suits you.\n",
        )
        .replace("Experts are still studying this a lot.", "Experts are still studying this.")
    )
    assert after == expected, "exactly these paragraphs, everything else byte for byte"
    build_and_read_back(project)


# What the reviewer wrote, and what it replaced, in the parts each kind of output carries.
REVIEWED = {
    "full": (
        [
            "distributing mechanical loads across the spine. "
            "Ask your care team to show you on a model.",
            "Ask your care team which of these options suits you.",
            "from mild, occasional discomfort to severe",
        ],
        ["from mild and intermittent discomfort"],
    ),
    "plain": (["Experts are still studying this."], ["Experts are still studying this a lot."]),
}


def build_and_read_back(project: Project) -> None:
    """The end of the reviewer's session: the applied source builds in all six formats,
    verifies, and each finished file says what the reviewer wrote."""
    report = build(project, Options(docs=(DOC_ID,)))
    assert not report.failed, "\n".join(report.lines)
    folder = project.output_dir / DOC_ID
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["verification"] == {"passed": True, "missing": []}
    assert sorted(manifest["outputs"]) == sorted(FORMATS)
    for kind, entry in manifest["outputs"].items():
        found = normalise(text_of(folder / entry["path"]))
        for scope in FORMATS[kind].verified:
            new, old = REVIEWED[scope]
            for text in new:
                assert normalise(text) in found, (kind, text)
            for text in old:
                assert normalise(text) not in found, (kind, text)


def test_a_libreoffice_review_is_read_as_the_reviewer_meant_it(tmp_path: Path) -> None:
    with zipfile.ZipFile(FIXTURE) as package:
        assert "LibreOffice" in package.read("docProps/app.xml").decode()
    check_libreoffice_review(FIXTURE, tmp_path / "project")


def test_a_new_libreoffice_review_reads_the_same(built: Built, tmp_path: Path) -> None:
    """LibreOffice reviews today's DOCX (about 8 s): the reader holds against a real client's
    XML as it is now, not only as it was when the fixture was made."""
    reviewed = tmp_path / "libreoffice-review.docx"
    finished = subprocess.run(
        [SYSTEM_PYTHON, str(SCRIPT), str(built.path("docx")), str(reviewed)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr
    check_libreoffice_review(reviewed, tmp_path / "project")
