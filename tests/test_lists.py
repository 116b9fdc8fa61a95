"""Lists print as the source numbers them: a list that starts at 4 (as one does after a
figure that interrupts the steps) and one counted a, b, c or i, ii, iii keep their numbers
in both PDFs and the printed one-pager, as they do in a browser."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest

from tests.leaflet import leaflet, render, section

BODY = """\
1. Wet your hands.
2. Rub them together:
   a. the backs,
   b. between the fingers.

A paragraph between the steps.

4. Rinse your hands.
5. Dry them.

i. Pack your bag.
ii. Charge your phone.
iii. Leave early.
"""
PLAIN = "Wash like this:\n\n3. Rinse.\n4. Dry.\n"
LABELS = {
    "between the fingers.": "b.",
    "Rinse your hands.": "4.",
    "Dry them.": "5.",
    "Charge your phone.": "ii.",
    "Leave early.": "iii.",
}


def label_of(pdf: pdfium.PdfDocument, item: str) -> str:
    """The text printed left of `item`, on its line (its list label)."""
    for page in pdf:
        text = page.get_textpage()
        found = text.search(item).get_next()
        if found:
            left, bottom, _right, top = text.get_charbox(found[0])
            return str(text.get_text_bounded(left - 60, bottom, left - 0.5, top)).strip()
    raise AssertionError(f"{item!r} is not in the PDF")


@pytest.mark.parametrize("kind", ["brochure_pdf", "accessible_pdf"])
def test_the_pdfs_keep_the_sources_numbers(tmp_path: Path, kind: str) -> None:
    doc = leaflet(tmp_path, section("steps", BODY))
    pdf = pdfium.PdfDocument(render(doc, kind, tmp_path))
    try:
        assert {item: label_of(pdf, item) for item in LABELS} == LABELS
    finally:
        pdf.close()


def test_the_printed_onepager_keeps_the_sources_numbers(tmp_path: Path) -> None:
    doc = leaflet(tmp_path, section("steps", "Steps.", plain=PLAIN))
    pdf = pdfium.PdfDocument(render(doc, "onepager_pdf", tmp_path))
    try:
        assert [label_of(pdf, "Rinse."), label_of(pdf, "Dry.")] == ["3.", "4."]
    finally:
        pdf.close()
