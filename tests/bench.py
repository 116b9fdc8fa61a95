"""`invoke bench`: how fast a build is, as figures and ratios against targets (not pass/fail).

Every figure is the median of several runs of a real command in a fresh process (what a
writer waits for), and runs that are compared alternate, so a busy machine slows both alike:
1. a cold build of the article, against the naive peer (three pandoc calls: standalone HTML,
   DOCX, and PDF through WeasyPrint);
2. a no-op rebuild, against invoke's own start-up (a tasks.py with one empty task);
3. a one-paragraph edit in one document of an 8-document library, against that library cold;
4. a 50-document library at 1 worker and at all cores;
5. the peak memory of the cold builds of 1, 8 and 50 documents (all cores): the resident
   memory of the whole process tree (invoke, the build, its workers, pandoc), summed,
   sampled from /proc ten times a second as they run (a few milliseconds of CPU each time),
   and the proportional memory, which counts the pages they share once;
6. the CPU time of each cold build (the build, its workers and pandoc, user and system): on a
   loaded machine the wall times stretch with the load, the CPU time far less;
and then, in this process, where the time of one build goes: each format's render, read-back
(extraction, per page for PDFs) and check, and the check of a 200- and a 2,000-row table.

With `--against REV` it measures every figure for two revisions of the pipeline in one run,
REV ("before", its files from `git archive`) and this checkout ("after"), taking turns
within every repeat of every figure, and prints each figure for both with the ratio and
whether it got worse beyond the repeats' own spread (docs/scaling.md).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import io
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypeVar

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


@dataclass(frozen=True)
class Revision:
    """A revision of the pipeline: its `pipeline` package is the one its builds import
    (PYTHONPATH), and its tasks.py and styles/ are those of the projects it builds."""

    name: str
    root: Path


@contextlib.contextmanager
def checkout(revision: str, root: Path = ROOT) -> Iterator[Path]:
    """The files of a git revision of `root` in a temporary folder, removed afterwards
    (`git archive`: the repository itself is not touched)."""
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", "--format=tar", revision],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        sys.exit(f"git archive {revision} failed: {archive.stderr.decode().strip()}")
    with tempfile.TemporaryDirectory(prefix="bench-revision-") as folder:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(folder, filter="data")
        yield Path(folder)


class Run(NamedTuple):
    seconds: float
    cpu: float = 0.0
    """CPU seconds (user and system) of the command and every process it waited for: its
    workers and pandoc too. A loaded machine stretches the wall time of a build several
    times over; its CPU time far less, so a change in the work done shows there."""
    rss: int = 0
    """The peak resident memory of the command's process tree, summed (when sampled)."""
    pss: int = 0
    """The same, proportional: each page its processes share counted once."""


def run(command: list[str], cwd: Path, code: Path = ROOT, memory: bool = False) -> Run:
    """How long a command takes, in wall and CPU seconds, with the pipeline of `code`; it
    must succeed. With `memory`, also the peak memory of its process tree, sampled as it
    runs."""
    path = f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"
    env = {**os.environ, "PATH": path, "PYTHONPATH": str(code)}
    start, cpu = time.perf_counter(), _children_cpu()
    rss = pss = 0
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(
            command, cwd=cwd, stdout=out, stderr=out, text=True, env=env, start_new_session=True
        )
        try:
            while process.poll() is None:
                if memory:
                    now = tree_memory(process.pid)
                    rss, pss = max(rss, now[0]), max(pss, now[1])
                time.sleep(SAMPLE)
        finally:  # stopped (Ctrl-C, a time limit): the build and its workers go too
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
        if process.returncode != 0:
            out.seek(0)
            sys.exit(f"{' '.join(command)} failed:\n{out.read()}")
    return Run(seconds, cpu, rss, pss)


def _children_cpu() -> float:
    """CPU seconds of the finished child processes of this one, and of theirs that they
    waited for (the kernel adds them up as each is reaped)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


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


def library(folder: Path, count: int, code: Path = ROOT) -> Path:
    """A project of `count` copies of the article, each with its own id, with the tasks.py
    and styles/ of the pipeline in `code`."""
    (folder / "source").mkdir(parents=True)
    shutil.copytree(code / "styles", folder / "styles")
    shutil.copyfile(code / "tasks.py", folder / "tasks.py")
    text = ARTICLE.read_text(encoding="utf-8")
    for n in range(count):
        doc_id = "ddd-stem-cell-therapy" if count == 1 else f"leaflet-{n:03d}"
        copy = text.replace("id: ddd-stem-cell-therapy", f"id: {doc_id}")
        (folder / "source" / f"{doc_id}.md").write_text(copy, encoding="utf-8")
    return folder


def peak(name: str, made: Run) -> dict[str, float]:
    return {f"rss {name}": made.rss, f"pss {name}": made.pss}


def invoke(*args: str) -> list[str]:
    return [sys.executable, "-m", "invoke", *args]


Figures = dict[str, list[float]]
"""Each figure's value in every repeat (seconds, a ratio or bytes), by its name in `figures`."""


