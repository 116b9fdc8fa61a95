"""Preflight of the finished brochure: the checks a print shop's PDF/X-4 preflight (Acrobat,
callas pdfToolbox, Enfocus PitStop) makes that can be made here, reading only the PDF.

- an OutputIntent with an embedded CMYK profile, naming the brand's print condition;
- no RGB, Lab or ICC-based RGB colour: colour operators and spaces, images, shadings,
  patterns and transparency groups, on every page and in every form it draws;
- every font embedded, and of the brand's family or one of its declared fallbacks;
- a TrimBox and a BleedBox on every page, the bleed at least the brand's;
- every image at the brand's resolution at the size it prints;
- text under 12 pt in one ink (four plates out of register blur small type), and text in
  100 % black set to overprint (/op with /OPM 1), outside printer's marks;
- total area coverage (the four inks added up) at most the print condition's limit
  (`[print] max-ink`, by default the registered condition's), for every colour painted and
  every pixel of every CMYK image, except in crop marks (page artifacts outside the bleed,
  printed in all four inks by design); the highest found is reported. It reads objects, not
  how they overlap: black text overprinting a dark image would add up on press, which only
  a separation shows (the tests make one with Ghostscript).

A failure names the page and the object. The check gives `preflight.txt` and the print
shop's job ticket, `print-job.txt` and the same as `print-job.json`, which the build
publishes beside the brochure.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from fontTools.ttLib import TTFont, TTLibError
from PIL import Image, ImageCms, ImageMath

from pipeline.brand import Brand, length_mm
from pipeline.checks.finished import Finished, OutputCheck
from pipeline.labels import labels_for

REPORT = "preflight.txt"
TICKET = "print-job.txt"
TICKET_JSON = "print-job.json"
PLACEHOLDER = "PLACEHOLDER"
ORDER = (
    *("quantity", "paper-weight", "paper-finish", "proof"),
    *("delivery", "contact", "purchase-order"),
)
"""The brand's order details ([print] in brand.toml), as the ticket lists them."""
MM = 25.4 / 72
RECORD_NAMESPACE = "http://ns.pipeline.invalid/brochure/1.0/"
"""Where the brochure keeps its print record in XMP (formats/pdf/pdfx.py writes it)."""
NOT_FOR_PRINT = {"RGB", "Lab"}
MARKS = "marks"


