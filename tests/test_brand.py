"""One set of brand tokens drives every format: change a colour in a copy of styles/ and
the next build carries the new value into each output."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import docx
import pikepdf
import pytest
from docx.oxml.ns import qn

from pipeline.builder import Options, Project, build
from tests.conftest import ARTICLE_ID, ROOT

NEW_SRGB = "#7A1F5C"
NEW_CMYK = [12, 88, 4, 31]


@pytest.fixture(scope="module")
def rebranded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real article built with a copy of styles/ whose primary colour has changed."""
    root = tmp_path_factory.mktemp("rebranded")
    shutil.copytree(ROOT / "styles", root / "styles")
    (root / "source").mkdir()
    shutil.copyfile(ROOT / "source" / f"{ARTICLE_ID}.md", root / "source" / f"{ARTICLE_ID}.md")
    tokens = root / "styles" / "brand.toml"
    text, count = re.subn(
        r'(\[colors\.primary\][^\[]*?srgb = )"#[0-9A-Fa-f]{6}"([^\[]*?cmyk = )\[[^\]]*\]',
        rf'\1"{NEW_SRGB}"\2{NEW_CMYK}',
        tokens.read_text(encoding="utf-8"),
    )
    assert count == 1, "the primary colour was not found in brand.toml"
    tokens.write_text(text, encoding="utf-8")
    # A rebrand recolours the logo too: the brochure prints only colours the brand names.
    logo = root / "styles" / "images" / "logo.svg"
    logo.write_text(logo.read_text(encoding="utf-8").replace("#0B4F6C", NEW_SRGB))
    report = build(
        Project.at(root), Options(docs=(ARTICLE_ID,), formats=("html", "brochure_pdf", "docx"))
    )
    assert not report.failed, "\n".join(report.lines)
    return root / "output" / ARTICLE_ID


def test_a_new_colour_reaches_the_html_css(rebranded: Path) -> None:
    css = "\n".join(p.read_text() for p in (rebranded / "assets").glob("*.css"))
    assert NEW_SRGB.casefold() in css.casefold()


def test_a_new_colour_reaches_the_brochure_cmyk_operators(rebranded: Path) -> None:
    wanted = [Decimal(v) / 100 for v in NEW_CMYK]
    found = []
    with pikepdf.open(rebranded / "brochure.pdf") as pdf:
        for page in pdf.pages:
            for instruction in pikepdf.parse_content_stream(page):
                if str(instruction.operator) in {"k", "K", "sc", "scn", "SC", "SCN"}:
                    found.append([Decimal(str(v)) for v in instruction.operands])
    assert wanted in found, "the new primary CMYK value is not drawn in the brochure"
    old = [Decimal(95) / 100, Decimal(55) / 100, Decimal(25) / 100, Decimal(20) / 100]
    assert old not in found, "the old primary colour is still drawn"


def test_a_new_colour_reaches_the_docx_styles(rebranded: Path) -> None:
    styles = docx.Document(str(rebranded / f"{ARTICLE_ID}.docx")).styles
    for name in ("Title", "Heading 1", "Heading 2"):
        assert str(styles[name].font.color.rgb) == NEW_SRGB[1:].upper(), name
    rule = styles["Plain Summary"].element.pPr.find(f"{qn('w:pBdr')}/{qn('w:left')}")
    assert rule.get(qn("w:color")) == NEW_SRGB[1:].upper()
