"""pipeline.pandoc: body fragments to HTML, each fragment whole whatever it starts with; every
pandoc call in its sandbox, and every external program through one gateway (pipeline.tools)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html
from PIL import Image

from pipeline import pandoc, tools
from pipeline.builder import Options, build
from pipeline.ingest import ingest
from pipeline.pandoc import to_html
from tests.conftest import ROOT
from tests.test_build import make_project
from tests.test_source import GOOD


def _text(fragment: str) -> list[str]:
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    return [" ".join(element.text_content().split()) for element in root]


@pytest.mark.fast
def test_a_fragment_that_starts_with_a_subheading_keeps_its_blocks() -> None:
    """The loader gives subheadings no id (no auto identifiers): pandoc once wrote such a
    fragment as its heading alone, and the section's text after it was lost."""
    heading = {"t": "Header", "c": [3, ["", [], []], [{"t": "Str", "c": "Steps"}]]}
    para = {"t": "Para", "c": [{"t": "Str", "c": "Wash."}]}
    first, second = to_html([[heading, para], [heading]])
    assert _text(first) == ["Steps", "Wash."]
    assert first.startswith("<h3") and "fragment" not in first
    assert _text(second) == ["Steps"]


# -- one gateway: every external program through pipeline.tools, pandoc in its sandbox ------

PACKAGE = ROOT / "pipeline"


@pytest.mark.fast
def test_no_module_but_the_gateway_starts_a_program() -> None:
    """One way to run external programs (pipeline/tools.py): with its time limit, memory cap
    and one error type. pypandoc is never imported: its lookup asks every pandoc it finds
    for its version, and its calls had three error types."""
    starts = re.compile(r"\bsubprocess\b|\bos\.(system|popen|exec\w*|spawn\w*)\b|\bpypandoc\b")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "tools.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if starts.search(line.split("#")[0]) and not line.lstrip().startswith(('"', "'"))
    ]
    assert found == []


def picture(colour: tuple[int, int, int]) -> bytes:
    stream = io.BytesIO()
    Image.new("RGB", (7, 5), colour).save(stream, "PNG")
    return stream.getvalue()


@pytest.mark.fast
def test_a_document_makes_pandoc_read_no_file_unless_the_call_says_why(tmp_path: Path) -> None:
    """A document naming a file outside (here a picture in a folder of its own) gets nothing
    from a sandboxed call; the one call that may read (the DOCX writer, which embeds the
    pictures the loader checked) has to say why, and then reads it: the control."""
    secret = tmp_path / "elsewhere" / "secret.png"
    secret.parent.mkdir()
    secret.write_bytes(picture((1, 2, 3)))
    text = f"Look: ![a picture]({secret})\n"
    args = ["--from=markdown", "--to=docx"]

    def media(docx: bytes) -> list[bytes]:
        with zipfile.ZipFile(io.BytesIO(docx)) as package:
            names = [n for n in package.namelist() if n.startswith("word/media/")]
            return [package.read(name) for name in names]

    assert secret.read_bytes() not in media(pandoc.run(args, text))
    assert secret.read_bytes() not in media(pandoc.run(args, text, unsandboxed=""))
    read = media(pandoc.run(args, text, unsandboxed="the control of this test"))
    assert secret.read_bytes() in read


def test_every_pandoc_call_of_a_build_and_an_ingest_is_in_the_sandbox_but_the_docx_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    run = tools.run

    def recorded(program: str, args: Sequence[str] = (), **kwargs: Any) -> bytes:
        if program == "pandoc":
            calls.append(list(args))
        return run(program, args, **kwargs)

    monkeypatch.setattr(tools, "run", recorded)
    project = make_project(tmp_path, {"sandboxed": GOOD.replace("id: sample", "id: sandboxed")})
    report = build(project, Options(formats=("html", "docx"), jobs=1))  # in this process
    assert not report.failed, report.lines
    ingest(project, project.output_dir / "sandboxed" / "sandboxed.docx")
    writers = [args for args in calls if "--to=docx" in args]
    assert len(writers) == 1 and "--sandbox" not in writers[0]
    others = [args for args in calls if args not in writers]
    assert {"--from=docx", "--from=json", "--from=markdown-auto_identifiers"} <= {
        arg for args in others for arg in args if arg.startswith("--from=")
    }, "the loader, the HTML view, the reference document and ingest's calls were seen"
    assert [args for args in others if args[0] != "--sandbox"] == []
