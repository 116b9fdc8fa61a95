"""`invoke bench`: how long a build takes and how much memory it needs, as figures and ratios.

Not a test: nothing here passes or fails; it prints what it measured."""

from __future__ import annotations

import importlib
import resource
import sys
import tempfile
import time
from pathlib import Path

import pypdfium2

from pipeline import extract
from pipeline.brand import load_brand
from pipeline.build import Project, build
from pipeline.checks import verify
from pipeline.formats import FORMATS
from pipeline.source import load
from tests.leaflet import leaflet, render, section, table

ROOT = Path(__file__).resolve().parent.parent


def timed(action):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def main() -> None:
    sources = sorted((ROOT / "source").glob("*.md"))
    brand = load_brand(ROOT / "styles")
    docs, load_seconds = timed(lambda: [load(path, ROOT) for path in sources])
    print(f"load + validate   {load_seconds * 1000:8.0f} ms  ({len(docs)} documents)")

    for reader in extract.READERS.values():
        importlib.import_module(reader)  # before timing: an import is not extraction
    per_format = {}
    with tempfile.TemporaryDirectory() as scratch:
        for kind, fmt in FORMATS.items():
            out = Path(scratch) / kind
            out.mkdir()
            path, seconds = timed(lambda fmt=fmt, out=out: fmt.render(docs[0], brand, out))
            found, extract_seconds = timed(lambda path=path: extract.read(path))
            _, check_seconds = timed(
                lambda kind=kind, fmt=fmt, found=found: verify.check(
                    docs[0], kind, fmt.scope, found.text, found.hidden
                )
            )
            per_format[kind] = seconds
            size = path.stat().st_size / 1024
            print(
                f"{kind:17s} {seconds * 1000:8.0f} ms render, {extract_seconds * 1000:6.0f} ms "
                f"extract{_per_page(path, extract_seconds)}, {check_seconds * 1000:5.0f} ms check, "
                f"{size:7.0f} KiB"
            )
            if path.suffix == ".html":
                _, strict_seconds = timed(lambda path=path: extract.read(path, strict=True))
                print(f"{'':17s} {'':8s}    {strict_seconds * 1000:9.0f} ms extract (strict)")
        _table_figures(Path(scratch))
        sequential = sum(per_format.values())
        for jobs in (1, 0):
            output = Path(scratch) / f"build-{jobs}"
            report, seconds = timed(
                lambda output=output, jobs=jobs: build(Project.at(ROOT, output), jobs=jobs)
            )
            label = "build, 1 process " if jobs == 1 else "build, parallel  "
            status = "failed" if report.failed else "verified"
            print(f"{label} {seconds * 1000:8.0f} ms  ({status})")
            if jobs == 1:
                serial_build = seconds
            else:
                print(f"parallel speed-up {serial_build / seconds:8.2f} x")
        print(f"render total      {sequential * 1000:8.0f} ms (sum of formats, one process)")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory       {own:8.0f} MiB (this process), {children:.0f} MiB (largest worker)")


def _per_page(path: Path, seconds: float) -> str:
    """The extraction time per page of a PDF, as a suffix."""
    if path.suffix != ".pdf":
        return ""
    pages = len(pypdfium2.PdfDocument(path))
    return f" ({seconds * 1000 / pages:.1f} ms/page of {pages})"


def _table_figures(scratch: Path) -> None:
    """How long verification takes for a 200-row table (issue 10: 4.2 s per output)."""
    rows = [[f"Row {n}", f"{n % 7 + 1} mg", "Yes" if n % 3 else "No"] for n in range(200)]
    doc = leaflet(scratch / "table", section("doses", table(rows, ["Row", "Dose", "Taken"])))
    for kind in ("html", "accessible_pdf"):
        found = extract.read(render(doc, kind, scratch / "table"))
        gaps, seconds = timed(
            lambda found=found, kind=kind: verify.check(doc, kind, "full", found.text)
        )
        lost = found.text.replace("Row 100\n", "", 1)
        _, failing = timed(lambda lost=lost, kind=kind: verify.check(doc, kind, "full", lost))
        print(
            f"200-row table     {seconds * 1000:8.1f} ms check ({kind}, {len(gaps)} gaps), "
            f"{failing * 1000:.0f} ms with a row missing"
        )


if __name__ == "__main__":
    sys.exit(main())
