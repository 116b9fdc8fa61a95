"""Which language a file is written in has one answer: a shared passage's original (which
version of a passage a document gets) and a source with the same metadata (the languages a
document's pages link) are read by the one reader, as the loader reads them, whatever valid
YAML says it (quoted, commented, folded, a `lang:` under another key) and whatever is wrong."""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import pytest

from pipeline import passages
from pipeline.builder import Options, Project
from pipeline.builder.plan import setting
from pipeline.builder.report import Report
from pipeline.frontmatter import declared_lang
from pipeline.problems import SourceError
from pipeline.source import load_passage
from tests.conftest import ROOT

pytestmark = pytest.mark.fast  # unit tests that render nothing (invoke test --fast)

BODY = """
## Language help {#p}

::: plain
Help in your language is free.
:::

Language assistance services are available to you free of charge.
"""
# The metadata between the "---" lines, and the language it declares (None: it declares
# none that can be read, and loading the file says why).
CASES = {
    "plain": ("id: p\nlang: es\n", "es"),
    "quoted, with a comment": ('id: p\nlang: "es-US"  # the language of the text\n', "es-US"),
    "single quotes": ("id: p\nlang: 'fr'\n", "fr"),
    "a lang under another key first": ("id: p\nnotes:\n  lang: fr\nlang: es\n", "es"),
    "folded": ("id: p\nlang: >-\n  es\n", "es"),
    "a flow mapping": ("{id: p, lang: es}\n", "es"),
    "after many comments": ("id: p\n" + "# a comment\n" * 25 + "lang: es\n", "es"),
    "not a language tag": ("id: p\nlang: Spanish\n", None),
    "a list": ("id: p\nlang: [es]\n", None),
    "no lang": ("id: p\n", None),
    "malformed YAML": ("id: p\nlang: es\nid: : x\n", None),
}


def passage_reads(root: Path) -> str | None:
    """The language the passage use reads of styles/passages/p.md: the one it names when a
    document in another language includes it; None when it reads none (the passage is then
    loaded, and its load says why)."""
    try:
        found = passages.file_for(root, "p", "x-test")
    except passages.Missing as missing:
        named = re.search(r"passages/p\.md \(([^)]*)\) into", str(missing))
        assert named, str(missing)
        return named.group(1)
    assert found == passages.folder(root) / "p.md"
    return None


def source_reads(root: Path) -> str | None:
    """The language the build's list of a document's languages reads of source/p.md (which
    has a translation); None when it reads none."""
    where = setting(Project.at(root), Options(), Report())
    assert where is not None
    languages = where.languages("p")
    return languages[0].tag if languages else None


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_passage_and_a_source_with_the_same_metadata_are_in_the_same_language(
    tmp_path: Path, case: str
) -> None:
    metadata, declared = CASES[case]
    text = f"---\n{metadata}---\n{BODY}"
    passage_root, source_root = tmp_path / "passage", tmp_path / "source"
    (passage_root / "styles" / "passages").mkdir(parents=True)
    (passage_root / "styles" / "passages" / "p.md").write_text(text, encoding="utf-8")
    (source_root / "source").mkdir(parents=True)
    (source_root / "styles").symlink_to(ROOT / "styles", target_is_directory=True)
    (source_root / "source" / "p.md").write_text(text, encoding="utf-8")
    (source_root / "source" / "p.de.md").write_text("---\nlang: de\n---\n", encoding="utf-8")
    assert (passage_reads(passage_root), source_reads(source_root)) == (declared, declared)


@pytest.mark.parametrize("case", sorted(name for name, (_, lang) in CASES.items() if lang is None))
def test_a_language_that_cannot_be_read_is_the_loaders_error_for_both(
    tmp_path: Path, case: str
) -> None:
    """Asked directly, the reader says what loading the file says of its metadata: file,
    line, what is wrong and the fix, for a source and a passage alike."""
    metadata, _ = CASES[case]
    (tmp_path / "styles" / "passages").mkdir(parents=True)
    (tmp_path / "source").mkdir()
    passage = tmp_path / "styles" / "passages" / "p.md"
    source = tmp_path / "source" / "p.md"
    for path in (passage, source):
        path.write_text(f"---\n{metadata}---\n{BODY}", encoding="utf-8")
    with pytest.raises(SourceError) as loading:
        load_passage(passage, tmp_path)
    said = {}
    for path in (passage, source):
        with pytest.raises(SourceError) as reading:
            declared_lang(path, tmp_path)
        (problem,) = reading.value.problems
        said[path] = (problem.line, problem.message)
    assert said[passage] == said[source]
    loaded = [(p.line, p.message) for p in loading.value.problems]
    assert said[passage] in loaded


def test_a_named_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    (tmp_path / "source").mkdir()
    fifo = tmp_path / "source" / "p.md"
    os.mkfifo(fifo)

    def waited(_signal: int, _frame: object) -> None:
        raise TimeoutError("the reader waited on the named pipe")

    previous = signal.signal(signal.SIGALRM, waited)
    signal.alarm(10)
    try:
        with pytest.raises(SourceError) as reading:
            declared_lang(fifo, tmp_path)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert str(reading.value) == (
        "source/p.md:1: this file is not a regular file but a named pipe (FIFO); save it as a file"
    )
