"""Every word the pipeline adds around a writer's text, in the document's language: the label
catalogue (`styles/labels/<lang>.toml`), and dates written the language's way (Babel, from
CLDR).

A document in `es-US` reads `es-US.toml`, then `es.toml` (and the file of its likely
script: `zh-CN` reads `zh-Hans.toml`); the first file that has a label wins. English
(`en.toml`) is the reference: every label of its `[document]` table must be found for every
language a document is written in, or the build stops naming the label and the file to add
it to. Its `[landing]` table is the landing page's own wording, in English.

A label is text with named slots (`"Last reviewed {date}"`): the text is the translator's,
the slots the pipeline's. In HTML, `markup` escapes the text and puts markup (a `<time>`, a
link) in the slots; in CSS, `css` makes a `content:` value whose slots are CSS (a page
counter)."""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from pipeline.errors import UserError
from pipeline.review import ReviewDate

FOLDER = "labels"
REFERENCE = "en"
"""The catalogue every other is checked against."""
_SLOT = re.compile(r"\{([a-z-]+)\}")


class LabelError(UserError):
    """A label (or a whole catalogue) is missing for a language; the message names the label
    and the file to add it to."""


@dataclass(frozen=True)
class Labels:
    lang: str
    files: tuple[Path, ...]
    """The catalogue files read, the most specific first."""
    shown: tuple[str, ...]
    """The same, as messages name them (styles/labels/es.toml)."""
    values: Mapping[str, str]
    """Every label found, by key ("in-short", "formats.html"), the most specific file's."""

    def __call__(self, key: str, **slots: Any) -> str:
        """The label `key`, its slots filled with `slots` (as text)."""
        return _SLOT.sub(lambda m: str(slots[m.group(1)]), self.text(key))

    def text(self, key: str) -> str:
        found = self.values.get(key)
        if not isinstance(found, str):
            raise LabelError(self._missing(key))
        return found

    def markup(self, key: str, **slots: Any) -> Markup:
        """The label as HTML: its text escaped, each slot's value escaped unless it is
        Markup already (a `<time>`, a link)."""
        parts = _SLOT.split(self.text(key))
        html = [
            escape(slots[part]) if index % 2 else escape(part) for index, part in enumerate(parts)
        ]
        return Markup("").join(html)

    def css(self, key: str, **slots: str) -> Markup:
        """The label as a CSS `content` value: its text as quoted strings, each slot's value
        as CSS as it is (`counter(page)`)."""
        from pipeline.templates import css_string

        parts = _SLOT.split(self.text(key))
        return Markup(" ").join(
            Markup(slots[part]) if index % 2 else css_string(part)
            for index, part in enumerate(parts)
            if part or index % 2
        )

    def date(self, value: ReviewDate | dt.date) -> str:
        """A review date in the language's own form: "January 2026", "enero de 2026",
        "2026年1月" when the day is unknown; "September 14, 2026" when it is known."""
        from babel.dates import format_date, format_skeleton

        locale = _locale(self.lang)
        if isinstance(value, ReviewDate):
            if value.day is None:
                return str(format_skeleton("yMMMM", value.as_date(), locale=locale))
            value = value.as_date()
        return str(format_date(value, "long", locale=locale))

    def month(self, value: dt.date) -> str:
        """A month of a year ("January 2027"), as a next review is named."""
        from babel.dates import format_skeleton

        return str(format_skeleton("yMMMM", value, locale=_locale(self.lang)))

    def time(self, value: ReviewDate | dt.date, *, month: bool = False) -> Markup:
        """The date in a `<time>` element, machine-readable too."""
        if isinstance(value, ReviewDate):
            iso, shown = value.iso, self.date(value)
        else:
            iso = value.strftime("%Y-%m") if month else value.isoformat()
            shown = self.month(value) if month else self.date(value)
        return Markup('<time datetime="{}">{}</time>').format(iso, shown)

    @property
    def direction(self) -> str:
        """ "rtl" for a language written right to left, else "ltr"."""
        return "rtl" if _locale(self.lang).character_order == "right-to-left" else "ltr"

    def _missing(self, key: str) -> str:
        table = "landing" if key.startswith("landing.") else "document"
        name = key.removeprefix("landing.")
        return (
            f'the label "{name}" is missing for {self.lang}: add it to the [{table}] table of '
            f"{self.shown[-1]} (its English is in styles/{FOLDER}/{REFERENCE}.toml)"
        )


