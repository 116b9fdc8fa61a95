"""WeasyPrint, fenced in: it reads only files of the project and never the network, whatever
a source document says."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

import weasyprint
from weasyprint.urls import FatalURLFetchingError, URLFetcher

# The scratch folder a renderer lays out from is a new temporary folder each time, and the
# project can live anywhere; WeasyPrint names images after their URLs and the PDF identifier
# hashes the HTML. So both are fetched under fixed names, and the same source gives the same
# PDF bytes wherever it is built.
SCRATCH = "file:///pipeline-scratch/"
STYLES = "file:///pipeline-styles/"


class ProjectFetcher(URLFetcher):
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


class _Page(weasyprint.HTML):
    """HTML laid out as a browser lays it out: with the HTML standard's presentational
    hints, which WeasyPrint applies only when asked. Without them a list's own numbering
    (`<ol start="4">`, `<ol type="a">`, as pandoc writes a list that starts at 4 or counts
    a, b, c) printed as 1, 2, 3."""

    def render(self, *args: Any, **options: Any) -> Any:
        options["presentational_hints"] = True
        return super().render(*args, **options)


def fenced(
    html: str, base_dir: Path, *allowed: Path, styles: Path | None = None
) -> weasyprint.HTML:
    """`html` for WeasyPrint to lay out: its relative URLs resolve against base_dir, and
    `STYLES` URLs against the styles folder (each under a fixed name); it may read those and
    the `allowed` folders only."""
    fetcher = ProjectFetcher(base_dir, styles, *allowed)
    return _Page(string=html, base_url=SCRATCH, url_fetcher=fetcher)


def write_pdf(
    html: str,
    base_dir: Path,
    target: Path,
    *allowed: Path,
    styles: Path | None = None,
    **options: Any,
) -> Path:
    """Render `html` (see `fenced`) to `target`. The same HTML gives the same bytes: the PDF's
    file identifier is derived from the HTML. (WeasyPrint's own is a hash of the file, which
    for PDF/X-4 includes a random xmpMM:DocumentID; brochure_pdf derives that id from this.)"""
    options.setdefault("pdf_identifier", hashlib.sha256(html.encode()).hexdigest()[:32].encode())
    fenced(html, base_dir, *allowed, styles=styles).write_pdf(target, **options)
    return target
