"""The build end to end: the real article in, a verified manifest out; broken sources, failed
renders and partial builds leave every good output exactly as it was, and say what they did."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from lxml import html as lxml_html

from pipeline.builder import Options, Project, build, verify_published
from pipeline.builder.files import exclusive
from pipeline.builder.plan import shard_of
from pipeline.formats import FORMATS
from tests.conftest import ARTICLE_ID, ROOT, Built
from tests.test_source import GOOD, line_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pipeline.brand import Brand
    from pipeline.formats.htmlview import ArticleView
    from pipeline.formats.onepager import PageLayout
    from pipeline.model import Block, Document

TREATMENT_LINE = line_of(GOOD, "## Treatment")


def test_the_real_article_builds_and_verifies(built: Built) -> None:
    manifest = built.manifest
    assert manifest["id"] == ARTICLE_ID
    assert manifest["source"] == f"source/{ARTICLE_ID}.md"
    source = (ROOT / manifest["source"]).read_bytes()
    assert manifest["source_sha256"] == hashlib.sha256(source).hexdigest()
    assert manifest["verification"] == {"passed": True, "missing": []}
    assert manifest["stale"] == []
    assert set(manifest["outputs"]) == set(FORMATS)
    assert manifest["review_due"] == built.doc.next_review.isoformat()


def test_every_manifest_names_exactly_its_files(built: Built) -> None:
    """Each output lists every file it wrote with its hash; together with the manifest they
    are all the document's folder holds."""
    listed = {"manifest.json"}
    for kind, entry in built.manifest["outputs"].items():
        assert entry["files"][entry["path"]] == entry["sha256"], kind
        for name, digest in entry["files"].items():
            assert hashlib.sha256((built.folder / name).read_bytes()).hexdigest() == digest
        listed |= set(entry["files"])
    assert listed == {p.relative_to(built.folder).as_posix() for p in files_in(built.folder)}


def test_the_landing_page_links_every_format(built: Built) -> None:
    index = (built.project.output_dir / "index.html").read_text()
    for entry in built.manifest["outputs"].values():
        assert f'href="{ARTICLE_ID}/{entry["path"]}"' in index


def test_nothing_half_built_is_left_behind(built: Built) -> None:
    leftovers = [p.name for p in built.project.output_dir.iterdir() if p.name.startswith(".")]
    assert leftovers == []
    assert not built.project.rejected_dir.exists()


def test_published_files_are_readable_by_a_web_server(built: Built) -> None:
    """0644 files and 0755 folders, whatever the temporary files were."""
    assert_readable(built.project.output_dir)


def test_published_files_are_readable_whatever_the_umask(tmp_path: Path) -> None:
    """A build run with a private umask (077, as on some servers) still publishes files a
    web server running as another user can read."""
    project = make_project(tmp_path, {"sample": GOOD})
    script = (
        "import os; from pathlib import Path; "
        "from pipeline.builder import Options, Project, build; "
        "os.umask(0o077); "
        f"build(Project.at(Path({str(project.root)!r})), Options(formats=('html', 'docx')))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", script], env=env, check=True)
    assert (project.output_dir / "sample" / "index.html").is_file()
    assert_readable(project.output_dir)


def assert_readable(output: Path) -> None:
    for path in [output, *files_in(output, folders=True)]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), path


def files_in(folder: Path, folders: bool = False) -> list[Path]:
    return [p for p in folder.rglob("*") if folders or p.is_file()]


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


def manifest_of(project: Project, doc_id: str) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(
        (project.output_dir / doc_id / "manifest.json").read_text()
    )
    return manifest


