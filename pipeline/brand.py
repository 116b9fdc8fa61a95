"""Brand tokens (`styles/brand.toml`) as one immutable value, and the CSS every format
derives from them."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from pipeline.errors import UserError
from pipeline.formats.pdf.brochure_formats import DEFAULT as DEFAULT_BROCHURE
from pipeline.formats.pdf.brochure_formats import FORMATS as BROCHURE_FORMATS
from pipeline.formats.pdf.brochure_formats import BrochureFormat
from pipeline.printconditions import REGISTERED, REGISTRY

PAGE_SIZES = {"letter": ("8.5in", "11in"), "a4": ("210mm", "297mm")}
HEX = re.compile(r"#[0-9A-Fa-f]{6}")
FONT_FACES = (
    ("regular", 400, "normal"),
    ("italic", 400, "italic"),
    ("bold", 700, "normal"),
    ("bold-italic", 700, "italic"),
)
"""The brand family's faces: [fonts] key, CSS font-weight, CSS font-style."""
MM_PER = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
RENDERING_INTENTS = ("perceptual", "relative-colorimetric", "saturation", "absolute-colorimetric")
PAPERS = ("coated", "uncoated")


class BrandError(UserError):
    """The brand file is unreadable or incomplete; the message says where and how to fix it."""


def length_mm(length: str) -> float:
    """A brand length ("20mm", "8.5in") in millimetres."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*(mm|cm|in|pt)\s*", length)
    if not match:
        raise BrandError(f'brand length "{length}" must be a number with mm, cm, in or pt')
    return float(match.group(1)) * MM_PER[match.group(2)]


@dataclass(frozen=True)
class Colour:
    name: str
    srgb: str
    cmyk: tuple[float, float, float, float]
    """Percent, 0-100, as print shops quote them."""
    dark: str
    small_type: tuple[float, float, float, float] | None = None
    """What text under 12 pt in this colour prints in: one ink, so it stays sharp when the
    plates are slightly out of register ([colors.*] small-type). None: `cmyk` itself, which
    then must be one ink for small type."""

    @property
    def device_cmyk(self) -> str:
        return _device_cmyk(self.cmyk)

    @property
    def small_type_cmyk(self) -> str:
        return _device_cmyk(self.small_type or self.cmyk)


def _device_cmyk(cmyk: tuple[float, ...]) -> str:
    return "device-cmyk({})".format(" ".join(f"{v / 100:g}" for v in cmyk))


@dataclass(frozen=True)
class PrintCondition:
    """The CMYK printing the brochure is separated for ([print] in brand.toml): its ICC
    profile, and the names a PDF/X OutputIntent gives it."""

    profile: Path
    identifier: str
    """OutputConditionIdentifier, e.g. "CGATS TR 006" (GRACoL coated) or "FOGRA29"."""
    description: str
    registry: str
    intent: str
    """How RGB becomes CMYK: one of RENDERING_INTENTS."""
    paper: str
    """"coated" or "uncoated" (PAPERS)."""
    ink_limit: float
    """Total area coverage, percent, no colour or pixel may exceed ([print] max-ink)."""


@dataclass(frozen=True)
class Brand:
    styles_dir: Path
    tokens: dict[str, Any]
    colours: tuple[Colour, ...]

    @property
    def organisation(self) -> dict[str, Any]:
        return dict(self.tokens["organisation"])

    @property
    def fonts(self) -> dict[str, Any]:
        return dict(self.tokens["fonts"])

    @property
    def fallback_families(self) -> tuple[str, ...]:
        """The families that draw what the brand family lacks, in the order they are tried."""
        return tuple(self.fonts.get("fallback-families", []))

    @property
    def lang_families(self) -> dict[str, str]:
        """Language tag -> the fallback family text in that language is set in first."""
        return dict(self.fonts.get("lang-families", {}))

    def font_stack(self, first: str | None = None) -> str:
        """The CSS font-family list: the brand family, the fallback families (`first`, when
        given, ahead of everything), then the screen's generic fallback."""
        families = [self.fonts["family"], *self.fallback_families]
        if first is not None:
            families = [first, *(family for family in families if family != first)]
        return ", ".join([*(f'"{family}"' for family in families), self.fonts["fallback"]])

    @property
    def page(self) -> dict[str, str]:
        return dict(self.tokens["page"])

    @property
    def print(self) -> dict[str, Any]:
        return dict(self.tokens["print"])

    def leaflet_url(self, edition: str) -> str:
        """Where an edition's web version is published: `[organisation] web`, and under it
        `leaflet-path` with {id} the document id (both checked when the brand loads); a
        translation (`<id>.<lang>`) in its language's folder under it, as output/ has it."""
        doc_id, _, lang = edition.partition(".")
        organisation = self.organisation
        url = urljoin(organisation["web"], organisation["leaflet-path"].replace("{id}", doc_id))
        return f"{url.rstrip('/')}/{lang}/" if lang else url

    @property
    def brochure(self) -> dict[str, Any]:
        """[brochure]: the brochure's format, how its text may be fitted, its back page."""
        return dict(self.tokens.get("brochure", {}))

    @property
    def brochure_format(self) -> BrochureFormat:
        return BROCHURE_FORMATS[self.brochure.get("format", DEFAULT_BROCHURE)]

    @property
    def min_image_dpi(self) -> float:
        """The resolution a raster image must print at ([print] min-image-dpi, default 300)."""
        return float(self.print.get("min-image-dpi", 300))

    @property
    def print_condition(self) -> PrintCondition:
        """The brand's print condition: a registered one `invoke setup` made the profile of
        (printconditions.REGISTERED), or the shop's own profile ([print] icc-profile)."""
        tokens = self.print
        identifier = str(tokens.get("output-condition-identifier", "Custom"))
        registered = REGISTERED.get(identifier)
        own = tokens.get("icc-profile")
        if own is None and registered is None:
            raise BrandError(_UNREGISTERED.format(identifier=identifier))
        return PrintCondition(
            profile=self.path(own) if own else registered.profile,  # type: ignore[union-attr]
            identifier=identifier,
            description=str(
                tokens.get("output-condition", registered.description if registered else "")
            ),
            registry=str(tokens.get("registry-name", REGISTRY if registered else "")),
            intent=str(tokens.get("rendering-intent", "relative-colorimetric")),
            paper=str(tokens.get("paper", registered.paper if registered else "coated")),
            ink_limit=float(tokens.get("max-ink", registered.ink_limit if registered else 300)),
        )

    @property
    def readability(self) -> dict[str, Any]:
        return dict(self.tokens["readability"])

    @property
    def page_size(self) -> tuple[str, str]:
        return PAGE_SIZES[self.page["size"]]

    def only(self, tables: tuple[str, ...]) -> Brand:
        """The brand as a format sees it: only the tables it declares (its key covers
        exactly these, so reading any other is an error, not a stale output)."""
        kept = {name: value for name, value in self.tokens.items() if name in tables}
        return Brand(self.styles_dir, kept, self.colours)

    def in_language(self, lang: str) -> Brand:
        """The brand as a document in `lang` shows it: the organisation's wording (its
        department, its contact line) in that language where brand.toml gives it, in a
        table of its own (`[organisation.es]`, read by `es-US` too), else as written."""
        organisation = self.tokens.get("organisation")
        if not isinstance(organisation, dict):
            return self
        from pipeline.labels import language_chain

        own = next(
            (
                organisation[tag]
                for tag in language_chain(lang)
                if isinstance(organisation.get(tag), dict)
            ),
            None,
        )
        if own is None:
            return self
        tokens = {**self.tokens, "organisation": {**organisation, **own}}
        return Brand(self.styles_dir, tokens, self.colours)

    def colour(self, name: str) -> Colour:
        return next(colour for colour in self.colours if colour.name == name)

    def path(self, relative: str) -> Path:
        """A file the tokens name, relative to styles/ (or absolute)."""
        return self.styles_dir / relative

    def css_variables(self, medium: str) -> str:
        """`:root` custom properties: sRGB for "screen", device-cmyk for "print", the dark
        values for "dark". Each colour also as `--color-NAME-small`, for text under 12 pt:
        in print its one-ink value (`small-type`), elsewhere the same colour."""
        lines = []
        for colour in self.colours:
            value = {"screen": colour.srgb, "dark": colour.dark, "print": colour.device_cmyk}
            lines.append(f"  --color-{colour.name}: {value[medium]};")
            small = colour.small_type_cmyk if medium == "print" else value[medium]
            lines.append(f"  --color-{colour.name}-small: {small};")
        lines.append(f"  --font-family: {self.font_stack()};")
        return ":root {\n" + "\n".join(lines) + "\n}\n"

    @property
    def lang_line_heights(self) -> dict[str, float]:
        """Language tag -> the line height its text needs ([fonts.lang-line-height])."""
        return {str(k): float(v) for k, v in self.fonts.get("lang-line-height", {}).items()}

    def language_fonts(self) -> str:
        """CSS that sets text marked with a language of `lang_families` in its family first,
        with the line height `lang_line_heights` gives it (`:lang()` matches the marked
        element and everything inside it)."""
        rules = []
        for lang in dict.fromkeys([*self.lang_families, *self.lang_line_heights]):
            family = self.lang_families.get(lang)
            height = self.lang_line_heights.get(lang)
            declarations = (f"font-family: {self.font_stack(family)}; " if family else "") + (
                f"line-height: {height:g}; " if height else ""
            )
            rules.append(f":lang({lang}) {{ {declarations}}}\n")
        return "".join(rules)

    def font_faces(self, url_prefix: str) -> str:
        """@font-face rules for the brand family, with URLs under `url_prefix`."""
        faces = []
        for key, weight, style in FONT_FACES:
            name = Path(self.fonts[key]).name
            faces.append(
                "@font-face {\n"
                f'  font-family: "{self.fonts["family"]}";\n'
                f'  src: url("{url_prefix}{name}") format("truetype");\n'
                f"  font-weight: {weight};\n  font-style: {style};\n  font-display: swap;\n}}\n"
            )
        return "".join(faces)

    @property
    def font_files(self) -> tuple[Path, ...]:
        return tuple(self.path(self.fonts[key]) for key, _weight, _style in FONT_FACES)


