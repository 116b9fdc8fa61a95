"""Oversized and hostile inputs, made cheaply: each writes its files into a project whose
source/sample.md is the good test document, and returns the changed source text (for the line
a message must name). Shared by tests/test_hostile_inputs.py and the measurement in
tests/bounded.py."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

from tests.test_source import GOOD

PARA = "Pain can vary widely."
ALIAS_BOMB = "\n".join(
    [
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(
            f"{name}: &{name} [{', '.join([f'*{before}'] * 9)}]"
            for before, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)
"""Nine levels of nine aliases: 9^9 (387 million) strings once expanded."""


def write_source(root: Path, text: str) -> str:
    (root / "source" / "sample.md").write_text(text, encoding="utf-8")
    return text


def alias_bomb_in(key: str):  # type: ignore[no-untyped-def]
    def make(root: Path) -> str:
        line = next(line for line in GOOD.splitlines() if line.startswith(f"{key}:"))
        return write_source(root, GOOD.replace(line, f"{ALIAS_BOMB}\n{key}: *i", 1))

    return make


def huge_title(root: Path) -> str:
    return write_source(
        root, GOOD.replace("title: A sample leaflet", "title: " + "Care " * 2_000_000, 1)
    )


def huge_table(root: Path) -> str:
    rows = "| Row | Dose |\n|-----|------|\n" + "| 1 | 5 mg |\n" * 50_000
    return write_source(root, GOOD.replace(PARA, f"{PARA}\n\n{rows}", 1))


def huge_paragraph(root: Path) -> str:
    return write_source(root, GOOD.replace(PARA, "Pain " * 4_000_000, 1))


def png_bomb(side: int):  # type: ignore[no-untyped-def]
    """A greyscale PNG `side` pixels square, all zeros: a few hundred KB on disk, `side`²
    bytes once decoded. Written row by row, never held whole."""

    def make(root: Path) -> str:
        images = root / "source" / "images"
        images.mkdir(exist_ok=True)
        with (images / "big.png").open("wb") as out:
            out.write(b"\x89PNG\r\n\x1a\n")
            _chunk(out, b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
            packer = zlib.compressobj(9)
            row = bytes(side + 1)  # filter byte 0, then the pixels
            data = bytearray()
            for _ in range(side):
                data += packer.compress(row)
            data += packer.flush()
            _chunk(out, b"IDAT", bytes(data))
            _chunk(out, b"IEND", b"")
        return write_source(root, GOOD.replace(PARA, f"{PARA}\n\n![A plain grey square](images/big.png)", 1))

    return make


def _chunk(out, kind: bytes, data: bytes) -> None:  # type: ignore[no-untyped-def]
    out.write(struct.pack(">I", len(data)) + kind + data)
    out.write(struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def fifo_source(root: Path) -> str:
    """source/evil.md is a named pipe: opening it to read waits for a writer, forever."""
    os.mkfifo(root / "source" / "evil.md")
    return GOOD


def symlink_out(root: Path) -> str:
    """source/evil.md is a symbolic link to a document outside the project."""
    outside = root.parent / "outside.md"
    outside.write_text(GOOD.replace("id: sample", "id: evil"), encoding="utf-8")
    (root / "source" / "evil.md").symlink_to(outside)
    return GOOD
