"""What paper needs that a screen shows another way: each link's address printed after its
text, a heading's last two words kept on one line, the web version one QR code away.

The brochure's HTML view is the page's (formats/htmlview.py); `on_paper` makes the brochure's
copy of it. A link prints as text.printed_link says, which verification expects too (the
brochure's Format says `link_addresses`). An address breaks only after a slash or before a
dot, never after `https://` or at a hyphen inside a name.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import re
from collections.abc import Callable, Mapping

import segno
from lxml import html as lxml_html
from markupsafe import Markup, escape

from pipeline.formats.htmlview import ArticleView, DisclaimerView, SectionView
from pipeline.text import printed_address, printed_link

QR_INK = "device-cmyk(0 0 0 1)"
"""The QR code's dark modules: 100 % black, one ink, so no misregistration blurs them."""
QR_QUIET_ZONE = 4
"""Modules of light margin around the code, as ISO/IEC 18004 asks."""
ZERO_WIDTH_SPACE = "\u200b"
_BREAK = re.compile(r"(?<=/)(?=[^/])|(?<=[^.])(?=\.)")
"""Where an address may break: after a slash, before a dot."""


def on_paper(view: ArticleView, widest: Mapping[str, float] | None = None) -> ArticleView:
    """The view as the brochure prints it: links with their addresses, each heading's last
    two words tied together (no word alone on a heading's last line), and each image of
    `widest` (its path in the view -> millimetres) printed no wider than that."""
    widest = widest or {}

    def ready(fragment: Markup) -> Markup:
        return _images(_links(fragment), widest)

    sections = tuple(
        dataclasses.replace(
            section,
            heading=tie_last_words(_links(section.heading)),
            plain=ready(section.plain),
            parts=tuple(
                dataclasses.replace(part, wording=ready(part.wording), plain=ready(part.plain))
                if isinstance(part, DisclaimerView)
                else _headings(ready(part))
                for part in section.parts
            ),
        )
        for section in view.sections
    )
    return dataclasses.replace(view, sections=sections)


def _images(fragment: Markup, widest: Mapping[str, float]) -> Markup:
    """Each image of `widest` no wider than its width there (nor than its column)."""
    if "<img " not in fragment or not widest:
        return fragment

    def change(root: lxml_html.HtmlElement) -> None:
        for image in root.iter("img"):
            width = widest.get(image.get("src", ""))
            if width is not None:
                image.set("style", f"max-width: min(100%, {width:.2f}mm)")

    return _rewritten(fragment, change)


def _links(fragment: Markup) -> Markup:
    """Each link followed by its address (or, for a link whose text is a web address,
    showing its short form instead)."""
    if "<a " not in fragment:
        return fragment

    def change(root: lxml_html.HtmlElement) -> None:
        for link in root.iter("a"):
            target = link.get("href", "")
            if printed_address(target) is None:
                continue
            text = link.text_content()
            shown, address = printed_link(text, target)
            if shown != text:
                for child in list(link):
                    link.remove(child)
                link.text = None
                link.append(_address(shown))
            if address:
                note = lxml_html.Element("span", {"class": "printed-address"})
                note.text = " ("
                inner = _address(address)
                inner.tail = ")"
                note.append(inner)
                note.tail, link.tail = link.tail, None
                link.addnext(note)

    return _rewritten(fragment, change)


def _headings(fragment: Markup) -> Markup:
    """Subheadings inside a body run, each with its last two words tied."""
    if "<h" not in fragment:
        return fragment

    def change(root: lxml_html.HtmlElement) -> None:
        for heading in root.iter("h3", "h4", "h5", "h6"):
            _tie(heading)

    return _rewritten(fragment, change)


def tie_last_words(text: str | Markup) -> Markup:
    """`text` (plain, or markup) with a no-break space between its last two words."""
    if not isinstance(text, Markup):
        return Markup(_LAST_SPACE.sub("\u00a0", str(escape(text)), count=1))
    return _rewritten(text, _tie)


_SPACES = re.compile(r"(?<=\S)\s+(?=\S)")
_LAST_SPACE = re.compile(r"(?<=\S)\s+(?=\S+\s*$)")


def _tie(element: lxml_html.HtmlElement) -> None:
    """The last space between two words of `element`'s text (wherever its markup splits
    it) becomes one no-break space."""
    pieces = [
        (node, attribute)
        for node in element.iter()
        for attribute in ("text", "tail")
        if getattr(node, attribute) and (node is not element or attribute == "text")
    ]
    texts = [getattr(node, attribute) for node, attribute in pieces]
    spaces = list(_SPACES.finditer("".join(texts)))
    if not spaces:
        return
    start, end = spaces[-1].span()
    offset = 0
    for (node, attribute), text in zip(pieces, texts, strict=True):
        low, high = max(start - offset, 0), min(end - offset, len(text))
        if low < high:
            tie = "\u00a0" if offset <= start else ""
            setattr(node, attribute, text[:low] + tie + text[high:])
        offset += len(text)


def _address(address: str) -> lxml_html.HtmlElement:
    """An address that breaks only where `_BREAK` allows: its pieces, each kept whole by
    print.css.j2, with a zero-width space (what <wbr> stands for) between them."""
    wrapper = lxml_html.Element("span", {"class": "address"})
    for index, piece in enumerate(_BREAK.split(address)):
        span = lxml_html.Element("span")
        span.text = piece
        if index:
            wrapper[-1].tail = ZERO_WIDTH_SPACE
        wrapper.append(span)
    return wrapper


def breakable_address(address: str) -> Markup:
    """`_address` as markup, for the templates."""
    return Markup(lxml_html.tostring(_address(address), encoding="unicode"))


def _rewritten(fragment: Markup, change: Callable[[lxml_html.HtmlElement], None]) -> Markup:
    """`fragment` parsed inside a wrapper, changed in place, and written back."""
    root = lxml_html.fragment_fromstring(str(fragment), create_parent="div")
    change(root)
    inner = [str(escape(root.text or ""))]
    inner += [lxml_html.tostring(child, encoding="unicode") for child in root]
    return Markup("".join(inner))


def qr_code(url: str) -> str:
    """A data: URL of `url` as a QR code: vector shapes (SVG, drawn by WeasyPrint as paths)
    in black ink alone, with its quiet zone; sized by the template."""
    code = segno.make(url, error="m", micro=False)
    drawn = io.BytesIO()
    code.save(drawn, kind="svg", dark="#000", border=QR_QUIET_ZONE, omitsize=True,
              xmldecl=False, svgclass=None, lineclass=None)  # fmt: skip
    # segno strokes each row's dark runs; the path's fill would default to RGB black
    svg = drawn.getvalue().decode().replace('stroke="#000"', f'fill="none" stroke="{QR_INK}"')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


__all__ = ["SectionView", "breakable_address", "on_paper", "qr_code", "tie_last_words"]
