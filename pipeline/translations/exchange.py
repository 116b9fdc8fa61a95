"""Translators' files both ways: `export` writes a document's XLIFF for a language (the
original's words as source, the translation's as target, each unit's state); `take_in`
reads one back and writes the translation's source, whole or not at all.

What comes back is trusted for its words alone. Which document and language it is for, which
units exist, where each stands and which are a disclaimer's approved wording are decided
from the project's own files; a unit whose source no longer is the original's, an id the
export did not write, a unit missing, a placeholder broken: each refuses the file, naming
the unit. A changed translation of a disclaimer (its full or its plain wording) is held
back until approved by the disclaimer's id (`--approve-disclaimer`), as a reviewer's edit
is in ingest; the rest of the file is applied."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.builder.files import write_atomic
from pipeline.builder.project import Project
from pipeline.errors import UserError
from pipeline.frontmatter import LANG_PATTERN
from pipeline.metadata import ID_PATTERN
from pipeline.model import Document, TranslatedFrom
from pipeline.problems import SourceError
from pipeline.source import load
from pipeline.translations import record, writing, xliff
from pipeline.translations.commands import Done, TranslateError, translation_path
from pipeline.translations.segments import (
    OPTIONAL,
    Content,
    Parsed,
    Rewriter,
    Segment,
    Tag,
    each_tag,
    parse,
    placeholders,
    segments,
    text,
)

_SPACE = re.compile(r"[ \t\r\n]+")
HEADER = (
    "Translate the words of each unit's source into its target. Keep every tag exactly as it "
    "is: <g>…</g> around the words it marks (emphasis, a link), <x/> where it stands (a "
    "footnote, a picture, a line break, code); a tag may move with its words. Ids and sources "
    "must not change. Units marked as a disclaimer are approved wording: a change to their "
    "translation is applied only when approved by the disclaimer's id."
)


@dataclass
class Held:
    """A disclaimer whose translation changed, waiting for approval."""

    id: str
    before: list[str]
    after: list[str]


@dataclass
class Imported:
    path: Path
    lines: list[str] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    written: bool = False

    @property
    def exit_code(self) -> int:
        """0: all applied; 1: something waits for a person (a disclaimer to approve)."""
        return 1 if self.held else 0


class ImportRefused(UserError):
    """The file cannot be imported (exit 2); the message names the unit and the fix."""


# -- the original and its translation ------------------------------------------------------


@dataclass
class Pair:
    """A document's original and (when it exists) its translation into one language."""

    project: Project
    original: Document
    parsed: Parsed
    lang: str
    path: Path
    """The translation's source file (it may not exist yet)."""
    translation: Parsed | None
    recorded: TranslatedFrom | None

    @property
    def segments(self) -> list[Segment]:
        return segments(self.parsed)

    def translated_segments(self) -> dict[str, Segment]:
        """The translation's segments usable as targets: those of each section (and of the
        metadata) whose segments are the original's, id for id."""
        if self.translation is None:
            return {}
        mine = _by_section(self.segments)
        theirs = _by_section(segments(self.translation))
        return {
            s.id: s
            for key, listed in theirs.items()
            if [x.id for x in listed] == [x.id for x in mine.get(key, [])]
            for s in listed
        }

    def stale(self) -> set[str]:
        """The original's parts whose text changed since the translation's record."""
        now = record.current(self.original).parts
        before = self.recorded.parts if self.recorded else {}
        return {ident for ident, print_ in now.items() if before.get(ident) != print_}


def pair(project: Project, doc_id: str, lang: str) -> Pair:
    if not ID_PATTERN.fullmatch(doc_id):
        raise TranslateError(f'"{doc_id}" is not a document id')
    if not LANG_PATTERN.fullmatch(lang):
        raise TranslateError(f'"{lang}" is not a BCP 47 language tag; e.g. es-US')
    path = project.source_dir / f"{doc_id}.md"
    if not path.is_file():
        raise TranslateError(f"no source/{doc_id}.md")
    try:
        original = load(path, project.root)
    except SourceError as error:
        raise TranslateError(f"the original cannot be loaded; fix it first:\n{error}") from None
    if original.translation is not None:
        raise TranslateError(f"{original.source_path} is itself a translation")
    if lang.lower() == original.lang.lower():
        raise TranslateError(f"{original.source_path} is written in {lang} already")
    target = translation_path(project, doc_id, lang)
    translation, recorded = None, None
    if target.is_file():
        try:
            translation = parse(target.read_text(encoding="utf-8"))
        except (ValueError, StopIteration, RuntimeError, UnicodeDecodeError) as error:
            raise TranslateError(
                f"{project.shown(target)} cannot be read ({error}); fix it, or move it away"
            ) from None
        recorded, _wrong = record.parse(translation.meta.get(record.KEY))
    return Pair(project, original, parse(original.source_text), lang, target, translation, recorded)


