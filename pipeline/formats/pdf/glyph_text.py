"""Every glyph of a PDF's fonts names the characters it is drawn for, in its font's
ToUnicode map; and every claimed text is given in the form each reader needs
(`complete`, which the PDF formats call on every PDF they write).

WeasyPrint gives a glyph the text of the first cluster it drew it in, all of it to one glyph
of the cluster: the others (a reph, a subscript consonant, a vowel sign's contextual form, an
Arabic letter's joined form drawn with a mark) get an empty entry, and keep it wherever else
they are drawn. Such a glyph is not in its font's character map either (it is made by the
font's substitutions), so nothing in the file said what it stands for, and the check that a
span's claimed text is drawn (pipeline/extract/pdf_claims.py) could not count it. This fills
each empty entry with the characters the font's own substitution tables (GSUB) make the
glyph from, read from the installed font the subset was cut from (found by its PostScript
name); an entry WeasyPrint filled, and a glyph the font makes from nothing it maps, are
left as they are.
"""

from __future__ import annotations

import functools
import unicodedata
from collections import defaultdict
from pathlib import Path

import pikepdf
from fontTools.ttLib import TTFont

from pipeline.extract.pdf_fonts import installed_font, program_postscript_name, to_unicode
from pipeline.formats.pdf import logical_text


def complete(pdf: pikepdf.Pdf) -> None:
    """Complete the text layer of a PDF the pipeline wrote: fill the empty ToUnicode entries
    of every embedded composite font, then give each reader its text for each run of logical
    text (logical_text.for_readers: PDFium decides by those entries how it reads a span)."""
    _fill(pdf)
    logical_text.for_readers(pdf)


def _fill(pdf: pikepdf.Pdf) -> None:
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        for font in page.Resources.get("/Font", pikepdf.Dictionary()).values():
            if not isinstance(font, pikepdf.Dictionary) or font.objgen in seen:
                continue
            if font.get("/Subtype") != pikepdf.Name.Type0:
                continue
            seen.add(font.objgen)
            _complete_font(pdf, font)


def _complete_font(pdf: pikepdf.Pdf, font: pikepdf.Dictionary) -> None:
    if "/ToUnicode" not in font or font.get("/Encoding") != pikepdf.Name("/Identity-H"):
        return
    texts = to_unicode(font.ToUnicode.read_bytes())
    empty = {code for code, text in texts.items() if not text}
    descriptor = font.DescendantFonts[0].get("/FontDescriptor", pikepdf.Dictionary())
    if not empty or "/FontFile2" not in descriptor:
        return
    source = installed_font(program_postscript_name(descriptor.FontFile2.read_bytes()))
    if source is None:
        return
    made = made_from(*source)
    filled = {code: made[code] for code in empty if made.get(code)}  # Identity: code = glyph
    if filled:
        texts.update(filled)
        font.ToUnicode = pdf.make_stream(_cmap(texts))


@functools.cache
def made_from(file: Path, index: int) -> dict[int, str]:
    """Glyph id -> the characters the font's substitutions make the glyph from (its own
    character when its character map has one; the shortest way otherwise)."""
    with TTFont(file, fontNumber=index, lazy=True) as font:
        order = font.getGlyphOrder()
        nominal: dict[str, str] = {}
        for code, name in sorted(font.getBestCmap().items()):
            nominal.setdefault(name, chr(code))
        sources = _sources(font)
    cache: dict[str, str | None] = {}

    def text(name: str, path: frozenset[str]) -> str | None:
        if name in nominal:
            return nominal[name]
        if name in cache:
            return cache[name]
        found = None
        for inputs in sources.get(name, ()):
            if any(part in path for part in inputs):
                continue
            parts = [text(part, path | {name}) for part in inputs]
            if all(part is not None for part in parts):
                candidate = "".join(part for part in parts if part is not None)
                if found is None or len(candidate) < len(found):
                    found = candidate
        cache[name] = found
        return found

    # NFKC: a joined Arabic form the character map names by its presentation form (U+FExx)
    # stands for its letter.
    made = {gid: text(name, frozenset()) for gid, name in enumerate(order)}
    return {gid: unicodedata.normalize("NFKC", chars) for gid, chars in made.items() if chars}


def _sources(font: TTFont) -> dict[str, list[tuple[str, ...]]]:
    """Glyph name -> each sequence of glyphs a substitution makes it from: single, multiple
    (each glyph of the output comes from the whole input), alternate, ligature and reverse
    chaining substitutions; contextual lookups only call these."""
    sources: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    if "GSUB" not in font or font["GSUB"].table.LookupList is None:
        return sources
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for table in lookup.SubTable:
            kind = table.LookupType
            if kind == 7:
                table, kind = table.ExtSubTable, table.ExtSubTable.LookupType
            if kind == 1:
                for before, after in table.mapping.items():
                    sources[after].append((before,))
            elif kind in (2, 3):
                outputs = table.mapping if kind == 2 else table.alternates
                for before, afters in outputs.items():
                    for after in afters:
                        sources[after].append((before,))
            elif kind == 4:
                for first, ligatures in table.ligatures.items():
                    for ligature in ligatures:
                        sources[ligature.LigGlyph].append((first, *ligature.Component))
            elif kind == 8:
                for before, after in zip(table.Coverage.glyphs, table.Substitute, strict=False):
                    sources[after].append((before,))
    return sources


def _cmap(texts: dict[int, str]) -> bytes:
    """A ToUnicode CMap (two-byte codes) mapping each code to its text."""
    entries = sorted(texts.items())
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <ffff>",
        "endcodespacerange",
    ]
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{code:04x}> <{text.encode('utf-16-be').hex()}>" for code, text in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CIDInit /ProcSet findresource pop end end"]
    return "\n".join(lines).encode("ascii")
