"""Jinja2 templates from styles/templates. HTML templates are autoescaped: source text never
becomes markup except through pandoc. CSS templates are not (HTML escapes would corrupt CSS);
what a document puts into CSS goes through a CSS escape of its own (paged.css_string)."""

from __future__ import annotations

import jinja2

from pipeline.brand import Brand


def environment(brand: Brand) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(brand.path("templates")),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["brand"] = brand
    return env
