"""The build end to end: the real article in, a verified manifest out; broken sources and
failed renders leave every good output exactly as it was."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import build as build_module
from pipeline.build import Project, build
from pipeline.formats import FORMATS
from pipeline.formats import html as html_format
from tests.conftest import ARTICLE_ID, ROOT, Built
from tests.test_source import GOOD, line_of

TREATMENT_LINE = line_of(GOOD, "## Treatment")


def test_the_real_article_builds_and_verifies(built: Built) -> None:
    manifest = built.manifest
    assert manifest["id"] == ARTICLE_ID
    assert manifest["source"] == f"source/{ARTICLE_ID}.md"
    source = (ROOT / manifest["source"]).read_bytes()
    assert manifest["source_sha256"] == hashlib.sha256(source).hexdigest()
    assert manifest["verification"] == {"passed": True, "missing": []}
    assert set(manifest["outputs"]) == set(FORMATS)
    for kind, entry in manifest["outputs"].items():
        path = built.folder / entry["path"]
        assert path.is_file(), kind
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], kind


def test_the_landing_page_links_every_format(built: Built) -> None:
    index = (built.project.output_dir / "index.html").read_text()
    for entry in built.manifest["outputs"].values():
        assert f'href="{ARTICLE_ID}/{entry["path"]}"' in index
    assert "verified" in index


def test_nothing_half_built_is_left_behind(built: Built) -> None:
    leftovers = [p.name for p in built.project.output_dir.iterdir() if p.name.startswith(".")]
    assert leftovers == []
    assert not (built.folder / "rejected").exists()


def make_project(tmp_path: Path, sources: dict[str, str]) -> Project:
    """A throw-away project: these sources, the real styles."""
    (tmp_path / "source").mkdir(parents=True)
    shutil.copytree(ROOT / "styles", tmp_path / "styles")
    for name, text in sources.items():
        (tmp_path / "source" / f"{name}.md").write_text(text, encoding="utf-8")
    return Project.at(tmp_path)


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_broken_source_fails_alone_and_changes_no_other_output(tmp_path: Path) -> None:
    other = GOOD.replace("id: sample", "id: other")
    project = make_project(tmp_path, {"sample": GOOD, "other": other})
    assert not build(project, kinds=["html"]).failed
    before = snapshot(project.output_dir / "other")
    sample_before = snapshot(project.output_dir / "sample")

    (project.source_dir / "sample.md").write_text(GOOD.replace(" {#treatment}", ""))
    report = build(project, kinds=["html"])

    assert report.failed
    assert [line for line in report.lines if line.startswith("source/sample.md:")] == [
        f'source/sample.md:{TREATMENT_LINE}: section "Treatment" has no id; '
        'write "## Treatment {#treatment}"'
    ]
    assert snapshot(project.output_dir / "other") != {}
    assert snapshot(project.output_dir / "sample") == sample_before
    # "other" was rebuilt from an unchanged source: byte for byte the same files.
    assert snapshot(project.output_dir / "other") == before


def test_a_failed_render_keeps_the_last_good_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    assert not build(project, kinds=["html"]).failed
    before = snapshot(project.output_dir / "sample")

    def half_then_crash(doc, brand, out_dir):  # type: ignore[no-untyped-def]
        (out_dir / "index.html").write_text("<html><body><main>half a pa")
        raise RuntimeError("the renderer fell over")

    monkeypatch.setattr(html_format, "render", half_then_crash)  # forked workers inherit it
    (project.source_dir / "sample.md").write_text(GOOD.replace("Rest can help.", "Rest helps."))
    report = build(project, kinds=["html"])

    assert report.failed
    assert "sample: html could not be rendered: the renderer fell over" in report.lines
    assert snapshot(project.output_dir / "sample") == before
    assert not [p for p in project.output_dir.iterdir() if p.name.startswith(".staging")]


def test_a_build_that_fails_verification_is_rejected_not_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    assert not build(project, kinds=["html"]).failed
    before = snapshot(project.output_dir / "sample")
    real = html_format.render

    def drops_a_disclaimer(doc, brand, out_dir):  # type: ignore[no-untyped-def]
        page = real(doc, brand, out_dir)
        page.write_text(page.read_text().replace("Always consult a qualified clinician.", ""))
        return page

    monkeypatch.setattr(html_format, "render", drops_a_disclaimer)
    report = build(project, kinds=["html"])

    assert report.failed
    assert any('disclaimer "see-a-doctor" wording missing' in line for line in report.lines)
    after = snapshot(project.output_dir / "sample")
    assert {k: v for k, v in after.items() if not k.startswith("rejected/")} == before
    rejected = json.loads((project.output_dir / "sample/rejected/manifest.json").read_text())
    assert rejected["verification"]["passed"] is False
    assert rejected["verification"]["missing"][0]["id"] == "see-a-doctor"


def run_invoke(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    shutil.copy(ROOT / "tasks.py", project / "tasks.py")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )


def test_invoke_build_exits_1_with_one_line_per_problem_and_no_traceback(tmp_path: Path) -> None:
    broken = GOOD.replace(" {#treatment}", "").replace("lang: en-US", "lang: English")
    make_project(tmp_path, {"sample": broken})
    result = run_invoke(tmp_path, "build", "--formats", "html")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    problems = [line for line in result.stderr.splitlines() if line.startswith("source/")]
    assert problems == [
        'source/sample.md:4: lang "English" is not a BCP 47 language tag; write e.g. "lang: en-US"',
        f'source/sample.md:{TREATMENT_LINE}: section "Treatment" has no id; '
        'write "## Treatment {#treatment}"',
    ]
    assert not (tmp_path / "output" / "sample").exists()


def test_invoke_verify_fails_when_a_published_file_lost_text(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    assert run_invoke(tmp_path, "build", "--formats", "html").returncode == 0
    page = project.output_dir / "sample" / "index.html"
    page.write_text(page.read_text().replace("Pain can vary widely.", ""))
    result = run_invoke(tmp_path, "verify")
    assert result.returncode == 1
    assert 'html: section "symptoms" body missing: "Pain can vary widely."' in result.stderr
    manifest = json.loads((project.output_dir / "sample" / "manifest.json").read_text())
    assert manifest["verification"]["passed"] is False


def test_unknown_format_is_a_clear_error(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    report = build(project, kinds=["pptx"])
    assert report.failed and report.lines[0].startswith("unknown format pptx; choose from html")


def test_staging_left_by_a_killed_build_is_cleared(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    stale = project.output_dir / ".staging-sample-killed"
    stale.mkdir(parents=True)
    (stale / "index.html").write_text("half")
    assert not build(project, kinds=["html"]).failed
    assert not stale.exists()
    assert build_module.MANIFEST in os.listdir(project.output_dir / "sample")


def test_the_same_source_builds_to_the_same_bytes(built: Built, tmp_path: Path) -> None:
    """Reproducible: no clock, no random id in any output, so a changed hash in the manifest
    always means changed content."""
    again = Project.at(ROOT, tmp_path / "output")
    assert not build(again, [ARTICLE_ID]).failed
    second = json.loads((again.output_dir / ARTICLE_ID / "manifest.json").read_text())
    assert second["outputs"] == built.manifest["outputs"]
