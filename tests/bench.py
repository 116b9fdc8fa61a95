"""`invoke bench`: how fast a build is, as figures and ratios against targets (not pass/fail).

Every figure is the median of several runs of a real command in a fresh process (what a
writer waits for), and runs that are compared alternate, so a busy machine slows both alike:
1. a cold build of the article, against the naive peer (three pandoc calls: standalone HTML,
   DOCX, and PDF through WeasyPrint);
2. a no-op rebuild, against invoke's own start-up (a tasks.py with one empty task);
3. a one-paragraph edit in one document of an 8-document library, against that library cold;
4. a 50-document library at 1 worker and at all cores;
5. the peak memory of a build: the resident memory of its whole process tree (invoke, the
   build and its workers), summed, sampled from /proc as it runs (and the proportional
   memory, which counts the pages they share once), in one more, untimed, run of each;
and then, in this process, where the time of one build goes: each format's render, read-back
(extraction, per page for PDFs) and check, and the check of a 200- and a 2,000-row table.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pypdfium2

from pipeline import extract
from pipeline.brand import load_brand
from pipeline.checks import verify
from pipeline.formats import FORMATS, render_alone
from pipeline.source import load
from tests.leaflet import leaflet, render, section, table

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "source" / "ddd-stem-cell-therapy.md"
EMPTY_TASKS = "from invoke import task\n\n\n@task\ndef nothing(c):\n    pass\n"


PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE = 0.1
"""Seconds between two samples of a build's memory (its peaks last longer)."""
peaks: dict[str, tuple[int, int]] = {}
"""The most memory each kind of build held at once, over all its runs: resident (RSS) and
proportional (PSS) bytes, each summed over its processes."""


def run(command: list[str], cwd: Path, memory: str = "") -> float:
    """Seconds a command takes; it must succeed. With `memory`, the peak memory of its
    process tree goes into `peaks[memory]`: in a run of its own, after the timed ones, as
    reading /proc ten times a second takes CPU from the build it measures."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    start = time.perf_counter()
    rss = pss = 0
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=out, text=True, env=env)
        while process.poll() is None:
            if memory:
                now = tree_memory(process.pid)
                rss, pss = max(rss, now[0]), max(pss, now[1])
            time.sleep(SAMPLE)
        seconds = time.perf_counter() - start
        if process.returncode != 0:
            out.seek(0)
            sys.exit(f"{' '.join(command)} failed:\n{out.read()}")
    if memory:
        before = peaks.get(memory, (0, 0))
        peaks[memory] = (max(before[0], rss), max(before[1], pss))
    return seconds


def tree_memory(root: int) -> tuple[int, int]:
    """Bytes in memory now for a process and all its descendants, summed: resident (RSS,
    which counts the pages they share once in each) and proportional (PSS, which shares
    them out)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):  # gone while we looked
            parent = int(stat.read_text().rpartition(")")[2].split()[1])
            children.setdefault(parent, []).append(int(stat.parent.name))
    rss = pss = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        with contextlib.suppress(OSError, IndexError, ValueError):
            rss += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            pss += int(rollup.split("\nPss:")[1].split()[0]) * 1024
    return rss, pss


def library(folder: Path, count: int) -> Path:
    """A project of `count` copies of the article, each with its own id."""
    (folder / "source").mkdir(parents=True)
    shutil.copytree(ROOT / "styles", folder / "styles")
    shutil.copyfile(ROOT / "tasks.py", folder / "tasks.py")
    text = ARTICLE.read_text(encoding="utf-8")
    for n in range(count):
        doc_id = "ddd-stem-cell-therapy" if count == 1 else f"leaflet-{n:03d}"
        copy = text.replace("id: ddd-stem-cell-therapy", f"id: {doc_id}")
        (folder / "source" / f"{doc_id}.md").write_text(copy, encoding="utf-8")
    return folder


def invoke(*args: str) -> list[str]:
    return [sys.executable, "-m", "invoke", *args]


