"""Planning: what a build makes of each document, as a frozen record.

The setting is what every document shares (the brand, today, the style files' hashes). Then
each document in two steps. `survey` reads only its manifest and the hashes of the files it
read last time: when none changed, its keys (and so which outputs are current) are known
without loading the source. `complete` loads and checks the source where anything is to be
rendered (or its inputs changed), computes the keys, applies the review-date policy, makes
the HTML view the formats drawn from it share, and gives a `Plan`, or a `Refusal` when the
source cannot be built.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import passages, review
from pipeline.brand import Brand, BrandError, load_brand
from pipeline.builder import files, manifest
from pipeline.builder.keys import StyleFiles, document_inputs, inputs_unchanged, output_key
from pipeline.builder.manifest import Inputs, Manifest
from pipeline.builder.options import Options
from pipeline.builder.project import Project
from pipeline.builder.report import Outcome, Report
from pipeline.extract import reads_in_browser
from pipeline.formats import FORMATS
from pipeline.frontmatter import declared_lang
from pipeline.labels import check as check_labels
from pipeline.labels import language_name
from pipeline.model import Document, Language, document_id, edition_folder
from pipeline.placeholders import placeholders
from pipeline.problems import SourceError
from pipeline.review import ReviewDate
from pipeline.source import load
from pipeline.translations import staleness

if TYPE_CHECKING:
    from pipeline.formats.htmlview import ArticleView


@dataclass(frozen=True)
class Setting:
    """What every document's plan shares."""

    project: Project
    options: Options
    brand: Brand
    styles: StyleFiles
    today: dt.date
    _languages: dict[str, tuple[Language, ...]] = field(default_factory=dict)

    @property
    def formats(self) -> tuple[str, ...]:
        """The formats asked for, in the registry's order."""
        asked = set(self.options.formats or FORMATS)
        return tuple(kind for kind in FORMATS if kind in asked)

    def keys(self, inputs: Inputs, languages: Sequence[Language] = ()) -> dict[str, str]:
        """Every format's key for a document that reads `inputs`."""
        return {
            kind: output_key(f, inputs, self.brand, self.styles, languages)
            for kind, f in FORMATS.items()
        }

    def languages(self, edition: str) -> tuple[Language, ...]:
        """Every language the edition's document is written in (the original first, then
        its translations by tag), from the sources alone; none when it has no translation."""
        doc_id = document_id(edition)
        if doc_id not in self._languages:
            sources = self.project.source_dir
            translations = sorted(sources.glob(f"{doc_id}.*.md"))
            found = []
            try:
                original: str | None = declared_lang(sources / f"{doc_id}.md", self.project.root)
            except SourceError:  # the original's own load says why
                original = None
            if translations and original is not None:
                found.append(Language(original, language_name(original), doc_id))
                for path in translations:
                    tag = path.stem.split(".", 1)[1]
                    found.append(Language(tag, language_name(tag), edition_folder(path.stem)))
            self._languages[doc_id] = tuple(found)
        return self._languages[doc_id]


@dataclass(frozen=True)
class Survey:
    """A document before its source is loaded: what its manifest and inputs say."""

    id: str
    path: Path
    previous: Manifest | None
    inputs: Inputs
    """As recorded, when they are unchanged; empty when only loading can tell."""
    keys: Mapping[str, str]
    render: tuple[str, ...]
    """The formats to render; when the inputs changed, all asked for until loading tells."""
    languages: tuple[Language, ...] = ()

    @property
    def translation(self) -> bool:
        """Is it a translation (`<id>.<lang>.md`)? Then it is loaded at every build, to
        check it against its original as it is now."""
        return "." in self.id

    @property
    def checked_against_originals(self) -> bool:
        """Is it loaded at every build, to be checked against what it translates as that is
        now? A translation is, and so is a document that includes a shared passage's version
        in another language (its inputs name `styles/passages/<id>.<lang>.md`)."""
        included = (name for files in self.inputs.values() for name in files)
        return self.translation or any(
            name.startswith(f"{passages.FOLDER.as_posix()}/")
            and passages.original_of(Path(name)) is not None
            for name in included
        )


