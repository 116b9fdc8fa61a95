"""Small leaflets for the verification tests: a source document written in the test, loaded
by the real loader, rendered by the real renderers."""

from __future__ import annotations

import textwrap
from pathlib import Path

from pipeline.brand import Brand, load_brand
from pipeline.formats import render_alone
from pipeline.model import Document
from pipeline.source import load
from tests.conftest import ROOT

BRAND = load_brand(ROOT / "styles")


def leaflet(folder: Path, sections: str, ident: str = "test-leaflet") -> Document:
    """A document whose body is `sections` (Markdown, `## Heading {#id}` sections)."""
    source = folder / "source" / f"{ident}.md"
    source.parent.mkdir(parents=True, exist_ok=True)
    header = f"""\
        ---
        id: {ident}
        title: A test leaflet
        lang: en-US
        last-reviewed: 2026-01
        ---
        """
    source.write_text(textwrap.dedent(header) + textwrap.dedent(sections), encoding="utf-8")
    return load(source, folder)


def section(ident: str, body: str, plain: str = "Plain words for this part.") -> str:
    """One section in source form (its heading is its id in words)."""
    title = ident.replace("-", " ").capitalize()
    return f"\n## {title} {{#{ident}}}\n\n::: plain\n{plain}\n:::\n\n{body}\n"


def table(rows: list[list[str]], header: list[str]) -> str:
    """A pipe table."""
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines) + "\n"


def render(doc: Document, kind: str, folder: Path, brand: Brand = BRAND) -> Path:
    """The finished output `kind` of `doc`, by the real renderer."""
    out = folder / kind
    out.mkdir(parents=True, exist_ok=True)
    return render_alone(kind, doc, brand, out)