@dataclass
class Preflight:
    """What the preflight found in one brochure."""

    file: Path
    failures: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.failures

    def report(self) -> str:
        lines = [
            f"Preflight of {self.file.name} (PDF/X-4 checks): "
            + ("PASSED" if self.passed else f"FAILED, {len(self.failures)} problem(s)"),
            "",
        ]
        lines += [f"FAIL  {failure}" for failure in self.failures]
        lines += [f"ok    {check}" for check in self.facts["passed"]]
        lines += [
            "",
            f"Total ink: {self.facts['ink_max']:g}% at most ({self.facts['ink_max_where']}); "
            f"the limit is {self.facts['ink_limit']:g}%, printer's marks not counted",
        ]
        lines += ["", "Figures, as printed:"]
        lines += [f"  {line}" for line in self.facts["figures"]] or ["  (none)"]
        lines += ["", "Pages fitted to whole sheets:"]
        lines += [f"  {line}" for line in self.facts["fitting"]] or [
            f"  {self.facts['pages']} pages, {self.facts['notes_pages']} of them Notes pages"
        ]
        return "\n".join(lines) + "\n"

    def ticket_record(self) -> dict[str, Any]:
        """The job ticket: what the print shop needs to quote, print and finish the job
        without a call. A value the brand still marks PLACEHOLDER is listed as such."""
        facts = self.facts
        shape = facts["geometry"]
        order = facts["order"]
        return {
            "file": self.file.name,
            "sha256": facts["sha256"],
            "document": facts["title"],
            "version": facts["version"],
            "format": shape["format"],
            "finished_size_mm": shape["finished"],
            "flat_size_mm": shape["flat"],
            "pages": facts["pages"],
            "sheets": shape["sheets"],
            "finishing": shape["finishing"],
            "colour": "4/4 process CMYK, no spot colours",
            "black_text": "100 % K, set to overprint",
            "print_condition": facts["condition_record"],
            "icc_profile": facts["profile"],
            "total_ink_limit_percent": facts["ink_limit"],
            "total_ink_max_percent": facts["ink_max"],
            "bleed_mm": facts["bleed_mm"],
            "marks": _marks(facts["marks"]),
            **{key.replace("-", "_"): value for key, value in order.items()},
            "placeholders": [key.replace("-", "_") for key, v in order.items() if _held(v)],
            "preflight": "passed" if self.passed else "FAILED: see preflight.txt",
        }

    def ticket(self) -> str:
        record = self.ticket_record()
        condition = record["print_condition"]
        width, height = record["finished_size_mm"]
        flat_w, flat_h = record["flat_size_mm"]
        rows = [
            ("File", record["file"]),
            ("SHA-256", record["sha256"]),
            ("Document", record["document"]),
            ("Version", record["version"]),
            ("Quantity", record["quantity"]),
            ("Format", record["format"]),
            ("Finished size", _size(width, height)),
            ("Flat size", _size(flat_w, flat_h)),
            ("Pages", f"{record['pages']} ({record['sheets']})"),
            ("Finishing", record["finishing"]),
            ("Paper", f"{record['paper_weight']}, {record['paper_finish']} ({condition['paper']})"),
            ("Colour", f"{record['colour']}; black text {record['black_text']}"),
            (
                "Print condition",
                f"{condition['identifier']} ({condition['description']}), "
                f"registered at {condition['registry']}",
            ),
            ("ICC profile", f"{record['icc_profile']} (embedded as the PDF/X output intent)"),
            (
                "Total ink",
                f"{record['total_ink_max_percent']:g}% at most in the file (limit "
                f"{record['total_ink_limit_percent']:g}%)",
            ),
            ("Bleed", f"{record['bleed_mm']:g} mm on every side (TrimBox and BleedBox set)"),
            ("Marks", record["marks"]),
            ("Proof", record["proof"]),
            ("Delivery", record["delivery"]),
            ("Contact", record["contact"]),
            ("Purchase order", record["purchase_order"]),
            ("Preflight", record["preflight"]),
        ]
        width_of = max(len(name) for name, _ in rows)
        lines = "".join(f"{name:<{width_of}}  {value}\n" for name, value in rows)
        held = record["placeholders"]
        note = (
            f"\nStill placeholders, to replace in styles/brand.toml [print]: {', '.join(held)}\n"
            if held
            else ""
        )
        return "Print job\n\n" + lines + note

    def notes(self) -> list[str]:
        """Lines for the build's output: what became of each figure (figures that went the
        same way share a line), how the pages were fitted."""
        ways: dict[str, list[str]] = {}
        for line in self.facts["figures"]:
            name, _, how = line.partition(": ")
            ways.setdefault(how, []).append(name)
        figures = [
            f"figure{'s' if len(names) > 1 else ''} {', '.join(names)}: {how}"
            for how, names in ways.items()
        ]
        return [*figures, *self.facts["fitting"]]

    def record(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "failures": self.failures,
            "figures": self.facts["figures"],
            "fitting": self.facts["fitting"],
            "total_ink_max_percent": self.facts["ink_max"],
            "total_ink_limit_percent": self.facts["ink_limit"],
            "report": REPORT,
        }


def run(finished: Finished) -> OutputCheck:
    """The check "preflight": its failures, its figures, and preflight.txt, print-job.txt
    and print-job.json to publish beside the brochure."""
    notes = labels_for(finished.brand.styles_dir, finished.doc.lang)("notes")
    flight = preflight(finished.path, finished.brand, notes)
    return OutputCheck(
        problems=[f"brochure preflight: {failure}" for failure in flight.failures],
        notes=[f"brochure: {line}" for line in flight.notes()],
        record={
            "preflight": flight.record(),
            "print_job": TICKET,
            "print_job_json": TICKET_JSON,
        },
        reports={
            REPORT: flight.report(),
            TICKET: flight.ticket(),
            TICKET_JSON: json.dumps(flight.ticket_record(), indent=2) + "\n",
        },
    )


