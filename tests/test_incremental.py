"""Rebuild only what changed: a change to each kind of dependency rebuilds exactly the outputs
that depend on it, and the result is byte for byte what a cold build makes."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest
from PIL import Image

from pipeline.brand import load_brand
from pipeline.builder import Options, Project, build
from pipeline.builder.keys import StyleFiles, document_inputs, output_key
from pipeline.formats import FORMATS, render_alone
from pipeline.formats.pdf.paged import PrintError
from pipeline.source import load
from tests.brochures import brand_in
from tests.conftest import ROOT
from tests.test_build import make_project, snapshot
from tests.test_source import GOOD

ALL = set(FORMATS)
FULL = {kind for kind, fmt in FORMATS.items() if fmt.scope == "full"}
ONEPAGERS = {"onepager_pdf", "onepager_html"}
SOURCE = GOOD.replace(
    "Pain can vary widely.",
    "Pain can vary widely.\n\n![A dot that stands for the spine.](images/dot.png){width=2in}",
)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def changing_a_font(root: Path) -> None:
    # Padding after the last table is ignored by every font reader; the bytes change.
    with (root / "styles/fonts/AtkinsonHyperlegible-Regular.ttf").open("ab") as font:
        font.write(b"\0\0\0\0")


def figure(root: Path, colour: str) -> None:
    """A figure sharp enough for print: 600 px shown 2 inches wide."""
    (root / "source/images").mkdir(exist_ok=True)
    Image.new("RGB", (600, 600), colour).save(root / "source/images/dot.png")


def changing_the_image(root: Path) -> None:
    figure(root, "#2E6B8A")


CHANGES: dict[str, tuple[Callable[[Path], None], set[str]]] = {
    "the source": (
        lambda root: edit(root / "source/sample.md", "Rest can help.", "Rest helps."),
        ALL,
    ),
    "a figure in the body": (changing_the_image, FULL),
    "a brand colour": (
        lambda root: edit(root / "styles/brand.toml", 'srgb = "#4A4A4A"', 'srgb = "#474747"'),
        ALL,
    ),
    # the leaflets' web address, printed by the one-pagers and the brochure's back page, is
    # in [organisation], a table every format reads
    "the leaflets' web address": (
        lambda root: edit(root / "styles/brand.toml", "patient-education/{id}/", "leaflets/{id}/"),
        ALL,
    ),
    "the page template": (
        lambda root: edit(root / "styles/templates/article.html.j2", "</body>", "\n</body>"),
        {"html"},
    ),
    "the paged CSS": (
        lambda root: edit(
            root / "styles/templates/print.css.j2",
            "body { margin: 0; }",
            "body { margin: 0; padding: 0; }",
        ),
        {"brochure_pdf", "accessible_pdf"},
    ),
    "a font": (changing_a_font, ALL),
}


@pytest.fixture(scope="module")
def cold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small document with a figure, built once in every format."""
    root = tmp_path_factory.mktemp("incremental")
    project = make_project(root, {"sample": SOURCE})
    figure(root, "#0B4F6C")
    report = build(project)
    assert not report.failed, report.lines
    return root


def copy_of(cold: Path, tmp_path: Path) -> Project:
    shutil.copytree(cold, tmp_path / "project", symlinks=True)
    return Project.at(tmp_path / "project")


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_rebuilds_exactly_what_depends_on_it(
    change: str, cold: Path, tmp_path: Path
) -> None:
    project = copy_of(cold, tmp_path)
    alter, dependents = CHANGES[change]
    alter(project.root)

    report = build(project)

    assert not report.failed, report.lines
    rebuilt = {kind for (_, kind), o in report.outcomes.items() if o.state == "built"}
    assert rebuilt == dependents
    assert {o.state for o in report.outcomes.values()} <= {"built", "up to date"}
    # Byte for byte what a cold build of the same inputs makes.
    fresh = Project.at(project.root, tmp_path / "fresh")
    assert not build(fresh).failed
    assert snapshot(project.output_dir / "sample") == snapshot(fresh.output_dir / "sample")


def test_nothing_changed_nothing_rebuilt_and_force_rebuilds_all(cold: Path, tmp_path: Path) -> None:
    project = copy_of(cold, tmp_path)
    before = snapshot(project.output_dir / "sample")
    quiet = build(project)
    assert {o.state for o in quiet.outcomes.values()} == {"up to date"}
    forced = build(project, Options(force=True))
    assert {kind for (_, kind), o in forced.outcomes.items() if o.state == "built"} == ALL
    assert snapshot(project.output_dir / "sample") == before


