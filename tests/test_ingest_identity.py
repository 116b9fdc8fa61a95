"""The round trip is the identity: build a document's DOCX, ingest it unedited, and nothing
changes (exit 0, no change, no comment, an empty patch, the CriticMarkup is the source). For
every corpus leaflet, the article, EVERY (below: each block the source format allows, in each
of its spellings) and the documents Hypothesis writes (tests/test_generated.py's generator).
Only the DOCX is built: it is all that ingest reads.

Then one review touches a paragraph of each kind of block those documents hold, and each edit
lands in its own line of the source, written the way the source writes that block."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings

from pipeline.builder import Options, Project, build
from pipeline.ingest import ingest
from pipeline.ingest.run import find
from tests.conftest import ARTICLE_ID, ROOT
from tests.test_corpus import CORPUS, DOCS
from tests.test_generated import documents, generated_project
from tests.word_review import WordReview

EVERY = """\
---
id: every-block
title: Every kind of block
lang: en-US
last-reviewed: 2026-08
---

## Lists {#lists}

::: plain
Lists come in many kinds.
:::

(1) First in parentheses.
(2) Second in parentheses.

a) A letter and a parenthesis.
b) Another letter.

A.  A capital letter and two spaces.
B.  The second capital letter.

I.  Capital roman one.
II. Capital roman two.

iv. Roman four starts the list.
v. Roman five.

#. Hash one.
#. Hash two.

1. Outer item
   (a) inner one
   (b) inner two
2. Outer two

- Empty items below.
-
3.

Term one
:   Its first definition.

    Its second paragraph, indented.

:   A second definition.

Term two

:   Defined after a blank line.

## Tables {#tables}

::: plain
Tables come in many kinds.
:::

: A caption written before a pipe table

| Left | Middle | Right |
|:-----|:------:|------:|
| a    |        | c     |
|      | e      |       |

| Row | Value |
|-----|-------|
| one | 1     |

Table: A caption written after a pipe table.

+---------------+---------------+
| Merged across two columns     |
+===============+===============+
| one           | two           |
+---------------+---------------+
| three         | four          |
+---------------+---------------+

Table: A grid table with a merged header.

  Right     Left
-------  ------
     12  twelve
      3  three

Table: A simple table.

-------------------------------------
 Header one    Header two
-------------- ----------------------
 First         A cell that wraps onto
               a second line.

 Second        Another.
-------------------------------------

## Other blocks {#other}

::: plain
Other blocks are read too.
:::

