"""Publishing and rejection, in one place: one document, one edition.

A document's new edition (the formats this build rendered) is published whole, when every
one of them was rendered, verified and passed its checks, or not at all:
- published: the document's folder is replaced in one atomic step by a new one holding the
  files it keeps (hard links), the new outputs and the new manifest, so a killed build never
  leaves a manifest that disagrees with its files. Outputs not rendered now stay as they
  were, marked stale when their key no longer matches.
- rejected: the last good edition stays, byte for byte; its manifest says that the current
  source failed, why, and where the rejected edition is kept: build/rejected/<id>/, whole
  (every output rendered, passed or failed), outside output/.
A source that cannot be built at all is recorded the same way (with nothing to keep).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.builder import files, sources
from pipeline.builder.manifest import MANIFEST, Manifest, Output, Rejection
from pipeline.builder.manifest import read as read_manifest
from pipeline.builder.options import Options
from pipeline.builder.plan import Plan, Refusal
from pipeline.builder.project import Project
from pipeline.builder.render import Rendered
from pipeline.builder.report import Outcome, Report
from pipeline.extract import reads_in_browser
from pipeline.formats import FORMATS
from pipeline.model import Document
from pipeline.translations import record


def settle(
    project: Project,
    plan: Plan,
    staging: Path | None,
    results: Mapping[str, Rendered],
    options: Options,
    report: Report,
) -> None:
    """Publish the document's new edition (`results`, rendered into `staging`) whole, or
    reject it whole. A file system that refuses a write (a full disk, a read-only folder)
    fails this document, never the others."""
    try:
        _settle(project, plan, staging, results, options, report)
    except OSError as error:
        report.fail(f"{plan.id}: cannot write its outputs ({error})", doc=plan.id)


def refuse(project: Project, refusal: Refusal, report: Report) -> None:
    """A source that cannot be built: its last good edition stays, its manifest says so."""
    previous = refusal.previous
    shutil.rmtree(project.rejected_dir / refusal.id, ignore_errors=True)  # an older attempt's
    if previous is None:
        return
    changed = refusal.source_sha256 != previous.source_sha256
    outputs = {k: replace(e, stale=e.stale or changed) for k, e in previous.outputs.items()}
    rejection = Rejection(refusal.source_sha256, refusal.problems)
    manifest = replace(previous, outputs=outputs, rejected=rejection)
    try:
        if manifest != previous:
            _swap_in(project, refusal.id, manifest, None, {})
    except OSError as error:
        report.fail(f"{refusal.id}: cannot write its manifest ({error})", doc=refusal.id)
    report.warn(  # what follows from the problems reported, not one more problem
        f"{refusal.id}: NOT published: the current source failed; {_kept(previous)}",
        doc=refusal.id,
    )


def _settle(
    project: Project,
    plan: Plan,
    staging: Path | None,
    results: Mapping[str, Rendered],
    options: Options,
    report: Report,
) -> None:
    failed = [kind for kind, result in results.items() if not result.passed]
    for kind in _shared_file_conflicts(results):
        report.fail(f"{plan.id}: {kind} writes a file another format writes differently")
        failed.append(kind)
    summary = report.document(plan.id)
    rejected = project.rejected_dir / plan.id
    if failed:
        kept_in = project.shown(rejected)
        rejection = Rejection(_source_sha256(plan), _why(results, failed), tuple(failed), kept_in)
        _keep_rejected(plan, staging, results, rejection, rejected)
        manifest = _unchanged(plan, rejection)
        summary.rejected = kept_in
        for kind, result in results.items():
            if result.passed:  # built and checked, but its edition is not published
                report.outcome(Outcome(plan.id, kind, "held back", result.seconds, True))
        report.warn(  # what follows from the problems reported, not one more problem
            f"{plan.id}: NOT published: the new edition failed ({', '.join(failed)}); "
            f"{_kept(plan.previous)}; the rejected files are in {kept_in}",
            doc=plan.id,
        )
        new: Mapping[str, Rendered] = {}
    else:
        manifest = _edition(plan, results, options)
        new = results
        shutil.rmtree(rejected, ignore_errors=True)
    if manifest is not None and (new or manifest != plan.previous):
        try:
            if new and plan.doc is not None:  # first: ingest trusts only kept versions
                sources.keep(project, plan.doc)
            _swap_in(project, plan.id, manifest, staging, new)
        except OSError as error:  # a full disk, a read-only folder: this document only
            folder = project.shown(project.folder(plan.id))
            report.fail(f"{plan.id}: cannot publish to {folder} ({error}); it is unchanged")
            manifest, new = plan.previous, {}
        if new:
            report.say(
                f"{plan.id}: published {', '.join(sorted(new))} to "
                f"{project.shown(project.folder(plan.id))}",
                doc=plan.id,
            )
    summary.published = manifest is not None
    if manifest is not None:
        for kind, entry in manifest.outputs.items():
            if entry.stale and kind not in results:
                report.stale(plan.id, kind)
        summary.reading = _reading(manifest)


def _edition(plan: Plan, results: Mapping[str, Rendered], options: Options) -> Manifest | None:
    """The manifest of the new edition: the outputs just built, and the others as they were
    (stale when their key changed). None: nothing to publish."""
    previous = plan.previous
    outputs: dict[str, Output] = {}
    for kind in FORMATS:
        result = results.get(kind)
        if result is not None:
            assert result.check is not None and plan.doc is not None
            fmt = FORMATS[kind]
            outputs[kind] = Output(
                path=result.main,
                sha256=result.files[result.main],
                files=dict(result.files),
                key=plan.keys[kind],
                verified=True,
                source_sha256=plan.doc.source_sha256,
                html_reading=options.html_reading if reads_in_browser(fmt.suffix) else "",
                records=result.check.record,
            )
        elif previous is not None and kind in previous.outputs:
            entry = previous.outputs[kind]
            outputs[kind] = replace(entry, stale=entry.key != plan.keys.get(kind))
    if not outputs:
        return None
    doc = plan.doc
    if doc is None:  # nothing loaded: the inputs are those of the published edition
        assert previous is not None
        return replace(previous, outputs=outputs, rejected=None)
    return Manifest(
        id=doc.id,
        title=doc.title,
        source=doc.source_path,
        source_sha256=doc.source_sha256,
        last_reviewed=doc.last_reviewed.iso,
        review_every_months=doc.review_every_months,
        review_due=plan.review.due.isoformat() if plan.review else "",
        inputs=plan.inputs,
        outputs=outputs,
        **languages(doc),
    )


def languages(doc: Document) -> dict[str, Any]:
    """What a manifest says of the edition's language: its tag, its parts' fingerprints,
    and for a translation, its original and the record of the version it translates."""
    found: dict[str, Any] = {"lang": doc.lang, "parts": record.fingerprints(doc)}
    if doc.translation is not None:
        recorded = doc.translation.recorded
        found["translation_of"] = doc.id
        found["translated_from"] = {"source": recorded.source, "parts": dict(recorded.parts)}
    return found


def _unchanged(plan: Plan, rejection: Rejection) -> Manifest | None:
    """The last good edition's manifest, saying the current source failed; its outputs marked
    stale where their key no longer matches."""
    previous = plan.previous
    if previous is None:
        return None
    outputs = {
        kind: replace(entry, stale=entry.key != plan.keys.get(kind, entry.key))
        for kind, entry in previous.outputs.items()
    }
    return replace(previous, outputs=outputs, rejected=rejection)


def _kept(previous: Manifest | None) -> str:
    """Which edition readers get, in words."""
    if previous is None or not previous.outputs:
        return "nothing of it is published yet"
    return (
        f"readers get the last good edition (last reviewed {previous.last_reviewed}, "
        f"source {previous.source_sha256[:12]})"
    )


def _why(results: Mapping[str, Rendered], failed: list[str]) -> tuple[str, ...]:
    """Each problem once, after the outputs it is found in (both one-pagers fail alike)."""
    found: dict[str, list[str]] = {}
    for kind in failed:
        for line in _problems(results, kind):
            found.setdefault(line, []).append(kind)
    return tuple(f"{', '.join(kinds)}: {line}" for line, kinds in found.items())


def _problems(results: Mapping[str, Rendered], kind: str) -> list[str]:
    result = results.get(kind)
    if result is None or not result.problems:
        return ["writes a file another format writes differently"]
    return result.problems


def _source_sha256(plan: Plan) -> str:
    return plan.doc.source_sha256 if plan.doc else ""


def _shared_file_conflicts(results: Mapping[str, Rendered]) -> list[str]:
    """Formats that write a file another one writes with different bytes (shared assets
    must agree)."""
    seen: dict[str, str] = {}
    clashing = []
    for kind, result in results.items():
        if not result.passed:
            continue
        for name, digest in result.files.items():
            if seen.setdefault(name, digest) != digest:
                clashing.append(kind)
                break
    return clashing


def _swap_in(
    project: Project,
    doc_id: str,
    manifest: Manifest,
    staging: Path | None,
    new: Mapping[str, Rendered],
) -> None:
    """The document's folder, replaced in one step by a new one: the files it keeps (hard
    links), the `new` outputs (from their staging folders), and the manifest."""
    folder = project.folder(doc_id)
    folder.parent.mkdir(parents=True, exist_ok=True)  # a translation's, before its original's
    scratch = staging or files.staging_folder(project.output_dir, doc_id)
    fresh = scratch / ".publish"
    try:
        fresh.mkdir()
        replaced = {MANIFEST}
        published = read_manifest(folder)
        for kind in new:
            entry = published.outputs.get(kind) if published else None
            replaced |= set(entry.files or [entry.path]) if entry else set()
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                name = path.relative_to(folder).as_posix()
                if path.is_file() and name not in replaced:
                    target = fresh / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.link(path, target)
        for kind, result in new.items():
            for name in result.files:
                target = fresh / name
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(scratch / kind / name, target)
        (fresh / MANIFEST).write_bytes(manifest.to_bytes())
        files.readable(fresh)
        files.swap_in(fresh, folder)
    finally:
        shutil.rmtree(fresh if staging else scratch, ignore_errors=True)


def _keep_rejected(
    plan: Plan,
    staging: Path | None,
    results: Mapping[str, Rendered],
    rejection: Rejection,
    target: Path,
) -> None:
    """The rejected edition, whole, as it came out, with a manifest saying what is wrong."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    outputs: dict[str, Output] = {}
    missing = []
    for kind in FORMATS:
        result = results.get(kind)
        if result is None:
            continue
        if staging is not None and (staging / kind).is_dir():
            shutil.move(str(staging / kind), str(target / kind))
        if result.check is not None:
            missing += [gap.as_json() for gap in result.check.gaps]
        outputs[kind] = Output(  # no file when it could not be rendered
            path=f"{kind}/{result.main}" if result.main else "",
            sha256=result.files.get(result.main, ""),
            files={f"{kind}/{name}": digest for name, digest in result.files.items()},
            key=plan.keys[kind],
            verified=result.passed,
            source_sha256=rejection.source_sha256,
            problems=tuple(result.problems),
            records=result.check.record if result.check else {},
        )
    doc = plan.doc
    manifest = Manifest(
        id=doc.id if doc else plan.id,
        title=doc.title if doc else "",
        source=doc.source_path if doc else "",
        source_sha256=rejection.source_sha256,
        last_reviewed=doc.last_reviewed.iso if doc else "",
        review_every_months=doc.review_every_months if doc else None,
        review_due=plan.review.due.isoformat() if plan.review else "",
        inputs=plan.inputs,
        outputs=outputs,
        missing=tuple(missing),
        rejected=rejection,
        **(languages(doc) if doc else {}),
    )
    files.write_atomic(target / MANIFEST, manifest.to_bytes())


def _reading(manifest: Manifest) -> str:
    scores = (manifest.readability or {}).get("onepager") or {}
    grade = scores.get("fk")
    if isinstance(grade, int | float):
        return f"{grade:.1f}"
    for measure, score in scores.items():
        if isinstance(score, int | float):
            initials = "".join(word[:1].upper() for word in measure.split("-"))
            return f"{score:.0f} {initials}"
    return ""
