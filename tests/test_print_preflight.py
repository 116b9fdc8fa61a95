"""The preflight reads only the finished brochure and names the page and the object of each
problem a print shop would call about; its report and the job ticket sit beside the PDF, and
the ticket says what the PDF is."""

from __future__ import annotations

import hashlib
import re
import shutil
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfplumber
import pikepdf
import pytest

from pipeline.brand import length_mm, load_brand
from pipeline.builder import Options, Project, build
from pipeline.checks.preflight import preflight
from tests.conftest import ARTICLE_ID, ROOT, Built
from tests.printing import article_with, brand_with, render

BRAND = load_brand(ROOT / "styles")


@pytest.fixture
def brochure(built: Built, tmp_path: Path) -> Path:
    """A copy of the real article's brochure to plant problems in."""
    return Path(shutil.copyfile(built.path("brochure_pdf"), tmp_path / "brochure.pdf"))


def planted(path: Path, page_number: int, resource: str, make: Any, draw: bytes) -> str:
    """Add `make(pdf)` to a page's resources and draw it with `draw` (NAME stands for its
    name); returns the name."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[page_number - 1]
        name = page.add_resource(pdf.make_indirect(make(pdf)), pikepdf.Name(resource), prefix="P")
        page.contents_add(draw.replace(b"NAME", str(name).encode()))
        pdf.save(path)
    return str(name)


def test_the_real_brochure_passes(built: Built) -> None:
    flight = preflight(built.path("brochure_pdf"), BRAND)
    assert flight.failures == []
    assert len(flight.facts["passed"]) == 7
    assert f"trim and pages of the {BRAND.brochure_format.name} format" in flight.facts["passed"]


def test_a_planted_rgb_image_is_named_with_its_page(brochure: Path) -> None:
    def image(pdf: pikepdf.Pdf) -> pikepdf.Stream:
        stream = pdf.make_stream(zlib.compress(b"\xff\x00\x00" * 600 * 400))
        stream.Type, stream.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        stream.Width, stream.Height, stream.BitsPerComponent = 600, 400, 8
        stream.ColorSpace, stream.Filter = pikepdf.Name.DeviceRGB, pikepdf.Name.FlateDecode
        return stream

    name = planted(brochure, 3, "/XObject", image, b"q 144 0 0 96 72 72 cm NAME Do Q")
    failures = preflight(brochure, BRAND).failures
    assert f"page 3, image {name} (600 x 400 px): in RGB" in failures


def test_an_unembedded_font_is_named_with_its_page(brochure: Path) -> None:
    helvetica = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
    )
    planted(brochure, 2, "/Font", lambda _pdf: helvetica, b"BT NAME 9 Tf 72 72 Td (Hi) Tj ET")
    failures = preflight(brochure, BRAND).failures
    assert "page 2, font /Helvetica: not embedded" in failures


def without_box(number: int, box: str) -> Callable[[Path], str]:
    def plant(path: Path) -> str:
        with pikepdf.open(path, allow_overwriting_input=True) as pdf:
            del pdf.pages[number - 1].obj[box]
            pdf.save(path)
        return f"page {number}: no {box[1:]}"

    return plant


def narrow_bleed(path: Path) -> str:
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[3]
        left, bottom, right, top = (float(v) for v in page.trimbox)
        one_mm = 72 / 25.4
        page.obj.BleedBox = pikepdf.Array(
            [left - one_mm, bottom - one_mm, right + one_mm, top + one_mm]
        )
        pdf.save(path)
    return f"page 4: bleed of 1.00 mm; the brand's is {length_mm(BRAND.print['bleed']):g} mm"


def coarse_image(path: Path) -> str:
    def image(pdf: pikepdf.Pdf) -> pikepdf.Stream:
        stream = pdf.make_stream(zlib.compress(bytes(30 * 20 * 4)))  # CMYK, no ink
        stream.Type, stream.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        stream.Width, stream.Height, stream.BitsPerComponent = 30, 20, 8
        stream.ColorSpace, stream.Filter = pikepdf.Name.DeviceCMYK, pikepdf.Name.FlateDecode
        return stream

    # 30 px across 2 inches: 15 dpi
    planted(path, 3, "/XObject", image, b"q 144 0 0 96 72 72 cm NAME Do Q")
    return f"page 3, image of 30 x 20 px: prints at 15 dpi, below {BRAND.min_image_dpi:g}"


def lab_colour(path: Path) -> str:
    def lab(_pdf: pikepdf.Pdf) -> pikepdf.Array:
        white = pikepdf.Dictionary(WhitePoint=[0.9505, 1, 1.089])
        return pikepdf.Array([pikepdf.Name.Lab, white])

    name = planted(path, 5, "/ColorSpace", lab, b"q NAME cs 50 20 -10 sc 72 72 9 9 re f Q")
    return f"page 5, page content: colour space {name} is Lab"


@pytest.mark.parametrize(
    "plant",
    [
        without_box(2, "/TrimBox"),
        without_box(6, "/BleedBox"),
        narrow_bleed,
        coarse_image,
        lab_colour,
    ],
    ids=["no TrimBox", "no BleedBox", "bleed under the brand's", "coarse image", "Lab colour"],
)
def test_a_planted_problem_is_named_with_its_page_and_object(
    brochure: Path, plant: Callable[[Path], str]
) -> None:
    expected = plant(brochure)
    assert preflight(brochure, BRAND).failures == [expected]


# Families the brand neither uses nor declares as a fallback, each set by a rule planted in
# the brochure's stylesheet. Noto Sans Display only starts like the declared Noto Sans.
OUTSIDE_THE_BRAND = {"DejaVu Sans": "h2", "Noto Sans Display": ".in-short .label"}


def test_text_in_a_family_outside_the_brand_is_named_with_its_pages(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "styles", tmp_path / "styles")
    css = tmp_path / "styles" / "templates" / "print.css.j2"
    rules = "".join(
        f'\n{rule} {{ font-family: "{family}" }}' for family, rule in OUTSIDE_THE_BRAND.items()
    )
    css.write_text(css.read_text(encoding="utf-8") + rules, encoding="utf-8")
    brand = load_brand(tmp_path / "styles")
    path = render("brochure_pdf", article_with(tmp_path, ""), brand, tmp_path)
    failures = preflight(path, brand).failures
    with pdfplumber.open(path) as pdf:
        for family in OUTSIDE_THE_BRAND:
            drawn = family.replace(" ", "-")  # as WeasyPrint names it in /BaseFont
            pages = {
                number
                for number, page in enumerate(pdf.pages, start=1)
                if any(char["fontname"].partition("+")[2].startswith(drawn) for char in page.chars)
            }
            failure = re.compile(
                rf"page (\d+), font /[A-Z]{{6}}\+{drawn}\S*: family '{family}' is neither "
                "the brand's nor a declared fallback"
            )
            named = {int(found.group(1)) for found in map(failure.match, failures) if found}
            assert pages and named == pages, (family, failures)


def test_an_rgb_colour_operator_is_named_with_its_page(brochure: Path) -> None:
    with pikepdf.open(brochure, allow_overwriting_input=True) as pdf:
        pdf.pages[4].contents_add(b"q 1 0 0 rg 72 72 10 10 re f Q")
        pdf.save(brochure)
    failures = preflight(brochure, BRAND).failures
    assert "page 5, page content: an RGB colour (rg 1/0/0)" in failures


def test_a_400_percent_brand_colour_fails_the_build(tmp_path: Path) -> None:
    # The brand's primary colour as all four inks: the text, rules and the cover field print
    # it. The preflight names it, the build fails and keeps the report with the rejected files.
    shutil.copytree(ROOT / "styles", tmp_path / "styles")
    (tmp_path / "source").mkdir()
    shutil.copyfile(ROOT / "source" / f"{ARTICLE_ID}.md", tmp_path / "source" / f"{ARTICLE_ID}.md")
    tokens = tmp_path / "styles" / "brand.toml"
    text, count = re.subn(
        r"(\[colors\.primary\][^\[]*?cmyk = )\[[^\]]*\]",
        r"\1[100, 100, 100, 100]",
        tokens.read_text(encoding="utf-8"),
    )
    assert count == 1
    tokens.write_text(text, encoding="utf-8")
    report = build(Project.at(tmp_path), Options(docs=(ARTICLE_ID,), formats=("brochure_pdf",)))
    assert report.failed
    failures = [line for line in report.lines if "brochure preflight" in line]
    assert any(
        re.search(r"page 1, .*ink 100/100/100/100 totals 400%, above 300%", line)
        for line in failures
    ), "\n".join(report.lines)
    rejected = tmp_path / "build" / "rejected" / ARTICLE_ID / "brochure_pdf"
    assert "ink 100/100/100/100 totals 400%" in (rejected / "preflight.txt").read_text()


def ticket_fields(text: str) -> dict[str, str]:
    return dict(
        (match.group(1), match.group(2))
        for match in re.finditer(r"^([A-Z][A-Za-z0-9 -]*?)  +(.+)$", text, re.M)
    )


def test_the_job_ticket_matches_the_pdf(built: Built) -> None:
    path = built.path("brochure_pdf")
    fields = ticket_fields((built.folder / "print-job.txt").read_text())
    with pikepdf.open(path) as pdf:
        pages = len(pdf.pages)
        trim = [float(v) for v in pdf.pages[0].trimbox]
        bleed = [float(v) for v in pdf.pages[0].bleedbox]
        media = [float(v) for v in pdf.pages[0].mediabox]
        (intent,) = pdf.Root.OutputIntents
        version = str(pdf.open_metadata()["xmpMM:VersionID"])
    mm = 25.4 / 72
    assert fields["SHA-256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert fields["Pages"] == f"{pages} ({pages // 4} sheets, each folded to 4 pages)"
    width, height = ((trim[2] - trim[0]) * mm, (trim[3] - trim[1]) * mm)
    assert fields["Finished size"].startswith(f"{width:.1f} x {height:.1f} mm")
    assert fields["Bleed"].startswith(f"{length_mm(BRAND.print['bleed']):g} mm")
    assert (trim[0] - bleed[0]) * mm == pytest.approx(length_mm(BRAND.print["bleed"]), abs=0.01)
    assert fields["Finishing"].startswith("saddle stitch")
    assert fields["Colour"].startswith("4/4 process CMYK")
    assert fields["Print condition"].startswith(f"{intent.OutputConditionIdentifier} (")
    assert fields["Version"] == version
    assert fields["Marks"].startswith("none") and media == bleed
    assert fields["Preflight"] == "passed"


def test_the_ticket_names_an_icc_version_4_profile(tmp_path: Path) -> None:
    # A version 4 profile keeps its description in a multi-localised tag (mluc), not the
    # plain text of version 2: ghostscript's PS CMYK profile, from the same Debian package
    # as the default.
    brand = brand_with(icc_profile="/usr/share/color/icc/ghostscript/ps_cmyk.icc")
    path = render("brochure_pdf", article_with(tmp_path, ""), brand, tmp_path)
    with pikepdf.open(path) as pdf:
        assert pdf.Root.OutputIntents[0].DestOutputProfile.read_bytes()[8] == 4
    assert ticket_fields(preflight(path, brand).ticket())["ICC profile"].startswith(
        "Artifex PS CMYK Profile ("
    )


def test_the_reports_are_published_and_in_the_manifest(built: Built) -> None:
    manifest = built.manifest
    entry = manifest.get("preflight") or manifest["outputs"]["brochure_pdf"]["preflight"]
    assert entry["passed"] is True and entry["failures"] == []
    report = (built.folder / entry["report"]).read_text()
    assert report.startswith("Preflight of brochure.pdf (PDF/X-4 checks): PASSED")
    print_job = manifest.get("print_job") or manifest["outputs"]["brochure_pdf"]["print_job"]
    assert (built.folder / print_job).is_file()
    assert (built.folder / print_job).stat().st_mode & 0o777 == 0o644
