"""Every character a document prints has a glyph: in the brand family or in one of the
fallback families styles/brand.toml declares. A character none of them draws would print as
an empty box (glyph 0, `.notdef`) while the PDF's text layer still carries it, so the build
stops first and says which character, where, and what to install.

Font files are found through fontconfig (`fc-list`), the same way WeasyPrint finds them; their
character maps are read with fontTools. Emoji are refused: see `EMOJI_BLOCKS`.
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import tempfile
import unicodedata
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pipeline import tools
from pipeline.brand import Brand
from pipeline.model import Block, Disclaimer, Document, Section
from pipeline.problems import Problem
from pipeline.text import nodes

LIST_MARKERS = "\u2022\u25e6\u25aa"
"""disc, circle, square: the bullets browsers and WeasyPrint draw for lists three deep."""
QUOTES = "\u2018\u2019\u201c\u201d"
"""Curly quotes: pandoc draws a quoted span with them."""
EMOJI_BLOCKS = {
    "Emoticons",
    "Miscellaneous Symbols and Pictographs",
    "Supplemental Symbols and Pictographs",
    "Symbols and Pictographs Extended-A",
    "Transport and Map Symbols",
    "Enclosed Alphanumeric Supplement",
    "Playing Cards",
    "Mahjong Tiles",
    "Domino Tiles",
}
"""Where emoji live. They are refused, not drawn: the print PDF is CMYK (PDF/X-4), and the
only emoji font Debian has, fonts-noto-color-emoji, is a colour bitmap (sRGB pixels); a
monochrome outline font with today's emoji does not exist there. An emoji also reads
differently on every screen; words say the same thing the same way everywhere."""
UNSEEN = {"Cc", "Cf", "Zl", "Zp"}
"""Control and format characters (joiners, direction marks, soft hyphens): never drawn."""


@dataclass(frozen=True)
class Face:
    family: str
    file: Path
    index: int
    """The face's number inside a font collection (.ttc); 0 for a single font file."""

    def covers(self, char: str) -> bool:
        cmap = _cmap(self.file, self.index)
        return ord(char) in cmap or _decomposes_into(char, cmap)


def missing_glyphs(doc: Document, brand: Brand, source: Path) -> list[Problem]:
    """A problem for each character of `doc` (loaded from `source`) and of the text the
    pipeline adds around it that no brand or fallback face draws, and for each fallback
    family that is not installed. Empty when every character will be drawn."""
    tokens = brand.path("brand.toml")
    problems = [
        Problem(
            _shown(brand, tokens),
            _line_of(_lines(tokens), f'"{family}"'),
            f'the fallback font family "{family}" is not installed; run `invoke setup` '
            "(it installs the Debian packages of tasks.py BUILD_PACKAGES)",
        )
        for family in _absent_families(brand)
    ]
    places = _places(doc, source, brand.styles_dir.parent) + _pipeline_places(brand)
    wanted = {char for char in set().union(*(place.text for place in places)) if _drawn(char)}
    missing = _uncovered(wanted, brand)
    # In reading order, one problem per kind of character (a script, emoji, private use).
    in_order = list(dict.fromkeys(c for place in places for c in place.text if c in missing))
    groups: dict[str, list[str]] = {}
    for char in in_order:
        groups.setdefault(_hint(char), []).append(char)
    for hint, chars in groups.items():
        shown, lines = _where(chars[0], places)
        also = f" (also on line {', '.join(map(str, lines[1:11]))})" if lines[1:] else ""
        problems.append(Problem(shown, lines[0], f"{_describe(chars)}{also}: {hint}"))
    return problems


SYSTEM_FONTCONFIG = Path("/etc/fonts/fonts.conf")


