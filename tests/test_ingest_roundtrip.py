"""Round trips through the real article: build, review the DOCX, ingest, build again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.builder import Options, Project, build
from pipeline.checks.verify import normalise
from pipeline.extract import text_of
from pipeline.ingest import ingest
from tests.conftest import ARTICLE_ID, ROOT, Built
from tests.word_review import WordReview

ARTICLE = (ROOT / "source" / f"{ARTICLE_ID}.md").read_text(encoding="utf-8")
REVIEWER = "Maya Chen"


def article_project(folder: Path) -> Project:
    (folder / "source").mkdir(parents=True)
    shutil.copytree(ROOT / "styles", folder / "styles")
    (folder / "source" / f"{ARTICLE_ID}.md").write_text(ARTICLE, encoding="utf-8")
    return Project.at(folder)


@pytest.fixture
def reviewed(built: Built, tmp_path: Path) -> WordReview:
    copy = tmp_path / "reviewed.docx"
    shutil.copy(built.path("docx"), copy)
    return WordReview(copy)


def test_the_unedited_article_gives_no_changes(built: Built, tmp_path: Path) -> None:
    """Every paragraph of the real article (bold leads, nested lists, quotes, locked
    disclaimers and their plain wording) reads back as its source."""
    outcome = ingest(Project.at(ROOT, tmp_path / "output"), built.path("docx"))
    assert outcome.exit_code == 0
    assert outcome.lines[0] == f"{ARTICLE_ID}: no changes; 0 comments"
    assert (outcome.folder / "source.patch").read_text() == ""
    assert (outcome.folder / "source.critic.md").read_text() == ARTICLE


def test_one_tracked_sentence_reaches_every_output(tmp_path: Path) -> None:
    project = article_project(tmp_path / "project")
    assert not build(project, Options(docs=(ARTICLE_ID,))).failed
    folder = project.output_dir / ARTICLE_ID
    docx = tmp_path / "reviewed.docx"
    shutil.copy(folder / f"{ARTICLE_ID}.docx", docx)
    with WordReview(docx) as review:  # a plain summary: the one-pagers carry it too
        review.replace("Pain can be mild or severe.", "severe", "very bad", REVIEWER)

    outcome = ingest(project, docx, apply=True)
    assert outcome.exit_code == 0
    source = (project.source_dir / f"{ARTICLE_ID}.md").read_text()
    old, new = ARTICLE.splitlines(), source.splitlines()
    assert len(old) == len(new)
    assert [(a, b) for a, b in zip(old, new, strict=True) if a != b] == [
        (
            "Pain can be mild or severe. Some moves, or sitting or standing a long time, "
            "can make it worse. It may spread to the legs or arms.",
            "Pain can be mild or very bad. Some moves, or sitting or standing a long time, "
            "can make it worse. It may spread to the legs or arms.",
        )
    ]

    report = build(project, Options(docs=(ARTICLE_ID,)))
    assert not report.failed, report.summary()
    outputs = json.loads((folder / "manifest.json").read_text())["outputs"]
    assert len(outputs) == 6
    for kind, entry in outputs.items():
        found = normalise(text_of(folder / entry["path"]))
        assert normalise("Pain can be mild or very bad.") in found, kind
        assert normalise("Pain can be mild or severe.") not in found, kind


def test_a_source_changed_elsewhere_keeps_both_changes(
    reviewed: WordReview, tmp_path: Path
) -> None:
    project = article_project(tmp_path / "project")
    path = project.source_dir / f"{ARTICLE_ID}.md"
    ours = ARTICLE.replace(
        "The human spine is a marvel of engineering", "The spine is a marvel of engineering"
    )
    path.write_text(ours)
    reviewed.replace(
        "The symptoms of DDD can vary widely", "vary widely", "differ a great deal", REVIEWER
    )
    reviewed.save()

    outcome = ingest(project, reviewed.path, apply=True)
    assert outcome.exit_code == 0
    assert path.read_text() == ours.replace("can vary widely", "can differ a great deal")
    assert "it has changed since" in outcome.review.read_text()


def test_the_same_paragraph_changed_on_both_sides_is_a_conflict(
    reviewed: WordReview, tmp_path: Path
) -> None:
    project = article_project(tmp_path / "project")
    path = project.source_dir / f"{ARTICLE_ID}.md"
    ours = ARTICLE.replace("can vary widely", "can vary a lot")
    path.write_text(ours)
    reviewed.replace(
        "The symptoms of DDD can vary widely", "vary widely", "differ a great deal", REVIEWER
    )
    reviewed.save()

    outcome = ingest(project, reviewed.path, apply=True)
    assert outcome.exit_code == 1
    assert path.read_text() == ours, "the source keeps its version"
    assert (outcome.folder / "source.patch").read_text() == ""
    report = outcome.review.read_text()
    assert "### Changed: paragraph" in report and "CONFLICT" in report
    critic = (outcome.folder / "source.critic.md").read_text()
    assert "can vary a lot" in critic and "Conflict: the reviewer changed this paragraph" in critic
