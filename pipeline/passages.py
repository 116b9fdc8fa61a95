"""Shared, approved passages: text written once under `styles/passages/` and included by id
in any document, in the document's language (docs/authoring.md, "Shared passages").

A passage is a file of its own, `styles/passages/<id>.md`, holding one section (`## Heading
{#<id>}` with its plain summary) or one disclaimer (`::: {.disclaimer #<id>}` with its plain
wording); its version in another language is `styles/passages/<id>.<lang>.md`. A document
includes it with an empty div, `::: {include=<id>}` then `:::`, where the section or the
disclaimer would stand; the loader (pipeline/source.py) expands it into the model, checked as
the document's own text, its messages naming the passage file and its lines. Which version a
document gets is decided here, from its `lang` alone."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import UserError
from pipeline.frontmatter import declared_lang
from pipeline.problems import SourceError

FOLDER = Path("styles") / "passages"
"""Where passages live, relative to the project."""
KNOWN_KEYS = ("id", "lang", "translated-from")
"""`translated-from` only in a version in another language: the record of the original
passage it translates (pipeline/translations/record.py)."""


class Missing(UserError):
    """No version of the passage in the language asked for; the message says which file to
    write."""


def folder(root: Path) -> Path:
    return root / FOLDER


def file_for(root: Path, ident: str, lang: str) -> Path:
    """The passage file for a document in `lang`: `<id>.<lang>.md`, else `<id>.<language>.md`
    (es for es-US), else `<id>.md` when it is written in the same language (its `lang` is
    checked when it loads). Raises Missing."""
    where = folder(root)
    primary = lang.split("-")[0]
    for name in (f"{ident}.{lang}.md", f"{ident}.{primary}.md"):
        found = _named(where, name)
        if found is not None:
            return found
    original = where / f"{ident}.md"
    if not original.exists() and not original.is_symlink():
        raise Missing(
            f'no shared passage "{ident}": write it in {FOLDER.as_posix()}/{ident}.md, '
            "or include one that exists" + (f" ({', '.join(known(root))})" if known(root) else "")
        )
    try:
        written_in = declared_lang(original, root)
    except SourceError:  # its own load says why, at its line
        return original
    if written_in.split("-")[0].lower() != primary.lower():
        raise Missing(
            f'the shared passage "{ident}" has no version in {lang}: translate '
            f"{FOLDER.as_posix()}/{ident}.md ({written_in}) into "
            f"{FOLDER.as_posix()}/{ident}.{lang}.md"
        )
    return original


def _named(where: Path, name: str) -> Path | None:
    """The file of that name in `where`, its language tag matched without regard to case."""
    exact = where / name
    if exact.exists() or exact.is_symlink():
        return exact
    wanted = name.lower()
    return next((p for p in sorted(where.glob("*.md")) if p.name.lower() == wanted), None)


def original_of(path: Path) -> Path | None:
    """For a version in another language (`<id>.<lang>.md`), the original passage's file
    `<id>.md`; None for an original."""
    ident, dot, _lang = path.name.removesuffix(".md").partition(".")
    return path.with_name(f"{ident}.md") if dot else None


def known(root: Path) -> list[str]:
    """The ids of the passages the project has (their original files)."""
    return sorted(p.stem for p in folder(root).glob("*.md") if "." not in p.stem)