def _by_section(listed: Sequence[Segment]) -> dict[str, list[Segment]]:
    found: dict[str, list[Segment]] = {}
    for segment in listed:
        found.setdefault(segment.section, []).append(segment)
    return found


# -- export --------------------------------------------------------------------------------


def export(project: Project, doc_id: str, lang: str, out: Path | None = None) -> Done:
    """The XLIFF 1.2 file of `doc_id` for `lang` (by default in build/translations/)."""
    both = pair(project, doc_id, lang)
    targets = both.translated_segments()
    stale = both.stale() if both.translation is not None else set()
    outgoing = []
    counts = {"translated": 0, "needs-review-translation": 0, "needs-translation": 0}
    for segment in both.segments:
        found = targets.get(segment.id)
        target = _numbered_like(found.content, segment.content) if found else None
        if target is None:
            state = "needs-translation"
        elif segment.part in stale:
            state = "needs-review-translation"
        else:
            state = "translated"
        counts[state] += 1
        outgoing.append(xliff.Outgoing(segment, target, state, tuple(_notes(segment, state))))
    data = xliff.write(both.original.source_path, both.original.lang, lang, outgoing, HEADER)
    path = out or project.root / "build" / "translations" / f"{doc_id}.{lang}.xlf"
    write_atomic(path, data)
    said = ", ".join(f"{n} {state}" for state, n in counts.items() if n)
    return Done(
        path,
        (
            f"wrote {project.shown(path)}: {len(outgoing)} units ({said}) of "
            f"{both.original.source_path} for {lang}",
            f"  after translation: leaflet translate import {project.shown(path)}",
        ),
    )


def _notes(segment: Segment, state: str) -> list[str]:
    notes = []
    if segment.disclaimer:
        which = "plain wording" if segment.role == "disclaimer-plain" else "full wording"
        notes.append(
            f'Approved wording: the {which} of disclaimer "{segment.disclaimer}". A change to '
            "its translation is applied only when approved: leaflet translate import FILE "
            f"--approve-disclaimer {segment.disclaimer}"
        )
    if state == "needs-review-translation":
        notes.append(
            f'The original of "{segment.part}" changed since this translation was made: '
            "check the target against the source."
        )
    return notes


def _numbered_like(theirs: Content, ours: Content) -> Content:
    """The translation's content with its placeholders numbered as the original's: each
    matched by kind and order (its first link is the original's first link). One the
    original has no match for is dropped, its words kept."""
    available: dict[str, list[Tag]] = {}
    for tag in sorted(placeholders(ours).values(), key=lambda t: t.id):
        available.setdefault(tag.ctype, []).append(tag)

    def renumber(items: Content) -> Content:
        return each_tag(items, renumbered)

    def renumbered(item: Tag) -> Content:
        match = available.get(item.ctype, [])
        children = None if item.children is None else renumber(item.children)
        if match:
            mine = match.pop(0)
            return [Tag(mine.id, item.ctype, item.node, children, item.sub)]
        return children or []

    return renumber(theirs)


# -- import --------------------------------------------------------------------------------


def take_in(project: Project, path: Path, approve: Sequence[str] = ()) -> Imported:
    """Read a translator's file and write the translation's source (atomically, the file
    before kept in build/translations/). Raises ImportRefused (nothing written)."""
    try:
        returned = xliff.read(path)
    except xliff.FileError as error:
        raise ImportRefused(str(error)) from None
    doc_id, lang = _named(returned, path)
    try:
        both = pair(project, doc_id, lang)
    except TranslateError as error:
        raise ImportRefused(f"{path.name}: {error}") from None
    ours = both.segments
    by_id = {s.id: s for s in ours}
    _check_units(path.name, returned, by_id)
    given = {
        unit.id: _resolved(path.name, unit, by_id[unit.id])
        for unit in returned.units
        if unit.target is not None
    }
    states = {unit.id: unit.state for unit in returned.units}
    current = both.translated_segments()
    missing = [s.id for s in ours if s.id not in given and s.id not in current]
    if missing:
        raise ImportRefused(
            f"{path.name}: {len(missing)} unit{'s' * (len(missing) != 1)} without a translation "
            f"({_listed(missing)}); translate every unit, then import the file again"
        )
    unknown = [ident for ident in approve if ident not in _disclaimers(ours)]
    if unknown:
        raise ImportRefused(
            f"--approve-disclaimer {', '.join(unknown)}: no such disclaimer in "
            f"{both.original.source_path}; its disclaimers are {', '.join(_disclaimers(ours))}"
        )
    done = Imported(both.path)
    chosen = _held_back(both, ours, given, current, approve, done)
    if done.held and both.translation is None:
        done.lines += _summary(project, both, done, ours, states, chosen)
        return done
    held = {h.id for h in done.held}
    text = _new_text(both, ours, chosen, _record(both, ours, states, chosen, held))
    _prove(project, both, text, chosen)
    before = both.path.read_bytes() if both.path.is_file() else None
    if before != text.encode("utf-8"):
        if before is not None:
            _keep(project, both.path, before)
        write_atomic(both.path, text.encode("utf-8"))
        done.written = True
    done.lines += _summary(project, both, done, ours, states, chosen)
    return done