def refuse_faces(brand: Brand) -> None:
    """Have fontconfig never use the faces `[fonts] refused-faces` names (by PostScript name),
    in this process and in those it starts: WeasyPrint, Chromium, LibreOffice and `fc-list`
    all read the configuration FONTCONFIG_FILE names, here the machine's own and a rule that
    rejects them. A face whose file says a wrong weight would otherwise be picked for text it
    is not drawn for (Debian's Noto Nastaliq Urdu Bold says it is regular, and fontconfig
    prefers it). Called before fontconfig is first asked (here and in weasy.fonts), so that
    every answer in a process is the same; once is enough."""
    names = [str(name) for name in brand.fonts.get("refused-faces", [])]
    if not names or os.environ.get("PIPELINE_REFUSED_FACES") == ",".join(names):
        return
    machine = os.environ.get("FONTCONFIG_FILE", str(SYSTEM_FONTCONFIG))
    patterns = "".join(
        f"<pattern><patelt name='postscriptname'><string>{escape(name)}</string></patelt></pattern>"
        for name in names
    )
    config = (
        "<?xml version='1.0'?>\n<!DOCTYPE fontconfig SYSTEM 'urn:fontconfig:fonts.dtd'>\n"
        f"<fontconfig><include ignore_missing='yes'>{escape(machine)}</include>"
        f"<selectfont><rejectfont>{patterns}</rejectfont></selectfont></fontconfig>\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as file:
        file.write(config)
    atexit.register(os.unlink, file.name)
    os.environ["FONTCONFIG_FILE"] = file.name
    os.environ["PIPELINE_REFUSED_FACES"] = ",".join(names)


def family_files(brand: Brand) -> list[Path]:
    """Every font file of the brand's fallback families, as fontconfig finds them (what an
    output's key covers: a font package update redraws the outputs)."""
    refuse_faces(brand)
    wanted = {_key(family) for family in brand.fallback_families}
    files = set()
    for row in _fc_list("--format", r"%{family}\t%{file}\n").splitlines():
        families, file = row.split("\t")
        if any(_key(f.replace("\\", "")) in wanted for f in re.split(r"(?<!\\),", families)):
            files.add(Path(file))
    return sorted(files)


def faces(brand: Brand) -> tuple[Face, ...]:
    """The regular face of the brand family, then of each installed fallback family, in the
    order the CSS font stack tries them."""
    refuse_faces(brand)
    brand_face = Face(brand.fonts["family"], brand.path(brand.fonts["regular"]), 0)
    installed = _installed_faces()
    fallbacks = [installed[key] for key in map(_key, brand.fallback_families) if key in installed]
    return (brand_face, *fallbacks)


# -- coverage -------------------------------------------------------------------------------


@functools.cache
def _cmap(file: Path, index: int) -> Container[int]:
    """The code points a face maps to glyphs, read by HarfBuzz, as a set of its own: a
    set of Python integers from fontTools took 1.5 s and 49 MB of the build process for
    the 26 faces of an English leaflet's fallbacks (Noto Sans CJK maps 44,810)."""
    import uharfbuzz  # here: a build with nothing to do never needs it

    face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(file)), index)
    mapped: Container[int] = face.unicodes
    return mapped


def _decomposes_into(char: str, cmap: Container[int]) -> bool:
    """True when the font has no glyph for an accented letter but has its base letter and
    marks: the text shaper then draws it from those."""
    parts = unicodedata.normalize("NFD", char)
    return len(parts) > 1 and all(ord(part) in cmap for part in parts)


def _uncovered(chars: set[str], brand: Brand) -> set[str]:
    """The characters no face draws. Faces are opened only while some character is left."""
    left = set(chars)
    for face in faces(brand):
        if not left:
            break
        left = {char for char in left if not face.covers(char)}
    return left


def _drawn(char: str) -> bool:
    return unicodedata.category(char) not in UNSEEN and not _is_variation_selector(char)


def _is_variation_selector(char: str) -> bool:
    return unicodedata.name(char, "").startswith("VARIATION SELECTOR")


# -- fontconfig -----------------------------------------------------------------------------


def _key(family: str) -> str:
    """A family name as fontconfig compares it: without case or blanks."""
    return family.casefold().replace(" ", "")


@functools.cache
def _installed_faces() -> dict[str, Face]:
    """The most regular face of each installed family, by `_key`."""
    listing = _fc_list("--format", r"%{family}\t%{file}\t%{index}\t%{weight}\t%{slant}\n")
    best: dict[str, tuple[float, Face]] = {}
    for row in listing.splitlines():
        families, file, index, weight, slant = row.split("\t")
        distance = abs(_number(weight) - 80) + 1000 * _number(slant)  # 80: regular, 0: roman
        for family in re.split(r"(?<!\\),", families):
            family = family.replace("\\", "")
            face = Face(family, Path(file), int(_number(index)))
            if _key(family) not in best or distance < best[_key(family)][0]:
                best[_key(family)] = (distance, face)
    return {key: face for key, (_distance, face) in best.items()}


def _number(value: str) -> float:
    """fontconfig prints a variable font's range as "[40 200]": take its start."""
    return float(value.strip("[]").split()[0] or 0)


def _fc_list(*args: str) -> str:
    return tools.run("fc-list", args).decode("utf-8")


def _absent_families(brand: Brand) -> list[str]:
    refuse_faces(brand)
    installed = _installed_faces()
    return [family for family in brand.fallback_families if _key(family) not in installed]


@functools.cache
def _package_of(file: Path) -> str | None:
    """The Debian package that installed `file`, if dpkg knows it."""
    try:
        found = tools.run("dpkg", ["-S", str(file)]).decode("utf-8", "replace")
    except tools.ToolError:  # no dpkg, or no package has the file
        return None
    return found.split(":")[0]


