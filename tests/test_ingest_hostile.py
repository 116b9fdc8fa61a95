"""A reviewed DOCX comes from outside: every hostile or broken file is answered by
`invoke ingest` with exit 2 and a clear message, never a traceback, within bounded memory and
time (pipeline/ingest/package.py). Each file is made from the article's real DOCX
(tests/hostile_docx.py) and ingested in a child process under an address-space cap of 1 GiB
(RLIMIT_AS, which pandoc inherits) and a timeout, so a regression fails the test instead of
exhausting the machine. A DOCX at the limits is ingested under the same cap.

Then what ingest writes: outside output/, never lost to a build publishing at the same time,
and a full or read-only review folder is a clear error too."""

from __future__ import annotations

import functools
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline.builder import Options, Project, build
from pipeline.ingest import ingest
from pipeline.ingest.package import LIMITS
from tests import hostile_docx as hostile
from tests.conftest import ARTICLE_ID, ROOT, Built

MEMORY = 1 << 30
"""The budget: no process of an ingest may map more."""
TIMEOUT = 300
"""Seconds for all the files together, on a machine shared by many test runs."""
DRIVER = """
import contextlib, io, json, sys, time, traceback
from pipeline import cli
results = {}
for name, path in json.loads(sys.argv[1]).items():
    start = time.monotonic()
    said = io.StringIO()
    try:
        with contextlib.redirect_stderr(said), contextlib.redirect_stdout(io.StringIO()):
            code = cli.main(["ingest", path, "--output", sys.argv[2]])
        message = said.getvalue()
    except BaseException:
        code, message = -1, traceback.format_exc()
    results[name] = {"code": code, "message": message, "seconds": time.monotonic() - start}
print(json.dumps(results))
"""

Maker = Callable[[Path, Path], Path]
PARTS = (
    "word/document.xml",
    "word/styles.xml",
    "word/comments.xml",
    "word/footnotes.xml",
    "word/numbering.xml",
    "word/_rels/document.xml.rels",
    "docProps/custom.xml",
    "customXml/item1.xml",
    "[Content_Types].xml",
)


def lying(docx: Path, target: Path) -> Path:
    """word/document.xml claims 60 KB but inflates to a gigabyte."""
    bomb = hostile.repeated(b" " * hostile.MB, 1024)
    return hostile.replaced(
        docx, target, "word/document.xml", hostile.Deflated(bomb.data, 60_000, bomb.crc)
    )


def many_parts(docx: Path, target: Path) -> Path:
    extra = [(f"word/media/p{n}.bin", b"") for n in range(LIMITS.members)]
    return hostile.write_zip(target, [*hostile.members(docx), *extra])


def parts_over_budget(docx: Path, target: Path) -> Path:
    """Five custom XML parts under the limit for one part, over the limit for all."""
    part = b"<?xml version='1.0'?><a>" + b"x" * (LIMITS.part - 100) + b"</a>"
    extra = [(f"customXml/item{n}.xml", part) for n in range(5, 10)]
    return hostile.write_zip(target, [*hostile.members(docx), *extra])


