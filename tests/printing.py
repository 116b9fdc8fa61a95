"""Helpers of the print tests (test_print_*.py): the real article with content added, the
real brand with [print] settings changed, and one output rendered by its real renderer."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pdfplumber.page

from pipeline.brand import Brand, load_brand
from pipeline.formats import render_alone
from pipeline.model import Document
from pipeline.source import load
from tests.conftest import ARTICLE_ID, ROOT

ANCHOR = "The human spine is a marvel"
"""The real article's second section starts here: added content goes just before it."""


def article_with(tmp_path: Path, markdown: str, files: dict[str, bytes] | None = None) -> Document:
    """The real article with `markdown` added before ANCHOR, and `files` (name -> bytes)
    under source/images/."""
    images = tmp_path / "source" / "images"
    images.mkdir(parents=True, exist_ok=True)
    for name, data in (files or {}).items():
        (images / name).write_bytes(data)
    text = (ROOT / "source" / f"{ARTICLE_ID}.md").read_text(encoding="utf-8")
    assert ANCHOR in text
    path = tmp_path / "source" / f"{ARTICLE_ID}.md"
    path.write_text(text.replace(ANCHOR, f"{markdown}\n\n{ANCHOR}", 1), encoding="utf-8")
    return load(path, tmp_path)


def trimbox(page: pdfplumber.page.Page) -> tuple[float, float, float, float]:
    """The page's trim box in pdfplumber's top-down space: left, top, right, bottom.
    pdfplumber sets it only on a page whose PDF gives one, so its Page type does not name it
    (a page without one fails here)."""
    box: tuple[float, float, float, float] = vars(page)["trimbox"]
    return box


def brand_with(**print_tokens: Any) -> Brand:
    """The real brand, with these [print] tokens (keys with _ for -) changed."""
    brand = load_brand(ROOT / "styles")
    changed = {key.replace("_", "-"): value for key, value in print_tokens.items()}
    return dataclasses.replace(brand, tokens={**brand.tokens, "print": {**brand.print, **changed}})


def render(kind: str, doc: Document, brand: Brand, tmp_path: Path) -> Path:
    out = tmp_path / f"out-{kind}"
    out.mkdir(parents=True, exist_ok=True)
    return render_alone(kind, doc, brand, out)
