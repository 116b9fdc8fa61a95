"""Jinja2 templates from styles/templates, autoescaped: source text never becomes markup
except through pandoc."""

from __future__ import annotations

import jinja2

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
    return env
