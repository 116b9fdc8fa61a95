"""The accessible article page: output/<id>/index.html, with its CSS, fonts and images."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.brand import Brand
from pipeline.formats.base import Format
from pipeline.formats.htmlview import article_view
from pipeline.model import Document
from pipeline.templates import environment


def render(doc: Document, brand: Brand, out_dir: Path) -> Path:
    view = article_view(doc)
    view.copy_images(out_dir)
    write_assets(brand, out_dir)
    page = environment(brand).get_template("article.html.j2").render(doc=doc, view=view)
    target = out_dir / "index.html"
    target.write_text(page, encoding="utf-8")
    return target


def write_assets(brand: Brand, out_dir: Path) -> None:
    """The page's stylesheet, fonts and logo, beside it: no CDN, works from file://."""
    assets = out_dir / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    for font in brand.font_files:
        shutil.copyfile(font, assets / font.name)
    logo = brand.path(brand.organisation["logo"])
    shutil.copyfile(logo, assets / logo.name)
    css = environment(brand).get_template("article.css.j2").render()
    (assets / "article.css").write_text(css, encoding="utf-8")


FORMAT = Format(kind="html", scope="full", render=render)
