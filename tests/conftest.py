"""Shared fixtures: the real article and the corpus, each built once per test session into a
temporary folder, read-only to the tests that share them (a test that changes outputs
changes its own copy)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from pipeline.builder import Options, Project, Report, build, verify_published
from pipeline.formats import Format, Job
from pipeline.model import Document
from pipeline.source import load

ROOT = Path(__file__).resolve().parent.parent
ARTICLE_ID = "ddd-stem-cell-therapy"
CORPUS = ROOT / "tests" / "corpus"

# Hypothesis profiles. "suite", every run's: a handful of examples, for properties that build
# whole documents (a property that is fast sets its own count). "thorough": many more, for a
# long run: `pytest --hypothesis-profile=thorough` or HYPOTHESIS_PROFILE=thorough, and
# THOROUGH_EXAMPLES=n to choose how many.
_SLOW = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("suite", max_examples=3, **_SLOW)  # type: ignore[arg-type]
settings.register_profile(
    "thorough",
    max_examples=int(os.environ.get("THOROUGH_EXAMPLES", "60")),
    **_SLOW,  # type: ignore[arg-type]
)


# The suite's fixed "today" (pipeline/review.py): review dates are judged against it, in this
# process and in every build or invoke it starts, so a test's verdict never changes with the
# calendar (the article's review falls due on 2027-01-01). A test of another day sets its own.
TODAY = "2026-11-25"


def pytest_configure(config: pytest.Config) -> None:
    os.environ["PIPELINE_TODAY"] = TODAY
    chosen = config.getoption("hypothesis_profile", default=None)
    settings.load_profile(chosen or os.environ.get("HYPOTHESIS_PROFILE", "suite"))


# The fast tier (`invoke test --fast`, `pytest -m fast`): unit tests that render nothing, well
# under a minute in all. A test marked fast that asks for a built fixture, or renders an
# output with a real renderer, fails saying so (fake formats, tests/fake_page.py, may render).
BUILT_FIXTURES = {"built", "mutable", "corpus", "builds", "cold", "templates_read", "good", "copy"}


@pytest.fixture(autouse=True)
def _fast_tests_render_nothing(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("fast") is None:
        yield
        return
    asked = sorted(BUILT_FIXTURES & set(request.fixturenames))
    if asked:
        pytest.fail(f"a fast test builds ({', '.join(asked)}): remove its fast mark")
    real = Format.render

    def render_nothing_real(self: Format, job: Job, out_dir: Path) -> Path:
        if self.module.startswith("pipeline."):
            pytest.fail(f"a fast test rendered {self.name}: remove its fast mark")
        return real(self, job, out_dir)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Format, "render", render_nothing_real)
        yield


@dataclass(frozen=True)
class Built:
    project: Project
    doc: Document

    @property
    def folder(self) -> Path:
        return self.project.output_dir / self.doc.id

    @property
    def manifest(self) -> dict[str, Any]:
        manifest: dict[str, Any] = json.loads((self.folder / "manifest.json").read_text())
        return manifest

    def path(self, kind: str) -> Path:
        return self.folder / str(self.manifest["outputs"][kind]["path"])

    def copy(self, destination: Path) -> Built:
        """A private copy of the built outputs, safe to mutate."""
        shutil.copytree(self.project.output_dir, destination)
        return Built(Project.at(ROOT, destination), self.doc)

    def verify(self) -> list[dict[str, str]]:
        """Verify the (possibly mutated) outputs again; the manifest's list of gaps."""
        verify_published(self.project, Options(docs=(self.doc.id,)))
        return list(self.manifest["verification"]["missing"])


@pytest.fixture(scope="session")
def article() -> Document:
    return load(ROOT / "source" / f"{ARTICLE_ID}.md", ROOT)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, article: Document) -> Built:
    """Every format of the real article, built and verified once for the whole session."""
    output = tmp_path_factory.mktemp("output")
    report = build(Project.at(ROOT, output), Options(docs=(ARTICLE_ID,)))
    assert not report.failed, "\n".join(report.lines)
    return Built(Project.at(ROOT, output), article)


@pytest.fixture
def mutable(built: Built, tmp_path: Path) -> Built:
    """A copy of the built outputs that a test may change."""
    return built.copy(tmp_path / "output")


class Corpus:
    """The corpus, built: its project, the build's report, each document's model."""

    def __init__(self, project: Project, report: Report, docs: dict[str, Document]):
        self.project, self.report, self.docs = project, report, docs

    def __repr__(self) -> str:  # what Hypothesis prints of a failing example
        return f"Corpus({self.project.root})"

    def manifest(self, doc_id: str) -> dict[str, Any]:
        manifest: dict[str, Any] = json.loads(
            (self.project.output_dir / doc_id / "manifest.json").read_text()
        )
        return manifest

    def path(self, doc_id: str, kind: str) -> Path:
        entry = self.manifest(doc_id)["outputs"][kind]
        return self.project.output_dir / doc_id / str(entry["path"])


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The whole corpus (tests/corpus/), built once for the session in all six formats with
    the real styles: tests/test_corpus.py reads every output, tests/test_print_prepress.py
    its brochures."""
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(CORPUS, root / "source")
    (root / "styles").symlink_to(ROOT / "styles", target_is_directory=True)
    report = build(Project.at(root))
    today = dt.date.fromisoformat(TODAY)
    docs = {p.stem: load(p, root, today) for p in sorted((root / "source").glob("*.md"))}
    return Corpus(Project.at(root), report, docs)