def language_name(tag: str) -> str:
    """The language's name in its own language, as a reader looks for it: "English",
    "Español", "中文"; the tag itself when CLDR does not know it."""
    try:
        name = _locale(tag).get_language_name(_locale(tag)) or tag
    except (ValueError, LabelError):
        return tag
    return name[:1].upper() + name[1:]


def catalogue_files(styles_dir: Path, lang: str) -> list[Path]:
    """The catalogue files a document in `lang` reads, the most specific first."""
    folder = styles_dir / FOLDER
    return [
        folder / f"{tag}.toml" for tag in language_chain(lang) if (folder / f"{tag}.toml").is_file()
    ]


def labels_for(styles_dir: Path, lang: str) -> Labels:
    """The labels of a document in `lang`. Raises LabelError when it has no catalogue."""
    files = catalogue_files(styles_dir, lang)
    if not files:
        # The language's own file; for Chinese, its script's (Simplified and Traditional
        # Chinese never share labels).
        first = language_chain(lang)[-1] if lang.split("-")[0] == "zh" else lang.split("-")[0]
        raise LabelError(
            f"no label catalogue for {lang}: add styles/{FOLDER}/{first}.toml (copy "
            f"styles/{FOLDER}/{REFERENCE}.toml and translate each label), so every word the "
            "pipeline adds is in the document's language"
        )
    return _read(tuple(files), tuple(_stamp(path) for path in files), lang)


def check(styles_dir: Path, lang: str) -> list[str]:
    """What is missing for a document in `lang`: its catalogue, or each label of the
    reference's [document] table that none of its files has."""
    try:
        labels = labels_for(styles_dir, lang)
        reference = labels_for(styles_dir, REFERENCE)
    except LabelError as error:
        return [str(error)]
    wanted = [key for key in reference.values if not key.startswith("landing.")]
    return [labels._missing(key) for key in wanted if key not in labels.values]


def language_chain(lang: str) -> list[str]:
    """`es-US` -> es-US, es; then the likely script's forms: `zh-CN` -> ..., zh-Hans."""
    tags = [lang]
    parts = lang.split("-")
    tags += ["-".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)]
    from babel.core import get_global

    likely = get_global("likely_subtags").get(lang.replace("-", "_")) or get_global(
        "likely_subtags"
    ).get(parts[0])
    if likely:
        full = likely.split("_")
        if len(full) >= 2 and len(full[1]) == 4:  # language_Script_...
            tags.append(f"{full[0]}-{full[1]}")
    return list(dict.fromkeys(tags))


def _stamp(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_size, status.st_mtime_ns


@functools.lru_cache(maxsize=64)
def _read(files: tuple[Path, ...], stamps: tuple[tuple[int, int], ...], lang: str) -> Labels:
    """The catalogue files merged, read again whenever one changed (`stamps`)."""
    values: dict[str, str] = {}
    for path in reversed(files):  # the most specific last, so it wins
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise LabelError(f"{path}: {error}; fix the TOML syntax") from None
        for table in ("document", "landing"):
            prefix = "landing." if table == "landing" else ""
            values |= {prefix + key: text for key, text in _flat(data.get(table) or {})}
    root = files[0].parents[2]
    shown = tuple(_relative(path, root) for path in files)
    return Labels(lang, files, shown, values)


def _flat(table: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    found = []
    for key, value in table.items():
        if isinstance(value, Mapping):
            found += _flat(value, f"{prefix}{key}.")
        else:
            found.append((f"{prefix}{key}", str(value)))
    return found


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


@functools.cache
def _locale(lang: str) -> Any:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(lang, sep="-")
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(lang.split("-")[0])
        except (UnknownLocaleError, ValueError):
            return Locale.parse(REFERENCE)