def test_a_broken_source_fails_alone_and_changes_no_other_output(tmp_path: Path) -> None:
    other = GOOD.replace("id: sample", "id: other")
    third = GOOD.replace("id: sample", "id: third")  # after the broken one, by name
    project = make_project(tmp_path, {"sample": GOOD, "other": other, "third": third})
    assert not build(project, Options(formats=("html",))).failed
    before = snapshot(project.output_dir / "other")
    sample_before = snapshot(project.output_dir / "sample")
    edition = manifest_of(project, "sample")

    broken = GOOD.replace(" {#treatment}", "")
    (project.source_dir / "sample.md").write_text(broken)
    for name, text in (("other", other), ("third", third)):
        (project.source_dir / f"{name}.md").write_text(
            text.replace("Rest can help.", "Rest helps.")
        )
    report = build(project, Options(formats=("html",)))

    assert report.failed
    problem = (
        f'source/sample.md:{TREATMENT_LINE}: section "Treatment" has no id; '
        'write "## Treatment {#treatment}"'
    )
    assert [line for line in report.lines if line.startswith("source/sample.md:")] == [problem]
    # Its last good edition stays, byte for byte; its manifest says the source failed.
    assert without_manifest(snapshot(project.output_dir / "sample")) == without_manifest(
        sample_before
    )
    manifest = manifest_of(project, "sample")
    assert manifest["source_sha256"] == edition["source_sha256"]
    assert manifest["rejected"]["problems"] == [problem]
    assert manifest["rejected"]["source_sha256"] == hashlib.sha256(broken.encode()).hexdigest()
    # The others, before and after it by name, were built and published all the same.
    assert snapshot(project.output_dir / "other") != before
    for name in ("other", "third"):
        assert "Rest helps." in (project.output_dir / name / "index.html").read_text()
        assert "rejected" not in manifest_of(project, name)


def without_manifest(files: dict[str, str]) -> dict[str, str]:
    return {name: digest for name, digest in files.items() if name != "manifest.json"}


def fake_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, renderer: str) -> None:
    """A format replaced by a fake through its contract: its registry entry names a renderer
    module written here (`renderer`: the module's source), which the forked workers import
    too."""
    folder = tmp_path / "fakes"
    folder.mkdir(exist_ok=True)
    name = f"fake_{kind}_{len(list(folder.iterdir()))}"
    (folder / f"{name}.py").write_text(textwrap.dedent(renderer))
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setitem(FORMATS, kind, dataclasses.replace(FORMATS[kind], module=name))


def test_a_format_that_fails_rejects_the_whole_edition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    assert not build(project, Options(formats=("html", "docx"))).failed
    before = snapshot(project.output_dir / "sample")
    edition = manifest_of(project, "sample")

    fake_format(
        tmp_path,
        monkeypatch,
        "html",
        """
        from pipeline.errors import UserError

        def render(job, out_dir):
            (out_dir / job.file).write_text("<html><body><main>half a pa")
            raise UserError("the renderer fell over")
        """,
    )
    (project.source_dir / "sample.md").write_text(GOOD.replace("Rest can help.", "Rest helps."))
    report = build(project, Options(formats=("html", "docx"), jobs=2))

    assert report.failed
    assert "sample: html could not be rendered: the renderer fell over" in report.lines
    assert not any("docx could not be rendered" in line for line in report.lines)
    assert "sample: docx verified (sample.docx)" in report.lines
    [said] = [line for line in report.lines if "NOT published" in line]
    assert said == (
        "sample: NOT published: the new edition failed (html); readers get the last good "
        f"edition (last reviewed 2026-01, source {edition['source_sha256'][:12]}); the "
        "rejected files are in build/rejected/sample"
    )
    assert without_manifest(snapshot(project.output_dir / "sample")) == without_manifest(before)
    manifest = manifest_of(project, "sample")
    assert {k: e["stale"] for k, e in manifest["outputs"].items()} == {"html": True, "docx": True}
    assert manifest["rejected"]["formats"] == ["html"]
    assert manifest["rejected"]["problems"] == [
        "html: could not be rendered: the renderer fell over"
    ]
    assert manifest["verification"] == {"passed": True, "missing": []}, "the edition readers get"
    # The rejected edition, whole: the new DOCX (it passed) beside the half-written page.
    rejected = project.rejected_dir / "sample"
    kept = json.loads((rejected / "manifest.json").read_text())
    assert kept["outputs"]["docx"]["verified"] is True
    assert "Rest helps." in docx_text(rejected / kept["outputs"]["docx"]["path"])
    assert (rejected / "html" / "index.html").read_text().endswith("half a pa")
    assert kept["verification"]["passed"] is False
    assert not [p for p in project.output_dir.iterdir() if p.name.startswith(".staging")]


