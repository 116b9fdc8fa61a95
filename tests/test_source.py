"""The loader: each rule of the source contract broken once; the message names the file, the
line and the fix. A good document loads into the model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from pipeline.model import Disclaimer, Document
from pipeline.problems import SourceError
from pipeline.source import load

pytestmark = pytest.mark.fast  # unit tests that render nothing (invoke test --fast)

GOOD = """\
---
id: sample
title: A sample leaflet
lang: en-US
last-reviewed: 2026-01
---

## Symptoms {#symptoms}

::: plain
Your back may hurt.
:::

Pain can vary widely.

::: {.disclaimer #see-a-doctor}
Always consult a qualified clinician.

::: plain
Talk to a doctor.
:::
:::

## Treatment {#treatment}

::: plain
Rest can help.
:::

- **Rest:** it helps some people.
- **Exercise:** it helps others.
"""


def write(tmp_path: Path, text: str, name: str = "sample") -> Path:
    path = tmp_path / "source" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str, name: str = "sample") -> list[str]:
    with pytest.raises(SourceError) as caught:
        load(write(tmp_path, text, name), tmp_path)
    return [str(problem) for problem in caught.value.problems]


def line_of(text: str, needle: str) -> int:
    """The number of the first line holding `needle`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_good_document_loads_into_the_model(tmp_path: Path) -> None:
    doc = load(write(tmp_path, GOOD), tmp_path)
    assert doc.id == "sample" and doc.lang == "en-US" and doc.source_path == "source/sample.md"
    assert doc.last_reviewed.iso == "2026-01" and doc.review_every_months == 12
    assert [s.id for s in doc.sections] == ["symptoms", "treatment"]
    assert [s.title for s in doc.sections] == ["Symptoms", "Treatment"]
    symptoms = doc.sections[0]
    assert symptoms.line == line_of(GOOD, "## Symptoms")
    assert [d.id for d in doc.disclaimers] == ["see-a-doctor"]
    assert isinstance(symptoms.body[-1], Disclaimer)
    assert symptoms.disclaimers[0].line == line_of(GOOD, ".disclaimer")


def test_real_article_loads(article: Document) -> None:
    assert len(article.sections) >= 8
    assert len(list(article.disclaimers)) == 8


# Each case: a change to GOOD, the line the message must name (by a needle on that line, in
# the changed text), and a regular expression the message must match (the problem and its fix).
CASES = {
    "section without id": (
        ("## Treatment {#treatment}", "## Treatment"),
        "## Treatment",
        r'section "Treatment" has no id; write "## Treatment \{#treatment\}"',
    ),
    "level-1 heading": (
        ("## Treatment {#treatment}", "# Treatment {#treatment}"),
        "# Treatment",
        r'level-1 heading "Treatment".*write "## Treatment \{#treatment\}"',
    ),
    "text before the first section": (
        ("---\n\n## Symptoms", "---\n\nAn orphan paragraph.\n\n## Symptoms"),
        "An orphan paragraph",
        r"text before the first section; put it under",
    ),
    "section without plain summary": (
        ("::: plain\nRest can help.\n:::\n", ""),
        "## Treatment",
        r'section "treatment" has no plain summary; it needs exactly one "::: plain"',
    ),
    "two plain summaries": (
        ("Rest can help.\n:::\n", "Rest can help.\n:::\n\n::: plain\nAgain.\n:::\n"),
        "## Treatment",
        r'section "treatment" has 2 plain summaries; it needs exactly one',
    ),
    "disclaimer without id": (
        ("::: {.disclaimer #see-a-doctor}", "::: {.disclaimer}"),
        "::: {.disclaimer}",
        r'a disclaimer in section "symptoms" has no id; write "::: \{.disclaimer #short-name\}"',
    ),
    "disclaimer without plain wording": (
        (
            "Always consult a qualified clinician.\n\n::: plain\nTalk to a doctor.\n:::\n",
            "Always consult a qualified clinician.\n",
        ),
        ".disclaimer",
        r'disclaimer "see-a-doctor" has no plain wording; nest exactly one "::: plain"',
    ),
    "disclaimer inside a list": (
        (
            "- **Exercise:** it helps others.",
            "- **Exercise:** it helps others.\n\n  ::: {.disclaimer #nested}\n  Careful.\n  :::",
        ),
        "#nested",
        r'a "disclaimer" div inside section "treatment"; a disclaimer div must stand directly',
    ),
    "duplicate id": (
        ("## Treatment {#treatment}", "## Treatment {#symptoms}"),
        "## Treatment",
        r'section id "symptoms" is already used on line 8; give each section and disclaimer',
    ),
    "malformed YAML": (
        ("title: A sample leaflet", "title: [A sample leaflet"),
        "lang:",
        r"malformed YAML metadata .*; write one 'key: value' a line",
    ),
    "missing required key": (
        ("title: A sample leaflet\n", ""),
        5,  # the closing "---" of the metadata, above which the key belongs
        r'required key "title" is missing; add "title: \.\.\." above',
    ),
    "date that is not a date": (
        ("last-reviewed: 2026-01", "last-reviewed: January 2026"),
        "last-reviewed",
        r'last-reviewed "January 2026" is not an ISO date; write YYYY-MM-DD, or YYYY-MM',
    ),
    "impossible month": (
        ("last-reviewed: 2026-01", "last-reviewed: 2026-13"),
        "last-reviewed",
        r'last-reviewed "2026-13" is not a date in the calendar: there is no month 13',
    ),
    "language that is not BCP 47": (
        ("lang: en-US", "lang: English"),
        "lang:",
        r'lang "English" is not a BCP 47 language tag; write e\.g\. "lang: en-US"',
    ),
    "unknown key": (
        ("lang: en-US", "lang: en-US\nlast_reviewed: 2026-01"),
        "last_reviewed",
        r'unknown key "last_reviewed"; use id, title',
    ),
    "id that does not match the file": (
        ("id: sample", "id: other"),
        "id: other",
        r'id "other" does not match the file name; rename the file to "other\.md"',
    ),
    "review period that is not a number": (
        ("lang: en-US", "lang: en-US\nreview-every-months: yearly"),
        "review-every-months",
        r'review-every-months "yearly" must be a whole number of months',
    ),
    "image without alt text": (
        ("Pain can vary widely.", "Pain can vary widely.\n\n![](pic.png)"),
        "pic.png",
        r'image "pic\.png" in section "symptoms" has no alt text; write !\[what the image shows\]',
    ),
    "image from the network": (
        ("Pain can vary widely.", "Pain can vary widely.\n\n![A spine](https://example.org/a.png)"),
        "example.org",
        r'image "https://example\.org/a\.png" in section "symptoms" is not a file in the project',
    ),
    "image outside the project": (
        ("Pain can vary widely.", "Pain can vary widely.\n\n![Secrets](../../etc/passwd)"),
        "etc/passwd",
        r'image "\.\./\.\./etc/passwd" in section "symptoms" is outside the source folder',
    ),
    "raw HTML": (
        ("Pain can vary widely.", 'Pain can vary widely.\n\n<iframe src="x"></iframe>'),
        "<iframe",
        r'raw HTML "<iframe src="x">" in section "symptoms"; delete it: a leaflet holds only '
        r"Markdown",
    ),
    "no metadata": (
        ("---\nid: sample", "id: sample"),
        "id: sample",
        r'no YAML metadata; start the file with "---"',
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_broken_rule_names_file_line_and_fix(tmp_path: Path, case: str) -> None:
    (old, new), needle, expected = CASES[case]
    assert old in GOOD, "the case must change the good document"
    text = GOOD.replace(old, new, 1)
    found = problems(tmp_path, text)
    line = needle if isinstance(needle, int) else line_of(text, str(needle))
    assert any(
        message.startswith(f"source/sample.md:{line}: ") and re.search(expected, message)
        for message in found
    ), found


def test_all_problems_of_a_file_come_together_one_line_each(tmp_path: Path) -> None:
    text = (
        GOOD.replace("lang: en-US", "lang: English")
        .replace("## Treatment {#treatment}", "## Treatment")
        .replace("::: {.disclaimer #see-a-doctor}", "::: {.disclaimer}")
    )
    found = problems(tmp_path, text)
    assert len(found) == 3, found
    assert all("\n" not in message for message in found)
    assert [int(m.split(":")[1]) for m in found] == sorted(int(m.split(":")[1]) for m in found)


def test_a_file_that_is_not_utf8_gets_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    path.write_bytes(GOOD.encode() + "\n\nCaf\u00e9".encode("latin-1"))
    with pytest.raises(SourceError, match=r"source/sample\.md:\d+: is not UTF-8 text"):
        load(path, tmp_path)


def test_a_local_image_is_resolved_inside_the_source_folder(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    (tmp_path / "source" / "images").mkdir()
    Image.new("RGB", (4, 4)).save(tmp_path / "source" / "images" / "spine.png")
    text = GOOD.replace("Pain can vary widely.", "![The spine](images/spine.png)")
    doc = load(write(tmp_path, text), tmp_path)
    (image,) = [
        inline
        for block in doc.sections[0].body
        if isinstance(block, dict)
        for inline in block["c"]
        if isinstance(inline, dict) and inline.get("t") == "Image"
    ] or [
        node
        for block in doc.sections[0].body
        if isinstance(block, dict) and block["t"] == "Figure"
        for node in block["c"][2][0]["c"]
        if node.get("t") == "Image"
    ]
    assert image["c"][2][0] == (tmp_path / "source" / "images" / "spine.png").resolve().as_posix()


def test_line_numbers_count_line_breaks_only(tmp_path: Path) -> None:
    """A form feed or a Unicode line separator inside a line does not shift the lines after
    it (str.splitlines would)."""
    text = GOOD.replace("Pain can vary widely.", "Pain\x0ccan\u2028vary\x1cwidely.").replace(
        " {#treatment}", ""
    )
    line = text.split("\n").index("## Treatment") + 1
    assert problems(tmp_path, text) == [
        f'source/sample.md:{line}: section "Treatment" has no id; '
        'write "## Treatment {#treatment}"'
    ]
