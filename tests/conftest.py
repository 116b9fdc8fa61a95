"""Shared fixtures: the real article, built once per test session into a temporary folder."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipeline.builder import Project, build, verify_published
from pipeline.model import Document
from pipeline.source import load

ROOT = Path(__file__).resolve().parent.parent
ARTICLE_ID = "ddd-stem-cell-therapy"


@dataclass(frozen=True)
class Built:
    project: Project
    doc: Document

    @property
    def folder(self) -> Path:
        return self.project.output_dir / self.doc.id

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads((self.folder / "manifest.json").read_text())

    def path(self, kind: str) -> Path:
        return self.folder / self.manifest["outputs"][kind]["path"]

    def copy(self, destination: Path) -> Built:
        """A private copy of the built outputs, safe to mutate."""
        shutil.copytree(self.project.output_dir, destination)
        return Built(Project.at(ROOT, destination), self.doc)

    def verify(self) -> list[dict[str, str]]:
        """Verify the (possibly mutated) outputs again; the manifest's list of gaps."""
        verify_published(self.project, [self.doc.id])
        return list(self.manifest["verification"]["missing"])


@pytest.fixture(scope="session")
def article() -> Document:
    return load(ROOT / "source" / f"{ARTICLE_ID}.md", ROOT)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, article: Document) -> Built:
    """Every format of the real article, built and verified once for the whole session."""
    output = tmp_path_factory.mktemp("output")
    report = build(Project.at(ROOT, output), [ARTICLE_ID])
    assert not report.failed, "\n".join(report.lines)
    return Built(Project.at(ROOT, output), article)


@pytest.fixture
def mutable(built: Built, tmp_path: Path) -> Built:
    """A copy of the built outputs that a test may change."""
    return built.copy(tmp_path / "output")
