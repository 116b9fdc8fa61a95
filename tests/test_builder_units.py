"""The builder's phases with fake formats that render nothing heavy (tests/fake_page.py),
injected through the format contract: planning and keys, both executors, one edition per
document published whole or rejected whole, the typed manifest, the options record. Part of
the fast tier (`invoke test --fast`)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.builder import Options, Project, build, strictly
from pipeline.builder.manifest import Manifest, Output, Rejection, read
from pipeline.builder.plan import Plan
from pipeline.formats import FORMATS, Format
from tests.test_build import make_project, manifest_of, snapshot, without_manifest
from tests.test_source import GOOD

pytestmark = pytest.mark.fast
FAKE_PAGE = Path(__file__).with_name("fake_page.py")


def fake(name: str, file: str, weight: int = 1) -> Format:
    return Format(
        name,
        f"Fake {name}",
        "a fake format of a test",
        file=file,
        module="tests.fake_page",
        scope="full",
        checks=("verify",),
        styles=(),
        brand_tables=("organisation",),
        weight=weight,
        html_view=False,
    )


@pytest.fixture
def fakes() -> Iterator[None]:
    """The registry holds two fake formats only, for the test."""
    saved = dict(FORMATS)
    FORMATS.clear()
    FORMATS.update({f.name: f for f in (fake("page_a", "a.html"), fake("page_b", "b.html", 2))})
    try:
        yield
    finally:
        FORMATS.clear()
        FORMATS.update(saved)


def titled(title: str) -> str:
    return GOOD.replace("title: A sample leaflet", f"title: {title}")


@pytest.mark.usefixtures("fakes")
def test_a_document_is_built_published_then_up_to_date_then_rebuilt(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    report = build(project, Options(jobs=1))
    assert not report.failed, report.lines
    assert {k: o.state for (_, k), o in report.outcomes.items()} == dict.fromkeys(
        ("page_a", "page_b"), "built"
    )
    manifest = manifest_of(project, "sample")
    assert list(manifest["outputs"]) == ["page_a", "page_b"]
    for entry in manifest["outputs"].values():
        assert entry["verified"] and entry["source_sha256"] == manifest["source_sha256"]
    assert "Pain can vary widely." in (project.output_dir / "sample" / "a.html").read_text()

    again = build(project, Options(jobs=1))
    assert {o.state for o in again.outcomes.values()} == {"up to date"}
    (project.source_dir / "sample.md").write_text(GOOD.replace("Rest can help.", "Rest helps."))
    edited = build(project, Options(formats=("page_b",), jobs=1))
    assert edited.outcomes[("sample", "page_b")].state == "built"
    assert edited.outcomes[("sample", "page_a")].state == "stale"
    assert manifest_of(project, "sample")["stale"] == ["page_a"]


@pytest.mark.usefixtures("fakes")
@pytest.mark.parametrize("jobs", [1, 2], ids=["serial", "pool"])
def test_a_failing_format_rejects_the_whole_edition(tmp_path: Path, jobs: int) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    assert not build(project, Options(jobs=jobs)).failed
    before, edition = snapshot(project.output_dir / "sample"), manifest_of(project, "sample")

    (project.source_dir / "sample.md").write_text(titled("Rest (refuse page_b)"))
    report = build(project, Options(jobs=jobs))

    assert report.failed
    assert "sample: page_b could not be rendered: the fake renderer refused" in report.lines
    assert "sample: page_a verified (a.html)" in report.lines
    assert without_manifest(snapshot(project.output_dir / "sample")) == without_manifest(before)
    manifest = manifest_of(project, "sample")
    assert manifest["title"] == edition["title"] == "A sample leaflet"
    assert manifest["rejected"]["formats"] == ["page_b"]
    kept = project.rejected_dir / "sample"
    assert "Rest (refuse page_b)" in (kept / "page_a" / "a.html").read_text()
    assert (kept / "page_b" / "b.html").read_text().endswith("half a pa")
    rejected = json.loads((kept / "manifest.json").read_text())
    assert {k: e["verified"] for k, e in rejected["outputs"].items()} == {
        "page_a": True,
        "page_b": False,
    }


@pytest.mark.usefixtures("fakes")
@pytest.mark.parametrize("jobs", [1, 2], ids=["serial", "pool"])
def test_a_bug_in_a_renderer_is_said_to_be_one_with_its_traceback(
    tmp_path: Path, jobs: int
) -> None:
    """A KeyError is a bug, not a message: the line names it and where it was raised (it
    once read "could not be rendered: 'x'"), and the report keeps its traceback, across the
    pool's processes too. The other documents and formats go on."""
    other = GOOD.replace("sample", "other")
    project = make_project(tmp_path, {"sample": titled("Rest (bug page_b)"), "other": other})
    report = build(project, Options(jobs=jobs))
    assert report.failed
    raised = (
        FAKE_PAGE.read_text().splitlines().index('        return {}["x"]  # type: ignore[index]')
        + 1
    )
    [line] = [line for line in report.lines if "page_b could not be rendered" in line]
    assert line == (
        "sample: page_b could not be rendered: a bug in the pipeline: KeyError: 'x' "
        f"(at {FAKE_PAGE}:{raised} in render)"
    )
    [trace] = report.bugs
    assert trace.startswith("Traceback (most recent call last):")
    assert f'{FAKE_PAGE}", line {raised}, in render' in trace
    assert trace.endswith("KeyError: 'x'\n")
    assert "sample: page_a verified (a.html)" in report.lines
    assert manifest_of(project, "other")["verification"]["passed"] is True
    assert report.outcomes[("sample", "page_b")].state == "failed"