def docx_text(path: Path) -> str:
    from pipeline.extract import read

    return read(path).text


def test_a_build_that_fails_verification_is_kept_outside_the_published_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    assert not build(project, Options(formats=("html",))).failed
    before = snapshot(project.output_dir / "sample")
    real = FORMATS["html"]

    fake_format(
        tmp_path,
        monkeypatch,
        "html",
        """
        from pipeline.formats import html

        def render(job, out_dir):
            page = html.render(job, out_dir)
            text = page.read_text().replace("Always consult a qualified clinician.", "")
            page.write_text(text)
            return page
        """,
    )
    report = build(project, Options(formats=("html",), force=True))

    assert report.failed
    assert any('disclaimer "see-a-doctor" wording missing' in line for line in report.lines)
    rejected = tmp_path / "build" / "rejected" / "sample"
    assert any(
        f"the rejected files are in {rejected.relative_to(tmp_path)}" in line
        for line in report.lines
    )
    after = snapshot(project.output_dir / "sample")
    assert without_manifest(after) == without_manifest(before)
    assert manifest_of(project, "sample")["rejected"]["formats"] == ["html"]
    assert not list(project.output_dir.rglob("rejected"))
    kept = json.loads((rejected / "manifest.json").read_text())
    assert kept["verification"]["passed"] is False
    assert kept["verification"]["missing"][0]["id"] == "see-a-doctor"
    assert (rejected / kept["outputs"]["html"]["path"]).is_file()

    monkeypatch.setitem(FORMATS, "html", real)
    assert not build(project, Options(formats=("html",), force=True)).failed
    assert not rejected.exists(), "a good build clears the rejected one"
    assert "rejected" not in manifest_of(project, "sample")


