"""A brochure a prepress desk accepts without a call, checked as the desk would, from the
finished files with tools that did not make them (tests/prepress.py): text under 12 pt in
one ink, black text 100 % K overprinting, total ink per pixel within the print condition's
limit in Ghostscript's separations, the PDF/X route keeping text as text, one subset per
subset tag, the PDF/X version in Info, and a job ticket the shop can act on. The article's
and every corpus leaflet's brochures are the session's (tests/conftest.py: built, corpus)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import statistics
import struct
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image, ImageCms, ImageDraw

from pipeline.brand import BrandError, load_brand
from pipeline.builder import Options, Project, build
from pipeline.checks.preflight import preflight
from pipeline.formats.pdf.separation import Separation
from pipeline.printconditions import REGISTERED
from tests.conftest import ARTICLE_ID, ROOT, Built, Corpus
from tests.prepress import (
    bleed_pixels,
    convert_pdfx,
    separate,
    text_paints,
    total_ink,
)
from tests.printing import brand_with

BRAND = load_brand(ROOT / "styles")
CORPUS = ROOT / "tests" / "corpus"
DPI = 150


class Shelf(NamedTuple):
    project: Path
    brochures: dict[str, Path]


def _project(tmp_path: Path, **print_tokens: object) -> Path:
    """The real styles (with these [print] tokens, _ for -), the corpus and the article."""
    shutil.copytree(ROOT / "styles", tmp_path / "styles")
    brand = tmp_path / "styles" / "brand.toml"
    tokens = {key.replace("_", "-"): value for key, value in print_tokens.items()}
    text = _with_tokens(brand.read_text(encoding="utf-8"), "print", tokens)
    brand.write_text(text, encoding="utf-8")
    source = tmp_path / "source"
    shutil.copytree(CORPUS, source)
    shutil.copyfile(ROOT / "source" / f"{ARTICLE_ID}.md", source / f"{ARTICLE_ID}.md")
    return tmp_path


def _build(project: Path) -> Shelf:
    report = build(Project.at(project), Options(formats=("brochure_pdf",)))
    assert not report.failed, "\n".join(report.lines)
    found = sorted((project / "output").glob("*/brochure.pdf"))
    return Shelf(project, {path.parent.name: path for path in found})


@pytest.fixture(scope="module")
def shelf(built: Built, corpus: Corpus) -> Shelf:
    """The article and every corpus leaflet, as brochures, with the real brand: the
    session's builds of the article and of the corpus (read, never changed)."""
    brochures = {doc: corpus.path(doc, "brochure_pdf") for doc in corpus.docs}
    return Shelf(corpus.project.root, {**brochures, ARTICLE_ID: built.path("brochure_pdf")})


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The article's brochure with crop marks and slug (a second WeasyPrint document)."""
    project = _project(tmp_path_factory.mktemp("marked"), crop_marks=True)
    for path in (project / "source").glob("*.md"):
        if path.stem != ARTICLE_ID:
            path.unlink()
    return _build(project).brochures[ARTICLE_ID]


def _every(shelf: Shelf) -> list[tuple[str, Path]]:
    return sorted(shelf.brochures.items())


# -- text: one ink, black overprints -----------------------------------------------------------


def test_text_under_12_pt_paints_in_one_ink(shelf: Shelf) -> None:
    # Links, labels, table heads, bullets and footers included; the slug (outside the bleed)
    # aside. Paper white (text reversed out of a colour) paints no ink at all.
    for name, path in _every(shelf):
        paints = [p for p in text_paints(path) if not p.printers_mark]
        small = [p for p in paints if p.size < 12]
        assert small, name
        several = sorted({(p.page, p.size, p.colour) for p in small if len(p.inks) > 1})
        assert not several, f"{name}: text under 12 pt in more than one ink: {several[:5]}"
        assert all(p.space == "DeviceCMYK" for p in paints), name


def test_black_text_is_100_percent_k_and_overprints(shelf: Shelf) -> None:
    for name, path in _every(shelf):
        paints = [p for p in text_paints(path) if not p.printers_mark]
        # the body's size is fitted to the pages (10.5 to 12 pt): the size most text has
        black = [p for p in paints if p.inks == ("Black",)]
        body_size = statistics.mode(round(p.size, 1) for p in black) if black else 0
        body = [p for p in black if abs(p.size - body_size) < 0.6]
        assert body, name
        # body text: 100 % black, overprinting in mode 1 (zero components leave the other
        # plates alone); a tint of black (footers, 72 %) and colours never overprint
        assert {p.colour for p in body} == {(0.0, 0.0, 0.0, 1.0)}, name
        for paint in paints:
            solid_black = paint.colour == (0.0, 0.0, 0.0, 1.0)
            assert paint.overprint == solid_black, (name, paint)
            if solid_black:
                assert paint.overprint_mode == 1, (name, paint)