def preflight(path: Path, brand: Brand, notes: str = "Notes") -> Preflight:
    """`notes`: the title of a Notes page, in the document's language."""
    flight = Preflight(path)
    condition = brand.print_condition
    most = _Most()
    with pikepdf.open(path) as pdf:
        checks = {
            "output intent with an embedded CMYK profile": _output_intent(pdf, brand),
            f"no RGB or Lab colour, total ink at most {condition.ink_limit:g}% "
            f"({condition.identifier}, {condition.paper})": list(_colours(pdf, brand, most)),
            "every font embedded, from the brand's families": list(_fonts(pdf, brand)),
            "TrimBox and BleedBox on every page": list(_boxes(pdf, brand)),
            f"trim and pages of the {brand.brochure_format.name} format": list(_format(pdf, brand)),
            "text under 12 pt in one ink, black text overprinting": list(_text_inks(pdf)),
        }
        flight.facts = _facts(pdf, path, brand)
    flight.facts["ink_max"] = round(most.total, 1)
    flight.facts["ink_max_where"] = most.where
    resolution, flight.facts["notes_pages"] = _read_pages(path, brand, notes)
    checks["every image at print resolution"] = resolution
    for failures in checks.values():
        flight.failures += sorted(set(failures), key=failures.index)
    flight.facts["passed"] = [name for name, failures in checks.items() if not failures]
    return flight


# -- facts ---------------------------------------------------------------------------------------


def _facts(pdf: pikepdf.Pdf, path: Path, brand: Brand) -> dict[str, Any]:
    first = pdf.pages[0]
    trim = [float(v) for v in first.trimbox]
    bleed = [float(v) for v in first.bleedbox]
    media = [float(v) for v in first.mediabox]
    intents: Any = pdf.Root.get("/OutputIntents", [])
    condition = str(intents[0].get("/OutputConditionIdentifier", "")) if intents else "none"
    info = str(intents[0].get("/OutputCondition", "")) if intents else ""
    with pdf.open_metadata() as meta:
        version = str(meta.get("xmpMM:VersionID", ""))
        title = str(meta.get("dc:title", pdf.docinfo.get("/Title", "")))
        figures = list(meta.get(f"{{{RECORD_NAMESPACE}}}Figures", []))
        fitting = list(meta.get(f"{{{RECORD_NAMESPACE}}}Fitting", []))
    return {
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "title": title,
        "version": version,
        "pages": len(pdf.pages),
        "trim_mm": [round((trim[2] - trim[0]) * MM, 1), round((trim[3] - trim[1]) * MM, 1)],
        "bleed_mm": round((trim[0] - bleed[0]) * MM, 2),
        "marks": media[0] < bleed[0] - 0.01,
        "condition": f"{condition} ({info})" if info and info != condition else condition,
        "profile": _profile_name(intents[0]) if intents else "none",
        "figures": [str(line) for line in figures],
        "fitting": [str(line) for line in fitting],
        "ink_limit": brand.print_condition.ink_limit,
        "condition_record": {
            "identifier": condition,
            "description": info,
            "registry": str(intents[0].get("/RegistryName", "")) if intents else "",
            "paper": brand.print_condition.paper,
        },
        "geometry": _geometry(brand, len(pdf.pages), trim),
        "order": {key: brand.print.get(key, f"{PLACEHOLDER}: not set") for key in ORDER},
    }


def _geometry(brand: Brand, pages: int, trim: list[float]) -> dict[str, Any]:
    """The finished and flat size, the sheets and how they are finished: the file's trim and
    page count, folded as the brand's brochure format (brochure_formats.py) says: a booklet's
    sheets carry two pages a side, a tri-fold's one sheet is its pages' trim, folded into its
    panels."""
    layout = brand.brochure_format
    width, height = (trim[2] - trim[0]) * MM, (trim[3] - trim[1]) * MM
    sheets = math.ceil(pages / layout.sheet_pages)
    if layout.is_booklet:
        finished, flat = [width, height], [2 * width, height]
        counted = "1 sheet, folded" if sheets == 1 else f"{sheets} sheets, each folded to 4 pages"
        finishing = (
            "folded once to 4 pages; no stitching"
            if sheets == 1
            else "saddle stitch; the pages are in reader order (not imposed)"
        )
    else:
        panels = " + ".join(f"{panel:.1f}" for panel in reversed(layout.panels))
        finished, flat = [layout.finished[0], height], [width, height]
        counted = f"{sheets} sheet printed on both sides: page 1 outside, page 2 inside"
        finishing = (
            f"{layout.binding}: panels {panels} mm from the left of page 1, the "
            f"{layout.panels[-1]:.1f} mm inside flap folding in first"
        )
    return {
        "format": layout.name,
        "finished": [round(v, 1) for v in finished],
        "flat": [round(v, 1) for v in flat],
        "sheets": counted,
        "finishing": finishing,
    }


