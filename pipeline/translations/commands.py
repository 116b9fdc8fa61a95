"""What a translator runs (`leaflet translate ...`): start a translation of a document into a
language (`start`), and, after updating it by hand, record that it now translates the
original as it is (`mark_current`). Both write the translation's source whole or not at all,
and never over another file."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline import passages
from pipeline.builder.files import write_atomic
from pipeline.builder.project import Project
from pipeline.errors import UserError
from pipeline.frontmatter import LANG_PATTERN, NEWLINE
from pipeline.model import Document, TranslatedFrom
from pipeline.problems import SourceError
from pipeline.source import load, load_passage
from pipeline.translations import record
from pipeline.unwritten import PLACEHOLDER


class TranslateError(UserError):
    """The command cannot do what was asked; the message says why and what to do."""


@dataclass(frozen=True)
class Done:
    path: Path
    lines: tuple[str, ...]


def translation_path(project: Project, doc_id: str, lang: str) -> Path:
    return project.source_dir / f"{doc_id}.{lang}.md"


def start(project: Project, doc_id: str, lang: str) -> Done:
    """`source/<id>.<lang>.md`: the original's metadata and every part with the same ids,
    each block's original text marked TODO (a source holding TODO never builds), and the
    record of the original as it is now."""
    original = _original(project, doc_id)
    if not LANG_PATTERN.fullmatch(lang):
        raise TranslateError(f'--lang "{lang}" is not a BCP 47 language tag; e.g. --lang es-US')
    if lang == original.lang:
        raise TranslateError(f"{original.source_path} is written in {lang} already")
    target = translation_path(project, doc_id, lang)
    text = skeleton(original, lang)
    try:
        with target.open("x", encoding="utf-8") as stream:
            stream.write(text)
    except FileExistsError:
        raise TranslateError(
            f"{project.shown(target)} exists already; after updating it by hand, run "
            f"`leaflet translate mark-current --doc {doc_id} --lang {lang}`"
        ) from None
    todo = sum(PLACEHOLDER in line for line in text.splitlines())
    return Done(
        target,
        (
            f"wrote {project.shown(target)}: translate each of its {todo} lines marked "
            f"{PLACEHOLDER} (the original's words are there to translate) and delete the "
            f"{PLACEHOLDER}; keep every {{#id}} and ::: line as it is",
            "  leaflet check  names each line still to translate, and any part missing or moved",
        ),
    )


def mark_current(project: Project, doc_id: str, lang: str) -> Done:
    """Record in the translation that it translates the original as it is now. The
    translation must otherwise load: its parts those of the original, none left TODO."""
    original = _original(project, doc_id)
    target = translation_path(project, doc_id, lang)
    shown = project.shown(target)
    if not target.is_file():
        raise TranslateError(
            f"{shown} does not exist; start it with "
            f"`leaflet translate new --doc {doc_id} --lang {lang}`"
        )
    text = target.read_text(encoding="utf-8")
    before = _recorded(project, target)
    now = record.current(original)
    try:
        updated = record.with_record(text, now)
    except ValueError as error:
        raise TranslateError(f"{shown}: {error}") from None
    write_atomic(target, updated.encode("utf-8"))
    changed = [
        ident
        for ident, print_ in now.parts.items()
        if before is None or before.get(ident) != print_
    ]
    said = (
        f"; it now answers for the changes to {', '.join(changed)}"
        if changed and before is not None
        else ""
    )
    return Done(
        target,
        (f"{shown} now records {original.source_path} as it is (source {now.source[:12]}){said}",),
    )


def mark_passage_current(project: Project, ident: str, lang: str) -> Done:
    """Record in a shared passage's version in `lang` (styles/passages/<id>.<lang>.md) that
    it translates the original passage as it is now. Both must load."""
    where = passages.folder(project.root)
    original, version = where / f"{ident}.md", where / f"{ident}.{lang}.md"
    if not original.is_file():
        listed = ", ".join(passages.known(project.root)) or "none yet"
        raise TranslateError(
            f"no shared passage {project.shown(original)}; the passages are: {listed}"
        )
    if not version.is_file():
        raise TranslateError(
            f"{project.shown(version)} does not exist; translate {project.shown(original)} "
            "into it (the same section or disclaimer id, its lang in the metadata) first"
        )
    try:
        now = load_passage(original, project.root).part
        load_passage(version, project.root)
    except SourceError as error:
        raise TranslateError(f"fix the passage first:\n{error}") from None
    data = original.read_bytes()
    recorded = TranslatedFrom(hashlib.sha256(data).hexdigest(), {now.id: record.fingerprint(now)})
    try:
        updated = record.with_record(version.read_text(encoding="utf-8"), recorded)
    except ValueError as error:
        raise TranslateError(f"{project.shown(version)}: {error}") from None
    write_atomic(version, updated.encode("utf-8"))
    return Done(
        version,
        (
            f"{project.shown(version)} now records {project.shown(original)} as it is "
            f"(source {recorded.source[:12]})",
        ),
    )


def _original(project: Project, doc_id: str) -> Document:
    path = project.source_dir / f"{doc_id}.md"
    if not path.is_file():
        names = sorted(p.stem for p in project.source_dir.glob("*.md") if "." not in p.stem)
        raise TranslateError(
            f"no source/{doc_id}.md; the documents are: {', '.join(names) or 'none yet'}"
        )
    try:
        doc = load(path, project.root)
    except SourceError as error:
        raise TranslateError(f"the original cannot be loaded; fix it first:\n{error}") from None
    return doc


def _recorded(project: Project, target: Path) -> dict[str, str] | None:
    """The parts the translation records now, when it otherwise loads; the problems that
    stop it from being marked current, when it does not (a missing or broken record
    aside)."""
    try:
        doc = load(target, project.root)
    except SourceError as error:
        others = [p for p in error.problems if not p.message.startswith(record.KEY)]
        if others:
            listed = "\n".join(map(str, others))
            raise TranslateError(
                "the translation is not finished, so it cannot be marked current:\n" + listed
            ) from None
        return None
    assert doc.translation is not None
    return dict(doc.translation.recorded.parts)


# A block's first line: its list, quote or definition markers, then its words.
_MARKERS = re.compile(r"^(\s*(?:(?:[-*+]|\d+[.)]|[a-zA-Z][.)]|>|:)\s+)*)(.*)$")
_FENCE = re.compile(r"^\s*:{3,}")
_HEADING = re.compile(r"^(#{2,6}\s+)(.*)$")


def skeleton(original: Document, lang: str) -> str:
    """The translation's source to start from (see `start`)."""
    lines = NEWLINE.split(original.source_text)
    end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() in {"---", "..."})
    meta = [
        "---",
        f"translation-of: {original.id}",
        f'title: "{PLACEHOLDER}: {_escaped(original.title)}"',
        *(
            [f'subtitle: "{PLACEHOLDER}: {_escaped(original.subtitle)}"']
            if original.subtitle
            else []
        ),
        f"lang: {lang}",
        f"last-reviewed: {PLACEHOLDER}  # when a clinician approved this translation: YYYY-MM-DD",
        f"review-every-months: {original.review_every_months}",
        *record.as_yaml(record.current(original)),
        "---",
    ]
    body = []
    previous = ""
    for line in lines[end + 1 :]:
        starts_block = not previous.strip() or bool(_FENCE.match(previous))
        previous = line
        heading = _HEADING.match(line)
        if heading:
            body.append(f"{heading.group(1)}{PLACEHOLDER}: {heading.group(2)}")
        elif not line.strip() or _FENCE.match(line):
            body.append(line)
        else:
            markers, words = _MARKERS.match(line).groups()  # type: ignore[union-attr]
            if words and (starts_block or markers.strip()):
                body.append(f"{markers}{PLACEHOLDER}: {words}")
            else:
                body.append(line)
    return "\n".join([*meta, *body])


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