def test_black_text_leaves_the_tint_under_it_on_the_cyan_plate(
    shelf: Shelf, tmp_path: Path
) -> None:
    # Ghostscript's separations, overprint simulated as a press prints: inside an "In short"
    # box (10 % cyan) the cyan plate has no hole where the black text stands.
    path = shelf.brochures[ARTICLE_ID]
    plates = separate(path, tmp_path, DPI)[2]  # page 3 starts with a section and its box
    cyan, black = plates["Cyan"], plates["Black"]
    tint = cyan.point(lambda v: 255 if 20 <= v <= 31 else 0)  # 10 %, give or take rounding
    everything = tint.getbbox()
    assert everything, "no 10 % cyan box on page 3"
    # the first box alone: the tinted area connected to its first tinted pixel
    seed = next(
        (x, y)
        for y in range(everything[1] + 8, everything[3])
        for x in range(everything[0], everything[2])
        if tint.getpixel((x, y)) == 255
    )
    ImageDraw.floodfill(tint, seed, 128)
    left, top, right, bottom = tint.point(lambda v: 255 if v == 128 else 0).getbbox()  # type: ignore[misc]
    box = (left + 6, top + 6, right - 6, bottom - 6)  # inside its rounded corners
    text = black.crop(box).point(lambda v: 255 if v > 240 else 0)
    assert text.getbbox(), "no black text inside the box"
    under = Image.composite(cyan.crop(box), Image.new("L", text.size, 255), text)
    lowest = under.getextrema()[0]
    assert isinstance(lowest, int) and lowest >= 20, "black text knocks a hole in the cyan plate"


# -- total ink --------------------------------------------------------------------------------


def _most_ink(path: Path, folder: Path) -> tuple[float, float]:
    """(inside the bleed, on the whole sheet): the highest total ink of any pixel."""
    pages = separate(path, folder, DPI)
    inside = max(total_ink(p, bleed_pixels(path, n, DPI)) for n, p in enumerate(pages, 1))
    return inside, max(total_ink(p) for p in pages)


def test_total_ink_per_pixel_is_within_the_condition_limit(shelf: Shelf, tmp_path: Path) -> None:
    limit = BRAND.print_condition.ink_limit
    every = list(_every(shelf))
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:  # one Ghostscript per core
        inks = list(pool.map(lambda item: _most_ink(item[1], tmp_path / item[0]), every))
    for (name, path), (inside, _sheet) in zip(every, inks, strict=True):
        assert inside <= limit + 1, f"{name}: {inside:.0f}% of ink, above {limit:g}%"
        flight = preflight(path, BRAND)
        assert flight.facts["ink_max"] <= limit
        assert f"{flight.facts['ink_max']:g}% at most" in flight.report()


def test_uncoated_paper_holds_figures_to_its_lower_limit(tmp_path: Path) -> None:
    # Writable, uncoated paper (FOGRA29, 260 %): the corpus's photos and drawings separated
    # through its profile stay within it, pixel by pixel, as Ghostscript separates them.
    uncoated = REGISTERED["FOGRA29"]
    project = _project(
        tmp_path, output_condition_identifier="FOGRA29", paper="uncoated", max_ink=260
    )
    for path in (project / "source").glob("*.md"):
        if path.stem not in ("hand-washing", "appointments"):
            path.unlink()
    brochures = _build(project).brochures
    for name, path in brochures.items():
        with pikepdf.open(path) as pdf:
            intent = pdf.Root.OutputIntents[0]
            assert str(intent.OutputConditionIdentifier) == "FOGRA29"
            assert intent.DestOutputProfile.read_bytes() == uncoated.profile.read_bytes()
        inside, _sheet = _most_ink(path, tmp_path / name)
        assert inside <= 261, f"{name}: {inside:.0f}% of ink on uncoated paper"


def test_crop_marks_are_four_inks_but_not_counted(marked: Path, tmp_path: Path) -> None:
    inside, sheet = _most_ink(marked, tmp_path)
    assert sheet > 390, "the crop marks print in registration colour (all four inks)"
    assert inside <= BRAND.print_condition.ink_limit + 1
    flight = preflight(marked, BRAND)
    assert flight.failures == []
    assert flight.ticket_record()["marks"].startswith("crop marks in registration colour")


