"""SVG figures made safe by construction: every SVG a build publishes as a file (beside the web
page and the one-pager, inside the DOCX) is drawn again by librsvg and written out by cairo,
which writes nothing but shapes, gradients, clips, masks and embedded bitmaps.

What cannot reach the published file, whatever the author's file holds: scripts, event
handlers, animations, links, `<foreignObject>`, style sheets (so no `@import`, no `url()` to
anything, no `image-set()`), processing instructions and entities. librsvg reads the drawing
from standard input with no base address, so it loads nothing from a file or the network
either. The result is then checked against cairo's own vocabulary (an allow-list): a file that
holds anything else is refused, never published. Why librsvg and not a sanitiser:
docs/resource-policy.md.
"""

from __future__ import annotations

import functools
import re

from lxml import etree

from pipeline import tools
from pipeline.errors import UserError

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
DRAWN = {
    "svg", "g", "path", "rect", "use", "symbol", "defs", "image", "clipPath", "mask",
    "pattern", "linearGradient", "radialGradient", "stop", "filter", "feColorMatrix",
}  # fmt: skip
"""The elements cairo's SVG writer uses: shapes and how they are painted, nothing else."""
_INSIDE = re.compile(r"#[\w.-]*|data:image/(?:png|jpeg);base64,[A-Za-z0-9+/=\s]*")
_URL = re.compile(r"url\(\s*([^)]*)\)", re.IGNORECASE)
MEMORY_MB = 512
"""What librsvg may use to draw one figure (the SVG's own size is limited: limits.SVG)."""
SECONDS = 30
OUTPUT_BYTES = 20_000_000
"""Embedded bitmaps are written again as PNG: a little larger than they came."""


class SvgError(UserError):
    """The SVG cannot be drawn, or its drawing is not only shapes; the message says why."""


@functools.lru_cache(maxsize=32)
def clean_svg(data: bytes) -> bytes:
    """The drawing of `data` (an SVG file's bytes), written again with nothing but shapes."""
    try:
        # The drawing from standard input (no base address: no file is read), its memory
        # and time capped.
        drawn = tools.run(
            "rsvg-convert", ["--format=svg"], input=data, timeout=SECONDS, memory_mb=MEMORY_MB
        )
    except tools.ToolError as error:
        if isinstance(error, tools.ToolMissing):
            raise SvgError(f"cleaning it needs {error.program}; {error.fix}") from None
        if error.how == "too slow":
            raise SvgError(f"librsvg could not draw it within {SECONDS} s") from None
        raise SvgError(f"librsvg cannot draw it ({error.said.splitlines()[-1]})") from None
    if len(drawn) > OUTPUT_BYTES:
        raise SvgError(f"its drawing is over {OUTPUT_BYTES:,} bytes")
    problem = _not_only_shapes(drawn)
    if problem:
        raise SvgError(f"its drawing holds {problem}")
    return drawn


def _not_only_shapes(drawn: bytes) -> str:
    """What in cairo's output is not a shape or a reference inside the file, or ""."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(drawn, parser)
    for node in root.iter():
        if not isinstance(node.tag, str):  # a comment, a processing instruction
            return "a comment or a processing instruction"
        name = etree.QName(node)
        if name.namespace != SVG or name.localname not in DRAWN:
            return f"a <{name.localname}> element"
        for key, value in node.attrib.items():
            attribute = etree.QName(key)
            if attribute.localname.lower().startswith("on"):
                return f'an "{attribute.localname}" attribute'
            if attribute.localname == "href" and not _INSIDE.fullmatch(value.strip()):
                return f'a reference to "{value[:40]}"'
            for target in _URL.findall(value):
                if not target.strip(" '\"").startswith("#"):
                    return f'a reference to "{target[:40]}"'
    return ""
