"""What a build and `leaflet check` say of a translation whose original changed since it was
made: the parts whose original text changed, each with its line in the original; and of a
document (in any language) that includes a shared passage's version in another language
whose original passage changed since that version was translated."""

from __future__ import annotations

from pathlib import PurePosixPath

from pipeline.model import Document


def message(doc: Document) -> str:
    """One line naming each part of the original that changed and each stale passage
    version; "" when none is."""
    return "; ".join(filter(None, (_translation(doc), _passages(doc))))


def _passages(doc: Document) -> str:
    if not doc.stale_passages:
        return ""
    named = []
    for version in doc.stale_passages:
        ident, _, lang = PurePosixPath(version).name.removesuffix(".md").partition(".")
        original = PurePosixPath(version).with_name(f"{ident}.md")
        named.append(
            f"{version} no longer translates {original} as it is now (the original changed "
            "since, or the version records none); bring it up to date, then run `leaflet "
            f"translate mark-current --passage {ident} --lang {lang}`"
        )
    return "stale shared passage: " + "; ".join(named)


def _translation(doc: Document) -> str:
    translation = doc.translation
    if translation is None or not translation.stale:
        return ""
    sections = {section.id for section in doc.sections}
    at = translation.original
    named = [
        f'{"section" if ident in sections else "disclaimer"} "{ident}" '
        f"({at}:{translation.original_lines.get(ident, 1)})"
        for ident in translation.stale
    ]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return (
        f"stale translation: the original's text changed since it was translated, in "
        f"{listed}; bring {'that part' if len(named) == 1 else 'those parts'} of "
        f"{doc.source_path} up to date, then run `leaflet translate mark-current --doc "
        f"{doc.id} --lang {doc.lang}`"
    )