# -- figures: greys in black ink, ink held to the limit ---------------------------------------


def _chart() -> Image.Image:
    """A chart as drawings come: black and grey lines and labels, a grey fill, a colour."""
    chart = Image.new("RGB", (200, 100), (255, 255, 255))
    draw = ImageDraw.Draw(chart)
    draw.rectangle((10, 10, 90, 90), fill=(200, 200, 200), outline=(0, 0, 0), width=3)
    draw.line((100, 50, 190, 50), fill=(90, 90, 90), width=4)
    draw.rectangle((120, 10, 190, 40), fill=(25, 10, 70))  # a dark, saturated navy
    return chart


def test_a_figures_greys_print_in_black_ink_only() -> None:
    separated = Separation(BRAND, BRAND.print_condition).image(_chart())
    for xy in ((10, 10), (50, 50), (150, 50)):  # the black outline, grey fill, grey line
        cyan, magenta, yellow, black = separated.getpixel(xy)  # type: ignore[misc]
        assert (cyan, magenta, yellow) == (0, 0, 0) and black > 0, xy
    # paper stays paper, and the navy keeps its colour inks
    assert separated.getpixel((5, 5)) == (0, 0, 0, 0)
    assert sum(separated.getpixel((150, 20))[:3]) > 200  # type: ignore[index]


def test_a_figures_ink_is_held_to_the_brands_limit() -> None:
    # A shop's limit below the profile's: cyan, magenta and yellow give way, black stays.
    brand = brand_with(max_ink=200)
    separated = Separation(brand, brand.print_condition).image(_chart())
    full = Separation(BRAND, BRAND.print_condition).image(_chart())
    navy, navy_full = separated.getpixel((150, 20)), full.getpixel((150, 20))
    assert sum(navy_full) > 200 / 100 * 255  # type: ignore[arg-type]
    assert sum(navy) <= 200 / 100 * 255 + 2  # type: ignore[arg-type]
    assert navy[3] == navy_full[3]  # type: ignore[index]


# -- a file every RIP handles ------------------------------------------------------------------


def _draws_transparency(page: pikepdf.Page) -> bool:
    """A transparency group, a soft-masked image (a figure's alpha) or a graphics state
    with a soft mask or constant alpha below 1: what a PDF/X-1a or X-3 route must flatten."""
    for xobject in page.Resources.get("/XObject", {}).values():
        group = xobject.get("/Group")
        if (group is not None and group.get("/S") == "/Transparency") or "/SMask" in xobject:
            return True
    states = page.Resources.get("/ExtGState", {}).values()
    return any("/SMask" in s or float(s.get("/ca", 1)) < 1 for s in states)


def test_each_page_lists_only_the_resources_it_draws(shelf: Shelf) -> None:
    for name, path in _every(shelf):
        with pikepdf.open(path) as pdf:
            own = {page.Resources.objgen for page in pdf.pages}
            assert len(own) == len(pdf.pages), f"{name}: pages share a /Resources"
            for number, page in enumerate(pdf.pages, start=1):
                drawn = {str(i.operands[0]) for i in pikepdf.parse_content_stream(page, "Do Tf gs")}
                listed = {
                    str(key)
                    for category in ("/XObject", "/Font", "/ExtGState")
                    for key in page.Resources.get(category, {})
                }
                assert listed == drawn, f"{name}, page {number}: lists {listed - drawn}"


def test_ghostscripts_pdfx_route_keeps_text_as_text(shelf: Shelf, tmp_path: Path) -> None:
    # A shop converting for an older RIP: every page without transparency keeps its text
    # (extracted from the converted file) and is not one big image.
    every = list(_every(shelf))
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:  # one Ghostscript per core
        done = pool.map(lambda item: convert_pdfx(item[1], tmp_path / f"{item[0]}.pdf"), every)
        conversions = list(done)
    for (name, path), converted in zip(every, conversions, strict=True):
        with pikepdf.open(path) as original:
            plain = [n for n, p in enumerate(original.pages) if not _draws_transparency(p)]
        assert plain, name
        before, after = pdfium.PdfDocument(path), pdfium.PdfDocument(converted)
        try:
            for number in plain:
                words = before[number].get_textpage().get_text_range().split()
                kept = after[number].get_textpage().get_text_range().split()
                assert len(kept) >= 0.9 * len(words), f"{name}, page {number + 1}: text lost"
                page_area = after[number].get_width() * after[number].get_height()
                for image in after[number].get_objects([pdfium_c.FPDF_PAGEOBJ_IMAGE]):
                    x0, y0, x1, y1 = image.get_bounds()
                    assert (x1 - x0) * (y1 - y0) < 0.5 * page_area, (
                        f"{name}, page {number + 1}: flattened to one image"
                    )
        finally:
            before.close()
            after.close()


