"""The accessible article page: output/<id>/index.html, with its CSS, fonts and images.

Everything the page needs sits beside it (assets/, images/), so it works from file:// and
from any static server, with no script and no network."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from lxml import html as lxml_html
from markupsafe import Markup

from pipeline.brand import Brand
from pipeline.formats import Job
from pipeline.formats.htmlview import ArticleView, DisclaimerView, SectionView, write_brand_assets
from pipeline.labels import Labels
from pipeline.model import Document
from pipeline.pandoc import inner_html
from pipeline.templates import environment
from pipeline.text import paragraphs

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Ids the template itself gives out; a subheading's pandoc id must not take one of them.
TEMPLATE_IDS = ("content", "toc-title", "site-footer")


def render(job: Job, out_dir: Path) -> Path:
    doc, brand, view, labels = job.doc, job.brand, job.view, job.labels
    assert view is not None, "the page is drawn from the HTML view"
    view.copy_images(out_dir)
    write_assets(brand, out_dir)
    page = (
        environment(brand)
        .get_template("article.html.j2")
        .render(
            doc=doc,
            view=page_view(view, labels),
            labels=labels,
            languages=job.languages,
            page="index.html",
            description=description(doc),
            structured_data=structured_data(doc, brand),
            logo=brand.path(brand.organisation["logo"]).name,
        )
    )
    target = out_dir / job.file
    target.write_text(page, encoding="utf-8")
    return target


def write_assets(brand: Brand, out_dir: Path) -> None:
    """The page's stylesheet, fonts and logo, beside it."""
    assets = write_brand_assets(brand, out_dir)
    css = environment(brand).get_template("article.css.j2").render()
    (assets / "article.css").write_text(css, encoding="utf-8")


def description(doc: Document) -> str:
    """The meta description: the subtitle, else the first section's plain summary."""
    if doc.subtitle:
        return doc.subtitle
    summary = " ".join(paragraphs(doc.sections[0].plain)) if doc.sections else ""
    return summary or doc.title


def structured_data(doc: Document, brand: Brand) -> dict[str, Any]:
    """schema.org MedicalWebPage facts; the template serialises them with `tojson`, which
    escapes <, > and &, so no text can close the script element."""
    return {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": doc.title,
        "description": description(doc),
        "inLanguage": doc.lang,
        "lastReviewed": doc.last_reviewed.iso,
        "audience": "https://schema.org/Patient",
        "publisher": {"@type": "Organization", "name": brand.organisation["name"]},
    }


def page_view(view: ArticleView, labels: Labels) -> ArticleView:
    """The view with each section's body fitted into the page's outline: subheadings one
    level below their parent (a `###` is an h3 under the section's h2, and no level is
    skipped), ids that do not clash with the page's own, and wide tables in a box that
    scrolls on its own instead of the page."""
    taken = set(TEMPLATE_IDS)
    for section in view.sections:
        taken.add(section.id)
        taken.add(f"{section.id}-in-short")
        for disclaimer in section.disclaimers:
            taken.update((disclaimer.id, f"{disclaimer.id}-label"))
    # "Table N" names a table without a caption
    tables = (labels("table", number=n) for n in itertools.count(1))
    return replace(view, sections=tuple(_fitted_section(s, taken, tables) for s in view.sections))


def _fitted_section(section: SectionView, taken: set[str], tables: Iterator[str]) -> SectionView:
    level = [2]  # the last heading level in this section: the section's own h2

    def fit(markup: Markup) -> Markup:
        if not any(f"<{tag}" in markup for tag in (*HEADINGS, "table")):
            return markup
        root = lxml_html.fragment_fromstring(str(markup), create_parent="div")
        for element in list(root.iter(*HEADINGS, "table")):
            if element.tag == "table":
                _wrap_table(element, next(tables))
                continue
            wanted = max(3, min(int(element.tag[1]), level[0] + 1))
            element.tag = f"h{wanted}"
            level[0] = wanted
            if element.get("id"):
                element.set("id", _unique(element.get("id"), taken))
        return Markup(inner_html(root))

    parts = tuple(
        replace(part, wording=fit(part.wording)) if isinstance(part, DisclaimerView) else fit(part)
        for part in section.parts
    )
    return replace(section, parts=parts)


def _unique(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}-{n}"
    taken.add(candidate)
    return candidate


def _wrap_table(table: Any, name: str) -> None:
    """Put a table in a focusable, labelled region that scrolls sideways by itself, so a
    wide table never widens the page (WCAG 1.4.10) and keyboard users can scroll it."""
    caption = table.find("caption")
    label = " ".join(caption.text_content().split()) if caption is not None else ""
    region = lxml_html.Element(
        "div",
        {
            "class": "table-scroll",
            "role": "region",
            "tabindex": "0",
            "aria-label": label or name,
        },
    )
    region.tail, table.tail = table.tail, None
    table.addprevious(region)
    region.append(table)
