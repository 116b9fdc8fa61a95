"""A format, or a check, is one entry in one place. In a copy of the pipeline, a throwaway
format and a throwaway check are added, each as a module of its own and one entry in its
registry, and nothing else changes; a build then renders, checks and publishes the new format,
lists it on the landing page and in its summary table, and `--help` names it. Then what the
registries promise of every entry, which the build relies on."""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lxml_html

from pipeline import extract
from pipeline.checks import CHECKS
from pipeline.extract import READERS
from pipeline.formats import FORMATS, SHARED
from tests.conftest import ROOT
from tests.test_source import GOOD

FORMAT_ENTRY = """\
        Format(
            "plain_page",
            "Plain-words page",
            "every plain part on one short page (a throwaway format of a test)",
            file="plain.html",
            module="pipeline.formats.plain_page",
            scope="plain",
            checks=("verify", "word_count"),
            styles=_FILES,
            brand_tables=_TABLES,
        ),
"""
RENDERER = '''\
"""A throwaway format: the plain summaries and plain disclaimers, on one page."""

import html
from pathlib import Path

from pipeline.formats import Job


def render(job: Job, out_dir: Path) -> Path:
    assert job.view is not None
    parts = []
    for section in job.view.sections:
        parts.append(f"<h2>{html.escape(section.title)}</h2>{section.plain}")
        parts += [str(disclaimer.plain) for disclaimer in section.disclaimers]
    page = (
        f'<!DOCTYPE html><html lang="{job.doc.lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(job.doc.title)}</title></head>"
        f"<body><main>{''.join(parts)}</main></body></html>"
    )
    target = out_dir / job.file
    target.write_text(page, encoding="utf-8")
    return target
'''
CHECK_ENTRY = """\
        Check("word_count", "pipeline.checks.word_count", "words a reader reads, counted"),
"""
CHECK = '''\
"""A throwaway check: the words a reader reads, counted; none at all fails."""

from pipeline.checks.finished import Finished, OutputCheck


def run(finished: Finished) -> OutputCheck:
    words = len(finished.reading.text.split())
    return OutputCheck(
        problems=[] if words else ["not one word a reader can read"],
        notes=[f"{words} words"],
        record={"word_count": words},
    )
'''


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project holding a copy of the pipeline with the two entries and their modules."""
    root = tmp_path_factory.mktemp("registry")
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "pipeline", root / "pipeline", ignore=ignore)
    shutil.copytree(ROOT / "styles", root / "styles")
    shutil.copy(ROOT / "tasks.py", root / "tasks.py")
    (root / "source").mkdir()
    (root / "source" / "sample.md").write_text(GOOD)
    formats = root / "pipeline" / "formats" / "__init__.py"
    text = formats.read_text()
    end = text.rindex("    )\n}\n")  # the end of FORMATS
    formats.write_text(text[:end] + FORMAT_ENTRY + text[end:])
    (root / "pipeline" / "formats" / "plain_page.py").write_text(RENDERER)
    checks = root / "pipeline" / "checks" / "__init__.py"
    text = checks.read_text()
    end = text.index("    )\n}\n", text.index("CHECKS: dict"))  # the end of CHECKS
    checks.write_text(text[:end] + CHECK_ENTRY + text[end:])
    (root / "pipeline" / "checks" / "word_count.py").write_text(CHECK)
    return root


def invoke(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "CI": "true"}  # the copy, not this checkout
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )


def test_a_new_format_and_check_are_one_entry_each(copy: Path) -> None:
    changed, added = {}, set()
    for path in sorted((copy / "pipeline").rglob("*.py")):
        name = path.relative_to(copy).as_posix()
        original = ROOT / name
        if not original.exists():
            added.add(name)
        elif original.read_text() != path.read_text():
            changed[name] = list(
                difflib.unified_diff(
                    original.read_text().splitlines(), path.read_text().splitlines(), n=0
                )
            )[2:]
    assert added == {"pipeline/formats/plain_page.py", "pipeline/checks/word_count.py"}
    assert set(changed) == {"pipeline/formats/__init__.py", "pipeline/checks/__init__.py"}
    entries = {
        "pipeline/formats/__init__.py": FORMAT_ENTRY,
        "pipeline/checks/__init__.py": CHECK_ENTRY,
    }
    for name, lines in changed.items():
        assert lines[0].startswith("@@"), name  # one place: a single hunk, lines only added
        assert [line[1:] for line in lines[1:]] == entries[name].splitlines(), name
        assert all(line.startswith("+") for line in lines[1:]), name


def test_a_build_uses_them_end_to_end(copy: Path) -> None:
    result = invoke(copy, "build", "--formats", "html,plain_page")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "sample: plain_page built, verified" in out, out
    table = out[out.index("build summary") :]
    header = " ".join(table.splitlines()[2:4])
    assert "plain" in header and "page" in header, "a column of the summary table"
    row = next(line for line in table.splitlines() if line.strip().startswith("sample"))
    assert row.split()[1:3] == ["✓", "✓"]

    folder = copy / "output" / "sample"
    manifest = json.loads((folder / "manifest.json").read_text())
    entry = manifest["outputs"]["plain_page"]
    assert entry["path"] == "plain.html" and entry["verified"] is True
    page = lxml_html.parse(str(folder / "plain.html")).getroot()
    assert entry["word_count"] == len(extract.read(folder / "plain.html").text.split()) == 13
    assert "Talk to a doctor." in page.text_content()

    landing = lxml_html.fromstring((copy / "output" / "index.html").read_bytes())
    (link,) = landing.xpath("//a[@href='sample/plain.html']")
    item = " ".join(link.getparent().text_content().split())
    assert item.startswith("Plain-words page (every plain part on one short page")

    help_text = " ".join(invoke(copy, "build", "--help").stdout.split())
    assert "onepager_html (One-pager, web page), plain_page (Plain-words page)" in help_text


# -- what every entry promises --------------------------------------------------------------------


@pytest.mark.fast
def test_every_format_names_real_checks_and_a_file_a_reader_reads() -> None:
    for name, fmt in FORMATS.items():
        assert fmt.name == name
        assert fmt.checks and set(fmt.checks) <= set(CHECKS), name
        assert "verify" in fmt.checks, f"{name}: every output is verified"
        assert fmt.suffix in READERS, name
        assert not fmt.shares or fmt.shares in SHARED, name
        assert fmt.weight > 0, name


@pytest.mark.fast
def test_formats_that_share_work_see_the_same_brand_and_view() -> None:
    """What they share is made once, with the first one's brand tables and the view."""
    for shared in SHARED:
        members = [fmt for fmt in FORMATS.values() if fmt.shares == shared]
        assert len(members) > 1, shared
        assert len({fmt.brand_tables for fmt in members}) == 1, shared
        assert len({fmt.html_view for fmt in members}) == 1, shared


@pytest.mark.fast
def test_every_plain_output_is_gated_on_its_reading_level() -> None:
    for name, fmt in FORMATS.items():
        assert ("readability" in fmt.checks) == (fmt.scope == "plain"), name


@pytest.mark.fast
def test_files_labels_and_thumbnails_are_one_each() -> None:
    formats = list(FORMATS.values())
    assert len({fmt.file for fmt in formats}) == len(formats)
    assert len({fmt.label for fmt in formats}) == len(formats)
    slots = [fmt.thumbnail for fmt in formats if fmt.thumbnail]
    assert len(set(slots)) == len(slots) and all(
        FORMATS[k].suffix == ".pdf" for k in FORMATS if FORMATS[k].thumbnail
    )