def test_no_two_font_subsets_share_a_subset_tag(marked: Path) -> None:
    # The slug is set by a second WeasyPrint document: its subsets were written under the
    # brochure's tags (ISO 32000 9.6.4: a tag names one subset).
    programs: dict[str, set[bytes]] = {}
    with pikepdf.open(marked) as pdf:
        for item in pdf.objects:
            if isinstance(item, pikepdf.Dictionary) and "/FontFile2" in item:
                tag = str(item.FontName)[1:].partition("+")[0]
                programs.setdefault(tag, set()).add(item.FontFile2.read_bytes())
    assert len(programs) > 3
    shared = {tag: len(found) for tag, found in programs.items() if len(found) > 1}
    assert not shared, f"tags naming more than one subset: {shared}"


def test_info_and_xmp_say_pdfx_4_and_rendition_default(shelf: Shelf) -> None:
    with pikepdf.open(shelf.brochures[ARTICLE_ID]) as pdf:
        assert str(pdf.docinfo["/GTS_PDFXVersion"]) == "PDF/X-4"
        meta = pdf.open_metadata()
        assert str(meta["pdfxid:GTS_PDFXVersion"]) == "PDF/X-4"
        assert str(meta["xmpMM:RenditionClass"]) == "default"


# -- the print condition -----------------------------------------------------------------------


def _tags(profile: bytes) -> dict[bytes, bytes]:
    (count,) = struct.unpack_from(">I", profile, 128)
    found = {}
    for index in range(count):
        signature, offset, size = struct.unpack_from(">4sII", profile, 132 + 12 * index)
        found[signature] = profile[offset : offset + size]
    return found


@pytest.mark.parametrize("identifier", sorted(REGISTERED))
def test_a_registered_conditions_profile_names_its_data_as_the_icc_asks(identifier: str) -> None:
    condition = REGISTERED[identifier]
    data = condition.profile.read_bytes()
    profile = ImageCms.getOpenProfile(io.BytesIO(data))
    assert data[16:20] == b"CMYK" and data[12:16] == b"prtr"
    assert ImageCms.getProfileDescription(profile).strip().endswith(f"based on {identifier}")
    assert _tags(data)[b"targ"] == b"text" + bytes(4) + f"ICCHDAT {identifier}\0".encode()
    assert struct.unpack_from(">3H", data, 24) == condition.dated  # not the day it was built


def test_the_brochure_names_its_registered_condition(shelf: Shelf) -> None:
    condition = BRAND.print_condition
    assert condition.identifier == "CGATS TR 006" and condition.paper == "coated"
    with pikepdf.open(shelf.brochures[ARTICLE_ID]) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert str(intent.OutputConditionIdentifier) == "CGATS TR 006"
        assert str(intent.RegistryName) == "http://www.color.org"
        assert intent.DestOutputProfile.read_bytes() == condition.profile.read_bytes()


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        ({"output-condition-identifier": "FOGRA39"}, "is not a print condition this project"),
        ({"paper": "uncoated"}, r'paper = "uncoated" must be coated \(the paper of CGATS'),
        ({"max-ink": 500}, "max-ink must be a percentage from 100 to 400"),
    ],
    ids=["unregistered condition, no profile", "paper not the condition's", "ink over 400"],
)
def test_a_print_setting_that_cannot_be_printed_is_refused_at_load(
    tmp_path: Path, tokens: dict[str, object], message: str
) -> None:
    _refused(tmp_path, "print", tokens, message)


def test_small_type_of_more_than_one_ink_is_refused_at_load(tmp_path: Path) -> None:
    _refused(
        tmp_path,
        "colors.primary",
        {"small-type": [100, 50, 0, 0]},
        r"\[colors.primary\] small-type must be four percentages of which at most one",
    )


def _refused(tmp_path: Path, table: str, tokens: dict[str, object], message: str) -> None:
    shutil.copytree(ROOT / "styles", tmp_path / "styles")
    path = tmp_path / "styles" / "brand.toml"
    path.write_text(_with_tokens(path.read_text(encoding="utf-8"), table, tokens))
    with pytest.raises(BrandError, match=message):
        load_brand(tmp_path / "styles")


