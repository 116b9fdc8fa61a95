"""The checks of a source's metadata, once it is read (pipeline/frontmatter.py): which keys it
may and must have, its id against its file name, its title, language and review dates, a
passage's name, and a translation's own keys and its original. Each problem is said at its
key's line."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline import limits, passages
from pipeline.frontmatter import key_line, lang_problem
from pipeline.model import Document, TranslatedFrom
from pipeline.problems import Gathered, SourceError, quoted, shown_path
from pipeline.review import ReviewDate
from pipeline.translations import record

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
KNOWN_KEYS = ("id", "title", "subtitle", "lang", "last-reviewed", "review-every-months")
TRANSLATION_KEYS = ("translation-of", "translated-from")
"""A translation's own keys (docs/translations.md): the original's id, and the record of
the original's version it was translated from."""
MAX_REVIEW_MONTHS = 120


def slug(text: str) -> str:
    """An id made from words in any script: transliterated to ASCII (préparation ->
    preparation), lower-case letters and digits joined by hyphens."""
    from anyascii import anyascii

    return "-".join(re.findall(r"[a-z0-9]+", anyascii(text).lower())) or "section"


def check(
    found: Gathered,
    meta: dict[str, Any],
    end: int,
    path: Path,
    today: dt.date,
    *,
    passage: bool,
) -> dict[str, Any] | None:
    """The metadata (closing at line index `end`) of the file at `path` checked, its review
    date read; None when it has problems (added to `found`). A translation's original is
    checked apart (`translation`), once this passes."""
    before = len(found.problems)
    translating = "translation-of" in meta and not passage

    def line(key: str) -> int:
        return key_line(found.lines, key, end)

    allowed: tuple[str, ...]
    required: tuple[str, ...]
    if passage:
        allowed, required = passages.KNOWN_KEYS, ("id", "lang")
    elif translating:
        allowed, required = KNOWN_KEYS + TRANSLATION_KEYS, ("title", "lang", "last-reviewed")
    else:
        allowed, required = KNOWN_KEYS, ("id", "title", "lang", "last-reviewed")
    for key in meta:
        if key == "translated-from" and not translating and not passage:
            found.problem(
                line(str(key)),
                '"translated-from" is the record a translation keeps of its original; '
                'add "translation-of: <the original\'s id>", or delete it',
            )
        elif key not in allowed:
            known = ", ".join(passages.KNOWN_KEYS if passage else KNOWN_KEYS)
            found.problem(line(str(key)), f'unknown key "{key}"; use {known}')
    for key in required:
        if meta.get(key) in (None, ""):
            found.problem(end + 1, f'required key "{key}" is missing; add "{key}: ..." above')
    if passage:
        _check_passage_name(found, meta, end, path)
    doc_id = meta.get("id")
    if doc_id not in (None, "") and not (isinstance(doc_id, str) and ID_PATTERN.fullmatch(doc_id)):
        found.problem(
            line("id"),
            f"id {quoted(str(doc_id))} is not valid; use lower-case letters, digits and hyphens",
        )
    elif translating and doc_id not in (None, "", meta["translation-of"]):
        found.problem(
            line("id"),
            f'id "{doc_id}" is not the original\'s ("translation-of: '
            f"{meta['translation-of']}\"); a translation has its original's id: delete "
            "this line",
        )
    elif not translating and not passage and isinstance(doc_id, str) and doc_id != path.stem:
        first, dot, _rest = path.stem.partition(".")
        hint = (
            f'; a translation names its original: write "translation-of: {first}" '
            f"instead of the id (docs/translations.md)"
            if dot and first == doc_id
            else ""
        )
        found.problem(
            line("id"),
            f'id "{doc_id}" does not match the file name; rename the file to '
            f'"{doc_id}.md" or write "id: {path.stem}"{hint}',
        )
    for key in ("title", "subtitle"):
        if key in meta and meta[key] is not None and not isinstance(meta[key], str):
            found.problem(line(key), f'"{key}" must be text; quote it')
        elif isinstance(meta.get(key), str) and len(meta[key]) > limits.TITLE.most:
            found.problem(line(key), limits.TITLE.exceeded(f"the {key} is", len(meta[key])))
    lang = meta.get("lang")
    if lang not in (None, "") and lang_problem(lang):
        found.problem(line("lang"), lang_problem(lang))
    if meta.get("last-reviewed") not in (None, ""):
        reviewed, wrong = _review_date(meta["last-reviewed"], today)
        if wrong:
            found.problem(
                line("last-reviewed"), f"last-reviewed {quoted(str(meta['last-reviewed']))} {wrong}"
            )
        meta["last-reviewed"] = reviewed
    months = meta.get("review-every-months", 12)
    if (
        isinstance(months, bool)
        or not isinstance(months, int)
        or not 1 <= months <= MAX_REVIEW_MONTHS
    ):
        found.problem(
            line("review-every-months"),
            f"review-every-months {quoted(str(months))} must be a whole number of months "
            f"from 1 to {MAX_REVIEW_MONTHS}, e.g. 12",
        )
    return meta if len(found.problems) == before else None


