"""Which documents and formats to build; render into a staging folder, verify, then publish.

A build renders every output of a document into `output/.staging-*`, verifies the staged
files, and only then moves them into `output/<id>/`, each file by an atomic rename, the
manifest last. A failed or killed build never leaves half a file and never replaces the
last good output: a build that fails verification goes to `output/<id>/rejected/`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import traceback
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.brand import Brand, load_brand
from pipeline.checks import check_output, verify
from pipeline.formats import FORMATS
from pipeline.formats.htmlview import write_brand_assets
from pipeline.model import Document
from pipeline.source import SourceError, load
from pipeline.templates import environment

MANIFEST = "manifest.json"


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


@dataclass
class Report:
    """What a build or a verification found, for the console and the exit code."""

    lines: list[str] = field(default_factory=list)
    failed: bool = False

    def say(self, line: str) -> None:
        self.lines.append(line)

    def fail(self, line: str) -> None:
        self.failed = True
        self.lines.append(line)


def build(
    project: Project, doc_ids: Sequence[str] = (), kinds: Sequence[str] = (), jobs: int = 0
) -> Report:
    report = Report()
    kinds = _checked_kinds(kinds, report)
    brand = _brand(project, report)
    docs = _documents(project, doc_ids, report)
    if brand is None or (report.failed and not docs):
        return report
    project.output_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(project.output_dir)
    stagings = {
        doc.id: Path(tempfile.mkdtemp(prefix=f".staging-{doc.id}-", dir=project.output_dir))
        for doc in docs
    }
    try:
        rendered = _render_all(docs, kinds, brand, stagings, report, jobs)
        for doc in docs:
            if doc.id in rendered:
                _finish(project, doc, rendered[doc.id], stagings[doc.id], report, brand)
    finally:
        for staging in stagings.values():
            shutil.rmtree(staging, ignore_errors=True)
    write_index(project, brand)
    return report


def verify_published(project: Project, doc_ids: Sequence[str] = ()) -> Report:
    """Check the published outputs against their sources again; record it in each manifest."""
    report = Report()
    brand = _brand(project, report)
    if brand is None:
        return report
    for doc in _documents(project, doc_ids, report):
        folder = project.output_dir / doc.id
        manifest = _read_manifest(folder)
        if manifest is None:
            report.fail(f"{doc.id}: not built yet; run `invoke build --doc {doc.id}`")
            continue
        files = {kind: folder / entry["path"] for kind, entry in manifest["outputs"].items()}
        gaps, _problems, _records = _check(doc, brand, files, report)
        manifest["verification"] = _verdict(gaps)
        manifest["outputs"] = _outputs(files, folder)
        _write_json(folder / MANIFEST, manifest)
    return report


# -- steps ----------------------------------------------------------------------------------


def _checked_kinds(kinds: Sequence[str], report: Report) -> list[str]:
    unknown = [kind for kind in kinds if kind not in FORMATS]
    if unknown:
        report.fail(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
        return []
    return list(kinds) or list(FORMATS)


def _brand(project: Project, report: Report) -> Brand | None:
    try:
        return load_brand(project.styles_dir)
    except Exception as error:  # BrandError, or a file the tokens name is missing
        report.fail(str(error))
        return None


def _documents(project: Project, doc_ids: Sequence[str], report: Report) -> list[Document]:
    paths = sorted(project.source_dir.glob("*.md"))
    if doc_ids:
        wanted = set(doc_ids)
        missing = wanted - {path.stem for path in paths}
        for doc_id in sorted(missing):
            report.fail(f"no source/{doc_id}.md; documents are: {', '.join(p.stem for p in paths)}")
        paths = [path for path in paths if path.stem in wanted]
    docs = []
    for path in paths:
        try:
            docs.append(load(path, project.root))
        except SourceError as error:
            for problem in error.problems:
                report.fail(str(problem))
    return docs


def _render_one(kind: str, doc: Document, brand: Brand, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True)
    return FORMATS[kind].render(doc, brand, out_dir)


def _render_all(
    docs: list[Document],
    kinds: list[str],
    brand: Brand,
    stagings: dict[str, Path],
    report: Report,
    jobs: int,
) -> dict[str, dict[str, Path]]:
    """Every (document, format) rendered into its own folder, in parallel processes; then each
    document's folders are merged into its staging root. Returns id -> kind -> main file."""
    tasks = [(doc, kind) for doc in docs for kind in kinds]
    workers = jobs or min(len(tasks), os.cpu_count() or 1)
    results: dict[str, dict[str, Path]] = {doc.id: {} for doc in docs}
    with ProcessPoolExecutor(max_workers=max(workers, 1)) as pool:
        futures = {
            (doc.id, kind): pool.submit(_render_one, kind, doc, brand, stagings[doc.id] / kind)
            for doc, kind in tasks
        }
        for (doc_id, kind), future in futures.items():
            try:
                results[doc_id][kind] = future.result()
            except Exception as error:
                if os.environ.get("PIPELINE_DEBUG"):
                    traceback.print_exception(error)
                report.fail(f"{doc_id}: {kind} could not be rendered: {error}")
                results.pop(doc_id, None)
    merged = {}
    for doc_id, files in results.items():
        try:
            merged[doc_id] = _merge(stagings[doc_id], files)
        except ValueError as error:
            report.fail(f"{doc_id}: {error}")
    return merged