def _with_tokens(text: str, table: str, tokens: dict[str, object]) -> str:
    """brand.toml's `text` with these keys of [table] set (replaced where they are)."""
    for key, value in tokens.items():
        line = f"{key} = {json.dumps(value)}"

        def replace(match: re.Match[str], line: str = line) -> str:
            return match.group(1) + line

        text, found = re.subn(
            rf"(?ms)(^\[{re.escape(table)}\][^\n]*\n(?:(?!^\[).)*?)^{key} = [^\n]*", replace, text
        )
        if not found:  # a new key, first in its table
            header = re.search(rf"(?m)^\[{re.escape(table)}\][^\n]*\n", text)
            assert header, f"no [{table}] in brand.toml"
            text = text[: header.end()] + line + "\n" + text[header.end() :]
    return text


# -- the job ticket ----------------------------------------------------------------------------

FIELDS = {
    "file", "sha256", "document", "version", "format", "finished_size_mm", "flat_size_mm",
    "pages", "sheets", "finishing", "colour", "black_text", "print_condition", "icc_profile",
    "total_ink_limit_percent", "total_ink_max_percent", "bleed_mm", "marks", "quantity",
    "paper_weight", "paper_finish", "proof", "delivery", "contact", "purchase_order",
    "placeholders", "preflight",
}  # fmt: skip


def test_the_job_ticket_json_has_every_field_and_the_right_sheets(shelf: Shelf) -> None:
    seen = set()
    for name, path in _every(shelf):
        ticket = json.loads((path.parent / "print-job.json").read_text(encoding="utf-8"))
        assert set(ticket) == FIELDS, name
        with pikepdf.open(path) as pdf:
            pages = len(pdf.pages)
        assert ticket["pages"] == pages
        width, height = ticket["finished_size_mm"]
        assert ticket["flat_size_mm"] == [round(2 * width, 1), height]  # a sheet opened flat
        if pages == 4:  # one sheet, folded once: nothing to stitch
            assert ticket["sheets"] == "1 sheet, folded", name
            assert "stitch" not in ticket["finishing"].replace("no stitching", "")
        else:
            assert ticket["sheets"] == f"{pages // 4} sheets, each folded to 4 pages", name
            assert ticket["finishing"].startswith("saddle stitch")
        seen.add(pages)
        assert ticket["print_condition"]["identifier"] == "CGATS TR 006"
        assert ticket["print_condition"]["paper"] == "coated"
        assert ticket["total_ink_max_percent"] <= ticket["total_ink_limit_percent"] == 300
        assert ticket["black_text"] == "100 % K, set to overprint"
        assert ticket["paper_weight"] == BRAND.print["paper-weight"]
        # the sample brand's order details that are still placeholders, named as such
        assert ticket["placeholders"] == ["quantity", "delivery", "contact", "purchase_order"]
        text = (path.parent / "print-job.txt").read_text(encoding="utf-8")
        assert "Still placeholders, to replace in styles/brand.toml [print]: quantity" in text
        assert re.search(rf"^Pages +{pages} \({re.escape(ticket['sheets'])}\)$", text, re.M)
        assert "1 sheets" not in text
    assert seen >= {4, 8}, "the corpus has one-sheet and two-sheet brochures"


def test_a_ticket_without_placeholders_names_none(shelf: Shelf, tmp_path: Path) -> None:
    brand = brand_with(
        quantity=2500,
        delivery="Riverbend Health, 1 River Road, by 2026-03-01",
        contact="A. Writer, 555-0100",
        purchase_order="PO-1234",
    )
    path = Path(shutil.copyfile(shelf.brochures[ARTICLE_ID], tmp_path / "brochure.pdf"))
    record = preflight(path, brand).ticket_record()
    assert record["placeholders"] == [] and record["quantity"] == 2500
    assert "Still placeholders" not in preflight(path, brand).ticket()


@pytest.mark.parametrize(
    ("colour", "failure"),
    [
        (b"0.5 0.5 0 0 k", "page 2: 9.0 pt text in 2 inks (50/50/0/0)"),
        (b"0 0 0 1 k", "page 2: 100 % black text that knocks out (overprint not set)"),
    ],
    ids=["small type in two inks", "black text knocking out"],
)
def test_preflight_names_text_a_prepress_desk_would_call_about(
    shelf: Shelf, tmp_path: Path, colour: bytes, failure: str
) -> None:
    path = Path(shutil.copyfile(shelf.brochures[ARTICLE_ID], tmp_path / "brochure.pdf"))
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[1]
        font = next(iter(page.Resources.Font.keys()))
        page.contents_add(b"q " + colour + f" BT {font} 9 Tf 72 72 Td <0003> Tj ET Q".encode())
        pdf.save(path)
    assert preflight(path, BRAND).failures == [failure]