def _check_passage_name(found: Gathered, meta: dict[str, Any], end: int, path: Path) -> None:
    """A passage file is named `<id>.md`, or `<id>.<lang>.md` for a version in another
    language: its id and lang say the same."""
    ident, _, named_lang = path.name.removesuffix(".md").partition(".")
    doc_id, lang = meta.get("id"), meta.get("lang")
    if isinstance(doc_id, str) and doc_id != ident:
        found.problem(
            key_line(found.lines, "id", end),
            f'id "{doc_id}" does not match the file name; write "id: {ident}" (a passage '
            "is named by its id)",
        )
    if named_lang and isinstance(lang, str) and lang.lower() != named_lang.lower():
        found.problem(
            key_line(found.lines, "lang", end),
            f'lang "{lang}" does not match the file name, which says {named_lang}; write '
            f'"lang: {named_lang}" or rename the file to "{ident}.{lang}.md"',
        )


def translation(
    found: Gathered,
    meta: dict[str, Any],
    end: int,
    path: Path,
    root: Path,
    load: Callable[[Path], Document],
) -> tuple[Document | None, TranslatedFrom | None]:
    """A translation's own metadata: its original (loaded by `load` and checked here, for
    parity), its file name, and its record of the original's version. The original when it
    can be translated from, and the record."""
    of, lang = meta["translation-of"], meta["lang"]
    line = key_line(found.lines, "translation-of", end)
    if not (isinstance(of, str) and ID_PATTERN.fullmatch(of)):
        found.problem(line, f"translation-of {quoted(str(of))} must be the original's id")
        return None, None
    if path.name != f"{of}.{lang}.md":
        found.problem(
            line,
            f'a translation of "{of}" into {lang} is the file "{of}.{lang}.md" beside its '
            "original; rename this file (its name and its lang must agree)",
        )
        return None, None
    recorded, wrong = record.parse(meta.get("translated-from"))
    if recorded is None:
        at = key_line(found.lines, "translated-from", end) if "translated-from" in meta else line
        found.problem(
            at,
            f"translated-from {wrong}; once the translation says everything the original "
            f"says, run `leaflet translate mark-current --doc {of} --lang {lang}`",
        )
    source = path.parent / f"{of}.md"
    try:
        original = load(source)
    except SourceError as error:
        first = error.problems[0]
        found.problem(
            line,
            f"the original {shown_path(source, root)} cannot be loaded "
            f"({len(error.problems)} problem{'s' * (len(error.problems) != 1)}, the first: "
            f"{first}); fix it first, or check it with `leaflet check --doc {of}`",
        )
        return None, None
    if original.translation is not None:
        found.problem(line, f'"{of}" is itself a translation; name the original it translates')
        return None, recorded
    if original.lang == lang:
        found.problem(
            key_line(found.lines, "lang", end),
            f"lang {lang} is the original's own; a translation is in another language",
        )
        return None, recorded
    if bool(meta.get("subtitle")) != bool(original.subtitle):
        has = "has a subtitle" if original.subtitle else "has no subtitle"
        found.problem(
            key_line(found.lines, "subtitle", end) if meta.get("subtitle") else line,
            f"the original ({original.source_path}) {has}; so does its translation",
        )
    return original, recorded


def passage_record(
    found: Gathered, meta: dict[str, Any], end: int, path: Path
) -> TranslatedFrom | None:
    """A passage's version in another language: its record of the original passage."""
    if "translated-from" not in meta:
        return None
    ident = path.name.split(".")[0]
    line = key_line(found.lines, "translated-from", end)
    if passages.original_of(path) is None:
        found.problem(
            line,
            '"translated-from" is the record a version in another language keeps of the '
            f"original passage; {path.name} is the original: delete it",
        )
        return None
    recorded, wrong = record.parse(meta["translated-from"])
    if recorded is None:
        found.problem(
            line,
            f"translated-from {wrong}; once this version says what the original says, run "
            f"`leaflet translate mark-current --passage {ident} --lang {meta.get('lang')}`",
        )
    return recorded


def _review_date(value: Any, today: dt.date) -> tuple[ReviewDate | None, str]:
    """The review date, or what is wrong with it (to follow the quoted value)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", str(value).strip())
    if not match:
        return None, (
            "is not an ISO date; write YYYY-MM-DD, or YYYY-MM when the day is unknown "
            "(e.g. 2026-01)"
        )
    year, month, day = (int(group) if group else None for group in match.groups())
    assert year is not None and month is not None
    try:
        dt.date(year, month, day or 1)
    except ValueError:
        return None, _impossible(year, month)
    reviewed = ReviewDate(year, month, day)
    if reviewed.as_date() > today:
        return None, (
            f"is in the future (today is {today.isoformat()}); write the date of the "
            "last review that actually happened"
        )
    return reviewed, ""


def _impossible(year: int, month: int) -> str:
    if not 1 <= month <= 12:
        return f"is not a date in the calendar: there is no month {month}; months are 01 to 12"
    if year < 1:
        return "is not a date in the calendar: there is no year 0000"
    days = calendar.monthrange(year, month)[1]
    name = calendar.month_name[month]
    return f"is not a date in the calendar: {name} {year} has {days} days; check the day"