@dataclass(frozen=True)
class Plan:
    """What the build does with one document."""

    id: str
    path: Path
    doc: Document | None
    """Loaded when anything is rendered or its inputs changed."""
    previous: Manifest | None
    inputs: Inputs
    keys: Mapping[str, str]
    """Every format's current key (also those not built now: to tell which are stale)."""
    render: tuple[str, ...]
    languages: tuple[Language, ...] = ()
    """The document's languages, for the formats that link them."""
    review: review.ReviewStatus | None = None
    view: ArticleView | None = None
    """The document's HTML view, made once here for every format drawn from it."""
    view_error: str = ""
    """Why the view could not be made (each format drawn from it fails saying so)."""

    @property
    def groups(self) -> list[tuple[str, ...]]:
        """The formats to render, in groups that share work (and a worker), heaviest first."""
        grouped: dict[str, list[str]] = {}
        for kind in self.render:
            grouped.setdefault(FORMATS[kind].shares or kind, []).append(kind)
        return sorted(map(tuple, grouped.values()), key=lambda group: -weight(group))


@dataclass(frozen=True)
class Refusal:
    """A document whose current source cannot be built at all."""

    id: str
    previous: Manifest | None
    source_sha256: str
    problems: tuple[str, ...]


def weight(group: Sequence[str]) -> int:
    return sum(FORMATS[kind].weight for kind in group)


def setting(project: Project, options: Options, report: Report) -> Setting | None:
    """The brand, today and the style files; None (said why) when the build cannot start. A
    placeholder left in the brand is said here, at every build."""
    try:
        brand = load_brand(project.styles_dir)
        today = review.today()
    except (BrandError, review.TodayError) as error:
        report.fail(str(error))
        return None
    return Setting(project, options, brand, StyleFiles(brand), today)


def say_placeholders(where: Setting, report: Report) -> None:
    """Each placeholder left in styles/brand.toml: a warning, or an error (`--strict`)."""
    for found in placeholders(where.brand, where.project.shown):
        text = str(found)
        if where.options.placeholders == "error":
            report.fail(f"{text} (an error with --strict)")
        else:
            report.warn(text)


def select_sources(project: Project, options: Options, report: Report) -> list[Path] | None:
    """The source files to build: all, the named ones, or one shard of them. An unknown id
    stops the build before any work."""
    paths = sorted(project.source_dir.glob("*.md"))
    if options.docs:
        known = {path.stem for path in paths}
        missing = sorted(set(options.docs) - known)
        for doc_id in missing:
            names = ", ".join(sorted(known)) or "none yet"
            report.fail(f"no source/{doc_id}.md; the documents are: {names}")
        if missing:
            return None
        paths = [path for path in paths if path.stem in set(options.docs)]
    if options.shard is not None:
        number, count = options.shard
        # by the document's id: its translations go with it (one folder, one machine)
        paths = [path for path in paths if shard_of(document_id(path.stem), count) == number]
    return paths


def shard_of(doc_id: str, count: int) -> int:
    """Which of `count` shards (1 to count) builds a document: stable, by a hash of its id."""
    return int(hashlib.sha256(doc_id.encode()).hexdigest()[:12], 16) % count + 1


def survey(where: Setting, path: Path) -> Survey:
    previous = manifest.read(where.project.folder(path.stem))
    recorded = previous.inputs if previous is not None else {}
    unchanged = previous is not None and inputs_unchanged(recorded, where.project.root)
    inputs = recorded if unchanged else {}
    languages = where.languages(path.stem)
    keys = where.keys(inputs, languages) if unchanged else {}
    render = tuple(
        kind
        for kind in where.formats
        if not unchanged or not _current(where, previous, keys, kind, path.stem)
    )
    return Survey(path.stem, path, previous, inputs, keys, render, languages)


def complete(where: Setting, known: Survey, report: Report) -> Plan | Refusal | None:
    """The document's plan, its source loaded and checked where anything is to be rendered;
    a Refusal when the source cannot be built (its problems reported); None when the
    review-date policy stops it."""
    doc: Document | None = None
    inputs, keys, render = known.inputs, known.keys, known.render
    if render or known.checked_against_originals:
        loaded = _load(where, known, report)
        if isinstance(loaded, Refusal):
            return loaded
        doc = loaded
    if doc is not None and not inputs:  # the inputs changed: now the keys tell
        inputs = document_inputs(doc, where.project.root)
        keys = where.keys(inputs, known.languages)
        render = tuple(
            kind
            for kind in where.formats
            if not _current(where, known.previous, keys, kind, known.id)
        )
    if render and doc is not None:
        refused = _glyphs(where, doc, known, report) or _labels(where, doc, known, report)
        if refused is not None:
            return refused
    status, stop = _review(where, doc, known, report)
    if doc is not None:
        stop = _stale(where, doc, report) or stop
    if stop:
        return None
    summary = report.document(known.id)
    summary.title = doc.title if doc else known.previous.title if known.previous else ""
    for kind in where.formats:
        if kind not in render:
            report.outcome(Outcome(known.id, kind, "up to date", verified=True))
    view, view_error = _view(doc, render, report)
    return Plan(
        known.id,
        known.path,
        doc,
        known.previous,
        inputs,
        keys,
        render,
        known.languages,
        status,
        view,
        view_error,
    )


