"""The glyphs a PDF draws, read from its content streams: a missing glyph cannot be seen in
a PDF's text layer (it keeps the character), so tests that must see no box read the glyph
ids. With a Type0 font, each 2-byte code maps to a CID through the font's encoding
(Identity-H, or WeasyPrint's own CMap, which maps a glyph it lacks to CID 0), and CID 0 is
`.notdef`, the empty box.

Deliberately apart from verification's reader (pipeline/extract/pdf_fonts.py), which judges
each character of a font's text map by the glyph it selects (0, or past the font's last):
this one reads what the pages draw and counts CID 0. Different evidence, so a blind spot of
one is seen by the other (verification missed a code that the encoding sends to CID 0 until
it read encodings), and "no box in any PDF" is not the build's own verdict repeated."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pikepdf

CIDCHAR = re.compile(rb"begincidchar(.*?)endcidchar", re.S)
CIDRANGE = re.compile(rb"begincidrange(.*?)endcidrange", re.S)


def drawn_glyphs(path: Path) -> Counter[tuple[str, int]]:
    """(font, CID) of every glyph the pages' text operators draw."""
    found: Counter[tuple[str, int]] = Counter()
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            fonts = page.Resources.get("/Font", pikepdf.Dictionary())
            cids = {str(name): _code_to_cid(font) for name, font in fonts.items()}
            font = ""
            for instruction in pikepdf.parse_content_stream(page, "Tf Tj TJ"):
                operands, operator = instruction.operands, instruction.operator
                if str(operator) == "Tf":
                    font = str(operands[0])
                    continue
                strings = operands[0] if str(operator) == "TJ" else operands
                for code in _codes(strings):
                    found[str(fonts[font].BaseFont), cids[font](code)] += 1
    return found


def _codes(strings: Iterable[object]) -> Iterator[int]:
    for item in strings:
        if isinstance(item, pikepdf.String):
            data = bytes(item)
            yield from (int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2))


def _code_to_cid(font: pikepdf.Object) -> Callable[[int], int]:
    """A Type0 font's encoding: Identity-H, or an embedded CMap of cidchar/cidrange."""
    assert font.Subtype == "/Type0", font.BaseFont
    encoding = font.Encoding
    if isinstance(encoding, pikepdf.Name):
        assert encoding == "/Identity-H", encoding
        return lambda code: code
    data, table = encoding.read_bytes(), {}
    for block in CIDCHAR.findall(data):
        for code, cid in re.findall(rb"<([0-9a-fA-F]+)>\s+(\d+)", block):
            table[int(code, 16)] = int(cid)
    for block in CIDRANGE.findall(data):
        for low, high, cid in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s+(\d+)", block):
            for code in range(int(low, 16), int(high, 16) + 1):
                table[code] = int(cid) + code - int(low, 16)
    return table.__getitem__


def boxes(path: Path) -> list[str]:
    """The fonts of every glyph drawn as the missing-glyph box (CID 0)."""
    return [font for font, cid in drawn_glyphs(path) if cid == 0]