def medians(runs: dict[str, Callable[[], float]], repeats: int) -> dict[str, float]:
    """Each run `repeats` times, the runs alternating; the median of each."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, action in runs.items():
            times[name].append(action())
    return {name: statistics.median(values) for name, values in times.items()}


def row(
    label: str, seconds: float | None = None, ratio: float | None = None, target: str = ""
) -> None:
    shown = f"{seconds:8.2f} s" if seconds is not None else ""
    times = f"{ratio:6.2f}x" if ratio is not None else ""
    print(f"| {label:<46} | {shown:>10} | {times:>7} | {target:<24} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--library", type=int, default=50, help="documents in the large library")
    options = parser.parse_args()
    env_note = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        work = Path(scratch)
        one = library(work / "one", 1)
        peer = work / "peer"
        peer.mkdir()
        pandoc = _pandoc()
        (work / "empty").mkdir()
        (work / "empty" / "tasks.py").write_text(EMPTY_TASKS)

        def cold(memory: str = "") -> float:
            shutil.rmtree(one / "output", ignore_errors=True)
            return run(invoke("build"), one, memory)

        def naive() -> float:
            return run(["sh", "-c", " && ".join(_peer_commands(pandoc, ARTICLE, peer))], peer)

        print(f"Benchmarks ({env_note}; medians of {options.repeats} runs)\n")
        print(f"| {'what':<46} | {'time':>10} | {'ratio':>7} | {'target':<24} |")
        print(f"|{'-' * 48}|{'-' * 12}|{'-' * 9}|{'-' * 26}|")
        first = medians({"cold": cold, "naive": naive}, options.repeats)
        row(
            "1. cold build of the article (6 outputs)",
            first["cold"],
            first["cold"] / first["naive"],
            "<= 1.5x peer",
        )
        row("   naive peer (3 pandoc calls)", first["naive"])

        cold("the article, cold")
        second = medians(
            {
                "noop": lambda: run(invoke("build"), one),
                "start": lambda: run(invoke("nothing"), work / "empty"),
            },
            options.repeats,
        )
        limit = max(0.1 * first["cold"], 3 * second["start"])
        noop = second["noop"]
        row("2. no-op rebuild, against the cold build", noop, noop / first["cold"], "<= 0.1x")
        row("   against invoke's start-up", None, noop / second["start"], "<= 3x")
        row("   invoke start-up (one empty task)", second["start"])
        row("   the larger limit of the two", limit, target="no-op <= this")

        eight = library(work / "eight", 8)
        source = eight / "source" / "leaflet-003.md"
        original = source.read_text(encoding="utf-8")
        edits = iter(range(10_000))

        def eight_cold(memory: str = "") -> float:
            shutil.rmtree(eight / "output", ignore_errors=True)
            return run(invoke("build"), eight, memory)

        def one_edit() -> float:
            run(invoke("build"), eight)  # up to date first (not timed in the figure below)
            source.write_text(
                original.replace("Stem cells are", f"Stem cells (edit {next(edits)}) are", 1)
            )
            return run(invoke("build"), eight)

        third = medians({"edit": one_edit, "cold": eight_cold}, options.repeats)
        edit = third["edit"]
        row("3. one edit in an 8-document library", edit, edit / third["cold"], "<= 0.25x cold")
        row("   the 8-document library, cold", third["cold"])
        eight_cold("the 8-document library, cold")

        big = library(work / "big", options.library)

        def big_build(jobs: int, memory: str = "") -> float:
            shutil.rmtree(big / "output", ignore_errors=True)
            return run(invoke("build", "--jobs", str(jobs)), big, memory)

        fourth = medians(
            {"one": lambda: big_build(1), "all": lambda: big_build(0)}, options.repeats
        )
        row(f"4. {options.library}-document library, 1 worker", fourth["one"])
        row(f"   {options.library}-document library, {os.cpu_count()} workers", fourth["all"])
        speed_up = fourth["one"] / fourth["all"]
        row("   speed-up", None, speed_up, ">= 1.7x at 2 cores")
        big_build(0, f"the {options.library}-document library, {os.cpu_count()} workers")
    row("5. peak memory of a build (RSS, all processes)")
    for kind, (rss, pss) in peaks.items():
        shown, target = f"{rss / 1e6:7.0f} MB", f"<= 400 MB (PSS {pss / 1e6:.0f} MB)"
        print(f"|    {kind:<43} | {shown:>10} | {rss / 400e6:6.2f}x | {target:<24} |")
    where_the_time_goes()


T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[T, float]:
    """What `action` returns, and how many seconds it took."""
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def where_the_time_goes() -> None:
    """Each format of the article rendered, read back and checked, in this process."""
    print("\nWhere the time goes (one process, the article):\n")
    brand = load_brand(ROOT / "styles")
    doc, load_seconds = timed(lambda: load(ARTICLE, ROOT))
    print(f"load + validate   {load_seconds * 1000:8.0f} ms")
    for reader in extract.READERS.values():
        importlib.import_module(reader.module)  # before timing: an import is not extraction
    with tempfile.TemporaryDirectory() as scratch:
        for kind, fmt in FORMATS.items():
            out = Path(scratch) / kind
            out.mkdir()
            seen = brand.only(fmt.brand_tables)
            path, seconds = timed(functools.partial(render_alone, kind, doc, seen, out))
            found, extract_seconds = timed(functools.partial(extract.read, path))
            _, check_seconds = timed(
                functools.partial(verify.check, doc, kind, fmt.verified, found.text, found.hidden)
            )
            print(
                f"{kind:17s} {seconds * 1000:8.0f} ms render, {extract_seconds * 1000:6.0f} ms "
                f"extract{_per_page(path, extract_seconds)}, {check_seconds * 1000:5.0f} ms check, "
                f"{path.stat().st_size / 1024:7.0f} KiB"
            )
            if path.suffix == ".html":
                _, strict_seconds = timed(
                    functools.partial(extract.read, path, html_reading="browser")
                )
                print(f"{'':17s} {'':8s}    {strict_seconds * 1000:9.0f} ms extract (strict)")
        _table_figures(Path(scratch))


def _per_page(path: Path, seconds: float) -> str:
    """The extraction time per page of a PDF, as a suffix."""
    if path.suffix != ".pdf":
        return ""
    pages = len(pypdfium2.PdfDocument(path))
    return f" ({seconds * 1000 / pages:.1f} ms/page of {pages})"


def _table_figures(scratch: Path) -> None:
    """How long verification takes for a table of 200 and of 2,000 rows, each cell of its
    last column a short, repeated "Yes" or "No" (200 rows took 4.2 s per output, and 2,000 with
    one row missing 18 s, when the matcher was quadratic)."""
    for size, kinds in ((200, ("html", "accessible_pdf")), (2000, ("html",))):
        rows = [[f"Row {n}", f"{n % 7 + 1} mg", "Yes" if n % 3 else "No"] for n in range(size)]
        folder = scratch / f"table-{size}"
        doc = leaflet(folder, section("doses", table(rows, ["Row", "Dose", "Taken"])))
        for kind in kinds:
            found = extract.read(render(doc, kind, folder))
            gaps, seconds = timed(functools.partial(verify.check, doc, kind, "full", found.text))
            lost = found.text.replace(f"Row {size // 2}\n", "", 1)
            _, failing = timed(functools.partial(verify.check, doc, kind, "full", lost))
            print(
                f"{size}-row table{'':>{6 - len(str(size))}}{seconds * 1000:8.1f} ms check "
                f"({kind}, {len(gaps)} gaps), {failing * 1000:.0f} ms with a row missing"
            )


def _pandoc() -> str:
    import pypandoc

    return str(pypandoc.get_pandoc_path())


def _peer_commands(pandoc: str, source: Path, out: Path) -> list[str]:
    """What a team without this pipeline would run: pandoc three times."""
    return [
        f"{pandoc} {source} -s -o {out / 'page.html'}",
        f"{pandoc} {source} -o {out / 'leaflet.docx'}",
        f"{pandoc} {source} --pdf-engine=weasyprint -o {out / 'leaflet.pdf'}",
    ]


if __name__ == "__main__":
    main()
