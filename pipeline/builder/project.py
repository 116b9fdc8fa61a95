"""Where a project's sources, styles and outputs live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.model import edition_folder


@dataclass(frozen=True)
class Project:
    root: Path
    output_dir: Path

    @classmethod
    def at(cls, root: Path, output_dir: Path | None = None) -> Project:
        root = root.resolve()
        return cls(root, (output_dir or root / "output").resolve())

    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @property
    def styles_dir(self) -> Path:
        return self.root / "styles"

    def folder(self, edition: str) -> Path:
        """Where an edition is published: output/<id>/, or output/<id>/<lang>/ for a
        translation (`edition` is its source file's name without .md)."""
        return self.output_dir / edition_folder(edition)

    @property
    def rejected_dir(self) -> Path:
        """Rejected builds, kept for inspection beside output/ (never inside the tree a web
        server serves): build/rejected/<id>/."""
        return self.output_dir.parent / "build" / "rejected"

    @property
    def reviews_dir(self) -> Path:
        """What `invoke ingest` makes of each reviewed DOCX, outside the served tree (it
        holds reviewers' names, comments and raw text): build/reviews/<id>/<name>/."""
        return self.output_dir.parent / "build" / "reviews"

    def shown(self, path: Path) -> str:
        """A path as the user should see it: relative to the project when it is inside."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
