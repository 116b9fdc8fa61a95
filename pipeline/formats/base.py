"""What every output format provides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipeline.brand import Brand
from pipeline.model import Document

Renderer = Callable[[Document, Brand, Path], Path]


@dataclass(frozen=True)
class Format:
    kind: str
    scope: Literal["full", "plain"]
    """What verification expects: the "full" text, or the "plain" wording (one-pagers)."""
    render: Renderer
    """render(doc, brand, out_dir) writes the output (and its assets) into out_dir and
    returns the main file's path."""