def measure(revisions: list[Revision], repeats: int, size: int, work: Path) -> dict[str, Figures]:
    """Every figure of every revision. Each figure is measured `repeats` times, and within
    each repeat the revisions take turns, in the opposite order in the next repeat (after the
    run they are compared with, where there is one), so the machine's load falls on them
    alike. Every build goes through what every
    revision offers: `invoke build [--jobs N]` in a project made with its tasks.py."""
    got: dict[str, Figures] = {revision.name: {} for revision in revisions}
    peer = work / "peer"
    peer.mkdir()
    pandoc = _pandoc()
    (work / "empty").mkdir()
    (work / "empty" / "tasks.py").write_text(EMPTY_TASKS)
    projects = {
        (revision.name, count): library(work / revision.name / str(count), count, revision.root)
        for revision in revisions
        for count in (1, 8, size)
    }

    def cold(revision: Revision, count: int, *args: str, memory: bool = False) -> Run:
        project = projects[revision.name, count]
        shutil.rmtree(project / "output", ignore_errors=True)
        return run(invoke("build", *args), project, revision.root, memory)

    def rounds(
        what: str,
        step: Callable[[Revision, float], dict[str, float]],
        first: Callable[[], float] = lambda: 0.0,
    ) -> None:
        for repeat in range(1, repeats + 1):
            print(f"{what}: run {repeat} of {repeats}", file=sys.stderr, flush=True)
            shared = first()
            # Each repeat reverses the order, so neither revision always runs second, after
            # the other's files were written.
            for revision in revisions if repeat % 2 else revisions[::-1]:
                for figure, value in step(revision, shared).items():
                    got[revision.name].setdefault(figure, []).append(value)

    def naive() -> float:
        return run(["sh", "-c", " && ".join(_peer_commands(pandoc, ARTICLE, peer))], peer).seconds

    def article(revision: Revision, peer_seconds: float) -> dict[str, float]:
        made = cold(revision, 1, memory=True)
        ratio = made.seconds / peer_seconds
        times = {"cold": made.seconds, "cpu one": made.cpu, "peer": peer_seconds}
        return times | {"cold/peer": ratio} | peak("one", made)

    def start() -> float:
        return run(invoke("nothing"), work / "empty").seconds

    def noop(revision: Revision, start_seconds: float) -> dict[str, float]:
        seconds = run(invoke("build"), projects[revision.name, 1], revision.root).seconds
        return {"noop": seconds, "start": start_seconds, "noop/start": seconds / start_seconds}

    source = {
        revision.name: projects[revision.name, 8] / "source" / "leaflet-003.md"
        for revision in revisions
    }
    original = ARTICLE.read_text(encoding="utf-8").replace(
        "id: ddd-stem-cell-therapy", "id: leaflet-003"
    )
    edits = iter(range(10_000))

    def eight(revision: Revision, _: float) -> dict[str, float]:
        project = projects[revision.name, 8]
        run(invoke("build"), project, revision.root)  # up to date first (not timed)
        edited = original.replace("Stem cells are", f"Stem cells (edit {next(edits)}) are", 1)
        source[revision.name].write_text(edited, encoding="utf-8")
        edit = run(invoke("build"), project, revision.root).seconds
        whole = cold(revision, 8, memory=True)
        ratio = edit / whole.seconds
        times = {"edit": edit, "eight": whole.seconds, "cpu eight": whole.cpu}
        return times | {"edit/eight": ratio} | peak("eight", whole)

    def big(revision: Revision, _: float) -> dict[str, float]:
        one = cold(revision, size, "--jobs", "1")
        every = cold(revision, size, "--jobs", "0", memory=True)
        times = {"big 1": one.seconds, "cpu big 1": one.cpu, "big all": every.seconds}
        times |= {"cpu big all": every.cpu, "speed-up": one.seconds / every.seconds}
        return times | peak("big", every)

    rounds("1. the article cold, and the naive peer", article, naive)
    rounds("2. no-op, and invoke's start-up", noop, start)  # the article is built by now
    rounds("3. one edit in 8 documents, and the 8 cold", eight)
    rounds(f"4. {size} documents on 1 worker and on all", big)
    print(f"every run: {got}", file=sys.stderr)
    return got


class Figure(NamedTuple):
    label: str
    unit: str
    """"s" (seconds), "x" (a ratio) or "MB" (bytes, shown in millions)."""
    target: str = ""
    higher_is_better: bool = False


