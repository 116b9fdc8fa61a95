"""How a print shop's prepress desk reads a finished brochure, independently of the code that
made it: every text-showing operator with the size it prints at, the inks it paints in and
whether overprint is in force (a content-stream walk with pikepdf, into the forms a page
draws); the plates as Ghostscript separates them (`tiffsep`, anti-aliasing off), summed per
pixel inside the bleed; and the file as Ghostscript's PDF/X conversion rewrites it."""

from __future__ import annotations

import math
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from PIL import Image, ImageMath

PLATES = ("Cyan", "Magenta", "Yellow", "Black")


@dataclass(frozen=True)
class TextPaint:
    """One text-showing operator (Tj, TJ, ' or ")."""

    page: int
    size: float
    """Points, as printed (the font size through the text and page matrices)."""
    space: str
    """The fill colour space's family: DeviceCMYK, DeviceGray, DeviceRGB, ..."""
    colour: tuple[float, ...]
    overprint: bool
    """Fill overprint (/op, or /OP when /op is absent) in force."""
    overprint_mode: int
    printers_mark: bool
    """Inside an /Artifact with /Type /Page: crop marks and slug."""

    @property
    def inks(self) -> tuple[str, ...]:
        """The process inks this paint puts on paper (a grey is black ink)."""
        if self.space == "DeviceGray":
            return ("Black",) if self.colour[0] < 1 else ()
        if self.space == "DeviceCMYK":
            return tuple(plate for plate, v in zip(PLATES, self.colour, strict=True) if v > 0)
        return ("(not process colour)",)


@dataclass
class _State:
    ctm: pikepdf.Matrix = field(default_factory=pikepdf.Matrix)
    space: str = "DeviceGray"
    colour: tuple[float, ...] = (0.0,)
    overprint: bool = False
    overprint_mode: int = 0
    font_size: float = 0.0

    def copy(self) -> _State:
        return _State(**self.__dict__)


_DEVICE = {"/DeviceCMYK": "DeviceCMYK", "/DeviceGray": "DeviceGray", "/DeviceRGB": "DeviceRGB"}
_DEFAULT_COLOUR = {
    "DeviceCMYK": (0.0, 0.0, 0.0, 1.0),
    "DeviceGray": (0.0,),
    "DeviceRGB": (0.0,) * 3,
}


def _family(name: Any, resources: Any) -> str:
    if str(name) in _DEVICE:
        return _DEVICE[str(name)]
    space = resources.get("/ColorSpace", {}).get(name) if resources is not None else None
    if isinstance(space, pikepdf.Name):
        return _DEVICE.get(str(space), str(space))
    if isinstance(space, pikepdf.Array) and space[0] == "/ICCBased":
        return {1: "DeviceGray", 3: "DeviceRGB", 4: "DeviceCMYK"}[int(space[1].N)]
    return str(space[0]) if isinstance(space, pikepdf.Array) else "unknown"


def text_paints(path: Path) -> list[TextPaint]:
    found: list[TextPaint] = []
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            _walk(page.obj, page.obj.get("/Resources"), _State(), number, found, 0)
    return found


