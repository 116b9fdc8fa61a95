"""Awkward but valid input builds within bounded time and memory, or fails with a clear
message: a 300-character word, lists nested 6 deep, a 200-row table, a source just under the
limit of 200,000 bytes (pipeline/limits.py), 100 sections, an empty section body.

Each build is the real one (`pipeline.builder.build`), run in a child process with an address
space limit (RLIMIT_AS, which every process of the build inherits: its render workers,
pandoc, WeasyPrint) and a timeout, so a runaway input fails the test instead of the machine.
The small cases build every format. The largest source builds the page, the DOCX and the
one-pagers (which cannot fit its 38 summaries on a page, and say so); its two PDFs, about 80
pages each, are built in the thorough profile (`pytest --hypothesis-profile=thorough`), not on
every run. (A larger source is refused when it loads: tests/test_hostile_inputs.py.)
Figures (seconds, peak memory) go to the test's output; speed targets belong in `invoke
bench`, so the bounds here are generous ceilings, not targets.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from pipeline.formats import FORMATS
from tests.conftest import ROOT
from tests.test_build import make_project

MEMORY_LIMIT = 3 << 30
"""Address space per process, bytes. Virtual, not resident: WeasyPrint and pandoc map far
more than they touch, so this is a ceiling against runaway growth."""
TIMEOUT = 300
"""Seconds for one build, on a machine shared by many builds at once."""

FRONT = "---\nid: {id}\ntitle: An awkward leaflet\nlang: en-GB\nlast-reviewed: 2026-01\n---\n\n"
SIMPLE = "Rest helps. Walk a bit each day."


def section(ident: str, body: str, plain: str = SIMPLE) -> str:
    return f"## Part {ident} {{#{ident}}}\n\n::: plain\n{plain}\n:::\n\n{body}\n\n"


def long_word() -> str:
    word = ("Pneumonoultramicroscopicsilicovolcanoconiosis" * 7)[:300]  # no place to break
    return section("word", f"The word {word} has no place to break.\n\n### {word}\n\nIt ends.")


def nested_lists() -> str:
    items = "\n".join("  " * depth + f"- Step at level {depth + 1}." for depth in range(6))
    numbered = "\n".join("   " * depth + f"1. Item at level {depth + 1}." for depth in range(6))
    return section("lists", f"{items}\n\n{numbered}")


def big_table() -> str:
    rows = "\n".join(f"| Week {n} | {n * 5} degrees | Walk {n} minutes |" for n in range(1, 201))
    table = f"| Week | Bend | Exercise |\n|---|---|---|\n{rows}\n\nTable: How far the knee bends"
    return section("table", table)


def empty_body() -> str:
    return section("empty", "") + section("after", "The section above has no body.")


def many_sections(count: int = 100) -> str:
    """Each section its own words: this is about a long document; repeated texts are the
    matcher's tests' (tests/test_verify.py)."""
    return "".join(
        section(
            f"part-{n}",
            f"Section {n} says one thing. It says it in two sentences.",
            plain=f"Step {n} is short.",
        )
        for n in range(1, count + 1)
    )


def largest() -> str:
    """Just under the source size limit: 38 sections of 5 KB, every paragraph its own."""
    return "".join(
        section(
            f"part-{n}",
            plain=f"Part {n} is about your knee.",
            body="\n\n".join(
                f"Paragraph {p} of part {n}. "
                + "Your physiotherapist will show you exercises that suit your knee. " * 15
                for p in range(1, 6)
            ),
        )
        for n in range(1, 39)
    )


ALL = tuple(FORMATS)
FULL = tuple(kind for kind, f in FORMATS.items() if f.scope == "full")
ONE_PAGERS = tuple(kind for kind, f in FORMATS.items() if f.scope == "plain")
THOROUGH = settings.get_current_profile_name() == "thorough"
LARGEST = ALL if THOROUGH else ("html", "docx", *ONE_PAGERS)
OVERFLOW = (
    r"the plain text does not fit on one \w+ page: .* too many parts for one page, not one "
    "long one; merge sections or split the leaflet"
)

# Two projects, each built in one child process. "small": every small case is a document of
# its own, all built to every format in one build. The 100 sections' one-pagers cannot fit
# one page, so that document's edition is rejected whole; its full formats still verify (in
# build/rejected/). "largest": the largest source, in the LARGEST formats.
Plan = list[tuple[tuple[str, ...], tuple[str, ...]]]
"""Builds, in order: (document ids, or () for all; formats)."""
PROJECTS: dict[str, tuple[dict[str, str], Plan]] = {
    "small": (
        {
            "word": long_word(),
            "lists": nested_lists(),
            "table": big_table(),
            "empty": empty_body(),
            "sections": many_sections(),
        },
        [((), ALL)],
    ),
    "largest": ({"largest": largest()}, [((), LARGEST)]),
}
# case: (project, document, formats that must verify)
CASES = {
    "a 300-character word": ("small", "word", ALL),
    "lists nested 6 deep": ("small", "lists", ALL),
    "a 200-row table": ("small", "table", ALL),
    "an empty section body": ("small", "empty", ALL),
    "100 sections": ("small", "sections", FULL),
    "a source at the size limit": ("largest", "largest", tuple(k for k in LARGEST if k in FULL)),
}


def run_builds(root: Path, plan: Plan) -> dict[str, Any]:
    """Run the plan's builds of `root` in one child process under the limits: every report
    line, the seconds and the peak memory."""
    script = Path(__file__).resolve()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(script), str(root), json.dumps(plan)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
        preexec_fn=_limit_memory,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    figures["seconds"] = round(time.monotonic() - started, 1)
    return figures


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each project built once: project name -> report lines, seconds, peak memory."""
    results = {}
    for name, (bodies, plan) in PROJECTS.items():
        sources = {doc_id: FRONT.format(id=doc_id) + body for doc_id, body in bodies.items()}
        project = make_project(tmp_path_factory.mktemp(name), sources)
        figures = run_builds(project.root, plan)
        figures["source_mb"] = round(max(len(t.encode()) for t in sources.values()) / 1e6, 2)
        print(f"\n{name} {plan}: {figures | {'lines': '...'}}")
        results[name] = figures
    return results


