"""`invoke bench`: how long a build takes and how much memory it needs, as figures and ratios.

Not a test: nothing here passes or fails; it prints what it measured."""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from pipeline import extract
from pipeline.brand import load_brand
from pipeline.build import Project, build
from pipeline.checks import verify
from pipeline.formats import FORMATS
from pipeline.source import load

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

    per_format = {}
    with tempfile.TemporaryDirectory() as scratch:
        for kind, fmt in FORMATS.items():
            out = Path(scratch) / kind
            out.mkdir()
            path, seconds = timed(lambda fmt=fmt, out=out: fmt.render(docs[0], brand, out))
            text, extract_seconds = timed(lambda path=path: extract.text_of(path))
            _, check_seconds = timed(
                lambda kind=kind, fmt=fmt, text=text: verify.check(docs[0], kind, fmt.scope, text)
            )
            per_format[kind] = seconds
            size = path.stat().st_size / 1024
            print(
                f"{kind:17s} {seconds * 1000:8.0f} ms render, {extract_seconds * 1000:6.0f} ms "
                f"extract, {check_seconds * 1000:5.0f} ms check, {size:7.0f} KiB"
            )
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


if __name__ == "__main__":
    sys.exit(main())