def test_a_partial_build_publishes_what_it_built_and_marks_the_rest_stale(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    assert not build(project, Options(formats=("html", "docx"))).failed
    docx_before = snapshot(project.output_dir / "sample")["sample.docx"]

    (project.source_dir / "sample.md").write_text(GOOD.replace("Rest can help.", "Rest helps."))
    report = build(project, Options(formats=("html",)))

    assert not report.failed, report.lines
    assert any("docx is stale" in line for line in report.lines)
    assert not any("missing" in line for line in report.lines)
    assert report.outcomes[("sample", "html")].state == "built"
    assert report.outcomes[("sample", "docx")].state == "stale"
    manifest = manifest_of(project, "sample")
    assert manifest["stale"] == ["docx"]
    assert manifest["verification"] == {"passed": True, "missing": []}
    assert snapshot(project.output_dir / "sample")["sample.docx"] == docx_before
    assert "Rest helps." in (project.output_dir / "sample" / "index.html").read_text()

    verified = verify_published(project)
    assert not verified.failed
    assert any("docx is stale" in line for line in verified.lines)


def test_an_unchanged_document_is_up_to_date_and_force_rebuilds_it(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    assert not build(project, Options(formats=("html", "docx"))).failed
    before = snapshot(project.output_dir / "sample")

    again = build(project, Options(formats=("html", "docx")))
    assert {o.state for o in again.outcomes.values()} == {"up to date"}
    assert snapshot(project.output_dir / "sample") == before

    forced = build(project, Options(formats=("html", "docx"), force=True))
    assert {o.state for o in forced.outcomes.values()} == {"built"}
    assert snapshot(project.output_dir / "sample") == before, "the same bytes again"


def test_an_output_changed_after_publishing_is_rebuilt(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    assert not build(project, Options(formats=("html",))).failed
    page = project.output_dir / "sample" / "index.html"
    good = page.read_bytes()
    page.write_text("tampered")
    report = build(project, Options(formats=("html",)))
    assert report.outcomes[("sample", "html")].state == "built"
    assert page.read_bytes() == good


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
    assert "verification FAILED" in result.stderr
    manifest = manifest_of(project, "sample")
    assert manifest["verification"]["passed"] is False


def test_an_unknown_format_or_document_stops_before_any_work(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    report = build(project, Options(formats=("pptx",)))
    assert report.failed and report.lines == [
        f"unknown format pptx; choose from {', '.join(FORMATS)}"
    ]
    report = build(project, Options(docs=("sampel",), formats=("html",)))
    assert report.lines == ["no source/sampel.md; the documents are: sample"]
    assert not project.output_dir.exists() or not (project.output_dir / "sample").exists()


def test_staging_left_by_a_killed_build_is_cleared(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    stale = project.output_dir / ".staging-sample-killed"
    stale.mkdir(parents=True)
    (stale / "index.html").write_text("half")
    assert not build(project, Options(formats=("html",))).failed
    assert not stale.exists()


def test_a_second_build_at_the_same_time_is_told_to_wait(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"sample": GOOD})
    with exclusive(project.output_dir):
        report = build(project, Options(formats=("html",)))
    assert report.failed
    assert report.lines == [
        f"another build is writing {project.output_dir}; wait for it to finish, "
        "or build into another folder with --output"
    ]
    assert not (project.output_dir / "sample").exists()


def test_the_same_source_builds_to_the_same_bytes(built: Built, tmp_path: Path) -> None:
    """Reproducible: no clock, no random id in any output, so a changed hash in the manifest
    always means changed content."""
    again = Project.at(ROOT, tmp_path / "output")
    assert not build(again, Options(docs=(ARTICLE_ID,))).failed
    second = json.loads((again.output_dir / ARTICLE_ID / "manifest.json").read_text())
    assert second["outputs"] == built.manifest["outputs"]


def test_shards_built_apart_then_merged_make_one_landing_page(tmp_path: Path) -> None:
    """As the README's CI does it: each shard on its own runner, into its own output/; the
    folders merged; `invoke build --index-only` makes the landing page of them all."""
    ids = [f"leaflet-{n}" for n in range(6)]
    make_project(tmp_path, {i: GOOD.replace("id: sample", f"id: {i}") for i in ids})
    merged = tmp_path / "output"
    for number in (1, 2, 3):
        result = run_invoke(tmp_path, "build", "-f", "html", "--shard", f"{number}/3", "-o", "out")
        assert result.returncode == 0, result.stderr
        built = {p.parent.name for p in (tmp_path / "out").glob("*/manifest.json")}
        assert built == {i for i in ids if shard_of(i, 3) == number}, "stable, by the id"
        assert built, "every shard has work here"
        assert not built & {p.name for p in merged.glob("*") if p.is_dir()}, "in no other shard"
        shutil.copytree(tmp_path / "out", merged, dirs_exist_ok=True)  # merge-multiple
        shutil.rmtree(tmp_path / "out")
    assert {p.parent.name for p in merged.glob("*/manifest.json")} == set(ids)
    before = (merged / "index.html").read_text()
    assert not all(f'href="{i}/index.html"' in before for i in ids), "the last shard's page"

    result = run_invoke(tmp_path, "build", "--index-only")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "landing page: 6 documents in output/index.html"
    page = lxml_html.fromstring((merged / "index.html").read_bytes())
    assert sorted(page.xpath("//main//h2/@id")) == [f"doc-{i}" for i in ids]
    links = page.xpath("//a/@href")
    assert {f"{i}/index.html" for i in ids} <= set(links)
    assert [link for link in links if not (merged / link).is_file()] == []


@pytest.mark.parametrize("value", ["0/2", "3/2", "x", "1/0", "1/", "/2", "1:2", "1/2/3"])
def test_a_wrong_shard_is_a_clear_error_before_any_work(tmp_path: Path, value: str) -> None:
    make_project(tmp_path, {"sample": GOOD})
    result = run_invoke(tmp_path, "build", "--shard", value)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f'invoke build: error: argument --shard: "{value}" must be K/N with 1 <= K <= N, e.g. 1/4'
    )
    assert result.stdout == "" and not (tmp_path / "output").exists()


@pytest.mark.parametrize(
    ("today", "state", "line"),
    [
        ("2026-06-01", "", None),
        (
            "2026-11-25",
            "due soon",
            "sample: review due on 2027-01-01 (last reviewed 2026-01, every 12 months)",
        ),
        (
            "2027-03-02",
            "overdue",
            "sample: review overdue since 2027-01-01 (last reviewed 2026-01, every 12 months); "
            "review it and update last-reviewed",
        ),
    ],
)
def test_the_review_date_is_in_the_manifest_and_a_late_one_is_said(
    today: str, state: str, line: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIPELINE_TODAY", today)
    project = make_project(tmp_path, {"sample": GOOD})
    report = build(project, Options(formats=("html",)))
    assert not report.failed
    assert report.documents["sample"].review == state
    said = [(m.level, m.text) for m in report.messages if "review" in m.text]
    level = "warning" if state == "overdue" else "info"  # overdue: a warning (an error, strict)
    assert said == ([(level, line)] if line else [])
    assert manifest_of(project, "sample")["review_due"] == "2027-01-01"


def test_with_strict_an_overdue_review_is_an_error_and_nothing_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIPELINE_TODAY", "2027-03-02")
    project = make_project(tmp_path, {"sample": GOOD})
    report = build(project, Options(formats=("html",), overdue_review="error"))
    assert report.failed
    assert [m.level for m in report.messages if "overdue" in m.text] == ["error"]
    assert not (project.output_dir / "sample").exists()


def test_a_malformed_fixed_today_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIPELINE_TODAY", "25/11/2026")
    report = build(make_project(tmp_path, {"sample": GOOD}), Options(formats=("html",)))
    assert report.lines == [
        'PIPELINE_TODAY="25/11/2026" is not a date; write it as YYYY-MM-DD, '
        "e.g. PIPELINE_TODAY=2026-11-25, or unset it to use the clock"
    ]


def test_a_build_needs_no_network(tmp_path: Path) -> None:
    """The whole build, strict (HTML read in Chromium too), in a network namespace of its own
    with no interface up: fonts, profiles, the browser and figures all come from the
    machine, and documents with web links and figures of every type still build and verify."""
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is needed to take the network away")
    docs = ["hand-washing", "appointments"]
    make_project(tmp_path, {})
    for doc_id in docs:
        shutil.copy(ROOT / "tests" / "corpus" / f"{doc_id}.md", tmp_path / "source")
    shutil.copytree(ROOT / "tests" / "corpus" / "images", tmp_path / "source" / "images")
    shutil.copy(ROOT / "tasks.py", tmp_path / "tasks.py")
    # As CI builds this repository: strict, its sample brand's placeholders allowed.
    command = ["invoke", "build", "--strict", "--allow-placeholders"]
    result = subprocess.run(
        ["unshare", "--net", sys.executable, "-m", *command],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    for doc_id in docs:
        manifest = manifest_of(Project.at(tmp_path), doc_id)
        assert manifest["verification"] == {"passed": True, "missing": []}
        assert set(manifest["outputs"]) == set(FORMATS)


def test_workers_never_delete_the_fonts_of_the_process_that_forked_them(tmp_path: Path) -> None:
    """Each process keeps one font configuration per set of brand fonts, whose @font-face
    files live in a folder of its own. A forked worker that met other fonts let go of the
    copy it inherited, and collecting it deleted the folder under the process that forked
    it (a test, the preview): its next PDF failed on a missing font file."""
    import gc

    from pipeline.brand import load_brand
    from pipeline.formats import weasy

    brand = load_brand(ROOT / "styles")
    page = (
        f"<style>{brand.font_faces(weasy.STYLES + 'fonts/')}</style>"
        f"<p style='font-family: \"{brand.fonts['family']}\"'>Rest</p>"
    )

    def lay_out() -> int:
        fenced = weasy.fenced(page, tmp_path, brand, styles=brand.styles_dir)
        return len(fenced.render().pages)

    assert lay_out() == 1
    other = make_project(tmp_path / "other", {})
    fonts = other.root / "styles" / "fonts"
    italic = (fonts / "AtkinsonHyperlegible-Italic.ttf").read_bytes()
    (fonts / "AtkinsonHyperlegible-Regular.ttf").write_bytes(italic)
    child = os.fork()
    if child == 0:  # a worker, as the pool forks it, meeting other fonts
        weasy.fonts(load_brand(other.root / "styles"))
        gc.collect()
        os._exit(0)
    os.waitpid(child, 0)
    assert lay_out() == 1


def test_the_html_view_is_made_once_per_document_not_once_per_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five formats are drawn from a document's HTML view (a pandoc call and a parse); the
    build makes it once and hands it to the workers, which made one each."""
    from pipeline import pandoc

    calls = tmp_path / "calls"
    convert = pandoc.to_html

    def counted(fragments: Sequence[Sequence[Block]]) -> list[str]:
        with calls.open("a") as log:  # the workers are forked: they log to the same file
            log.write(f"{os.getpid()}\n")
        return convert(fragments)

    monkeypatch.setattr(pandoc, "to_html", counted)
    # An id of its own: a view this process made for another test would be found, not made.
    made_once = GOOD.replace("id: sample", "id: made-once")
    project = make_project(tmp_path / "project", {"made-once": made_once})
    report = build(project, Options(jobs=2))
    assert not report.failed, report.lines
    assert calls.read_text().split() == [str(os.getpid())]


def test_verify_says_and_records_what_every_check_finds(mutable: Built) -> None:
    """`invoke verify` runs the same checks as the build and says what they find the same
    way: the reading level and the preflight too, their records written again."""
    path = mutable.folder / "manifest.json"
    manifest = json.loads(path.read_text())
    built_records = {
        kind: {key: entry[key] for key in ("readability", "preflight") if key in entry}
        for kind, entry in manifest["outputs"].items()
    }
    for entry in manifest["outputs"].values():
        entry.pop("readability", None)
        entry.pop("preflight", None)
    path.write_text(json.dumps(manifest))

    report = verify_published(mutable.project, Options(docs=(ARTICLE_ID,)))

    assert not report.failed, report.lines
    notes = [m.text for m in report.messages if m.kind in ("onepager_pdf", "onepager_html")]
    assert sum("reading level: one-pager FK grade" in note for note in notes) == 2
    again = json.loads(path.read_text())["outputs"]
    for kind, records in built_records.items():
        assert {key: again[kind][key] for key in records} == records, kind


def test_the_one_page_layout_is_made_once_for_both_one_pagers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both one-pagers print the same page: their entries share the one-page layout, which a
    worker makes once (a search over up to eleven WeasyPrint layouts) and hands to each."""
    from pipeline.formats import onepager

    calls = tmp_path / "calls"
    make = onepager.make

    def counted(doc: Document, brand: Brand, view: ArticleView | None) -> PageLayout:
        with calls.open("a") as log:  # the workers are forked: they log to the same file
            log.write(f"{doc.id}\n")
        return make(doc, brand, view)

    monkeypatch.setattr(onepager, "make", counted)
    project = make_project(tmp_path / "project", {"sample": GOOD})
    report = build(project, Options(formats=("onepager_pdf", "onepager_html"), jobs=2))
    assert not report.failed, report.lines
    assert calls.read_text().split() == ["sample"]