def _named(returned: xliff.Returned, path: Path) -> tuple[str, str]:
    """The document and language a file is for, from its header; each checked to name a
    file inside source/ (never a path of the file's own choosing)."""
    original = returned.original
    doc_id = original.removeprefix("source/").removesuffix(".md")
    if f"source/{doc_id}.md" != original or not ID_PATTERN.fullmatch(doc_id):
        raise ImportRefused(
            f'{path.name}: its <file original="{original}"> is not a document of this '
            "project (source/<id>.md); import a file `leaflet translate export` wrote"
        )
    if not LANG_PATTERN.fullmatch(returned.target_language):
        raise ImportRefused(
            f'{path.name}: its target-language "{returned.target_language}" is not a BCP 47 '
            "language tag"
        )
    return doc_id, returned.target_language


def _check_units(name: str, returned: xliff.Returned, by_id: dict[str, Segment]) -> None:
    """The file's units are the original's, each once, each with the original's source."""
    theirs = [unit.id for unit in returned.units]
    unknown = [ident for ident in theirs if ident not in by_id]
    if unknown:
        raise ImportRefused(
            f"{name}: unit {_listed(unknown)} is not a unit of the original: its id was "
            "changed, or the file was exported from another version; export again"
        )
    missing = [ident for ident in by_id if ident not in set(theirs)]
    if missing:
        raise ImportRefused(
            f"{name}: unit {_listed(missing)} of the original is missing from the file; "
            "a translators' file must keep every unit it was exported with (export again)"
        )
    for unit in returned.units:
        if _said(unit.source) != _said(by_id[unit.id].content):
            raise ImportRefused(
                f'{name}: unit {unit.id} (line {unit.line}): its source "{_short(unit.source)}" '
                f'is not the original\'s as it is now ("{_short(by_id[unit.id].content)}"): '
                "the original changed since the export, or the source was edited. Export "
                "again and translate the units marked needs-review-translation"
            )


def _resolved(name: str, unit: xliff.Unit, segment: Segment) -> Content:
    """The unit's target with each placeholder tied to the original's node: every id one
    the original has, each at most once, paired as it was; none left out but emphasis and
    line breaks."""
    assert unit.target is not None
    ours = placeholders(segment.content)
    where = f"{name}: unit {unit.id} (line {unit.line})"
    used: set[int] = set()

    def tie(items: Content) -> Content:
        return each_tag(items, tied_to_the_original)

    def tied_to_the_original(item: Tag) -> Content:
        mine = ours.get(item.id)
        kind = "<g>" if item.children is not None else "<x/>"
        if mine is None or (mine.children is None) != (item.children is None):
            raise ImportRefused(
                f"{where}: its target has a {kind} {item.id} the source has not; keep the "
                f"tags as they were exported ({_tags_of(segment.content)})"
            )
        if item.id in used:
            raise ImportRefused(f"{where}: its target has tag {item.id} twice; keep it once")
        used.add(item.id)
        children = None if item.children is None else tie(item.children)
        return [Tag(mine.id, mine.ctype, mine.node, children, mine.sub)]

    tied = tie(unit.target)
    lost = [t for t in ours.values() if t.id not in used and t.ctype not in OPTIONAL]
    if lost:
        listed = ", ".join(f"{t.ctype} {t.id}" for t in lost)
        raise ImportRefused(
            f"{where}: its target lost the tag{'s' * (len(lost) != 1)} {listed} (a link, a "
            "footnote, a picture or code must come through); put each back around or at "
            "its words"
        )
    return tied