def test_a_users_error_in_a_renderer_is_its_message_alone() -> None:
    from pipeline.errors import UserError, failure

    said = failure(UserError("too long by 3 lines", file="source/x.md", line=4, fix="cut it"))
    assert (said.text, said.bug) == ("source/x.md:4: too long by 3 lines; cut it", False)


@pytest.mark.usefixtures("fakes")
def test_a_check_that_fails_rejects_the_edition_too(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": titled("Hidden")})
    report = build(project, Options(jobs=1))
    assert report.failed
    assert any('section "symptoms" heading not visible' in line for line in report.lines)
    assert not (project.output_dir / "sample").exists(), "nothing of it was published before"
    kept = json.loads((project.rejected_dir / "sample" / "manifest.json").read_text())
    assert kept["verification"]["passed"] is False
    assert {gap["problem"] for gap in kept["verification"]["missing"]} == {"not visible"}


@pytest.mark.usefixtures("fakes")
def test_both_executors_make_the_same_edition(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": GOOD, "other": GOOD.replace("sample", "other")})
    serial = Project.at(project.root, tmp_path / "serial")
    pool = Project.at(project.root, tmp_path / "pool")
    assert not build(serial, Options(jobs=1)).failed
    assert not build(pool, Options(jobs=2)).failed
    for doc in ("sample", "other"):
        assert snapshot(serial.output_dir / doc) == snapshot(pool.output_dir / doc)


def test_groups_share_work_and_the_heaviest_start_first() -> None:
    plan = Plan("sample", Path("sample.md"), None, None, {}, {}, tuple(FORMATS))
    assert plan.groups == [
        ("brochure_pdf",),
        ("onepager_pdf", "onepager_html"),
        ("accessible_pdf",),
        ("docx",),
        ("html",),
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.render = ()  # type: ignore[misc]


def test_the_manifest_reads_back_what_it_wrote(tmp_path: Path) -> None:
    written = Manifest(
        id="sample",
        title="A sample leaflet",
        source="source/sample.md",
        source_sha256="a" * 64,
        last_reviewed="2026-01",
        review_every_months=12,
        review_due="2027-01-01",
        inputs={"full": {"source/sample.md": "a" * 64}},
        outputs={
            "html": Output(
                "index.html",
                "b" * 64,
                {"index.html": "b" * 64},
                key="c" * 64,
                verified=True,
                source_sha256="a" * 64,
                html_reading="browser",
                records={"word_count": 3},
            )
        },
        rejected=Rejection("d" * 64, ("html: missing",), ("html",), "build/rejected/sample"),
    )
    (tmp_path / "manifest.json").write_bytes(written.to_bytes())
    assert read(tmp_path) == written
    data = json.loads(written.to_bytes())
    assert data["verification"] == {"passed": True, "missing": []}
    assert data["outputs"]["html"]["word_count"] == 3, "a check's record, beside the entry"
    (tmp_path / "manifest.json").write_bytes(written.to_bytes()[:-40])
    assert read(tmp_path) is None, "cut short: no manifest, never a wrong one"


def test_strict_is_four_fields_and_none_of_them_by_default() -> None:
    assert Options() == Options(
        overdue_review="warning",
        placeholders="warning",
        html_reading="markup",
        stale_translation="warning",
    )
    assert strictly(Options(formats=("html",))) == Options(
        formats=("html",),
        overdue_review="error",
        placeholders="error",
        html_reading="browser",
        stale_translation="error",
    )