def _held(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PLACEHOLDER)


def _marks(present: bool) -> str:
    if not present:
        return "none (TrimBox and BleedBox set for the shop's own)"
    return (
        "crop marks in registration colour (all four inks) and a slug, outside the bleed; "
        "not counted in the total ink"
    )


def _size(width: float, height: float) -> str:
    return f"{width:g} x {height:g} mm ({width / 25.4:.2f} x {height / 25.4:.2f} in)"


def _profile_name(intent: Any) -> str:
    profile = intent.get("/DestOutputProfile")
    if profile is None:
        return "none embedded"
    data = profile.read_bytes()
    try:
        description = ImageCms.getProfileDescription(ImageCms.getOpenProfile(io.BytesIO(data)))
    except ImageCms.PyCMSError:
        description = ""
    return description.strip() or f"embedded ({len(data)} bytes), no readable description"


# -- output intent -------------------------------------------------------------------------------


def _output_intent(pdf: pikepdf.Pdf, brand: Brand) -> list[str]:
    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFX"]
    if len(intents) != 1:
        return [f"document: {len(intents)} PDF/X output intents; PDF/X needs exactly one"]
    intent = intents[0]
    profile = intent.get("/DestOutputProfile")
    problems = []
    if profile is None:
        problems.append("document: the output intent embeds no ICC profile")
    elif int(profile.get("/N", 0)) != 4 or profile.read_bytes()[16:20] != b"CMYK":
        problems.append("document: the output intent's profile is not a CMYK profile")
    wanted = brand.print_condition.identifier
    named = str(intent.get("/OutputConditionIdentifier", ""))
    if named != wanted:
        problems.append(
            f"document: the output intent names the print condition {named!r}; the brand's "
            f"is {wanted!r} (brand.toml [print] output-condition-identifier)"
        )
    return problems


# -- colour and ink --------------------------------------------------------------------------------


@dataclass
class _Most:
    """The highest ink total seen, and where."""

    total: float = 0.0
    where: str = "nothing painted"

    def saw(self, total: float, where: str) -> None:
        if total > self.total:
            self.total, self.where = total, where


def _colours(pdf: pikepdf.Pdf, brand: Brand, most: _Most) -> Iterator[str]:
    limit = brand.print_condition.ink_limit
    for number, page in enumerate(pdf.pages, start=1):
        walker = _Painting(f"page {number}", limit, most)
        group = page.obj.get("/Group")
        if group is not None and _space_kind(group.get("/CS"), page.Resources) in NOT_FOR_PRINT:
            yield f"page {number}: the page's transparency group blends in RGB"
        yield from walker.walk(page.obj, page.Resources, "page content")


