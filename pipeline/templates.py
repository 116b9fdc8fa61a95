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


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates, kept for the life of the process and shared by every environment
    (one is made per brand): compiling them took about a fifth of a second a document and
    format. Jinja keys each by its file and a checksum of its text, so an edited template is
    compiled again."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def environment(brand: Brand) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(brand.path("templates")),
        bytecode_cache=_COMPILED,
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