A heading over a line {#setext}
-------------------------------

::: plain
A heading written over dashes.
:::

This has a [reference link][ref] and a long note.[^long] And a short one.[^short]

```
code that is fenced
  and indented
```

    an indented code block

* * *

> A quote with a list:
>
> - quoted one
> - quoted two
>
> > A quote in a quote.

> A lazy quote line
continued without its mark.

| A line block
|    with an indented line
| and a third.

A paragraph with a hard\\
line break.

![A calendar page with one day circled](images/calendar.svg){width=40%}

[ref]: https://www.example.org/ref

[^long]: The first paragraph of a long note.

    The second paragraph of the long note.

[^short]: A short note.
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Every corpus leaflet, the article and EVERY, their DOCX built once."""
    root = tmp_path_factory.mktemp("identity")
    (root / "source").mkdir()
    shutil.copytree(CORPUS / "images", root / "source" / "images")
    (root / "styles").symlink_to(ROOT / "styles", target_is_directory=True)
    for doc in DOCS:
        shutil.copy(CORPUS / f"{doc}.md", root / "source")
    shutil.copy(ROOT / "source" / f"{ARTICLE_ID}.md", root / "source")
    (root / "source" / "every-block.md").write_text(EVERY, encoding="utf-8")
    project = Project.at(root)
    report = build(project, Options(formats=("docx",)))
    assert not report.failed, "\n".join(report.lines)
    return project


def docx(project: Project, doc: str) -> Path:
    return project.output_dir / doc / f"{doc}.docx"


# A leaflet that includes a shared passage is refused by ingest, which merges nothing from
# it (tests/test_passages.py): its DOCX shows text that is no paragraph of its source.
OWN_TEXT_ONLY = [doc for doc in DOCS if "{include=" not in (CORPUS / f"{doc}.md").read_text()]


@pytest.mark.parametrize("doc", [*OWN_TEXT_ONLY, ARTICLE_ID, "every-block"])
def test_an_unedited_docx_changes_nothing(project: Project, doc: str) -> None:
    outcome = ingest(project, docx(project, doc))
    report = outcome.review.read_text()
    assert outcome.lines[0] == f"{doc}: no changes; 0 comments", report
    assert outcome.exit_code == 0
    assert (outcome.folder / "source.patch").read_text() == ""
    source = (project.source_dir / f"{doc}.md").read_text()
    assert (outcome.folder / "source.critic.md").read_text() == source


@settings(max_examples=6)
@given(documents())
def test_an_unedited_generated_document_changes_nothing(text: str) -> None:
    with tempfile.TemporaryDirectory(prefix="identity-") as folder:
        project = generated_project(Path(folder), text)
        report = build(project, Options(docs=("generated",), formats=("docx",)))
        assert not report.failed, "\n".join(report.lines)
        findings = find(project, docx(project, "generated"))
        found = [(e.kind, e.old, e.new, e.problem) for e in findings.edits]
        assert found == [], text
        assert findings.comments == []


REVIEWER = "Ann Okafor"
EDITS = {
    # document: [(words of the paragraph, old, new, (source line before, after))]
    "every-block": [
        ("Second in parentheses", "Second", "The second", "(2) "),
        ("inner two", "inner", "nested", "   (b) "),
        ("Roman five", "five", "number five", "v. "),
        ("The second capital", "second", "next", "B.  "),
        ("Its second paragraph", "second", "other", "    Its"),
        ("Defined after a blank", "blank", "empty", ":   "),
        ("A caption written before", "before", "above", ": A caption"),
        ("quoted two", "two", "second", "> - quoted"),
        ("A quote in a quote", "quote in", "quote inside", "> > "),
        ("with an indented line", "indented", "indented, edited", "|    with"),
        ("second paragraph of the long note", "long note", "longer note", "    The second"),
        ("A short note", "short", "brief", "[^short]: "),
        ("A heading over a line", "over", "above", "A heading"),
    ],
    "hand-washing": [
        ("between your fingers", "between", "in between", "   b. "),
        ("take away dirt", "dirt", "grime", "[^dirty]: "),
        ("Any plain soap", "plain", "ordinary", ":   Any"),
    ],
    "resting-well": [("a favourite pillowcase", "favourite", "much-loved", "> - a")],
    "appointments": [
        ("Charge your phone", "phone", "mobile phone", "iii. "),
        ("Things to bring, and why", "why", "why they help", "Table: Things"),
    ],
}


@pytest.mark.parametrize("doc", sorted(EDITS))
def test_an_edit_in_each_kind_of_block_lands_in_its_line(
    project: Project, doc: str, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    shutil.copytree(project.source_dir, root / "source")
    shutil.copytree(project.root / "build" / "sources", root / "build" / "sources")  # vouched
    (root / "styles").symlink_to(ROOT / "styles", target_is_directory=True)
    copy = Project.at(root)
    reviewed = tmp_path / f"{doc}-reviewed.docx"
    shutil.copy(docx(project, doc), reviewed)
    with WordReview(reviewed) as review:
        for words, old, new, _line in EDITS[doc]:
            review.replace(words, old, new, REVIEWER)
    path = copy.source_dir / f"{doc}.md"
    before = path.read_text()

    outcome = ingest(copy, reviewed, apply=True)
    assert outcome.exit_code == 0, outcome.review.read_text()
    old_lines, new_lines = before.splitlines(), path.read_text().splitlines()
    assert len(old_lines) == len(new_lines)
    changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
    expected = []
    for _words, old, new, start in EDITS[doc]:
        line = next(a for a in old_lines if a.startswith(start) and old in a[len(start) :])
        expected.append((line, start + line[len(start) :].replace(old, new, 1)))
    assert sorted(changed) == sorted(expected)
