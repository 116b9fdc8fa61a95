"""An output's key: a hash of everything it depends on. An output whose key is unchanged is
not built again.

Its inputs: the source file and every file it references (the images it shows, the shared
passages it includes from styles/passages/, which are in no other key); the brand tables and
the style files its format reads (templates, CSS, fonts, the logo, the ICC profile); the
pipeline's own code; the versions of the libraries it runs on and of the pandoc binary.
Computing a key reads files and package metadata only: no pandoc, no WeasyPrint, so a build
with nothing to do is quick."""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pipeline
from pipeline import tools
from pipeline.brand import Brand
from pipeline.builder.files import sha256
from pipeline.formats import Format
from pipeline.labels import catalogue_files
from pipeline.model import Document, Language
from pipeline.text import images


def document_inputs(doc: Document, root: Path) -> dict[str, dict[str, str]]:
    """What each scope of output reads: the source file, the shared passages it includes, the
    images it shows and the label catalogue of its language, relative to the project (path ->
    sha256). The one-pagers ("plain") show only the images of the plain texts, so a figure in
    the body does not make them stale; a passage is read by both (it holds a part's plain
    text and its full text). A translation's outputs read its own source, never its
    original's."""
    plain = [list(blocks) for _ident, _kind, blocks in doc.plain_parts]
    read = [root / doc.source_path, *(root / passage for passage in doc.passages)]
    labels = catalogue_files(root / "styles", doc.lang)
    return {
        scope: {_relative(path, root): sha256(path) for path in [*read, *images(blocks), *labels]}
        for scope, blocks in (("full", doc.content), ("plain", plain))
    }


def inputs_unchanged(recorded: Mapping[str, Mapping[str, str]], root: Path) -> bool:
    """Do the files a manifest recorded still have the same contents?"""
    try:
        every = {path: digest for scope in recorded.values() for path, digest in scope.items()}
        return bool(every) and all(sha256(root / p) == h for p, h in every.items())
    except (OSError, AttributeError, TypeError):  # gone, or a manifest of an older build
        return False


class StyleFiles:
    """Hashes of the files under styles/, each read once per build, and the fallback fonts
    the system provides (by size and date: package updates change both)."""

    def __init__(self, brand: Brand):
        self.brand = brand
        self._hashes: dict[str, str] = {}
        self._system_fonts: dict[str, str] | None = None

    @property
    def system_fonts(self) -> dict[str, str]:
        if self._system_fonts is None:
            from pipeline.fonts import family_files

            self._system_fonts = {
                str(path): f"{path.stat().st_size}:{path.stat().st_mtime_ns}"
                for path in family_files(self.brand)
            }
        return self._system_fonts

    def matching(self, patterns: Iterable[str]) -> dict[str, str]:
        found = {}
        for pattern in patterns:
            for path in sorted(self.brand.styles_dir.glob(pattern)):
                if path.is_file():
                    name = path.relative_to(self.brand.styles_dir).as_posix()
                    found[name] = self._hashes.get(name) or self._hashes.setdefault(
                        name, sha256(path)
                    )
        return found


def output_key(
    fmt: Format,
    inputs: Mapping[str, Mapping[str, str]],
    brand: Brand,
    styles: StyleFiles,
    languages: Sequence[Language] = (),
) -> str:
    tables = {name: brand.tokens.get(name) for name in fmt.brand_tables}
    extra = {}
    if tables.get("print"):
        path = brand.print_condition.profile
        extra["icc-profile"] = sha256(path) if path.is_file() else "missing"
    if fmt.embeds_fonts:
        extra["fallback-fonts"] = json.dumps(styles.system_fonts, sort_keys=True)
    payload: dict[str, Any] = {
        "format": fmt.name,
        "inputs": dict(inputs.get(fmt.scope) or {}),
        "brand": tables,
        "styles": styles.matching(fmt.styles),
        "files": extra,
        "toolchain": toolchain(),
    }
    if fmt.links_languages and languages:  # a language added or gone: its links change
        payload["languages"] = [(lang.tag, lang.name, lang.folder) for lang in languages]
    encoded = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


@functools.cache
def toolchain() -> str:
    """The pipeline's code, its libraries' versions, and the pandoc binary."""
    digest = hashlib.sha256()
    package = Path(pipeline.__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for name in sorted(_dependencies()):
        try:
            digest.update(f"{name}={importlib.metadata.version(name)}\0".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{name}=missing\0".encode())
    pandoc = tools.pandoc_binary()
    if pandoc is not None:
        stat = pandoc.stat()
        digest.update(f"pandoc={stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _dependencies() -> list[str]:
    """The runtime dependencies the project declares (not the extras)."""
    try:
        requirements = importlib.metadata.requires("pipeline") or []
    except importlib.metadata.PackageNotFoundError:
        return []
    names = []
    for requirement in requirements:
        if "extra ==" in requirement:
            continue
        match = re.match(r"[A-Za-z0-9._-]+", requirement)
        if match:
            names.append(match.group())
    return names


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
