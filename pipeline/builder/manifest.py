"""output/<id>/manifest.json, typed: one reader (`read`), one writer (`Manifest.to_bytes`).

A document's manifest describes the edition readers get: its source version and review
dates, and each output with its files, key and verdicts. Beside it, when the current source
failed, a `rejected` record says why and where the rejected edition is kept. The same type
describes that rejected edition, in build/rejected/<id>/manifest.json.

The contract (docs/DESIGN.md): id, title, source, source_sha256, outputs (path, sha256) and
verification (passed, missing) keep their meaning; every other key is ours to add.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"

Inputs = Mapping[str, Mapping[str, str]]
"""Per scope ("full", "plain"): the files its outputs read, path -> sha256."""

_LEGACY = ("strict",)
"""Keys of manifests written by earlier versions that mean nothing now."""
_ENTRY_FIELDS = (
    *_LEGACY,
    "path",
    "sha256",
    "files",
    "key",
    "verified",
    "stale",
    "source_sha256",
    "html_reading",
    "problems",
)


@dataclass(frozen=True)
class Output:
    """One output of an edition."""

    path: str
    """The main file, relative to the manifest's folder."""
    sha256: str
    files: Mapping[str, str] = field(default_factory=dict)
    """Every file it wrote (the main one, its assets), relative path -> sha256."""
    key: str = ""
    """The hash of everything it was made from (builder/keys.py)."""
    verified: bool = False
    stale: bool = False
    """Its key is no longer what the current source, styles and code give."""
    source_sha256: str = ""
    """The source version it carries."""
    html_reading: str = ""
    """For a page: how it was read when it was checked ("markup" or "browser")."""
    problems: tuple[str, ...] = ()
    """In a rejected edition: why it failed."""
    records: Mapping[str, Any] = field(default_factory=dict)
    """What its checks recorded ("readability", "preflight", ...)."""

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "path": self.path,
            "sha256": self.sha256,
            "files": dict(self.files),
            "key": self.key,
            "verified": self.verified,
            "stale": self.stale,
            "source_sha256": self.source_sha256,
        }
        if self.html_reading:
            found["html_reading"] = self.html_reading
        if self.problems:
            found["problems"] = list(self.problems)
        return {**found, **self.records}

    @classmethod
    def from_json(cls, data: Any) -> Output | None:
        if not isinstance(data, dict) or not isinstance(data.get("path"), str):
            return None
        files = data.get("files")
        return cls(
            path=data["path"],
            sha256=str(data.get("sha256") or ""),
            files=dict(files) if isinstance(files, dict) else {},
            key=str(data.get("key") or ""),
            verified=data.get("verified") is True,
            stale=data.get("stale") is True,
            source_sha256=str(data.get("source_sha256") or ""),
            html_reading=str(data.get("html_reading") or ""),
            problems=tuple(str(p) for p in data.get("problems") or ()),
            records={k: v for k, v in data.items() if k not in _ENTRY_FIELDS},
        )


