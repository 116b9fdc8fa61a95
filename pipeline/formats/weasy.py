"""WeasyPrint, fenced in: it reads only files of the project and never the network, whatever
a source document says."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from pipeline.brand import Brand
from pipeline.fonts import refuse_faces
from pipeline.formats.pdf import logical_text

logical_text.install()  # every PDF the pipeline writes says what its complex text reads

# The scratch folder a renderer lays out from is a new temporary folder each time, and the
# project can live anywhere; WeasyPrint names images after their URLs and the PDF identifier
# hashes the HTML. So both are fetched under fixed names, and the same source gives the same
# PDF bytes wherever it is built.
SCRATCH = "file:///pipeline-scratch/"
STYLES = "file:///pipeline-styles/"


class ProjectFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no types
    """Fetches `file:` URLs under the allowed folders (and `data:` URLs); refuses the rest,
    loudly, so the build fails instead of printing a PDF with a hole in it."""

    def __init__(self, scratch: Path, styles: Path | None, *allowed: Path):
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)
        self.folders = {SCRATCH: scratch.resolve()}
        if styles is not None:
            self.folders[STYLES] = styles.resolve()
        self.allowed = (*self.folders.values(), *(folder.resolve() for folder in allowed))

    def fetch(self, url: str, headers: Any = None) -> Any:
        for prefix, folder in self.folders.items():
            if url.startswith(prefix):
                url = (folder / url[len(prefix) :]).as_uri()
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(url2pathname(parsed.path)).resolve()
            if not any(path.is_relative_to(folder) for folder in self.allowed):
                raise FatalURLFetchingError(f"refused to read {path}: not a file of the project")
        elif parsed.scheme != "data":
            raise FatalURLFetchingError(f"refused to fetch {url}: the pipeline works offline")
        return super().fetch(url, headers)


_font_pool: dict[str, FontConfiguration] = {}
"""A per-process resource pool, not a cache of content: the font configuration of the
brand's fonts (see `fonts`)."""
_inherited: list[FontConfiguration] = []


def _leave_the_parents_fonts() -> None:
    """In a forked child: the configuration in `_font_pool` is the parent's, and so is the
    folder its @font-face fonts are written to. It is kept referenced, never collected here:
    collecting it deletes that folder, under the parent."""
    _inherited.extend(_font_pool.values())
    _font_pool.clear()


os.register_at_fork(after_in_child=_leave_the_parents_fonts)


def fonts(brand: Brand) -> FontConfiguration:
    """The process's font configuration for the brand's fonts, shared by every page it lays
    out. A new one for each page cost 25 ms (Fontconfig loads every system font) and kept
    about a quarter of a megabyte each, and each page added the brand's @font-face fonts to
    it again. It is keyed by the fonts' bytes: their URLs are fixed names (see SCRATCH), so
    a font edited under a long-lived preview gets a configuration of its own."""
    digest = hashlib.sha256()
    for path in brand.font_files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    key = digest.hexdigest()
    if key not in _font_pool:
        _font_pool.clear()  # the brand's fonts changed: the old faces are never asked for again
        refuse_faces(brand)
        _font_pool[key] = FontConfiguration()
    return _font_pool[key]


class _Page(weasyprint.HTML):  # type: ignore[misc]  # WeasyPrint has no types
    """HTML laid out as a browser lays it out: with the HTML standard's presentational
    hints, which WeasyPrint applies only when asked. Without them a list's own numbering
    (`<ol start="4">`, `<ol type="a">`, as pandoc writes a list that starts at 4 or counts
    a, b, c) printed as 1, 2, 3. Its fonts are the process's for the brand (see `fonts`)."""

    def __init__(self, brand: Brand, **arguments: Any):
        super().__init__(**arguments)
        self.brand = brand

    def render(
        self, font_config: FontConfiguration | None = None, *args: Any, **options: Any
    ) -> Any:
        options["presentational_hints"] = True
        return super().render(font_config or fonts(self.brand), *args, **options)


def fenced(
    html: str, base_dir: Path, brand: Brand, *allowed: Path, styles: Path | None = None
) -> weasyprint.HTML:
    """`html` for WeasyPrint to lay out in the brand's fonts: its relative URLs resolve
    against base_dir, and `STYLES` URLs against the styles folder (each under a fixed name);
    it may read those and the `allowed` folders only."""
    fetcher = ProjectFetcher(base_dir, styles, *allowed)
    return _Page(brand, string=html, base_url=SCRATCH, url_fetcher=fetcher)


def write_pdf(
    html: str,
    base_dir: Path,
    target: Path,
    brand: Brand,
    *allowed: Path,
    styles: Path | None = None,
    **options: Any,
) -> Path:
    """Render `html` (see `fenced`) to `target`. The same HTML gives the same bytes: the PDF's
    file identifier is derived from the HTML. (WeasyPrint's own is a hash of the file, which
    for PDF/X-4 includes a random xmpMM:DocumentID; brochure_pdf derives that id from this.)"""
    options.setdefault("pdf_identifier", hashlib.sha256(html.encode()).hexdigest()[:32].encode())
    fenced(html, base_dir, brand, *allowed, styles=styles).write_pdf(target, **options)
    return target