def _merge(staging: Path, files: dict[str, Path]) -> dict[str, Path]:
    """Move each format's folder into the staging root. Two formats may share an asset only
    if they wrote the same bytes."""
    merged = {}
    for kind, main in files.items():
        folder = staging / kind
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            target = staging / path.relative_to(folder)
            if target.exists() and target.read_bytes() != path.read_bytes():
                raise ValueError(f"two formats write different {target.relative_to(staging)}")
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
        merged[kind] = staging / main.relative_to(folder)
        shutil.rmtree(folder)
    return merged


def _finish(
    project: Project,
    doc: Document,
    staged: dict[str, Path],
    staging: Path,
    report: Report,
    brand: Brand,
) -> None:
    folder = project.output_dir / doc.id
    previous = _read_manifest(folder)
    files = dict(staged)
    if previous and previous.get("source_sha256"):
        # A build of some formats keeps the others it built before; verification checks them too.
        for kind, entry in previous["outputs"].items():
            if kind not in files and kind in FORMATS and (folder / entry["path"]).is_file():
                files[kind] = folder / entry["path"]
    gaps, problems, records = _check(doc, brand, files, report)
    manifest = {
        "id": doc.id,
        "title": doc.title,
        "source": doc.source_path,
        "source_sha256": doc.source_sha256,
        "last_reviewed": doc.last_reviewed.iso,
        "outputs": {},
        "verification": _verdict(gaps),
    }
    for record in records.values():
        manifest.update(record)  # the one-pagers' "readability"
    if gaps or problems:
        rejected = folder / "rejected"
        shutil.rmtree(rejected, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        staging.rename(rejected)
        manifest["outputs"] = _outputs(
            {k: rejected / p.relative_to(staging) for k, p in staged.items()}, rejected
        )
        _write_json(rejected / MANIFEST, manifest)
        report.fail(f"{doc.id}: NOT published; the rejected build is in {_shown(rejected)}")
        return
    _publish(staging, folder)
    published = {kind: folder / path.relative_to(staging) for kind, path in staged.items()}
    manifest["outputs"] = _outputs({**files, **published}, folder)
    _write_json(folder / MANIFEST, manifest)
    shutil.rmtree(folder / "rejected", ignore_errors=True)
    report.say(f"{doc.id}: published {', '.join(sorted(staged))} to {_shown(folder)}")


def _check(
    doc: Document, brand: Brand, files: dict[str, Path], report: Report
) -> tuple[list[verify.Gap], list[str], dict[str, dict[str, Any]]]:
    """Every check of every finished file: the gaps, the other problems, and what each
    output adds to the manifest."""
    gaps, problems, records = [], [], {}
    for kind, path in files.items():
        result = check_output(doc, brand, kind, path)
        for note in result.notes:
            report.say(f"{doc.id}: {note}")
        for gap in result.gaps:
            report.fail(f"{doc.id}: {gap}")
        for problem in result.problems:
            report.fail(f"{doc.id}: {problem}")
        if not result.gaps:
            report.say(f"{doc.id}: {kind} verified ({path.name})")
        gaps += result.gaps
        problems += result.problems
        records[kind] = result.record
    return gaps, problems, records


def _verdict(gaps: list[verify.Gap]) -> dict[str, Any]:
    return {"passed": not gaps, "missing": [gap.as_json() for gap in gaps]}


def _outputs(files: dict[str, Path], folder: Path) -> dict[str, dict[str, str]]:
    return {
        kind: {"path": path.relative_to(folder).as_posix(), "sha256": _sha256(path)}
        for kind, path in sorted(files.items())
    }


def _publish(staging: Path, folder: Path) -> None:
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        target = folder / path.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)


def write_index(project: Project, brand: Brand) -> None:
    manifests = []
    for path in sorted(project.output_dir.glob(f"*/{MANIFEST}")):
        manifest = _read_manifest(path.parent)
        if manifest:
            manifest["rejected"] = (path.parent / "rejected" / MANIFEST).is_file()
            manifests.append(manifest)
    page = environment(brand).get_template("index.html.j2").render(manifests=manifests)
    write_brand_assets(brand, project.output_dir)
    _write_atomic(project.output_dir / "index.html", page.encode("utf-8"))


# -- files ----------------------------------------------------------------------------------


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and "outputs" in manifest else None


def _write_json(path: Path, value: Any) -> None:
    _write_atomic(path, (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode())


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    os.replace(temporary, path)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _remove_stale_staging(output_dir: Path) -> None:
    """Folders a killed build left behind; they were never published."""
    for folder in output_dir.glob(".staging-*"):
        shutil.rmtree(folder, ignore_errors=True)


def _shown(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)
