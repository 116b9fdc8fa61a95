"""Which characters of a PDF are drawn with a font's missing-glyph box (.notdef).

A PDF's text layer keeps the character a glyph stands for (its ToUnicode map), even when
the embedded font program has no glyph for it: a viewer then draws the font's glyph 0, an
empty box, where the text says "中". This finds those characters from the fonts themselves:
the codes that the font's encoding and CID-to-glyph map send to glyph 0, or beyond the font
program's last glyph."""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont, TTLibError

from pipeline import tools


def missing_glyphs(pdf: pikepdf.Pdf) -> dict[str, frozenset[str]]:
    """For each font (by its PostScript name, subset tag included): the characters its text
    maps to glyphs that its embedded font program does not have, so a reader sees the
    missing-glyph box (.notdef) instead. WeasyPrint gives such characters glyph ids beyond
    the font's last glyph; other producers use glyph 0. Only embedded composite fonts
    (Type0, as WeasyPrint and LibreOffice write them) are checked."""
    missing: dict[str, set[str]] = {}
    for font in _fonts(pdf):
        chars = _font_missing(font)
        if chars:
            missing.setdefault(str(font.BaseFont).lstrip("/"), set()).update(chars)
    return {name: frozenset(chars) for name, chars in missing.items()}


def _fonts(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Every font the pages (and the form XObjects they draw) use, once."""
    seen: set[tuple[int, int]] = set()

    def of(resources: object) -> Iterator[pikepdf.Dictionary]:
        if not isinstance(resources, pikepdf.Dictionary):
            return
        for font in resources.get("/Font", pikepdf.Dictionary()).values():
            if isinstance(font, pikepdf.Dictionary) and font.objgen not in seen:
                seen.add(font.objgen)
                yield font
        for xobject in resources.get("/XObject", pikepdf.Dictionary()).values():
            if xobject.get("/Subtype") == pikepdf.Name.Form and xobject.objgen not in seen:
                seen.add(xobject.objgen)
                yield from of(xobject.get("/Resources"))

    for page in pdf.pages:
        yield from of(page.obj.get("/Resources"))


def _font_missing(font: pikepdf.Dictionary) -> set[str]:
    codes = font_codes(font)
    if codes is None:
        return set()
    return {c for code in codes.missing for c in codes.text.get(code, "") if not c.isspace()}


@dataclass(frozen=True)
class FontCodes:
    """What each character code of an embedded composite font (two bytes a code) draws."""

    text: dict[int, str]
    """Its ToUnicode map: code -> the text the writer says the glyph stands for."""
    missing: frozenset[int]
    """Codes that draw the missing-glyph box: glyph 0, or past the font program's last."""
    nominal: dict[int, str]
    """Code -> the characters the embedded font's own character map sends to its glyph."""
    glyphs: dict[int, int]
    """Code -> the glyph id it draws in the embedded font program (codes of its text map)."""
    postscript_name: str | None
    """The font program's PostScript name (without the subset tag): the installed font it was
    cut from (`installed_font`)."""
    program: bytes = b""
    """The embedded font program (TrueType or OpenType; empty for CFF)."""


def font_codes(font: pikepdf.Dictionary) -> FontCodes | None:
    """The codes of an embedded composite font (Type0, as WeasyPrint and LibreOffice write
    them), or None for any other font or one whose encoding or program cannot be read."""
    if font.get("/Subtype") != pikepdf.Name.Type0 or "/ToUnicode" not in font:
        return None
    cid_font = font.DescendantFonts[0]
    descriptor = cid_font.get("/FontDescriptor")
    program = _program(descriptor) if isinstance(descriptor, pikepdf.Dictionary) else None
    to_cid = _encoding(font.get("/Encoding"))
    if program is None or to_cid is None:
        return None
    glyphs, by_glyph, name, data = program
    to_gid = cid_font.get("/CIDToGIDMap", pikepdf.Name.Identity)
    gids = None if isinstance(to_gid, pikepdf.Name) else to_gid.read_bytes()
    text = to_unicode(font.ToUnicode.read_bytes())
    missing, nominal, drawn = set(), {}, {}
    for code in text:
        cid = to_cid(code)
        gid = cid if gids is None else int.from_bytes(gids[cid * 2 : cid * 2 + 2] or b"\0\0", "big")
        drawn[code] = gid
        if gid == 0 or gid >= glyphs:
            missing.add(code)
        elif gid in by_glyph:
            nominal[code] = by_glyph[gid]
    return FontCodes(text, frozenset(missing), nominal, drawn, name, data)


def _encoding(encoding: object) -> Callable[[int], int] | None:
    """A composite font's encoding, character code -> CID: Identity-H or -V, or a CMap in the
    file (PDF 32000-1, 9.7.5), where a code it does not map draws CID 0, the missing-glyph
    box (WeasyPrint sends a character its font lacks there). None for a predefined CMap by
    name, or one built on another (usecmap): not read."""
    if isinstance(encoding, pikepdf.Name):
        return (lambda code: code) if encoding in ("/Identity-H", "/Identity-V") else None
    if not isinstance(encoding, pikepdf.Stream):
        return None
    text = encoding.read_bytes().decode("latin-1")
    if "usecmap" in text:
        return None
    chars = {
        _number(code): int(cid)
        for block in _CIDCHAR.findall(text)
        for code, cid in _CID_CHAR.findall(block)
    }
    ranges = [
        (_number(low), _number(high), int(cid))
        for block in _CIDRANGE.findall(text)
        for low, high, cid in _CID_RANGE.findall(block)
    ]

    def cid_of(code: int) -> int:
        if code in chars:
            return chars[code]
        return next((cid + code - low for low, high, cid in ranges if low <= code <= high), 0)

    return cid_of


def _program(
    descriptor: pikepdf.Dictionary,
) -> tuple[int, dict[int, str], str | None, bytes] | None:
    """How many glyphs the embedded font program has, the characters its character map sends
    to each glyph, its PostScript name and the program itself (empty for CFF); None if it is
    not embedded or not TrueType, OpenType or CFF."""
    try:
        if "/FontFile2" in descriptor:
            data = descriptor.FontFile2.read_bytes()
        elif "/FontFile3" in descriptor:
            data = descriptor.FontFile3.read_bytes()
            if descriptor.FontFile3.get("/Subtype") != pikepdf.Name.OpenType:
                cff = CFFFontSet()
                cff.decompile(io.BytesIO(data), None)
                return len(cff[cff.fontNames[0]].charset), {}, None, b""
        else:
            return None
        program = TTFont(io.BytesIO(data), lazy=True)
        by_glyph: dict[int, str] = {}
        if "cmap" in program:
            order = program.getGlyphOrder()
            ids = {name: gid for gid, name in enumerate(order)}
            for code, name in sorted((program.getBestCmap() or {}).items()):
                if name in ids:
                    by_glyph[ids[name]] = by_glyph.get(ids[name], "") + chr(code)
        return int(program["maxp"].numGlyphs), by_glyph, _postscript_name(program), data
    except (TTLibError, KeyError, IndexError, ValueError, AssertionError):
        return None


def program_postscript_name(data: bytes) -> str | None:
    """The PostScript name of an embedded TrueType or OpenType font program."""
    try:
        return _postscript_name(TTFont(io.BytesIO(data), lazy=True))
    except (TTLibError, KeyError, ValueError, AssertionError):
        return None


def _postscript_name(program: TTFont) -> str | None:
    if "name" not in program:
        return None
    record = program["name"].getName(6, 3, 1) or program["name"].getName(6, 1, 0)
    return record.toUnicode().split("+")[-1] if record else None


@functools.cache
def installed_font(postscript_name: str | None) -> tuple[Path, int] | None:
    """The installed font file (and its index in a collection) of that PostScript name, as
    fontconfig finds it: the font a subset in a PDF the pipeline wrote was cut from."""
    if not postscript_name:
        return None
    listed = tools.run(
        "fc-list", ["--format", r"%{file}\t%{index}\n", f":postscriptname={postscript_name}"]
    )
    found = listed.decode("utf-8").split("\n")[0]
    if "\t" not in found:
        return None
    file, index = found.split("\t")
    return Path(file), int(index)


_HEX = r"<([0-9A-Fa-f\s]*)>"
_CIDCHAR = re.compile(r"begincidchar(.*?)endcidchar", re.S)
_CIDRANGE = re.compile(r"begincidrange(.*?)endcidrange", re.S)
_CID_CHAR = re.compile(rf"{_HEX}\s*(\d+)")
_CID_RANGE = re.compile(rf"{_HEX}\s*{_HEX}\s*(\d+)")
_BFCHAR = re.compile(r"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(r"beginbfrange(.*?)endbfrange", re.S)
_PAIR = re.compile(rf"{_HEX}\s*{_HEX}")
_RANGE = re.compile(rf"{_HEX}\s*{_HEX}\s*(?:{_HEX}|\[((?:\s*<[0-9A-Fa-f\s]*>)*)\s*\])")


def to_unicode(cmap: bytes) -> dict[int, str]:
    """A ToUnicode CMap (PDF 32000-1, 9.10.3): character code -> text. Neither PDFium nor
    pikepdf gives a font's map, and its syntax is this small."""
    text = cmap.decode("latin-1")
    codes: dict[int, str] = {}
    for block in _BFCHAR.findall(text):
        for source, target in _PAIR.findall(block):
            codes[_number(source)] = _utf16(target)
    for block in _BFRANGE.findall(text):
        for low, high, target, targets in _RANGE.findall(block):
            first, last = _number(low), _number(high)
            if targets:
                items = re.findall(_HEX, targets)[: last - first + 1]
                for code, item in zip(range(first, first + len(items)), items, strict=True):
                    codes[code] = _utf16(item)
            else:
                start = bytearray(bytes.fromhex(_clean(target)))
                for offset in range(last - first + 1):
                    value = int.from_bytes(start, "big") + offset
                    codes[first + offset] = _utf16(value.to_bytes(len(start), "big").hex())
    return codes


def _clean(digits: str) -> str:
    digits = re.sub(r"\s", "", digits)
    return digits + "0" * (len(digits) % 2)


def _number(digits: str) -> int:
    return int(_clean(digits) or "0", 16)


def _utf16(digits: str) -> str:
    return bytes.fromhex(_clean(digits)).decode("utf-16-be", errors="replace")
