"""Every input is answered: whatever a source file holds (any text, any bytes, any YAML
metadata, any mix of Markdown constructs), the loader either returns a document or raises
SourceError whose problems each name the file and a line in it. Never another exception.

LOADER_EXAMPLES sets how many inputs each property tries (default 60, to keep the suite
fast; the issue's note gives the counts of a longer run).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.model import Document
from pipeline.problems import SourceError
from pipeline.source import load
from tests.test_source import GOOD

pytestmark = pytest.mark.fast  # unit tests that render nothing (invoke test --fast)

EXAMPLES = int(os.environ.get("LOADER_EXAMPLES", "60"))
TODAY = dt.date(2026, 11, 25)
SHOWN = "source/sample.md"
BODY = GOOD[GOOD.index("\n---\n", 4) + 5 :]
"""GOOD's body, after its metadata."""

answered = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def source_file() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="loader-properties-") as folder:
        path = Path(folder) / "source" / "sample.md"
        path.parent.mkdir()
        (path.parent / "images").mkdir()
        (path.parent / "images" / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        (path.parent / "images" / "pic.svg").write_text(
            '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'
        )
        yield path


def answer(path: Path, data: bytes) -> Document | None:
    """Load `data` as source/sample.md; check that a refusal names the file and real lines."""
    path.write_bytes(data)
    try:
        return load(path, path.parent.parent, today=TODAY)
    except SourceError as error:
        lines = len(re.split(rb"\r\n|\r|\n", data))
        assert error.problems, "a SourceError lists at least one problem"
        for problem in error.problems:
            assert problem.file == SHOWN
            assert 1 <= problem.line <= lines + 1, (problem, lines)
            assert problem.message and "\n" not in problem.message
            assert str(problem).startswith(f"{SHOWN}:{problem.line}: ")
        return None


@answered
@given(st.text())
@example("---\nid: sample\n---\n" + "> " * 2000 + "deep")
@example("---\n" + "[" * 5000 + "\n---\n")
@example("\ufeff" + GOOD)
@example("0\r=")  # a setext heading: its line was once reported as 0
@example(GOOD.replace("Pain can vary widely.", "![x](\x00)"))
def test_any_text_is_answered(source_file: Path, text: str) -> None:
    answer(source_file, text.encode("utf-8", "surrogatepass"))


@answered
@given(st.binary())
@example(b"\xff\xfe" + GOOD.encode("utf-16-le"))
@example(GOOD.encode() + b"\x80")
def test_any_bytes_are_answered(source_file: Path, data: bytes) -> None:
    answer(source_file, data)


YAML_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.dates().map(str)
    | st.sampled_from(["2025-11-31", "2026-02-29", "0000-01-01", "9999-12-31", "2026-13"])
)
YAML_VALUES = st.recursive(
    YAML_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
KEYS = st.sampled_from(
    ["id", "title", "subtitle", "lang", "last-reviewed", "review-every-months", "other"]
)


@answered
@given(st.dictionaries(KEYS, YAML_VALUES, max_size=7))
@example({"id": "\n", "title": "a\u2028b"})  # one problem, one line
@example({"last-reviewed": "2025-11-31", "review-every-months": 10**12})
def test_any_yaml_metadata_is_answered(source_file: Path, meta: dict[str, object]) -> None:
    front = yaml.safe_dump(meta, allow_unicode=True, default_flow_style=False)
    answer(source_file, f"---\n{front}---\n{BODY}".encode())


@answered
@given(st.text(max_size=300))
def test_any_yaml_text_is_answered(source_file: Path, front: str) -> None:
    answer(source_file, f"---\n{front}\n---\n{BODY}".encode())


# Markdown constructs the loader gives meaning to, and the ones the policy refuses, shuffled
# into one another: random text alone rarely builds a div or a link.
FRAGMENTS = [
    "## Heading {#h}",
    "## Heading",
    "# Title",
    "### Sub {#s}",
    "::: plain",
    "::: {.disclaimer #d}",
    "::: {.disclaimer}",
    ":::",
    "::::: {.plain .disclaimer}",
    "```",
    "~~~",
    "Some text.",
    "- item",
    "  - nested",
    "> quoted",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "![alt](images/pic.png)",
    "![alt](images/pic.svg){width=50%}",
    "![](images/pic.png)",
    "![alt](images/missing.png)",
    "![alt](../../etc/passwd)",
    "![alt](file:///etc/passwd)",
    "![alt](https://example.org/x.png)",
    "[link](javascript:alert(1))",
    "[link](https://example.org)",
    "[span]{onclick=alert(1)}",
    "[span]{style=color:red}",
    "<script>alert(1)</script>",
    "`code`{=html}",
    "[^1]\n\n[^1]: A note ![alt](images/pic.png)",
    "",
]


@answered
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=20), max_size=30))
@example(["```", "", "## Heading {#h}"])  # an unclosed fence is text to pandoc
def test_any_mix_of_markdown_constructs_is_answered(
    source_file: Path, fragments: list[str]
) -> None:
    front = GOOD[: GOOD.index("\n---\n", 4) + 5]
    answer(source_file, (front + "\n".join(fragments)).encode())