def figures(size: int) -> dict[str, Figure]:
    """What each measured figure is, in the order they are printed."""
    cores = os.cpu_count()
    return {
        "cold": Figure("1. cold build of the article (6 outputs)", "s"),
        "cpu one": Figure("   its CPU time (all processes)", "s"),
        "peer": Figure("   naive peer (3 pandoc calls)", "s"),
        "cold/peer": Figure("   cold build / naive peer", "x", "<= 1.5x"),
        "noop": Figure("2. no-op rebuild", "s"),
        "start": Figure("   invoke start-up (one empty task)", "s"),
        "noop/start": Figure("   no-op / invoke start-up", "x", "<= 3x"),
        "edit": Figure("3. one edit in an 8-document library", "s"),
        "eight": Figure("   the 8-document library, cold", "s"),
        "cpu eight": Figure("   its CPU time (all processes)", "s"),
        "edit/eight": Figure("   one edit / the library cold", "x", "<= 0.25x"),
        "big 1": Figure(f"4. {size}-document library, 1 worker", "s"),
        "cpu big 1": Figure("   its CPU time (all processes)", "s"),
        "big all": Figure(f"   {size}-document library, {cores} workers", "s"),
        "cpu big all": Figure("   its CPU time (all processes)", "s"),
        "speed-up": Figure("   speed-up", "x", ">= 1.7x at 2 cores", higher_is_better=True),
        "rss one": Figure("5. peak memory, summed RSS: the article", "MB", "<= 400 MB"),
        "rss eight": Figure("   the 8-document library", "MB", "<= 400 MB"),
        "rss big": Figure(f"   the {size}-document library", "MB", "<= 400 MB"),
        "pss one": Figure("   summed PSS: the article", "MB", "<= 400 MB"),
        "pss eight": Figure("   the 8-document library", "MB", "<= 400 MB"),
        "pss big": Figure(f"   the {size}-document library", "MB", "<= 400 MB"),
    }


def shown(value: float, unit: str) -> str:
    if unit == "MB":
        return f"{value / 1e6:.0f} MB"
    return f"{value:.2f} {unit}" if unit == "s" else f"{value:.2f}x"


def spread(values: list[float]) -> float:
    """How far a figure's repeats lie apart, relative to their median."""
    return (max(values) - min(values)) / statistics.median(values)


def verdict(before: list[float], after: list[float], higher_is_better: bool = False) -> str:
    """Whether a figure got worse from `before` to `after` beyond noise: when the medians'
    ratio lies outside the larger spread of the two revisions' repeats. With one repeat
    there is no spread to judge by."""
    if min(len(before), len(after)) < 2:
        return "? (1 repeat)"
    ratio = statistics.median(after) / statistics.median(before)
    worse = 1 / ratio if higher_is_better else ratio
    noise = 1 + max(spread(before), spread(after))
    if worse > noise:
        return "worse"
    return "better" if worse < 1 / noise else "same (within noise)"


def report(measured: Figures, size: int) -> None:
    """One revision's figures, each the median of its repeats, against its target."""
    print(f"| {'figure':<44} | {'median':>9} | {'target':<20} |")
    print(f"|{'-' * 46}|{'-' * 11}|{'-' * 22}|")
    for name, figure in figures(size).items():
        median = statistics.median(measured[name])
        print(f"| {figure.label:<44} | {shown(median, figure.unit):>9} | {figure.target:<20} |")


def compare(before: Figures, after: Figures, size: int) -> None:
    """Each figure of two revisions (medians), after/before, and the verdict."""
    head = f"| {'figure':<44} | {'before':>9} | {'after':>9} | after/before | spread | verdict"
    print(head + f"{'':<12} |")
    print(f"|{'-' * 46}|{'-' * 11}|{'-' * 11}|{'-' * 14}|{'-' * 8}|{'-' * 21}|")
    for name, figure in figures(size).items():
        old, new = before[name], after[name]
        ratio = statistics.median(new) / statistics.median(old)
        noise = max(spread(old), spread(new))
        print(
            f"| {figure.label:<44} | {shown(statistics.median(old), figure.unit):>9} "
            f"| {shown(statistics.median(new), figure.unit):>9} | {ratio:11.2f}x "
            f"| {noise:5.0%} | {verdict(old, new, figure.higher_is_better):<19} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--library", type=int, default=50, help="documents in the large library")
    parser.add_argument(
        "--against", metavar="REV", help="also measure this git revision, turn about, and compare"
    )
    options = parser.parse_args()
    # A time limit's SIGTERM ends the bench as Ctrl-C would: its builds and folders go too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench stopped"))
    load = " / ".join(f"{n:.1f}" for n in os.getloadavg())
    print(
        f"Benchmarks ({os.cpu_count()} cores, Python {sys.version.split()[0]}, load {load} "
        f"at the start; medians of {options.repeats} runs)\n"
    )
    after = Revision("after", ROOT)
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        if not options.against:
            report(
                measure([after], options.repeats, options.library, Path(scratch))["after"],
                options.library,
            )
            where_the_time_goes()
            return
        with checkout(options.against) as code:
            before = Revision("before", code)
            measured = measure([before, after], options.repeats, options.library, Path(scratch))
    print(f"before: {options.against}; after: this checkout ({ROOT})\n")
    compare(measured["before"], measured["after"], options.library)
    load = " / ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"\nload at the end: {load}")


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