def test_editing_one_document_leaves_the_others_up_to_date(tmp_path: Path) -> None:
    """Its source, then a figure only it shows: the other document's outputs stay as they
    were. (The HTML and the DOCX make the point; a document's outputs share its keys' inputs.)"""
    project = make_project(tmp_path, {"sample": SOURCE, "other": GOOD.replace("sample", "other")})
    figure(tmp_path, "#0B4F6C")
    html_docx = ["html", "docx"]
    assert not build(project, Options(formats=tuple(html_docx))).failed
    other = snapshot(project.output_dir / "other")

    for change in (CHANGES["the source"][0], changing_the_image):
        change(tmp_path)
        report = build(project, Options(formats=tuple(html_docx)))
        assert not report.failed, report.lines
        assert {key: o.state for key, o in report.outcomes.items()} == {
            ("sample", "html"): "built",
            ("sample", "docx"): "built",
            ("other", "html"): "up to date",
            ("other", "docx"): "up to date",
        }
        assert snapshot(project.output_dir / "other") == other


# -- which style files are in which output's key ----------------------------------------------

TEMPLATES = sorted(p.name for p in (ROOT / "styles" / "templates").iterdir())


@pytest.fixture(scope="module")
def templates_read(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """The templates each format's renderer loads (and those they extend), seen as it
    renders a document with crop marks on (only then is the brochure's slug drawn)."""
    root = tmp_path_factory.mktemp("templates")
    make_project(root, {"sample": GOOD})
    edit(root / "styles/brand.toml", "crop-marks = false", "crop-marks = true")
    brand, doc = load_brand(root / "styles"), load(root / "source/sample.md", root)
    loaded: set[str] = set()
    get_source = jinja2.FileSystemLoader.get_source

    def recording(self: jinja2.FileSystemLoader, env: jinja2.Environment, name: str) -> object:
        loaded.add(name)
        return get_source(self, env, name)

    read = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jinja2.FileSystemLoader, "get_source", recording)
        for kind in FORMATS:
            loaded.clear()
            (root / kind).mkdir()
            render_alone(kind, doc, brand, root / kind)
            read[kind] = set(loaded)
        # a tri-fold reads its own page template (refused or not: it is read first)
        loaded.clear()
        (root / "trifold").mkdir()
        with contextlib.suppress(PrintError):
            render_alone("brochure_pdf", doc, brand_in("letter-trifold", brand), root / "trifold")
        read["brochure_pdf"] |= loaded
    assert read["brochure_pdf"] >= {"brochure-slug.html.j2"}, "the crop marks were drawn"
    return read


def keys(root: Path) -> dict[str, str]:
    """Each output's key for source/sample.md, as a build computes it."""
    brand = load_brand(root / "styles")
    inputs = document_inputs(load(root / "source/sample.md", root), root)
    styles = StyleFiles(brand)
    return {kind: output_key(fmt, inputs, brand, styles) for kind, fmt in FORMATS.items()}


@pytest.mark.fast
def test_every_file_under_styles_is_in_an_outputs_key() -> None:
    styles = StyleFiles(load_brand(ROOT / "styles"))
    keyed = set().union(*(styles.matching(fmt.styles) for fmt in FORMATS.values()))
    every = {
        path.relative_to(ROOT / "styles").as_posix()
        for path in (ROOT / "styles").rglob("*")
        if path.is_file()
    }
    # brand.toml is in the keys as the tables each format reads; the landing page's template
    # is in none, since every build and gather writes the landing page again; a label
    # catalogue is in the inputs of each document in its language (the next test), a shared
    # passage in those of the documents that include it (tests/test_passages.py).
    labels = {f"labels/{path.name}" for path in (ROOT / "styles" / "labels").glob("*.toml")}
    passages = {name for name in every if name.startswith("passages/")}
    assert passages
    assert every - keyed - passages == {"brand.toml", "templates/index.html.j2", *labels}


@pytest.mark.fast
def test_a_documents_inputs_are_the_label_catalogues_of_its_language_alone(
    tmp_path: Path,
) -> None:
    make_project(tmp_path, {"sample": GOOD.replace("lang: en-US", "lang: es-US")})
    inputs = document_inputs(load(tmp_path / "source/sample.md", tmp_path), tmp_path)
    for scope in ("full", "plain"):
        assert sorted(p for p in inputs[scope] if p.startswith("styles/")) == [
            "styles/labels/es.toml"
        ]


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_template_is_in_the_keys_of_exactly_the_outputs_that_read_it(
    template: str, templates_read: dict[str, set[str]], tmp_path: Path
) -> None:
    make_project(tmp_path, {"sample": GOOD})
    before = keys(tmp_path)
    with (tmp_path / "styles" / "templates" / template).open("a") as file:
        file.write("{# edited #}\n")
    after = keys(tmp_path)
    changed = {kind for kind in FORMATS if before[kind] != after[kind]}
    assert changed == {kind for kind, read in templates_read.items() if template in read}