class _Painting:
    """Walks a content stream (and the forms, patterns and soft masks it uses), naming each
    colour not for print and each ink total above the limit."""

    def __init__(self, where: str, limit: float, most: _Most):
        self.where = where
        self.limit = limit
        self.most = most
        self.seen: set[tuple[int, int]] = set()

    def walk(self, owner: Any, resources: Any, what: str) -> Iterator[str]:
        spaces = {"fill": "Gray", "stroke": "Gray"}
        marks = 0
        stack: list[bool] = []
        resources = resources if resources is not None else pikepdf.Dictionary()
        for instruction in pikepdf.parse_content_stream(owner):
            operator = str(instruction.operator)
            operands = list(getattr(instruction, "operands", []))
            if operator in ("BDC", "BMC"):
                artifact = _is_page_artifact(operands)
                stack.append(artifact)
                marks += artifact
            elif operator == "EMC" and stack:
                marks -= stack.pop()
            elif operator in ("rg", "RG"):
                yield f"{self.where}, {what}: an RGB colour ({operator} {_numbers(operands)})"
            elif operator in ("k", "K"):
                yield from self._ink(operands, what, marks)
            elif operator in ("cs", "CS"):
                kind = _space_kind(operands[0], resources)
                spaces["fill" if operator == "cs" else "stroke"] = kind
                if kind in NOT_FOR_PRINT:
                    yield f"{self.where}, {what}: colour space {operands[0]} is {kind}"
            elif operator in ("sc", "scn", "SC", "SCN"):
                kind = spaces["fill" if operator in ("sc", "scn") else "stroke"]
                if kind == "CMYK" and len(operands) == 4:
                    yield from self._ink(operands, what, marks)
                elif operands and isinstance(operands[-1], pikepdf.Name):
                    pattern = resources.get("/Pattern", {}).get(operands[-1])
                    yield from self._pattern(pattern, operands[-1], what)
            elif operator == "sh":
                shading = resources.get("/Shading", {}).get(operands[0])
                yield from self._shading(shading, operands[0], what, resources)
            elif operator == "gs":
                state = resources.get("/ExtGState", {}).get(operands[0])
                mask = state.get("/SMask") if state is not None else None
                if isinstance(mask, pikepdf.Dictionary) and "/G" in mask:
                    yield from self._form(mask.G, f"soft mask of {operands[0]}")
            elif operator == "Do":
                yield from self._xobject(resources, operands[0], marks)
            elif operator == "INLINE IMAGE":
                image = instruction.iimage  # type: ignore[union-attr]
                kind = _space_kind(image.obj.get("/CS", image.obj.get("/ColorSpace")), resources)
                if kind in NOT_FOR_PRINT:
                    yield f"{self.where}, {what}: an inline image in {kind}"

    def _ink(self, operands: list[Any], what: str, marks: int) -> Iterator[str]:
        total = sum(float(v) for v in operands) * 100
        if not marks:
            self.most.saw(
                total, f"{self.where}, {what}: {_numbers([float(v) * 100 for v in operands])}"
            )
        if not marks and total > self.limit + 0.5:
            yield (
                f"{self.where}, {what}: ink {_numbers([float(v) * 100 for v in operands])} "
                f"totals {total:.0f}%, above {self.limit:.0f}%"
            )

    def _xobject(self, resources: Any, name: Any, marks: int) -> Iterator[str]:
        xobject = resources.get("/XObject", {}).get(name)
        if xobject is None or xobject.objgen in self.seen:
            return
        self.seen.add(xobject.objgen)
        if xobject.get("/Subtype") == "/Image":
            yield from self._image(xobject, name, resources, marks)
        elif xobject.get("/Subtype") == "/Form":
            yield from self._form(xobject, f"form {name}")

    def _form(self, form: Any, what: str) -> Iterator[str]:
        group = form.get("/Group")
        resources = form.get("/Resources")
        if group is not None and _space_kind(group.get("/CS"), resources) in NOT_FOR_PRINT:
            yield f"{self.where}, {what}: its transparency group blends in RGB"
        yield from self.walk(form, resources, what)

    def _image(self, image: Any, name: Any, resources: Any, marks: int) -> Iterator[str]:
        kind = _space_kind(image.get("/ColorSpace"), resources)
        size = f"{int(image.get('/Width', 0))} x {int(image.get('/Height', 0))} px"
        if kind in NOT_FOR_PRINT:
            yield f"{self.where}, image {name} ({size}): in {kind}"
        elif kind == "CMYK" and not marks:
            total = _image_ink(image)
            if total is not None:
                self.most.saw(total, f"{self.where}, image {name} ({size})")
            if total is not None and total > self.limit + 0.5:
                yield (
                    f"{self.where}, image {name} ({size}): ink totals up to {total:.0f}%, "
                    f"above {self.limit:.0f}%"
                )

    def _pattern(self, pattern: Any, name: Any, what: str) -> Iterator[str]:
        if pattern is None or pattern.objgen in self.seen:
            return
        self.seen.add(pattern.objgen)
        if int(pattern.get("/PatternType", 0)) == 1:
            yield from self.walk(pattern, pattern.get("/Resources"), f"pattern {name}")
        else:
            yield from self._shading(pattern.get("/Shading"), name, what, None)

    def _shading(self, shading: Any, name: Any, what: str, resources: Any) -> Iterator[str]:
        if shading is None:
            return
        kind = _space_kind(shading.get("/ColorSpace"), resources)
        if kind in NOT_FOR_PRINT:
            yield f"{self.where}, {what}: shading {name} is in {kind}"


def _is_page_artifact(operands: list[Any]) -> bool:
    """Marked content for printer's marks: /Artifact with /Type /Page."""
    return (
        len(operands) == 2
        and operands[0] == pikepdf.Name.Artifact
        and isinstance(operands[1], pikepdf.Dictionary)
        and operands[1].get("/Type") == pikepdf.Name.Page
    )