def _disclaimers(ours: Sequence[Segment]) -> list[str]:
    return list(dict.fromkeys(s.disclaimer for s in ours if s.disclaimer))


def _held_back(
    both: Pair,
    ours: Sequence[Segment],
    given: dict[str, Content],
    current: dict[str, Segment],
    approve: Sequence[str],
    done: Imported,
) -> dict[str, Content]:
    """Each unit's content to write: the file's, except a disclaimer's whose translation
    changed without approval (then the translation's as it is). Which units are a
    disclaimer's is the original's say alone."""
    chosen = {ident: current[ident].content for ident in current}
    chosen.update(given)
    for ident in _disclaimers(ours):
        units = [s.id for s in ours if s.disclaimer == ident]
        before = [current[u].content if u in current else None for u in units]
        after = [chosen.get(u) for u in units]
        if all(b is not None and a is not None and _said(a) == _said(b)
               for a, b in zip(after, before, strict=True)):  # fmt: skip
            continue
        if ident in approve:
            continue
        changed = [
            (unit, b, a)
            for unit, b, a in zip(units, before, after, strict=True)
            if b is None or a is None or _said(a) != _said(b)
        ]
        done.held.append(
            Held(
                ident,
                [f"{_which(u)}: {text(b)}" for u, b, _a in changed if b is not None],
                [f"{_which(u)}: {text(a)}" for u, _b, a in changed if a is not None],
            )
        )
        for unit, previous in zip(units, before, strict=True):
            if previous is not None:
                chosen[unit] = previous
            else:
                chosen.pop(unit, None)
    return chosen


def _which(unit: str) -> str:
    """A disclaimer unit named for a person: its full or its plain wording."""
    return "plain" if "/plain/" in unit else "full"


def _record(
    both: Pair,
    ours: Sequence[Segment],
    states: dict[str, str],
    chosen: dict[str, Content],
    held: set[str],
) -> TranslatedFrom:
    """The translation's record of the original: a part moves on to the original as it is
    now when every unit of it came back finished (translated, final, signed-off) and none is
    held back; any other keeps what it recorded (so it stays stale)."""
    now = record.current(both.original)
    before = both.recorded.parts if both.recorded else {}
    parts = {}
    for ident, print_ in now.parts.items():
        units = [s for s in ours if s.part == ident]
        finished = all(states.get(s.id) in xliff.DONE and s.id in chosen for s in units)
        if finished and ident not in held:
            parts[ident] = print_
        elif ident in before:
            parts[ident] = before[ident]
    if parts == dict(now.parts) or both.recorded is None:
        source = now.source
    else:
        source = both.recorded.source
    return TranslatedFrom(source, parts)


def _new_text(
    both: Pair, ours: Sequence[Segment], chosen: dict[str, Content], kept: TranslatedFrom
) -> str:
    """The translation's source: each section from the translation where its segments are
    the original's, else from the original; kept byte for byte where its words are."""
    usable = both.translated_segments()
    mine_by_section = _by_section(ours)
    original_front, original_sections = writing.split(both.parsed.text)
    if both.translation is not None:
        front, sections = writing.split(both.translation.text)
        theirs = dict(sections)
        skeleton = both.translation
    else:
        front, theirs, skeleton = "", {}, both.parsed
    from pipeline.translations.segments import sections as split_blocks

    _before, blocks_theirs = split_blocks(skeleton.blocks)
    _before, blocks_ours = split_blocks(both.parsed.blocks)
    theirs_blocks = dict(blocks_theirs)
    rewriter = Rewriter(lambda ident: chosen.get(ident))
    written = []
    for n, (ident, _text) in enumerate(original_sections):
        last = n == len(original_sections) - 1
        listed = mine_by_section.get(ident, [])
        from_translation = (
            ident in theirs and ident in theirs_blocks and all(s.id in usable for s in listed)
        )
        if from_translation and all(
            _said(chosen[s.id]) == _said(usable[s.id].content) for s in listed if s.id in chosen
        ):
            written.append(theirs[ident] if not last or theirs[ident].endswith("\n")
                           else theirs[ident] + "\n")  # fmt: skip
            continue
        blocks = theirs_blocks[ident] if from_translation else dict(blocks_ours)[ident]
        written.append(writing.section_text(ident, rewriter.section(ident, blocks), last))
    fields = {"title": _meta(chosen, "title"), "subtitle": _meta(chosen, "subtitle")}
    if both.translation is None:
        head = writing.metadata(
            None, both.original.id, both.lang, fields, kept, both.original.review_every_months
        )
        rest = original_front.split("\n---\n", 1)[1] if "\n---\n" in original_front else "\n"
        front = head + rest
    else:
        front = writing.metadata(
            front, both.original.id, both.lang, fields, kept, both.original.review_every_months
        )
    return writing.joined(front, written)