def load_brand(styles_dir: Path) -> Brand:
    path = styles_dir / "brand.toml"
    try:
        tokens = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BrandError(f"{path}: not found; the brand tokens live in styles/brand.toml") from None
    except tomllib.TOMLDecodeError as error:
        raise BrandError(f"{path}: {error}; fix the TOML syntax") from None
    for table in ("organisation", "colors", "fonts", "page", "print", "readability"):
        if not isinstance(tokens.get(table), dict):
            raise BrandError(f"{path}: table [{table}] is missing; add it (see README)")
    colours = []
    for name, value in tokens["colors"].items():
        ok = all(HEX.fullmatch(str(value.get(key, ""))) for key in ("srgb", "dark"))
        if not ok or not _inks(value.get("cmyk")):
            raise BrandError(
                f"{path}: [colors.{name}] needs srgb and dark as #RRGGBB and cmyk as four "
                "percentages, e.g. cmyk = [95, 55, 25, 20]"
            )
        small = value.get("small-type")
        if small is not None and not (_inks(small) and sum(v > 0 for v in small) <= 1):
            raise BrandError(
                f"{path}: [colors.{name}] small-type must be four percentages of which at most "
                "one is not 0 (text under 12 pt prints in one ink), e.g. [0, 0, 0, 100]"
            )
        colours.append(
            Colour(
                name,
                value["srgb"],
                tuple(value["cmyk"]),
                value["dark"],
                tuple(small) if small is not None else None,
            )
        )
    _check_fallback_fonts(path, tokens["fonts"])
    _check_organisation(path, tokens["organisation"])
    if tokens["page"].get("size") not in PAGE_SIZES:
        raise BrandError(f"{path}: [page] size must be one of {', '.join(PAGE_SIZES)}")
    _check_print(path, tokens["print"])
    _check_brochure(path, tokens.get("brochure", {}))
    return Brand(styles_dir=styles_dir, tokens=tokens, colours=tuple(colours))


