"""The output formats. Adding one: a module with a `FORMAT`, listed once below."""

from pipeline.formats import accessible_pdf, brochure_pdf, docx, html, onepager_html, onepager_pdf
from pipeline.formats.base import Format

FORMATS: dict[str, Format] = {
    f.kind: f
    for f in (
        html.FORMAT,
        brochure_pdf.FORMAT,
        accessible_pdf.FORMAT,
        docx.FORMAT,
        onepager_pdf.FORMAT,
        onepager_html.FORMAT,
    )
}