def _space_kind(space: Any, resources: Any) -> str:
    """RGB, Lab, CMYK, Gray, or Other, for a colour space (by name or array)."""
    if space is None:
        return "Gray"
    if isinstance(space, pikepdf.Name):
        device = {
            "/DeviceRGB": "RGB",
            "/RGB": "RGB",
            "/DeviceCMYK": "CMYK",
            "/CMYK": "CMYK",
            "/DeviceGray": "Gray",
            "/G": "Gray",
            "/Pattern": "Other",
        }
        if str(space) in device:
            return device[str(space)]
        named = (resources or {}).get("/ColorSpace", {}).get(space)
        return _space_kind(named, None) if named is not None else "Other"
    if isinstance(space, pikepdf.Array) and len(space):
        family = str(space[0])
        if family in ("/CalRGB",):
            return "RGB"
        if family == "/Lab":
            return "Lab"
        if family == "/ICCBased":
            profile = space[1]
            header = profile.read_bytes()[16:20]
            return {3: "Lab" if header == b"Lab " else "RGB", 4: "CMYK"}.get(
                int(profile.get("/N", 0)), "Gray"
            )
        if family in ("/Indexed", "/Pattern") and len(space) > 1:
            return _space_kind(space[1], resources)
        if family in ("/Separation", "/DeviceN") and len(space) > 2:
            return _space_kind(space[2], resources)
    return "Other"


def _image_ink(image: Any) -> float | None:
    """The highest ink total (percent) of a CMYK image's pixels."""
    width, height = int(image.Width), int(image.Height)
    pixels: Image.Image
    try:
        if image.get("/Filter") == pikepdf.Name.DCTDecode:
            pixels = Image.open(io.BytesIO(image.read_raw_bytes()))  # undoes Adobe inversion
        else:
            pixels = Image.frombytes("CMYK", (width, height), image.read_bytes())
    except (pikepdf.PdfError, OSError, ValueError):
        return None
    channels = [channel.convert("I") for channel in pixels.convert("CMYK").split()]
    total = ImageMath.lambda_eval(
        lambda a: a["c"] + a["m"] + a["y"] + a["k"],
        c=channels[0],
        m=channels[1],
        y=channels[2],
        k=channels[3],
    )
    return float(total.getextrema()[1]) / 255 * 100


def _numbers(values: list[Any]) -> str:
    return "/".join(f"{float(v):g}" for v in values)


# -- text inks ----------------------------------------------------------------------------------

SMALL_TYPE = 12.0
"""Points: text smaller than this must print in one ink."""


@dataclass
class _TextState:
    ctm: pikepdf.Matrix = field(default_factory=pikepdf.Matrix)
    fill: tuple[float, ...] = (0.0,)
    cmyk: bool = False
    overprint: bool = False
    size: float = 0.0


def _text_inks(pdf: pikepdf.Pdf) -> Iterator[str]:
    """One line per page and colour of small text in more than one ink, and per page of
    black text that knocks out."""
    found: dict[tuple[int, str], float] = {}
    for number, page in enumerate(pdf.pages, start=1):
        shown = _shown(page.obj, page.obj.get("/Resources"), _TextState(), 0)
        for size, fill, cmyk, overprint in shown:
            inks = sum(v > 0 for v in fill) if cmyk else 1
            if size < SMALL_TYPE and inks > 1:
                key = (
                    number,
                    f"{size:.1f} pt text in {inks} inks ({_numbers([v * 100 for v in fill])})",
                )
                found[key] = size
            if cmyk and fill == (0.0, 0.0, 0.0, 1.0) and not overprint:
                found[(number, "100 % black text that knocks out (overprint not set)")] = size
    for (number, problem), _size in found.items():
        yield f"page {number}: {problem}"


