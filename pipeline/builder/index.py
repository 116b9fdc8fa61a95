"""The landing page, output/index.html: every published document with thumbnails of the
first pages its formats show (`Format.thumbnail`: the brochure's cover, the one-pager), a
link to each format by its label with its size, whether it verified, its reading grade and
when its review is due; and, when the current source failed, that it failed, why, and which
edition readers get. Made from the manifests alone (so shards built on different machines
can be gathered into one).

Thumbnails live outside the documents' folders (each of those holds only what its manifest
names): output/thumbnails/<id>-<thumbnail>-<sha8>.png, named by the PDF's hash, so one is
drawn only when its PDF changed; the ones no PDF uses any more are removed."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline import review
from pipeline.brand import Brand
from pipeline.builder import manifest
from pipeline.builder.files import FOLDER_MODE, readable, write_atomic
from pipeline.builder.manifest import MANIFEST, Manifest
from pipeline.builder.project import Project
from pipeline.formats import FORMATS
from pipeline.labels import REFERENCE, LabelError, Labels, labels_for, language_name
from pipeline.review import ReviewDate
from pipeline.templates import environment

THUMBNAILS = "thumbnails"
THUMBNAIL_WIDTH = 360
"""Pixels: twice the width the page shows them at, for sharp screens."""
SHOWN_PROBLEMS = 3
"""How many of a failed source's problems the page quotes (the manifest has them all)."""


@dataclass(frozen=True)
class Link:
    href: str
    label: str
    detail: str
    size: str


@dataclass(frozen=True)
class Thumbnail:
    href: str
    src: str
    label: str


@dataclass(frozen=True)
class Failure:
    """The current source failed: its new edition was not published."""

    why: tuple[str, ...]
    more: int
    """How many problems more the manifest names."""
    source: str
    """The edition readers get instead: its source version (short)."""
    last_reviewed: str


@dataclass(frozen=True)
class Card:
    """One document on the landing page."""

    id: str
    title: str
    links: tuple[Link, ...]
    thumbnails: tuple[Thumbnail, ...]
    verified: bool
    stale: tuple[str, ...]
    failure: Failure | None
    reading_grade: float | None
    last_reviewed: str
    review_due: str
    review: str
    """"", "due soon" or "overdue"."""
    reading: str = ""
    """The reading measure of a language scored otherwise than in grades."""
    lang: str = ""
    language: str = ""
    """Its language's name, in that language."""
    translations: tuple[Card, ...] = ()
    """The document in its other languages."""
    state: str = ""
    """For a translation: "current", "stale" or "original missing"."""
    stale_parts: tuple[str, ...] = ()
    """For a stale translation: the parts whose original text changed."""


def write_index(project: Project, brand: Brand) -> None:
    originals: dict[str, Manifest] = {}
    translations: dict[str, list[Manifest]] = {}
    for path in sorted(project.output_dir.glob(f"*/{MANIFEST}")):
        found = manifest.read(path.parent)
        if found and not found.translation_of:
            originals[found.id] = found
    for path in sorted(project.output_dir.glob(f"*/*/{MANIFEST}")):
        found = manifest.read(path.parent)
        if (
            found
            and found.translation_of
            and found.folder == path.parent.relative_to(project.output_dir).as_posix()
        ):
            translations.setdefault(found.id, []).append(found)
    thumbnails = Thumbnails(project.output_dir)
    cards = []
    for doc_id in sorted({*originals, *translations}):
        original = originals.get(doc_id)
        others = [
            _translation_card(project, found, original, thumbnails)
            for found in translations.get(doc_id, [])
        ]
        if original is not None:
            card = _card(project.output_dir, original, thumbnails)
            cards.append(replace(card, translations=tuple(others)))
        else:
            cards += others
    thumbnails.remove_unused()
    words = labels_for(project.styles_dir, REFERENCE)

    def landing(key: str, **slots: str) -> str:
        """The landing page's own words (the catalogue's [landing] table)."""
        return words(f"landing.{key}", **slots)

    page = environment(brand).get_template("index.html.j2").render(documents=cards, landing=landing)
    for asset in (*brand.font_files, brand.path(brand.organisation["logo"])):
        target = project.output_dir / "assets" / asset.name
        if not target.is_file() or target.read_bytes() != asset.read_bytes():
            write_atomic(target, asset.read_bytes())  # never half a font over a good one
    readable(project.output_dir / "assets")
    write_atomic(project.output_dir / "index.html", page.encode("utf-8"))
    project.output_dir.chmod(FOLDER_MODE)


def _translation_card(
    project: Project, published: Manifest, original: Manifest | None, thumbnails: Thumbnails
) -> Card:
    """A translation: its own card's facts, in its language, and its state against the
    original's published edition."""
    card = _card(project.output_dir, published, thumbnails, _labels(project, published.lang))
    if original is None:
        return replace(card, state="original missing")
    recorded = published.translated_from.get("parts") or {}
    stale = tuple(i for i, print_ in original.parts.items() if recorded.get(i) != print_)
    return replace(card, state="stale" if stale else "current", stale_parts=stale)


