"""Oversized and hostile inputs, made cheaply: each writes its files into a project whose
source/sample.md is the good test document, and returns the changed source text (for the line
a message must name). Shared by tests/test_hostile_inputs.py and the measurement in
tests/bounded.py."""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

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


def alias_bomb_in(key: str) -> Callable[[Path], str]:
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


def png_bomb(width: int, height: int = 0, count: int = 1) -> Callable[[Path], str]:
    """`count` greyscale PNGs of `width` x `height` (square by default) pixels, all zeros: a
    few hundred KB on disk each, width x height bytes once decoded. Written row by row,
    never held whole."""

    def make(root: Path) -> str:
        images = root / "source" / "images"
        images.mkdir(exist_ok=True)
        figures = []
        for number in range(count):
            write_png(images / f"big-{number}.png", width, height or width)
            name = f"images/big-{number}.png"
            figures.append(f"![A plain grey rectangle, number {number + 1}]({name})")
        return write_source(root, GOOD.replace(PARA, "\n\n".join([PARA, *figures]), 1))

    return make


def write_png(path: Path, width: int, height: int) -> None:
    with path.open("wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n")
        _chunk(out, b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        packer = zlib.compressobj(9)
        row = bytes(width + 1)  # filter byte 0, then the pixels
        data = bytearray()
        for _ in range(height):
            data += packer.compress(row)
        data += packer.flush()
        _chunk(out, b"IDAT", bytes(data))
        _chunk(out, b"IEND", b"")


def _chunk(out: BinaryIO, kind: bytes, data: bytes) -> None:
    out.write(struct.pack(">I", len(data)) + kind + data)
    out.write(struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def fifo_source(root: Path) -> str:
    """source/evil.md is a named pipe: opening it to read waits for a writer, forever."""
    os.mkfifo(root / "source" / "evil.md")
    return GOOD


def fifo_translation(root: Path) -> str:
    """source/evil.es-US.md, a translation, is a named pipe: the build reads every
    translation's language before it loads anything."""
    os.mkfifo(root / "source" / "evil.es-US.md")
    return GOOD


def symlink_out(root: Path) -> str:
    """source/evil.md is a symbolic link to a document outside the project."""
    outside = root.parent / "outside.md"
    outside.write_text(GOOD.replace("id: sample", "id: evil"), encoding="utf-8")
    (root / "source" / "evil.md").symlink_to(outside)
    return GOOD


def fifo_figure(root: Path) -> str:
    images = root / "source" / "images"
    images.mkdir(exist_ok=True)
    os.mkfifo(images / "spine.png")
    return write_source(root, GOOD.replace(PARA, f"{PARA}\n\n![The spine](images/spine.png)", 1))


def rows(count: int) -> Callable[[Path], str]:
    def make(root: Path) -> str:
        table = "| Row | Dose |\n|-----|------|\n" + "| 1 | 5 |\n" * count
        return write_source(root, GOOD.replace(PARA, f"{PARA}\n\n{table}", 1))

    return make


def long_paragraph(root: Path) -> str:
    return write_source(root, GOOD.replace(PARA, "Pain comes and goes. " * 240, 1))


def many_sections(root: Path) -> str:
    extra = "".join(
        f"\n## Part {n} {{#part-{n}}}\n\n::: plain\nRest.\n:::\n" for n in range(1, 100)
    )
    return write_source(root, GOOD + extra)


def huge_svg(root: Path) -> str:
    images = root / "source" / "images"
    images.mkdir(exist_ok=True)
    shapes = '<rect x="1" y="1" width="2" height="2" fill="#0b4f6c"/>\n' * 40_000
    (images / "spine.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">\n{shapes}</svg>'
    )
    return write_source(root, GOOD.replace(PARA, f"{PARA}\n\n![The spine](images/spine.svg)", 1))


def svg_use_bomb(root: Path) -> str:
    """Nine levels of ten <use> of the level below: 10^9 shapes to draw, in 2 KB."""
    levels = ['<g id="l0"><rect width="1" height="1"/></g>']
    for level in range(1, 10):
        uses = "".join(f'<use href="#l{level - 1}" x="{n}"/>' for n in range(10))
        levels.append(f'<g id="l{level}">{uses}</g>')
    images = root / "source" / "images"
    images.mkdir(exist_ok=True)
    (images / "spine.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs>'
        + "".join(levels)
        + '</defs><use href="#l9"/></svg>'
    )
    return write_source(root, GOOD.replace(PARA, f"{PARA}\n\n![The spine](images/spine.svg)", 1))