def _walk(
    owner: Any, resources: Any, state: _State, page: int, found: list[TextPaint], marks: int
) -> None:
    stack: list[_State] = []
    artifacts: list[bool] = []
    text_matrix = pikepdf.Matrix()
    for instruction in pikepdf.parse_content_stream(owner):
        op = str(instruction.operator)
        args = list(getattr(instruction, "operands", []))
        if op == "q":
            stack.append(state.copy())
        elif op == "Q" and stack:
            state = stack.pop()
        elif op == "cm":
            state.ctm = pikepdf.Matrix(*(float(v) for v in args)) @ state.ctm
        elif op in ("BDC", "BMC"):
            mark = (
                len(args) == 2
                and args[0] == "/Artifact"
                and isinstance(args[1], pikepdf.Dictionary)
                and args[1].get("/Type") == "/Page"
            )
            artifacts.append(mark)
            marks += mark
        elif op == "EMC" and artifacts:
            marks -= artifacts.pop()
        elif op == "gs":
            extgstate = resources.ExtGState[args[0]]
            if "/op" in extgstate or "/OP" in extgstate:
                state.overprint = bool(extgstate.get("/op", extgstate.get("/OP")))
            if "/OPM" in extgstate:
                state.overprint_mode = int(extgstate.OPM)
        elif op == "cs":
            state.space = _family(args[0], resources)
            state.colour = _DEFAULT_COLOUR.get(state.space, (0.0,))
        elif op in ("sc", "scn"):
            state.colour = tuple(float(v) for v in args if not isinstance(v, pikepdf.Name))
        elif op in ("g", "k", "rg"):
            state.space = {"g": "DeviceGray", "k": "DeviceCMYK", "rg": "DeviceRGB"}[op]
            state.colour = tuple(float(v) for v in args)
        elif op == "Tf":
            state.font_size = float(args[1])
        elif op == "BT":
            text_matrix = pikepdf.Matrix()
        elif op == "Tm":
            text_matrix = pikepdf.Matrix(*(float(v) for v in args))
        elif op in ("Tj", "TJ", "'", '"'):
            shown = text_matrix @ state.ctm
            size = state.font_size * math.hypot(shown.c, shown.d)
            found.append(
                TextPaint(
                    page,
                    round(size, 2),
                    state.space,
                    state.colour,
                    state.overprint,
                    state.overprint_mode,
                    marks > 0,
                )
            )
        elif op == "Do":
            xobject = resources.XObject[args[0]]
            if xobject.get("/Subtype") == "/Form":
                inner = state.copy()
                if "/Matrix" in xobject:
                    inner.ctm = pikepdf.Matrix(*(float(v) for v in xobject.Matrix)) @ state.ctm
                _walk(xobject, xobject.get("/Resources", resources), inner, page, found, marks)


# -- separations ----------------------------------------------------------------------------


def ghostscript(*arguments: str) -> None:
    """Ghostscript, quiet, batch, safe, on `arguments`."""
    program = shutil.which("gs")
    assert program, "Ghostscript is missing: run `invoke setup --tests`"
    command = [program, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", *arguments]
    subprocess.run(command, check=True, capture_output=True, timeout=300)


def separate(path: Path, folder: Path, dpi: int = 150) -> list[dict[str, Image.Image]]:
    """Each page's four process plates as Ghostscript's tiffsep writes them (8 bits, 255 is
    full ink once inverted here), anti-aliasing off, overprint simulated as a press prints."""
    folder.mkdir(parents=True, exist_ok=True)
    ghostscript(
        "-sDEVICE=tiffsep",
        f"-r{dpi}",
        "-dTextAlphaBits=1",
        "-dGraphicsAlphaBits=1",
        "-dUseCropBox=false",
        f"-sOutputFile={folder}/page-%03d.tif",
        str(path),
    )
    pages = []
    for composite in sorted(folder.glob("page-[0-9][0-9][0-9].tif")):
        plates = {}
        for plate in PLATES:
            with Image.open(folder / f"{composite.stem}({plate}).tif") as tiff:
                plates[plate] = Image.eval(tiff.convert("L"), lambda v: 255 - v)
        pages.append(plates)
    return pages


def total_ink(
    plates: dict[str, Image.Image], inside: tuple[int, int, int, int] | None = None
) -> float:
    """The highest sum of the four plates at any pixel, in percent; only inside `inside`
    (left, top, right, bottom pixels) when given."""
    channels = [(plates[p].crop(inside) if inside else plates[p]).convert("I") for p in PLATES]
    total = ImageMath.lambda_eval(
        lambda a: a["c"] + a["m"] + a["y"] + a["k"],
        c=channels[0],
        m=channels[1],
        y=channels[2],
        k=channels[3],
    )
    return float(total.getextrema()[1]) / 255 * 100


def bleed_pixels(path: Path, number: int, dpi: int) -> tuple[int, int, int, int]:
    """Page `number`'s BleedBox in the pixels of its MediaBox rendered at `dpi`."""
    with pikepdf.open(path) as pdf:
        page = pdf.pages[number - 1]
        media = [float(v) for v in page.mediabox]
        bleed = [float(v) for v in page.obj.get("/BleedBox", page.mediabox)]
    scale = dpi / 72
    return (
        math.ceil((bleed[0] - media[0]) * scale),
        math.ceil((media[3] - bleed[3]) * scale),
        math.floor((bleed[2] - media[0]) * scale),
        math.floor((media[3] - bleed[1]) * scale),
    )


def convert_pdfx(path: Path, target: Path) -> Path:
    """The brochure through Ghostscript's PDF/X route, as a shop converting for an older RIP."""
    ghostscript(
        "-dPDFX",
        "-sDEVICE=pdfwrite",
        "-sColorConversionStrategy=CMYK",
        f"-sOutputFile={target}",
        str(path),
    )
    return target