def _check_organisation(path: Path, organisation: dict[str, Any]) -> None:
    """What the brochure's back page and the one-pager print of the organisation."""
    address = organisation.get("address", [])
    if not (isinstance(address, list) and all(isinstance(line, str) for line in address)):
        raise BrandError(
            f'{path}: [organisation] address must be its lines, e.g. address = ["1 Main '
            'Street", "Springfield, ST 12345"]'
        )
    if not isinstance(organisation.get("phone", ""), str):
        raise BrandError(f'{path}: [organisation] phone must be text, e.g. phone = "555 0100"')
    web, leaflets = organisation.get("web"), organisation.get("leaflet-path")
    parts = urlsplit(web) if isinstance(web, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise BrandError(
            f"{path}: [organisation] web must be the organisation's web address, "
            'e.g. web = "https://www.example.org/"'
        )
    if not isinstance(leaflets, str) or "{id}" not in leaflets or urlsplit(leaflets).scheme:
        raise BrandError(
            f"{path}: [organisation] leaflet-path must say where under web each leaflet is "
            'published, with {id} for the document id, e.g. leaflet-path = "leaflets/{id}/"'
        )


def _inks(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 4
        and all(isinstance(v, int | float) and 0 <= v <= 100 for v in value)
    )


_UNREGISTERED = (
    '[print] output-condition-identifier = "{identifier}" is not a print condition this '
    "project makes a profile for ({known}); name one of them, or give the print shop's own "
    'profile as icc-profile = "icc/<file>.icc" with its registered identifier'
).replace("{known}", ", ".join(REGISTERED))


def _check_print(path: Path, tokens: dict[str, Any]) -> None:
    identifier = str(tokens.get("output-condition-identifier", ""))
    registered = REGISTERED.get(identifier)
    if registered is None and "icc-profile" not in tokens:
        raise BrandError(f"{path}: " + _UNREGISTERED.format(identifier=identifier))
    paper = tokens.get("paper", registered.paper if registered else "coated")
    if paper not in PAPERS or (registered and paper != registered.paper):
        wanted = registered.paper if registered else " or ".join(PAPERS)
        raise BrandError(
            f'{path}: [print] paper = "{paper}" must be {wanted}'
            + (f" (the paper of {identifier})" if registered else "")
        )
    limit = tokens.get("max-ink", 300)
    if not isinstance(limit, int | float) or not 100 <= limit <= 400:
        raise BrandError(f"{path}: [print] max-ink must be a percentage from 100 to 400")
    intent = tokens.get("rendering-intent", "relative-colorimetric")
    if intent not in RENDERING_INTENTS:
        raise BrandError(
            f"{path}: [print] rendering-intent must be one of {', '.join(RENDERING_INTENTS)}"
        )


def _check_brochure(path: Path, tokens: dict[str, Any]) -> None:
    name = tokens.get("format", DEFAULT_BROCHURE)
    if name not in BROCHURE_FORMATS:
        raise BrandError(
            f'{path}: [brochure] format = "{name}" is not a brochure format; use one of '
            f"{', '.join(BROCHURE_FORMATS)}"
        )
    size = tokens.get("type-size", 11)
    for key, nominal in (("fit-spacing", 1), ("fit-type-size", size)):
        limits = tokens.get(key, [nominal, nominal])
        ok = (
            isinstance(limits, list)
            and len(limits) == 2
            and all(isinstance(v, int | float) for v in limits)
            and limits[0] <= nominal <= limits[1]
        )
        if not ok:
            raise BrandError(
                f"{path}: [brochure] {key} must be two numbers, the smallest and the largest "
                f"allowed, around {nominal} (e.g. {key} = [{nominal * 0.9:g}, {nominal * 1.1:g}])"
            )


def _check_fallback_fonts(path: Path, fonts: dict[str, Any]) -> None:
    families = fonts.get("fallback-families", [])
    if not (isinstance(families, list) and all(isinstance(f, str) and f for f in families)):
        raise BrandError(
            f"{path}: [fonts] fallback-families must be a list of font family names, "
            'e.g. ["Noto Sans"]'
        )
    refused = fonts.get("refused-faces", [])
    if not (isinstance(refused, list) and all(isinstance(f, str) and f for f in refused)):
        raise BrandError(
            f"{path}: [fonts] refused-faces must be a list of PostScript names of installed "
            'faces never to use, e.g. ["NotoNastaliqUrdu-Bold"] (fc-list : postscriptname)'
        )
    for lang, height in fonts.get("lang-line-height", {}).items():
        if not (isinstance(height, int | float) and 1 <= height <= 4):
            raise BrandError(
                f"{path}: [fonts.lang-line-height] {lang} = {height!r} must be a line height "
                "between 1 and 4 (a multiple of the font size, e.g. ur = 2)"
            )
    for lang, family in fonts.get("lang-families", {}).items():
        if family not in families:
            raise BrandError(
                f'{path}: [fonts.lang-families] {lang} = "{family}" is not one of '
                "fallback-families; add it there (the order there is the order they are tried)"
            )