def _load(where: Setting, known: Survey, report: Report) -> Document | Refusal:
    try:
        return load(known.path, where.project.root, where.today)
    except SourceError as error:
        for problem in error.problems:
            report.fail(str(problem), doc=known.id)
        report.document(known.id)
        lines = tuple(str(problem) for problem in error.problems)
        return Refusal(known.id, known.previous, _file_sha256(known.path), lines)


def _glyphs(where: Setting, doc: Document, known: Survey, report: Report) -> Refusal | None:
    """Every character the document prints has a glyph in a brand or fallback font (else it
    would print as an empty box): checked before rendering, reported like a source error."""
    from pipeline.fonts import missing_glyphs

    problems = missing_glyphs(doc, where.brand, known.path)
    for problem in problems:
        report.fail(str(problem), doc=known.id)
    if not problems:
        return None
    lines = tuple(str(problem) for problem in problems)
    return Refusal(known.id, known.previous, doc.source_sha256, lines)


def _labels(where: Setting, doc: Document, known: Survey, report: Report) -> Refusal | None:
    """Every label the formats add is in the document's language (pipeline.labels): a
    missing one is said before rendering, naming the label and the catalogue file."""
    problems = check_labels(where.project.styles_dir, doc.lang)
    for problem in problems:
        report.fail(f"{known.id}: {problem}", doc=known.id)
    if not problems:
        return None
    lines = tuple(f"{known.id}: {problem}" for problem in problems)
    return Refusal(known.id, known.previous, doc.source_sha256, lines)


def _stale(where: Setting, doc: Document, report: Report) -> bool:
    """A translation whose original changed since it was made, said part by part, or a
    shared passage's version whose original changed: a warning, or an error that stops its
    new edition (`Options.stale_translation`)."""
    said = staleness.message(doc)
    if not said:
        return False
    error = where.options.stale_translation == "error"
    report.add("error" if error else "warning", f"{doc.edition}: {said}", doc=doc.edition)
    return error


def _review(
    where: Setting, doc: Document | None, known: Survey, report: Report
) -> tuple[review.ReviewStatus | None, bool]:
    """The document's review status, said as the review-date policy says; and whether the
    policy stops the document (an overdue review, when that is an error)."""
    previous = known.previous
    reviewed: ReviewDate | None
    every: int | None
    if doc is not None:
        reviewed, every = doc.last_reviewed, doc.review_every_months
    elif previous is not None:
        reviewed = ReviewDate.parse(previous.last_reviewed)
        every = previous.review_every_months
    else:
        return None, False
    if reviewed is None or every is None:
        return None, False
    status = review.status(reviewed, every, where.today)
    summary = report.document(known.id)
    summary.review_due, summary.review = status.due.isoformat(), status.label
    verdict = review.policy(status, known.id, where.options.overdue_review)
    if verdict is not None:
        report.add(verdict.level, verdict.text, doc=known.id)
    return status, verdict is not None and verdict.level == "error"


def _view(
    doc: Document | None, render: Sequence[str], report: Report
) -> tuple[ArticleView | None, str]:
    """The document's HTML view, made here once for every worker that renders a format
    drawn from it (a pandoc call and a parse). None when no such format is to be rendered;
    when it cannot be made, why (each such format then fails saying so; a bug's traceback
    is reported once, here)."""
    if doc is None or not any(FORMATS[kind].html_view for kind in render):
        return None, ""
    from pipeline.builder.render import failed
    from pipeline.formats.htmlview import article_view

    try:
        return article_view(doc), ""
    except Exception as error:
        why = failed(error)
        if why.bug:
            report.bug(why.trace)
        return None, why.text


def _current(
    where: Setting, previous: Manifest | None, keys: Mapping[str, str], kind: str, doc_id: str
) -> bool:
    """Is the published output of `kind` what a build would make now, verified, intact?"""
    if where.options.force or previous is None:
        return False
    entry = previous.outputs.get(kind)
    if entry is None or entry.key != keys.get(kind) or not entry.verified:
        return False
    if (
        where.options.html_reading == "browser"
        and reads_in_browser(FORMATS[kind].suffix)
        and entry.html_reading != "browser"
    ):
        return False  # read from its markup only: a strict build reads it in a browser
    folder = where.project.folder(doc_id)
    try:
        return all(files.sha256(folder / name) == h for name, h in entry.files.items())
    except OSError:
        return False


def _file_sha256(path: Path) -> str:
    try:
        return files.sha256(path)
    except OSError:
        return ""