def _meta(chosen: dict[str, Content], key: str) -> str | None:
    content = chosen.get(key)
    return None if content is None else " ".join(text(content).split())


def _prove(project: Project, both: Pair, new_text: str, chosen: dict[str, Content]) -> None:
    """The new source says what was imported, and keeps every rule of the source format
    (parity with the original too): read back in a copy of the project's sources."""
    parsed = parse(new_text)
    found = {s.id: s for s in segments(parsed)}
    for ident, content in chosen.items():
        if ident not in found or _said(found[ident].content) != _said(content):
            raise ImportRefused(
                f"unit {ident}: written into {project.shown(both.path)}, it would not read as "
                f'translated ("{_short(content)}"); report this, and make the change by hand'
            )
    with tempfile.TemporaryDirectory(prefix="translate-") as work:
        root = Path(work)
        shutil.copytree(project.source_dir, root / "source", symlinks=True)
        if project.styles_dir.exists():
            os.symlink(project.styles_dir, root / "styles")
        target = root / "source" / both.path.name
        target.write_text(new_text, encoding="utf-8")
        try:
            load(target, root)
        except SourceError as error:
            problems = [
                p
                for p in error.problems
                if not (p.message.startswith("last-reviewed is a placeholder"))
            ]
            if problems:
                listed = "\n".join(f"  {p}" for p in problems)
                raise ImportRefused(
                    f"written, {project.shown(both.path)} would break the rules of the source "
                    f"format; nothing was written:\n{listed}"
                ) from None


def _keep(project: Project, path: Path, data: bytes) -> Path:
    """The translation before the import, kept in build/translations/ (never replaced)."""
    folder = project.root / "build" / "translations" / "before"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
    kept = folder / f"{path.stem}.{stamp}.md"
    kept.write_bytes(data)
    return kept


def _summary(
    project: Project,
    both: Pair,
    done: Imported,
    ours: Sequence[Segment],
    states: dict[str, str],
    chosen: dict[str, Content],
) -> list[str]:
    shown = project.shown(both.path)
    lines = []
    if done.written:
        lines.append(f"wrote {shown}")
    elif not done.held:
        lines.append(f"{shown} is unchanged: the file says what it says already")
    elif both.translation is not None:
        lines.append(f"{shown} is unchanged: its only changes are held back for approval")
    for held in done.held:
        lines.append(
            f"  held back: the translation of disclaimer {held.id} changed (approve with "
            f"--approve-disclaimer {held.id})"
        )
        lines += [f"    before: {line}" for line in held.before] or ["    before: (none yet)"]
        lines += [f"    after:  {line}" for line in held.after]
    if done.held and both.translation is None:
        lines.append(
            f"  not written: {shown} would lack the disclaimers held back; approve them to write it"
        )
    unfinished = sorted({s.part for s in ours if s.part and states.get(s.id) not in xliff.DONE})
    if unfinished:
        lines.append("  still stale (units not marked translated): " + ", ".join(unfinished))
    return lines


def _said(content: Content) -> str:
    """What a content says, placeholders numbered by where they stand (so two numberings of
    the same markup compare equal)."""
    counter = iter(range(1, 10**6))

    def walk(items: Content) -> str:
        out = []
        for item in items:
            if isinstance(item, str):
                out.append(item)
            elif item.children is None:
                out.append(f"\x00x{next(counter)}:{item.ctype}\x00")
            else:
                number = next(counter)
                out.append(f"\x00g{number}:{item.ctype}\x00{walk(item.children)}\x00/g{number}\x00")
        return "".join(out)

    return _SPACE.sub(" ", walk(content)).strip()


def _short(content: Content, most: int = 60) -> str:
    words = " ".join(text(content).split())
    return words if len(words) <= most else words[: most - 1] + "…"


def _listed(ids: Sequence[str], most: int = 5) -> str:
    shown = ", ".join(ids[:most])
    return shown + (f" and {len(ids) - most} more" if len(ids) > most else "")


def _tags_of(content: Content) -> str:
    tags = sorted(placeholders(content).values(), key=lambda t: t.id)
    return (
        ", ".join(
            f"<g id={t.id}> {t.ctype}" if t.children is not None else f"<x id={t.id}/> {t.ctype}"
            for t in tags
        )
        or "no tags"
    )