def _shown(
    owner: Any, resources: Any, state: _TextState, depth: int
) -> Iterator[tuple[float, tuple[float, ...], bool, bool]]:
    """(size in points, fill, fill is CMYK, overprint) of each text-showing operator outside
    printer's marks, in a content stream and the forms it draws."""
    if resources is None or depth > 8:
        return
    stack: list[_TextState] = []
    marked: list[bool] = []
    marks = 0
    text_matrix = pikepdf.Matrix()
    for instruction in pikepdf.parse_content_stream(owner):
        operator = str(instruction.operator)
        operands = list(getattr(instruction, "operands", []))
        if operator == "q":
            stack.append(dataclasses.replace(state))
        elif operator == "Q" and stack:
            state = stack.pop()
        elif operator == "cm":
            state.ctm = pikepdf.Matrix(*(float(v) for v in operands)) @ state.ctm
        elif operator in ("BDC", "BMC"):
            marked.append(_is_page_artifact(operands))
            marks += marked[-1]
        elif operator == "EMC" and marked:
            marks -= marked.pop()
        elif operator == "gs":
            extgstate = resources.get("/ExtGState", {}).get(operands[0], {})
            if "/op" in extgstate or "/OP" in extgstate:
                fill_op = extgstate.get("/op", extgstate.get("/OP"))
                state.overprint = bool(fill_op) and int(extgstate.get("/OPM", 1)) == 1
        elif operator == "cs":
            state.cmyk = _space_kind(operands[0], resources) == "CMYK"
            state.fill = (0.0, 0.0, 0.0, 1.0) if state.cmyk else (0.0,)
        elif operator in ("sc", "scn") and not isinstance(operands[-1], pikepdf.Name):
            state.fill = tuple(float(v) for v in operands)
        elif operator in ("g", "k", "rg"):
            state.cmyk, state.fill = operator == "k", tuple(float(v) for v in operands)
        elif operator == "Tf":
            state.size = float(operands[1])
        elif operator == "BT":
            text_matrix = pikepdf.Matrix()
        elif operator == "Tm":
            text_matrix = pikepdf.Matrix(*(float(v) for v in operands))
        elif operator in ("Tj", "TJ", "'", '"') and not marks:
            shown = text_matrix @ state.ctm
            yield state.size * math.hypot(shown.c, shown.d), state.fill, state.cmyk, state.overprint
        elif operator == "Do" and not marks:
            form = resources.get("/XObject", {}).get(operands[0])
            if form is not None and form.get("/Subtype") == "/Form":
                inner = dataclasses.replace(state)
                if "/Matrix" in form:
                    inner.ctm = pikepdf.Matrix(*(float(v) for v in form.Matrix)) @ state.ctm
                yield from _shown(form, form.get("/Resources", resources), inner, depth + 1)


# -- fonts --------------------------------------------------------------------------------


def _fonts(pdf: pikepdf.Pdf, brand: Brand) -> Iterator[str]:
    families = [brand.fonts["family"], *brand.fonts.get("fallback-families", [])]
    allowed = {_family_key(family) for family in families}
    checked: dict[tuple[int, int], list[str]] = {}
    for number, page in enumerate(pdf.pages, start=1):
        for name, font in _drawn_fonts(page.obj, page.obj.get("/Resources"), set()):
            if font.objgen not in checked:
                checked[font.objgen] = list(_font_problems(font, allowed))
            for problem in checked[font.objgen]:
                yield f"page {number}, font {name}: {problem}"


def _drawn_fonts(
    owner: Any, resources: Any, seen: set[tuple[int, int]]
) -> Iterator[tuple[str, Any]]:
    """(name, font) of each font a content stream sets (`Tf`), and of the forms it draws.
    Only what is drawn: WeasyPrint gives every page one shared resource dictionary."""
    resources = resources if resources is not None else pikepdf.Dictionary()
    for instruction in pikepdf.parse_content_stream(owner, "Tf Do"):
        name = instruction.operands[0]
        if str(instruction.operator) == "Tf":
            font = resources.get("/Font", {}).get(name)
            if font is not None:
                yield str(font.get("/BaseFont", name)), font
            continue
        form = resources.get("/XObject", {}).get(name)
        if form is not None and form.get("/Subtype") == "/Form" and form.objgen not in seen:
            seen.add(form.objgen)
            yield from _drawn_fonts(form, form.get("/Resources", resources), seen)


def _font_problems(font: Any, allowed: set[str]) -> Iterator[str]:
    if font.get("/Subtype") == "/Type3":
        return  # its glyphs are drawn in the file
    leaf = font.get("/DescendantFonts", [font])[0]
    descriptor = leaf.get("/FontDescriptor")
    program = None
    if descriptor is not None:
        for key in ("/FontFile2", "/FontFile3", "/FontFile"):
            if key in descriptor:
                program = descriptor[key]
    if program is None:
        yield "not embedded"
        return
    family = _family(program) or re.sub(r"^[A-Z]{6}\+", "", str(font.get("/BaseFont", "/"))[1:])
    if _family_key(family) not in allowed:
        yield (
            f"family {family!r} is neither the brand's nor a declared fallback "
            "(brand.toml [fonts] family, fallback-families)"
        )