CASES: dict[str, tuple[Maker, str]] = {
    "a picture that inflates to 4 GB": (
        hostile.bomb,
        "bomb.docx claims to inflate to 4 GB; ingest reads a DOCX of at most 512 MB",
    ),
    "the body inflating to 4 GB": (
        lambda d, t: hostile.bomb(d, t, part="word/document.xml"),
        "claims to inflate to 4 GB",
    ),
    "a part that lies about its size": (lying, "is not a readable DOCX (Bad CRC-32"),
    "3 GB of white space in the body": (hostile.spaces_in_body, "claims to inflate to 3 GB"),
    "200 MB of white space in the body": (
        lambda d, t: hostile.spaces_in_body(d, t, 200 * hostile.MB),
        "word/document.xml inflates to 200.0",
    ),
    "a paragraph of 200 MB": (hostile.long_paragraph, "word/document.xml inflates to 200.0"),
    "80,000 paragraphs": (
        hostile.many_paragraphs,
        "has 80,1",  # the article's own and 80,000 more
    ),
    "more parts than a DOCX has": (many_parts, "parts; a DOCX made in Word or LibreOffice has"),
    "parts over the total budget": (
        parts_over_budget,
        "and the parts read before it inflate to more than 16 MB",
    ),
    "a billion laughs in the body": (hostile.entities, "word/document.xml declares a DTD"),
    "a billion laughs in the styles": (
        lambda d, t: hostile.entities(d, t, "word/styles.xml"),
        "word/styles.xml declares a DTD or entities",
    ),
    "an external entity in the styles": (
        hostile.external_entity,
        "word/styles.xml declares a DTD or entities",
    ),
    "nesting 3,000 deep": (hostile.deep, "word/document.xml nests elements more than 128 deep"),
    "nesting 200 deep": (  # under libxml2's own limit of 256
        lambda d, t: hostile.deep(d, t, 100),
        "word/document.xml nests elements more than 128 deep",
    ),
    "no w:body": (hostile.no_body, "word/document.xml has no w:body"),
    "word/document.xml twice": (
        hostile.duplicate_document,
        "holds word/document.xml more than once",
    ),
    "an embedded source that is not UTF-8": (
        lambda d, t: hostile.source_not_utf8(d, t, ARTICLE_ID),
        "customXml/item1.xml: the embedded source is not UTF-8 text",
    ),
    "an embedded source of 50 MB": (
        lambda d, t: hostile.large_source(d, t, ARTICLE_ID),
        "customXml/item1.xml inflates to 66.67 MB",
    ),
    "an embedded source of 2.5 MB": (
        lambda d, t: hostile.large_source(d, t, ARTICLE_ID, 5 * hostile.MB // 2),
        "the source it carries is 2.50 MB; a source may be at most 2 MB",
    ),
    **{
        f"malformed {part}": (
            functools.partial(hostile.malformed, part=part),
            f"{part} is not well-formed XML",
        )
        for part in PARTS
    },
}


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_ingests(files: dict[str, Path], output: Path, **limits: int) -> dict[str, dict[str, Any]]:
    """`leaflet ingest` of each file, in one child process capped at MEMORY."""

    def limited() -> None:
        _capped()
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a file too large: an error, not death
        for name, value in limits.items():
            resource.setrlimit(getattr(resource, name), (value, value))

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            DRIVER,
            json.dumps({k: str(v) for k, v in files.items()}),
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=limited,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found: dict[str, dict[str, Any]] = json.loads(result.stdout.splitlines()[-1])
    return found


@pytest.fixture(scope="module")
def outcomes(built: Built, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("hostile")
    files = {
        name: maker(built.path("docx"), folder / f"{name.replace(' ', '-').replace('/', '_')}.docx")
        for name, (maker, _message) in CASES.items()
    }
    for name, path in files.items():  # the file names the messages quote
        if name.startswith("a picture"):
            files[name] = path.rename(path.with_name("bomb.docx"))
    return run_ingests(files, folder / "output")


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_docx_is_refused_clearly(outcomes: dict[str, dict[str, Any]], case: str) -> None:
    outcome = outcomes[case]
    assert outcome["code"] == 2, outcome["message"]
    assert "Traceback" not in outcome["message"]
    assert CASES[case][1] in outcome["message"]


def test_a_docx_at_the_limits_is_read_within_the_budget(built: Built, tmp_path: Path) -> None:
    """A body of almost as many paragraphs as ingest reads, each one added by the reviewer
    with Track Changes off: every one is found (and left for a person: it stands before the
    first heading), under the memory cap."""
    xml = hostile.document_xml(built.path("docx"))
    at = xml.index(b"<w:body>") + len(b"<w:body>")
    count = LIMITS.paragraphs - 300  # the article has about 200 of its own
    paragraph = (
        b"<w:p><w:r><w:t>Words a reviewer might add, one after another, %d.</w:t></w:r></w:p>"
    )
    added = b"".join(paragraph % n for n in range(count))
    docx = hostile.replaced(
        built.path("docx"), tmp_path / "long.docx", "word/document.xml", xml[:at] + added + xml[at:]
    )
    outcome = run_ingests({"long": docx}, tmp_path / "output")["long"]
    assert outcome["code"] == 1, outcome["message"]
    review = (tmp_path / "build" / "reviews" / ARTICLE_ID / "long" / "review.md").read_text()
    assert f"Found: {count} changes ({count} not placed)" in review
    print(f"\n{count} added paragraphs: {outcome['seconds']:.1f} s under a 1 GiB cap")


def test_a_picture_of_400_mb_is_never_inflated(built: Built, tmp_path: Path) -> None:
    """Within the limits all members may claim together, and no part ingest reads: pandoc
    gets a placeholder for it, so the review is read under the memory cap."""
    docx = hostile.bomb(built.path("docx"), tmp_path / "picture.docx", 400 * hostile.MB)
    outcome = run_ingests({"picture": docx}, tmp_path / "output")["picture"]
    assert outcome["code"] == 0, outcome["message"]


# -- where the review is written --------------------------------------------------------------


def test_a_full_review_folder_is_a_clear_error(built: Built, tmp_path: Path) -> None:
    """No file may grow beyond 4 KiB (the source is 19 KB): writes fail with EFBIG, as on a
    full disk; nothing is half written."""
    outcome = run_ingests({"full": built.path("docx")}, tmp_path / "output", RLIMIT_FSIZE=4096)[
        "full"
    ]
    assert outcome["code"] == 2, outcome["message"]
    assert "cannot write the review to build/reviews/" in outcome["message"] or (
        f"cannot write the review to {tmp_path}" in outcome["message"]
    )
    assert "File too large" in outcome["message"]
    folder = tmp_path / "build" / "reviews" / ARTICLE_ID / built.path("docx").stem
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")], "no partial file"


@pytest.mark.skipif(shutil.which("chattr") is None, reason="needs chattr (e2fsprogs)")
def test_a_read_only_review_folder_is_a_clear_error(built: Built, tmp_path: Path) -> None:
    """Read-only even for root: the folder is made immutable (chattr +i)."""
    folder = tmp_path / "build" / "reviews" / ARTICLE_ID
    folder.mkdir(parents=True)
    made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("this file system has no immutable flag")
    try:
        outcome = run_ingests({"locked": built.path("docx")}, tmp_path / "output")["locked"]
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    assert outcome["code"] == 2, outcome["message"]
    assert "cannot write the review to" in outcome["message"]
    assert "Operation not permitted" in outcome["message"]


def test_a_review_written_while_a_build_publishes_keeps_every_file(
    built: Built, tmp_path: Path
) -> None:
    """Ingests run while a build of the same document publishes: each waits for the build's
    lock, writes outside output/, and every file of every review is there at the end; the
    build publishes its document whole."""
    root = tmp_path / "project"
    (root / "source").mkdir(parents=True)
    shutil.copy(ROOT / "source" / f"{ARTICLE_ID}.md", root / "source")
    (root / "styles").symlink_to(ROOT / "styles", target_is_directory=True)
    project = Project.at(root)
    assert not build(project, Options(docs=(ARTICLE_ID,), formats=("docx",))).failed
    reviews = []
    for number in range(3):
        reviews.append(tmp_path / f"review-{number}.docx")
        shutil.copy(built.path("docx"), reviews[-1])
    building = subprocess.Popen(
        [sys.executable, "-m", "invoke", "--search-root", str(ROOT), "build", "--doc", ARTICLE_ID,
         "--force", "--output", str(project.output_dir)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    # ROOT's tasks build ROOT's sources: the same article, into this project's output.
    try:
        _wait_until_locked(project, building)
        done: list[tuple[str, float]] = []

        def review(docx: Path) -> None:
            outcome = ingest(project, docx)
            done.append((outcome.folder.name, time.time()))

        threads = [threading.Thread(target=review, args=(docx,)) for docx in reviews]
        for thread in threads:
            thread.start()
        log, _ = building.communicate(timeout=TIMEOUT)
        for thread in threads:
            thread.join(TIMEOUT)
    finally:
        if building.poll() is None:
            building.kill()
    assert building.returncode == 0, log
    assert sorted(name for name, _ in done) == [d.stem for d in reviews]
    # The build's last write under output/ (its lock held until after it; ingest writes
    # nothing there): the ingests ended after it, however long the build's process then took
    # to exit on a busy machine.
    published = max(p.stat().st_mtime for p in [project.output_dir, *project.output_dir.rglob("*")])
    assert all(when >= published for _, when in done), "ingest waited for the build"
    for docx in reviews:
        folder = project.reviews_dir / ARTICLE_ID / docx.stem
        assert sorted(p.name for p in folder.iterdir()) == [
            "review.md",
            "source.critic.md",
            "source.patch",
        ]
    assert not list(project.output_dir.rglob("review*")), "nothing of a review is served"
    assert (project.output_dir / ARTICLE_ID / "index.html").is_file()


def _wait_until_locked(project: Project, building: subprocess.Popen[str]) -> None:
    """Until the build holds output/ (or has finished: the test then proves less, and says
    so by failing its timing assertion)."""
    import fcntl

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and building.poll() is None:
        handle = os.open(project.output_dir, os.O_RDONLY)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(handle, fcntl.LOCK_UN)
        except BlockingIOError:
            return
        finally:
            os.close(handle)
        time.sleep(0.02)
