"""A disclaimer's label (`::: {.disclaimer #id label="Call 911"}`): allowed on a disclaimer
alone, visible words only; the pages and PDFs head its box with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.formats import render_alone
from pipeline.problems import SourceError
from tests.leaflet import BRAND, leaflet, section


def labelled(label: str, where: str = "disclaimer") -> str:
    attribute = f'label="{label}"'
    disclaimer = f"::: {{.disclaimer #emergency {attribute if where == 'disclaimer' else ''}}}"
    plain = f"::: {{.plain {attribute if where == 'plain' else ''}}}"
    body = f"{disclaimer}\nIf you have chest pain, call 911 now.\n\n"
    return section("when-to-call", f"{body}{plain}\nChest pain? Call 911.\n:::\n:::\n")


@pytest.mark.fast
def test_a_disclaimer_takes_a_label(tmp_path: Path) -> None:
    doc = leaflet(tmp_path, labelled("Call 911"))
    (disclaimer,) = doc.disclaimers
    assert disclaimer.label == "Call 911"
    unlabelled = leaflet(tmp_path / "plain", labelled("", where="none"))
    assert next(unlabelled.disclaimers).label is None


@pytest.mark.fast
@pytest.mark.parametrize(
    ("label", "where", "message"),
    [
        ("Call 911", "plain", "only a disclaimer takes a label"),
        ("y" * 41, "disclaimer", "a label is 1 to 40 letters"),
        ("Call\u200b911", "disclaimer", r"\(U\+200B\): a label is"),
        ("<b>Now</b>", "disclaimer", "a label is 1 to 40"),
        ("Call 911 \u260e", "disclaimer", r"\(U\+260E\): a label is"),
    ],
)
def test_a_label_elsewhere_or_of_odd_characters_is_refused(
    tmp_path: Path, label: str, where: str, message: str
) -> None:
    with pytest.raises(SourceError, match=rf"test-leaflet\.md:\d+: .*label.*{message}"):
        leaflet(tmp_path, labelled(label, where))


def test_the_page_and_the_pdfs_head_the_box_with_it(tmp_path: Path) -> None:
    doc = leaflet(tmp_path, labelled("Call 911"))
    page = render_alone("html", doc, BRAND, tmp_path / "html").read_text(encoding="utf-8")
    assert 'id="emergency-label">Call 911</p>' in page and ">Important</p>" not in page
    from tests.test_brochure_formats import full_text

    for kind in ("accessible_pdf", "brochure_pdf"):
        out = tmp_path / kind
        out.mkdir()
        text = " ".join(full_text(render_alone(kind, doc, BRAND, out)))
        assert "CALL 911" in text and "IMPORTANT" not in text, kind