def _labels(project: Project, lang: str) -> Labels | None:
    try:
        return labels_for(project.styles_dir, lang)
    except LabelError:
        return None


def _card(
    output_dir: Path,
    published: Manifest,
    thumbnails: Thumbnails,
    labels: Labels | None = None,
) -> Card:
    doc_id, folder = published.id, published.folder
    outputs = published.outputs
    ordered = [kind for kind in FORMATS if kind in outputs] + sorted(set(outputs) - set(FORMATS))
    links = []
    for kind in ordered:
        fmt = FORMATS.get(kind)
        path = output_dir / folder / outputs[kind].path
        label, detail = (fmt.label, fmt.description) if fmt else (kind, "")
        if labels is not None and f"formats.{kind}" in labels.values:
            label, detail = labels(f"formats.{kind}"), ""  # its language's own word for it
        links.append(Link(f"{folder}/{outputs[kind].path}", label, detail, _size(path)))
    previews = []
    for kind in ordered:
        fmt = FORMATS.get(kind)
        if fmt is not None and fmt.thumbnail:
            entry = outputs[kind]
            name = folder.replace("/", "-").lower()
            src = thumbnails.of(output_dir / folder / entry.path, name, fmt.thumbnail, entry.sha256)
            if src:
                previews.append(Thumbnail(f"{folder}/{entry.path}", src, fmt.label))
    reading = (published.readability or {}).get("onepager") or {}
    grade = reading.get("fk")
    failure = None
    if published.rejected is not None:
        why = published.rejected.problems
        failure = Failure(
            why[:SHOWN_PROBLEMS],
            max(len(why) - SHOWN_PROBLEMS, 0),
            published.source_sha256[:12],
            published.last_reviewed,
        )
    return Card(
        id=doc_id,
        title=published.title or doc_id,
        links=tuple(links),
        thumbnails=tuple(previews),
        verified=published.passed,
        stale=_named(published.stale),
        failure=failure,
        reading_grade=float(grade) if isinstance(grade, int | float) else None,
        last_reviewed=published.last_reviewed,
        review_due=published.review_due,
        review=_review_label(published),
        reading=str((published.readability or {}).get("summary") or ""),
        lang=published.lang,
        language=language_name(published.lang) if published.lang else "",
    )


def _named(kinds: list[str]) -> tuple[str, ...]:
    return tuple(FORMATS[kind].label if kind in FORMATS else kind for kind in kinds)


def _review_label(published: Manifest) -> str:
    reviewed = ReviewDate.parse(published.last_reviewed)
    every = published.review_every_months
    if reviewed is None or every is None:
        return ""
    try:
        return review.status(reviewed, every, review.today()).label
    except review.TodayError:
        return ""  # the build says so; the page just leaves the mark out


def _size(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError:
        return ""
    if size < 1000:
        return f"{size} bytes"
    return f"{size / 1000:.0f} KB" if size < 1_000_000 else f"{size / 1_000_000:.1f} MB"


class Thumbnails:
    """The first page of a PDF as a PNG, drawn once per version of the PDF."""

    def __init__(self, output_dir: Path):
        self.folder = output_dir / THUMBNAILS
        self.used: set[str] = set()
        # A document whose id is "thumbnails" owns that folder: then there are none.
        self.enabled = not (self.folder / MANIFEST).exists()

    def of(self, pdf: Path, doc_id: str, slot: str, sha256: str) -> str | None:
        if not self.enabled:
            return None
        name = f"{doc_id}-{slot}-{sha256[:8]}.png"
        target = self.folder / name
        if not target.exists():
            png = _first_page_png(pdf)
            if png is None:
                return None  # a PDF PDFium cannot read: no picture; the build goes on
            write_atomic(target, png)
        self.used.add(name)
        return f"{THUMBNAILS}/{name}"

    def remove_unused(self) -> None:
        if not self.enabled or not self.folder.is_dir():
            return
        slots = "|".join(re.escape(f.thumbnail) for f in FORMATS.values() if f.thumbnail)
        ours = re.compile(rf"[a-z0-9-]+-(?:{slots})-[0-9a-f]{{8}}\.png")
        for path in self.folder.iterdir():
            if ours.fullmatch(path.name) and path.name not in self.used:
                path.unlink(missing_ok=True)
        self.folder.chmod(FOLDER_MODE)


def _first_page_png(pdf: Path) -> bytes | None:
    """The first page as it will be cut (the brochure's bleed trimmed off)."""
    import pypdfium2  # only when a PDF changed: a build with nothing new never loads it

    try:
        document = pypdfium2.PdfDocument(pdf)
    except (OSError, pypdfium2.PdfiumError):
        return None
    try:
        page = document[0]
        left, bottom, right, top = page.get_mediabox()
        trim = page.get_trimbox()
        crop = (trim[0] - left, trim[1] - bottom, right - trim[2], top - trim[3])
        scale = THUMBNAIL_WIDTH / (trim[2] - trim[0])
        image = page.render(scale=scale, crop=crop).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()
    finally:
        document.close()
