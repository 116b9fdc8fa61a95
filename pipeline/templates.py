"""Jinja2 templates from styles/templates, every one autoescaped, CSS templates too.

In an HTML template, autoescaping keeps source text from ever becoming markup (markup comes
only from pandoc). In a CSS template, HTML escaping changes none of the values it holds
(brand lengths, colours, numbers), but it keeps a `<` from ever being written, so no value
can close the <style> element a stylesheet is inlined into. What escapes text for CSS
itself is the `css_string` filter; the brand's ready-made CSS rules are marked `| safe`
where a template uses them, the one place a template vouches for a value.
"""

from __future__ import annotations

import jinja2
from markupsafe import Markup

from pipeline.brand import Brand


def environment(brand: Brand) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(brand.path("templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["brand"] = brand
    env.filters["css_string"] = css_string
    return env


def css_string(text: str) -> Markup:
    """`text` as a quoted CSS string: everything but letters, digits and spaces escaped, so
    a document's title cannot end the string, the rule or the stylesheet."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in str(text))
    return Markup(f'"{escaped}"')