def _family(program: Any) -> str | None:
    """The family name the embedded font program gives itself."""
    try:
        font = TTFont(io.BytesIO(program.read_bytes()), lazy=True)
        name = font["name"]
        found = name.getDebugName(16) or name.getDebugName(1)
    except (TTLibError, KeyError, pikepdf.PdfError, AssertionError, ValueError, OSError):
        return None
    return str(found) if found else None


STYLE_WORD = re.compile(
    r"((extra|ultra|semi|demi)?(thin|hairline|light|regular|normal|book|roman|medium|bold"
    r"|black|heavy|italic|it|oblique|condensed|expanded))+"
)
"""A word of weight, style or width, or several run together (PostScript's "SemiBoldIt")."""


def _family_key(name: str) -> str:
    """A family name compared exactly, whatever its spacing, case and trailing weight, style
    or width words: "Noto Sans SemiBold", "NotoSans-Bold" and "Noto Sans" are one family;
    "Noto Sans Thai" is another."""
    words = [word for word in re.split(r"[^A-Za-z0-9]+", name.casefold()) if word]
    while len(words) > 1 and STYLE_WORD.fullmatch(words[-1]):
        words.pop()
    return "".join(words)


# -- boxes and pages ----------------------------------------------------------------------


def _boxes(pdf: pikepdf.Pdf, brand: Brand) -> Iterator[str]:
    wanted = length_mm(brand.print["bleed"])
    for number, page in enumerate(pdf.pages, start=1):
        missing = [box for box in ("/TrimBox", "/BleedBox") if box not in page.obj]
        if missing:
            yield f"page {number}: no {' or '.join(b[1:] for b in missing)}"
            continue
        trim = [float(v) for v in page.obj.TrimBox]
        bleed = [float(v) for v in page.obj.BleedBox]
        media = [float(v) for v in page.mediabox]
        sides = [trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3]]
        if min(sides) * MM < wanted - 0.01:
            yield (
                f"page {number}: bleed of {min(sides) * MM:.2f} mm; the brand's is {wanted:g} mm"
            )
        outside = [
            bleed[0] < media[0],
            bleed[1] < media[1],
            bleed[2] > media[2],
            bleed[3] > media[3],
        ]
        if any(outside):
            yield f"page {number}: the BleedBox reaches beyond the MediaBox"


def _format(pdf: pikepdf.Pdf, brand: Brand) -> Iterator[str]:
    """Every page trimmed to the brand's brochure format, and as many pages as its folding
    or binding takes (a booklet's fours, a tri-fold's two sides)."""
    layout = brand.brochure_format
    width, height = layout.trim
    for number, page in enumerate(pdf.pages, start=1):
        if "/TrimBox" not in page.obj:
            continue  # _boxes says so
        trim = [float(v) for v in page.obj.TrimBox]
        size = ((trim[2] - trim[0]) * MM, (trim[3] - trim[1]) * MM)
        if abs(size[0] - width) > 0.2 or abs(size[1] - height) > 0.2:
            yield (
                f"page {number}: trimmed to {size[0]:.1f} x {size[1]:.1f} mm; a {layout.name} "
                f"is {width:.1f} x {height:.1f} mm"
            )
    pages = len(pdf.pages)
    if pages % layout.sheet_pages or pages > layout.most_pages:
        yield (
            f"document: {pages} pages; a {layout.name} ({layout.binding}) has a multiple of "
            f"{layout.sheet_pages}, at most {layout.most_pages}"
        )


def _read_pages(path: Path, brand: Brand, title: str) -> tuple[list[str], int]:
    """With PDFium: each image printed coarser than the brand's resolution, and how many
    pages are Notes pages (a line that reads the Notes pages' `title`)."""
    wanted = brand.min_image_dpi
    coarse, notes = [], 0
    pdf = pdfium.PdfDocument(path)
    try:
        for number, page in enumerate(pdf, start=1):
            for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
                placed = image.get_metadata()
                dpi = min(placed.horizontal_dpi, placed.vertical_dpi)
                if dpi and dpi + 0.5 < wanted:
                    coarse.append(
                        f"page {number}, image of {placed.width} x {placed.height} px: prints "
                        f"at {dpi:.0f} dpi, below {wanted:.0f}"
                    )
            text = page.get_textpage().get_text_bounded()
            notes += title in (line.strip() for line in text.splitlines())
    finally:
        pdf.close()
    return coarse, notes