# -- where the text comes from --------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Text that will be printed, and where it comes from: a file as shown in messages, and
    the line to name when the character does not stand in that file as itself."""

    shown: str
    file: Path
    line: int
    text: str


def _places(doc: Document, source: Path, root: Path) -> list[Place]:
    """The document's text: the title and subtitle, then each section and each disclaimer
    (a shared passage's named in its own file, under `root`)."""
    lines, shown = _lines(source), doc.source_path
    metadata = (doc.title, doc.subtitle or "")
    places = [Place(shown, source, _line_of(lines, text), text) for text in metadata]

    def place(part: Section | Disclaimer, text: str) -> Place:
        if part.passage:  # a shared passage's text: named in its own file
            return Place(part.passage, root / part.passage, part.line, text)
        return Place(shown, source, part.line, text)

    for section in doc.sections:
        blocks = [block for block in section.body if isinstance(block, dict)]
        text = _text([{"t": "Plain", "c": list(section.heading)}, *section.plain, *blocks])
        places.append(place(section, text))
        for disclaimer in section.disclaimers:
            places.append(place(disclaimer, _text([*disclaimer.wording, *disclaimer.plain])))
    return places


def _pipeline_places(brand: Brand) -> list[Place]:
    """Text the pipeline prints around a document: the templates (labels such as "In short"),
    the organisation's wording in brand.toml, quotes and list bullets."""
    places = [
        Place(_shown(brand, path), path, 1, path.read_text(encoding="utf-8"))
        for path in sorted(brand.path("templates").glob("*.j2"))
    ]
    tokens = brand.path("brand.toml")
    shown, lines = _shown(brand, tokens), _lines(tokens)
    for table in ("organisation", "onepager"):
        for value in map(str, brand.tokens.get(table, {}).values()):
            places.append(Place(shown, tokens, _line_of(lines, value), value))
    added = LIST_MARKERS + QUOTES
    places.append(Place(shown, tokens, _line_of(lines, "fallback-families"), added))
    return places


def _shown(brand: Brand, path: Path) -> str:
    """A file of styles/ as messages name it, e.g. "styles/brand.toml"."""
    return path.relative_to(brand.styles_dir.parent).as_posix()


def _text(blocks: Iterable[Block]) -> str:
    """Every character pandoc will print from `blocks` (alt text and footnotes included)."""
    return "\n".join(_node_text(nodes(list(blocks))))


def _node_text(found: Iterator[dict[str, Any]]) -> Iterator[str]:
    for node in found:
        if node["t"] == "Str":
            yield node["c"]
        elif node["t"] in {"Code", "CodeBlock", "Math"}:
            yield node["c"][1]


def _lines(path: Path) -> tuple[str, ...]:
    return tuple(path.read_text(encoding="utf-8").splitlines())


def _line_of(lines: Iterable[str], text: str) -> int:
    return next((n for n, line in enumerate(lines, 1) if text and text in line), 1)


def _where(char: str, places: list[Place]) -> tuple[str, list[int]]:
    """The file `char` first appears in, and its lines there: each line where it stands as
    itself, else the line of the part it belongs to (written as an entity or an escape)."""
    first = next(place for place in places if char in place.text)
    literal = [n for n, line in enumerate(_lines(first.file), 1) if char in line]
    return first.shown, literal or [first.line]


# -- messages -------------------------------------------------------------------------------


def _describe(chars: list[str]) -> str:
    first = chars[0]
    name = unicodedata.name(first, "private use" if _private(first) else "unassigned")
    text = f'"{first}" (U+{ord(first):04X} {name})'
    if not chars[1:]:
        return f"{text} has no glyph in any font of styles/brand.toml"
    text += f" and {len(chars) - 1} more ({' '.join(chars[1:21])})"
    return f"{text} have no glyph in any font of styles/brand.toml"


def _private(char: str) -> bool:
    return unicodedata.category(char) == "Co"


@functools.cache
def _hint(char: str) -> str:
    from fontTools import unicodedata as ucd

    if _private(char):
        return "a private-use character: no standard font has it; type the character you mean"
    if unicodedata.category(char) == "Cn":
        return "not a character of Unicode; delete it"
    if ucd.block(char) in EMOJI_BLOCKS:
        return (
            "emoji are not printed (the brochure is CMYK and Debian's only emoji font, "
            "fonts-noto-color-emoji, is in colour); say it in words, or use a sign the "
            "fonts have, such as ✓ ✗ → •"
        )
    return _install_hint(char)


def _install_hint(char: str) -> str:
    from fontTools import unicodedata as ucd

    add = (
        "add its family to [fonts] fallback-families in styles/brand.toml and its Debian "
        "package to BUILD_PACKAGES in tasks.py"
    )
    script = ucd.script_name(ucd.script(char))
    listing = _fc_list("--format", r"%{family[0]}\t%{file}\n", f":charset={ord(char):x}")
    fonts = [row.split("\t") for row in listing.splitlines()]
    if not fonts:
        return (
            f"no installed font has it: install a font for the {script} script (e.g. "
            f'"Noto Sans {script}", Debian package fonts-noto-core or fonts-noto-extra), then {add}'
        )
    # The script's own Noto Sans first, then any sans-serif, then the rest.
    family, file = min(fonts, key=lambda f: (f[0] != f"Noto Sans {script}", "Sans" not in f[0], f))
    package = _package_of(Path(file))
    return f'{script}: the installed font "{family}" ({package or file}) has it; {add}'