@dataclass(frozen=True)
class Rejection:
    """The current source's edition failed: why, and where it is kept."""

    source_sha256: str
    """The source version that failed."""
    problems: tuple[str, ...]
    """What failed, one line each (as the build said it)."""
    formats: tuple[str, ...] = ()
    """The outputs that failed; none when the source itself failed to load."""
    kept_in: str = ""
    """Where the rejected edition is kept for inspection (build/rejected/<id>)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "source_sha256": self.source_sha256,
            "formats": list(self.formats),
            "problems": list(self.problems),
            "kept_in": self.kept_in,
        }

    @classmethod
    def from_json(cls, data: Any) -> Rejection | None:
        if not isinstance(data, dict):
            return None
        return cls(
            source_sha256=str(data.get("source_sha256") or ""),
            problems=tuple(str(p) for p in data.get("problems") or ()),
            formats=tuple(str(f) for f in data.get("formats") or ()),
            kept_in=str(data.get("kept_in") or ""),
        )


@dataclass(frozen=True)
class Manifest:
    id: str
    title: str = ""
    source: str = ""
    source_sha256: str = ""
    """The source version of the edition readers get."""
    last_reviewed: str = ""
    review_every_months: int | None = None
    review_due: str = ""
    inputs: Inputs = field(default_factory=dict)
    outputs: Mapping[str, Output] = field(default_factory=dict)
    """By format, in the registry's order."""
    missing: tuple[Mapping[str, str], ...] = ()
    """What verification found missing, when it failed (Gap.as_json())."""
    rejected: Rejection | None = None
    """Set when the current source failed: the edition above is the last good one."""
    lang: str = ""
    parts: Mapping[str, str] = field(default_factory=dict)
    """Each section's and disclaimer's fingerprint (pipeline/translations/record.py): what a
    translation's record is compared with on the landing page."""
    translation_of: str = ""
    """For a translation: its original's id (also its own `id`)."""
    translated_from: Mapping[str, Any] = field(default_factory=dict)
    """For a translation: the record of the original's version it translates (source,
    parts)."""

    @property
    def folder(self) -> str:
        """Its folder under output/: `<id>`, or `<id>/<lang>` for a translation."""
        return f"{self.id}/{self.lang}" if self.translation_of else self.id

    @property
    def passed(self) -> bool:
        return all(entry.verified for entry in self.outputs.values())

    @property
    def stale(self) -> list[str]:
        return sorted(kind for kind, entry in self.outputs.items() if entry.stale)

    @property
    def readability(self) -> Any:
        """The hardest-reading one-pager's reading level, for the landing page."""
        found = [
            e.records["readability"] for e in self.outputs.values() if "readability" in e.records
        ]
        return max(found, key=_whole_grade, default=None)

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "source_sha256": self.source_sha256,
            "last_reviewed": self.last_reviewed,
            "review_every_months": self.review_every_months,
            "review_due": self.review_due,
            "inputs": {scope: dict(files) for scope, files in self.inputs.items()},
            "outputs": {kind: entry.to_json() for kind, entry in self.outputs.items()},
            "verification": {"passed": self.passed, "missing": [dict(m) for m in self.missing]},
            "stale": self.stale,
        }
        if self.lang:
            found["lang"] = self.lang
        if self.parts:
            found["parts"] = dict(self.parts)
        if self.translation_of:
            found["translation_of"] = self.translation_of
            found["translated_from"] = dict(self.translated_from)
        if self.rejected is not None:
            found["rejected"] = self.rejected.to_json()
        if self.readability is not None:
            found["readability"] = self.readability
        return found

    def to_bytes(self) -> bytes:
        return (json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n").encode()

    @classmethod
    def from_json(cls, data: Any) -> Manifest | None:
        """The manifest `data` holds; None when it is not one (hand-edited, cut short)."""
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            return None
        raw = data.get("outputs")
        if not isinstance(raw, dict):
            return None
        outputs = {str(kind): Output.from_json(entry) for kind, entry in raw.items()}
        if any(entry is None for entry in outputs.values()):
            return None
        inputs = data.get("inputs")
        verification = data.get("verification")
        missing = verification.get("missing") if isinstance(verification, dict) else None
        every = data.get("review_every_months")
        return cls(
            id=data["id"],
            title=str(data.get("title") or ""),
            source=str(data.get("source") or ""),
            source_sha256=str(data.get("source_sha256") or ""),
            last_reviewed=str(data.get("last_reviewed") or ""),
            review_every_months=every if isinstance(every, int) else None,
            review_due=str(data.get("review_due") or ""),
            inputs=inputs if isinstance(inputs, dict) else {},
            outputs={kind: entry for kind, entry in outputs.items() if entry is not None},
            missing=tuple(m for m in missing or () if isinstance(m, dict)),
            rejected=Rejection.from_json(data.get("rejected")),
            lang=str(data.get("lang") or ""),
            parts=_strings(data.get("parts")),
            translation_of=str(data.get("translation_of") or ""),
            translated_from=_record(data.get("translated_from")),
        )


def read(folder: Path) -> Manifest | None:
    """The manifest in `folder`; None when there is none, or it cannot be read."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Manifest.from_json(data)


def _strings(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


def _record(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    return {"source": str(value.get("source") or ""), "parts": _strings(value.get("parts"))}


def _whole_grade(reading: Any) -> float:
    grade = ((reading or {}).get("onepager") or {}).get("fk")
    return float(grade) if isinstance(grade, int | float) else float("-inf")