@pytest.mark.parametrize(
    ("case", "kind"),
    [
        pytest.param(case, kind, id=f"{case}-{kind}")
        for case, (_project, _doc, kinds) in CASES.items()
        for kind in kinds
    ],
)
def test_awkward_input_builds_within_bounds(
    builds: dict[str, dict[str, Any]], case: str, kind: str
) -> None:
    project, doc_id, _kinds = CASES[case]
    about = re.compile(rf"{re.escape(doc_id)}: {kind}[ :]")
    lines = [line for line in builds[project]["lines"] if about.match(line)]
    assert f"{doc_id}: {kind} verified" in " ".join(lines), lines[:5]
    assert not [line for line in lines if "verified" not in line], lines[:5]


@pytest.mark.parametrize("kind", ONE_PAGERS)
@pytest.mark.parametrize(("project", "doc_id"), [("small", "sections"), ("largest", "largest")])
def test_too_much_for_one_page_fails_clearly(
    builds: dict[str, dict[str, Any]], project: str, doc_id: str, kind: str
) -> None:
    """100 or 38 sections' plain summaries cannot fit one page: the one-pager says so, and
    how to fix it, instead of cutting text."""
    lines = builds[project]["lines"]
    assert any(
        line.startswith(f"{doc_id}: {kind}: ") and re.search(OVERFLOW, line) for line in lines
    ), lines


def test_the_limit_is_real() -> None:
    """The child really runs under the address-space limit: asking for more than it fails."""
    result = subprocess.run(
        [sys.executable, "-c", f"bytearray({MEMORY_LIMIT})"],
        capture_output=True,
        text=True,
        preexec_fn=_limit_memory,
    )
    assert result.returncode != 0 and "MemoryError" in result.stderr


def _main(root: str, plan: str) -> None:
    """The child: run the builds, then print one JSON line: every report line (each build's
    lines, in order) and the peak memory of this process and of its largest child."""
    from pipeline.builder import Options, Project, build

    lines = []
    for doc_ids, kinds in json.loads(plan):
        lines += build(
            Project.at(Path(root)), Options(docs=tuple(doc_ids), formats=tuple(kinds))
        ).lines
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    figures = {"lines": lines, "peak_mb": self_kb // 1024, "peak_child_mb": children_kb // 1024}
    print(json.dumps(figures))


if __name__ == "__main__":
    _main(*sys.argv[1:])
