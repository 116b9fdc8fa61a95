"""What the brochure and the accessible PDF share: one paged template family
(print.html.j2 + print.css.j2), rendered for "print" (device-cmyk, bleed) or "screen" (sRGB),
and written by WeasyPrint from a scratch folder holding the document's images."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import weasyprint
from markupsafe import Markup

from pipeline.brand import Brand, length_mm
from pipeline.errors import UserError
from pipeline.formats import weasy
from pipeline.formats.htmlview import ArticleView
from pipeline.labels import labels_for
from pipeline.model import Document
from pipeline.templates import environment

Medium = Literal["print", "screen"]

_HEX = re.compile(r"#[0-9A-Fa-f]{6}\b")


class PrintError(UserError):
    """The document or brand cannot be printed as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Fit:
    """How the brochure's text is set: its spacing (times the normal space between
    paragraphs, boxes and headings) and its body type size in points."""

    spacing: float
    type_size: float

    def __str__(self) -> str:
        return f"{self.type_size:g} pt type, spacing x{self.spacing:g}"

    @property
    def line_height(self) -> float:
        """Of the body text: 1.4, a little more or less with the spacing."""
        return round(1.4 + (self.spacing - 1) * 0.25, 3)

    @classmethod
    def nominal(cls, brand: Brand) -> Fit:
        return cls(1.0, float(brand.brochure.get("type-size", 11)))


def page_html(
    doc: Document,
    brand: Brand,
    view: ArticleView,
    template: str,
    medium: Medium,
    fit: Fit | None = None,
    pages_total: str = "counter(pages)",
    **context: Any,
) -> str:
    """The whole paged document as one HTML string, its CSS inline (WeasyPrint reads
    @color-profile only from the document's own stylesheets). `pages_total` is the CSS
    value the footer shows as the page count."""
    env = environment(brand)
    labels = labels_for(brand.styles_dir, doc.lang)
    urls = {
        "fonts_url": weasy.STYLES + "fonts/",
        "logo_url": logo_url(brand, medium),
        "icc_url": icc_profile(brand).as_uri() if medium == "print" else "",
    }
    layout = brand.brochure_format
    css = env.get_template("print.css.j2").render(
        doc=doc,
        medium=medium,
        layout=layout,
        fit=fit or Fit.nominal(brand),
        pages_total=Markup(pages_total),  # CSS the code writes, not text: not escaped
        max_pages=layout.most_pages,
        labels=labels,
        **urls,
    )
    return env.get_template(template).render(
        doc=doc, view=view, css=Markup(css), layout=layout, labels=labels, **context
    )


def write(html: str, work_dir: Path, target: Path, brand: Brand, **options: Any) -> Path:
    """WeasyPrint, reading only the scratch folder (images), styles/ and the ICC profile."""
    return weasy.write_pdf(
        html, work_dir, target, brand, *_readable(brand), styles=brand.styles_dir, **options
    )


def lay_out(html: str, work_dir: Path, brand: Brand, **options: Any) -> weasyprint.Document:
    """WeasyPrint's pages for `html`, laid out but not yet written; fenced like `write`."""
    fenced = weasy.fenced(html, work_dir, brand, *_readable(brand), styles=brand.styles_dir)
    return fenced.render(**options)


def _readable(brand: Brand) -> list[Path]:
    """Beside the scratch folder and styles/: the folder of the ICC profile."""
    return [icc_profile(brand).parent] if "print" in brand.tokens else []


def icc_profile(brand: Brand) -> Path:
    condition = brand.print_condition
    path = condition.profile
    if not path.is_file():
        how = (
            "point [print] icc-profile in brand.toml at the print shop's profile"
            if brand.print.get("icc-profile")
            else "run `invoke setup`, which makes it from Debian's characterisation data"
        )
        raise PrintError(
            f"the CMYK ICC profile of {condition.identifier} ({path}) is missing; {how}"
        )
    return path.resolve()


def logo_url(brand: Brand, medium: Medium) -> str:
    """The brand logo; for print, with its colours swapped for the brand's CMYK values."""
    logo = brand.path(brand.organisation["logo"])
    if medium == "screen":
        return weasy.STYLES + str(brand.organisation["logo"])
    svg = cmyk_svg(logo.read_text(encoding="utf-8"), brand, logo.name)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def cmyk_svg(svg: str, brand: Brand, name: str) -> str:
    """An SVG whose #RRGGBB colours are the brand's, each replaced by its device-cmyk value;
    a colour the brand does not know has no print value, so it is an error."""
    by_srgb = {colour.srgb.casefold(): colour for colour in brand.colours}

    def swap(match: re.Match[str]) -> str:
        colour = by_srgb.get(match.group(0).casefold())
        if colour is None:
            known = ", ".join(f"{c.name} {c.srgb}" for c in brand.colours)
            raise PrintError(
                f"{name} uses {match.group(0)}, which is not a brand colour, so it has no "
                f"CMYK value; use one of {known}, or add it to [colors] in brand.toml"
            )
        return colour.device_cmyk

    return _HEX.sub(swap, svg)


__all__ = ["length_mm"]  # paged lengths are the brand's
