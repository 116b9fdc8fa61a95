"""What a build and `invoke check` say of a translation whose original changed since it was
made: the parts whose original text changed, each with its line in the original."""

from __future__ import annotations

from pipeline.model import Document


def message(doc: Document) -> str:
    """One line naming each part of the original that changed; "" when none did."""
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
