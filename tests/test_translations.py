"""Translations (docs/translations.md): parity with the original, checked at load and naming
both files; staleness part by part; each language built, verified and published in all six
formats under output/<id>/<lang>/ with its own labels, dates and reading measure; the pages
linked to each other; the landing page grouping a document's languages.

The fixtures: the article's Spanish translation (source/, published) and a Chinese
translation of a corpus leaflet (tests/fixtures/translations/), both marked as test text."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipeline.brand import load_brand
from pipeline.builder import Options, Project, build, strictly
from pipeline.builder.report import Report
from pipeline.checks import readability
from pipeline.extract import read
from pipeline.labels import check as check_labels
from pipeline.problems import SourceError
from pipeline.source import load
from pipeline.translations import record
from pipeline.translations.commands import TranslateError, mark_current, start
from tests.browser import chromium, open_page
from tests.conftest import ARTICLE_ID, ROOT

SPANISH = f"{ARTICLE_ID}.es-US"
CHINESE = "hand-washing.zh-Hans"
ORIGINAL = f"source/{ARTICLE_ID}.md"
TRANSLATION = f"source/{SPANISH}.md"
# The one sentence of the English the staleness tests change: in section "spine".
SENTENCE = "Discs between the bones soak up shocks."
CHANGED = "Discs between the bones soak up shocks when you move."


def project_with(root: Path, *files: Path) -> Project:
    """A project of its own: these sources (with the corpus's figures) and the real styles."""
    (root / "source").mkdir(parents=True)
    for path in files:
        shutil.copy(path, root / "source" / path.name)
    shutil.copytree(ROOT / "tests" / "corpus" / "images", root / "source" / "images")
    shutil.copytree(ROOT / "styles", root / "styles")
    return Project.at(root)


def bilingual(root: Path) -> Project:
    return project_with(root, ROOT / ORIGINAL, ROOT / TRANSLATION)


def line_of(path: Path, needle: str) -> int:
    return next(i for i, text in enumerate(path.read_text().splitlines(), 1) if needle in text)


def problems(project: Project, edition: str) -> list[str]:
    with pytest.raises(SourceError) as raised:
        load(project.source_dir / f"{edition}.md", project.root)
    return [str(problem) for problem in raised.value.problems]


def page_text(pdf: Path, index: int) -> str:
    """Everything drawn on one page, running heads included (PDFium)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return str(document[index].get_textpage().get_text_range())
    finally:
        document.close()


def edit(path: Path, change: Callable[[str], str]) -> None:
    before = path.read_text(encoding="utf-8")
    after = change(before)
    assert after != before, "the edit changed nothing"
    path.write_text(after, encoding="utf-8")


# -- parity: checked at load, naming both files -------------------------------------------


@pytest.mark.fast
def test_the_translations_load_and_translate_their_originals_as_they_are() -> None:
    spanish = load(ROOT / TRANSLATION, ROOT)
    english = load(ROOT / ORIGINAL, ROOT)
    assert (spanish.id, spanish.lang, spanish.edition, spanish.folder) == (
        ARTICLE_ID,
        "es-US",
        SPANISH,
        f"{ARTICLE_ID}/es-US",
    )
    assert spanish.translation is not None and spanish.translation.stale == ()
    assert [s.id for s in spanish.sections] == [s.id for s in english.sections]
    assert [d.id for d in spanish.disclaimers] == [d.id for d in english.disclaimers]


@pytest.mark.fast
def test_a_dropped_disclaimer_is_named_with_both_files_and_lines(tmp_path: Path) -> None:
    project = bilingual(tmp_path)
    path = project.source_dir / f"{SPANISH}.md"
    text = path.read_text()
    start = text.index("::: {.disclaimer #not-a-cure}")
    end = text.index("::: {.disclaimer #evaluation-essential}")
    path.write_text(text[:start] + text[end:])
    (found,) = problems(project, SPANISH)
    here = line_of(path, "::: {.disclaimer #results-vary}")
    there = line_of(project.root / ORIGINAL, "::: {.disclaimer #not-a-cure}")
    assert found == (
        f'{TRANSLATION}:{here}: disclaimer "not-a-cure" of the original ({ORIGINAL}:{there}) '
        "is missing here; translate it and put it where the original has it, after "
        'disclaimer "results-vary"'
    )


@pytest.mark.fast
def test_two_swapped_sections_are_named_with_both_files_and_lines(tmp_path: Path) -> None:
    project = bilingual(tmp_path)
    path = project.source_dir / f"{SPANISH}.md"
    text = path.read_text()
    spine = text.index("## Cómo es la columna vertebral")
    what = text.index("## Qué es la enfermedad degenerativa")
    symptoms = text.index("## Síntomas")
    path.write_text(text[:spine] + text[what:symptoms] + text[spine:what] + text[symptoms:])
    (found,) = problems(project, SPANISH)
    moved = re.match(rf"{re.escape(TRANSLATION)}:(\d+): section \"(\S+)\" is out of order", found)
    assert moved, found
    ident = moved.group(2)
    assert ident in {"spine", "what-is-ddd"}
    heading = {"spine": "{#spine}", "what-is-ddd": "{#what-is-ddd}"}[ident]
    assert int(moved.group(1)) == line_of(path, heading)
    assert f"the original ({ORIGINAL}:{line_of(project.root / ORIGINAL, heading)})" in found
    assert found.endswith("put the parts in the original's order")


@pytest.mark.fast
def test_an_extra_section_is_named_with_both_files(tmp_path: Path) -> None:
    project = bilingual(tmp_path)
    path = project.source_dir / f"{SPANISH}.md"
    extra = "## Preguntas frecuentes {#faq}\n\n::: plain\nPregunte a su equipo.\n:::\n\nTexto.\n\n"
    edit(
        path,
        lambda text: text.replace("## Síntomas {#symptoms}", extra + "## Síntomas {#symptoms}"),
    )
    (found,) = problems(project, SPANISH)
    assert found == (
        f'{TRANSLATION}:{line_of(path, "{#faq}")}: section "faq" is not in the original '
        f"{ORIGINAL}: a translation has exactly the original's sections and disclaimers, with "
        "the same ids; delete it, or give it the id of the part it translates"
    )


@pytest.mark.fast
def test_a_missing_plain_summary_is_named_with_both_files_and_lines(tmp_path: Path) -> None:
    project = bilingual(tmp_path)
    path = project.source_dir / f"{SPANISH}.md"
    plain = (
        "::: plain\nLa mayor parte de la atención busca aliviar el dolor. No trata el disco "
        "desgastado en sí.\n:::\n\n"
    )
    edit(path, lambda text: text.replace(plain, ""))
    (found,) = problems(project, SPANISH)
    here = line_of(path, "{#conventional-treatment}")
    there = line_of(project.root / ORIGINAL, "{#conventional-treatment}")
    assert found.startswith(f'{TRANSLATION}:{here}: section "conventional-treatment" has no plain')
    assert found.endswith(f"(its original has one: {ORIGINAL}:{there})")


@pytest.mark.fast
def test_a_translation_in_the_wrong_file_or_of_a_missing_original_is_refused(
    tmp_path: Path,
) -> None:
    project = bilingual(tmp_path)
    spanish = project.source_dir / f"{SPANISH}.md"
    spanish.rename(project.source_dir / f"{ARTICLE_ID}.es.md")
    (found,) = problems(project, f"{ARTICLE_ID}.es")
    assert f'is the file "{ARTICLE_ID}.es-US.md" beside its original' in found
    (project.source_dir / f"{ARTICLE_ID}.es.md").rename(spanish)
    (project.root / ORIGINAL).unlink()
    (found,) = problems(project, SPANISH)
    assert f"the original {ORIGINAL} cannot be loaded" in found


# -- staleness: part by part ------------------------------------------------------------------


@pytest.mark.fast
def test_one_changed_sentence_names_exactly_its_section_in_each_translation(
    tmp_path: Path,
) -> None:
    chinese = ROOT / "tests" / "fixtures" / "translations" / f"{CHINESE}.md"
    project = project_with(
        tmp_path,
        ROOT / ORIGINAL,
        ROOT / TRANSLATION,
        ROOT / "tests/corpus/hand-washing.md",
        chinese,
    )
    edit(project.root / ORIGINAL, lambda text: text.replace(SENTENCE, CHANGED))
    spanish = load(project.source_dir / f"{SPANISH}.md", project.root)
    assert spanish.translation is not None and spanish.translation.stale == ("spine",)
    leaflet = project.source_dir / "hand-washing.md"
    edit(leaflet, lambda text: text.replace("Wash them often.", "Wash them many times a day."))
    zh = load(project.source_dir / f"{CHINESE}.md", project.root)
    assert zh.translation is not None and zh.translation.stale == ("why",)
    # a disclaimer's wording is its own part: only it is named
    edit(leaflet, lambda text: text.replace("stop using it if", "stop using it at once if"))
    zh = load(project.source_dir / f"{CHINESE}.md", project.root)
    assert zh.translation is not None and zh.translation.stale == ("why", "read-the-label")


@pytest.mark.fast
def test_rewrapping_the_original_changes_no_fingerprint(tmp_path: Path) -> None:
    project = bilingual(tmp_path)
    before = record.fingerprints(load(project.root / ORIGINAL, project.root))
    edit(
        project.root / ORIGINAL,
        lambda text: text.replace(
            "It represents a gradual wearing", "It represents a\ngradual  wearing"
        ),
    )
    assert record.fingerprints(load(project.root / ORIGINAL, project.root)) == before
    spanish = load(project.source_dir / f"{SPANISH}.md", project.root)
    assert spanish.translation is not None and spanish.translation.stale == ()


@pytest.mark.fast
def test_mark_current_records_the_original_as_it_is_and_touches_nothing_else(
    tmp_path: Path,
) -> None:
    project = bilingual(tmp_path)
    path = project.source_dir / f"{SPANISH}.md"
    before = path.read_text().splitlines()
    edit(project.root / ORIGINAL, lambda text: text.replace(SENTENCE, CHANGED))
    done = mark_current(project, ARTICLE_ID, "es-US")
    assert "it now answers for the changes to spine" in done.lines[0]
    after = path.read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    spine = [a for a, _ in changed if a.strip().startswith("spine:")]
    assert len(changed) == 2 and spine, changed  # the source's digest and spine's fingerprint
    doc = load(path, project.root)
    assert doc.translation is not None and doc.translation.stale == ()
    assert not list(project.source_dir.glob(".partial-*"))


@pytest.mark.fast
def test_a_new_translation_starts_with_every_part_and_is_not_marked_current_unfinished(
    tmp_path: Path,
) -> None:
    project = project_with(tmp_path, ROOT / ORIGINAL)
    done = start(project, ARTICLE_ID, "fr")
    found = problems(project, f"{ARTICLE_ID}.fr")
    assert found and all("TODO" in line or "placeholder" in line for line in found)
    assert any("is still to translate" in line for line in found)
    text = done.path.read_text()
    english = load(project.root / ORIGINAL, project.root)
    for section in english.sections:
        assert f"{{#{section.id}}}" in text
    with pytest.raises(TranslateError, match="not finished"):
        mark_current(project, ARTICLE_ID, "fr")
    with pytest.raises(TranslateError, match="exists already"):
        start(project, ARTICLE_ID, "fr")


# -- labels -------------------------------------------------------------------------------------


@pytest.mark.fast
def test_a_missing_label_names_the_label_and_the_catalogue_file(tmp_path: Path) -> None:
    project = bilingual(tmp_path)
    catalogue = project.styles_dir / "labels" / "es.toml"
    edit(catalogue, lambda text: re.sub(r"(?m)^in-short = .*\n", "", text))
    (found,) = check_labels(project.styles_dir, "es-US")
    assert found == (
        'the label "in-short" is missing for es-US: add it to the [document] table of '
        "styles/labels/es.toml (its English is in styles/labels/en.toml)"
    )
    report = build(project, Options(docs=(SPANISH,)))
    assert report.failed
    assert f"{SPANISH}: {found}" in report.lines
    assert not (project.output_dir / ARTICLE_ID / "es-US").exists(), "nothing rendered"
    (none,) = check_labels(project.styles_dir, "vi")
    assert "no label catalogue for vi: add styles/labels/vi.toml" in none


# -- reading measure ----------------------------------------------------------------------------


@pytest.mark.fast
def test_spanish_is_scored_in_spanish_measures_and_chinese_in_none(tmp_path: Path) -> None:
    import textstat

    brand = load_brand(ROOT / "styles")
    reading = readability.estimate(load(ROOT / TRANSLATION, ROOT), brand)
    assert isinstance(reading, readability.EaseAssessment)
    part = next(p for p in reading.parts if p.id == "overview")
    plain = (
        "La EDD es el desgaste lento de los discos de la columna. Puede causar dolor y "
        "rigidez. Se estudian las células madre para ayudar al propio disco."
    )
    textstat.set_lang("es")
    assert part.scores == {
        "fernandez-huerta": textstat.fernandez_huerta(plain),
        "szigriszt-pazos": textstat.szigriszt_pazos(plain),
    }
    # textstat's language is one setting for the process: English after Spanish is English
    sentence = "Discs between the bones soak up shocks."
    textstat.set_lang("en")
    english = textstat.flesch_kincaid_grade(sentence)
    textstat.set_lang("es")
    assert readability.sentences([sentence])[0].grade == english
    project = project_with(
        tmp_path,
        ROOT / "tests/corpus/hand-washing.md",
        ROOT / "tests/fixtures/translations" / f"{CHINESE}.md",
    )
    chinese = load(project.source_dir / f"{CHINESE}.md", project.root)
    unmeasured = readability.estimate(chinese, brand)
    assert isinstance(unmeasured, readability.Unmeasured) and unmeasured.problems == ()
    assert "no validated measure for zh-Hans" in unmeasured.summary()


# -- built: the article in English and Spanish, the leaflet in Chinese -------------------------


@dataclass(frozen=True)
class Built:
    project: Project
    report: Report

    def folder(self, edition: str) -> Path:
        return self.project.folder(edition)

    def manifest(self, edition: str) -> dict[str, Any]:
        manifest: dict[str, Any] = json.loads((self.folder(edition) / "manifest.json").read_text())
        return manifest

    def path(self, edition: str, kind: str) -> Path:
        return self.folder(edition) / str(self.manifest(edition)["outputs"][kind]["path"])


@pytest.fixture(scope="module")
def languages(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The article in English and Spanish, and the Chinese leaflet, each in all six formats:
    built once for this module."""
    root = tmp_path_factory.mktemp("languages")
    chinese = ROOT / "tests" / "fixtures" / "translations" / f"{CHINESE}.md"
    project = project_with(
        root, ROOT / ORIGINAL, ROOT / TRANSLATION, ROOT / "tests/corpus/hand-washing.md", chinese
    )
    report = build(project, Options(docs=(ARTICLE_ID, SPANISH, CHINESE)))
    assert not report.failed, "\n".join(report.lines)
    return Built(project, report)


FORMATS = ("html", "brochure_pdf", "accessible_pdf", "docx", "onepager_pdf", "onepager_html")


@pytest.mark.parametrize("edition", [SPANISH, CHINESE])
def test_each_translation_is_published_whole_in_its_own_folder(
    languages: Built, edition: str
) -> None:
    manifest = languages.manifest(edition)
    doc_id, lang = edition.split(".")
    assert languages.folder(edition) == languages.project.output_dir / doc_id / lang
    assert (manifest["id"], manifest["lang"], manifest["translation_of"]) == (doc_id, lang, doc_id)
    assert manifest["source"] == f"source/{edition}.md"
    assert sorted(manifest["outputs"]) == sorted(FORMATS)
    assert manifest["verification"] == {"passed": True, "missing": []}
    for kind in FORMATS:
        assert languages.path(edition, kind).is_file(), kind
    assert manifest["translated_from"]["parts"], "the record it was built from"


def test_the_spanish_outputs_say_every_added_word_in_spanish(languages: Built) -> None:
    # (the PDFs draw their box labels in capitals, as their style sets them)
    brochure = read(languages.path(SPANISH, "brochure_pdf"), everything=True).text
    assert "EN RESUMEN" in brochure and "IMPORTANTE" in brochure
    assert "Página 2 de 8 · Última revisión: enero de 2026" in page_text(
        languages.path(SPANISH, "brochure_pdf"), 1
    ), "the running footer (an artifact, which the readers of content leave out)"
    back = page_text(languages.path(SPANISH, "brochure_pdf"), 7)  # the back page
    assert "IMPORTANTE" in back and "Lea este folleto en internet:" in back
    assert "Este folleto también está disponible" in back
    assert "Próxima revisión: enero de 2027" in brochure
    assert "IN SHORT" not in brochure.upper() and "Last reviewed" not in brochure
    accessible = read(languages.path(SPANISH, "accessible_pdf"), everything=True).text
    assert "Última revisión: enero de 2026" in accessible and "EN RESUMEN" in accessible.upper()
    onepager = read(languages.path(SPANISH, "onepager_pdf"), everything=True).text.upper()
    assert "QUÉ HACER AHORA" in onepager and "EN PALABRAS SENCILLAS" in onepager
    assert "LEA EL ARTÍCULO COMPLETO" in onepager
    with zipfile.ZipFile(languages.path(SPANISH, "docx")) as package:
        body = package.read("word/document.xml").decode()
        footer = "".join(
            package.read(name).decode() for name in package.namelist() if "footer" in name
        )
    for style, label in (
        ("PlainSummaryLabel", "En resumen"),
        ("DisclaimerLabel", "Importante"),
        ("DisclaimerPlainLabel", "En palabras sencillas"),
    ):
        assert re.search(rf'w:val="{style}"/></w:pPr><w:r><w:rPr/><w:t[^>]*>{label}<', body)
    assert "Última revisión: enero de 2026 · " in footer and "Página " in footer
    page = languages.path(SPANISH, "html").read_text()
    assert '<html lang="es-US">' in page and "Ir al contenido principal" in page
    assert 'Próxima revisión: <time datetime="2027-01">enero de 2027</time>' in page
    assert "Educación para pacientes" in page, "the organisation's own words in Spanish"


def test_the_chinese_outputs_say_every_added_word_in_chinese(languages: Built) -> None:
    brochure = read(languages.path(CHINESE, "brochure_pdf"), everything=True).text
    assert "简而言之" in brochure and "重要提示" in brochure
    assert "第 2 页\uff0c共 4 页" in page_text(languages.path(CHINESE, "brochure_pdf"), 1)
    assert "最近审核\uff1a2026年9月14日" in brochure  # a full-width colon
    onepager = read(languages.path(CHINESE, "onepager_html"), everything=True).text
    assert "下一步怎么做" in onepager and "通俗说明" in onepager


def test_each_language_is_scored_in_its_own_measure(languages: Built) -> None:
    spanish = languages.manifest(SPANISH)["outputs"]["onepager_pdf"]["readability"]
    assert spanish["measure"] == "es" and spanish["passed"]
    whole = spanish["onepager"]
    assert whole["fernandez-huerta"] >= 70 and whole["szigriszt-pazos"] >= 65
    assert "fk" not in whole, "never an English formula"
    chinese = languages.manifest(CHINESE)["outputs"]["onepager_html"]["readability"]
    assert chinese == {
        "measure": "none",
        "lang": "zh-Hans",
        "passed": True,
        "summary": "no validated measure for zh-Hans",
    }
    english = languages.manifest(ARTICLE_ID)["outputs"]["onepager_pdf"]["readability"]
    assert "fk" in english["onepager"]
    levels = {doc: languages.report.documents[doc].reading for doc in (ARTICLE_ID, SPANISH)}
    assert levels[ARTICLE_ID] == f"{english['onepager']['fk']:.1f}"
    assert levels[SPANISH] == f"{whole['fernandez-huerta']:.0f} FH", "the summary's column"
    assert languages.report.documents[CHINESE].reading == ""


def test_the_pages_link_their_languages_both_ways_in_a_browser(languages: Built) -> None:
    english = languages.path(ARTICLE_ID, "html")
    spanish = languages.path(SPANISH, "html")
    with chromium() as browser:
        page = open_page(browser, english)
        alternates = page.evaluate(
            "() => [...document.querySelectorAll('link[rel=alternate]')]"
            ".map(l => [l.hreflang, l.href])"
        )
        assert ["es-US", spanish.as_uri()] in alternates
        assert ["en-US", english.as_uri()] in alternates
        switcher = page.get_by_role("navigation", name="Languages")
        assert switcher.inner_text().split() == ["English", "Español"]
        switcher.get_by_role("link", name="Español").click()
        page.wait_for_load_state()
        assert page.url == spanish.as_uri()
        assert page.evaluate("document.documentElement.lang") == "es-US"
        alternates = page.evaluate(
            "() => [...document.querySelectorAll('link[rel=alternate]')]"
            ".map(l => [l.hreflang, l.href])"
        )
        assert ["en-US", english.as_uri()] in alternates
        back = page.get_by_role("navigation", name="Idiomas")
        assert back.locator("[aria-current=page]").inner_text() == "Español"
        back.get_by_role("link", name="English").click()
        page.wait_for_load_state()
        assert page.url == english.as_uri()
        one = open_page(browser, languages.path(SPANISH, "onepager_html"))
        one.get_by_role("navigation", name="Idiomas").get_by_role("link", name="English").click()
        one.wait_for_load_state()
        assert one.url == languages.path(ARTICLE_ID, "onepager_html").as_uri()


def test_the_landing_page_groups_each_documents_languages(languages: Built) -> None:
    with chromium() as browser:
        page = open_page(browser, languages.project.output_dir / "index.html")
        card = page.locator(
            "li.document", has=page.get_by_role("heading", name=re.compile("Stem Cell"))
        )
        assert "Español (es-US)" in card.inner_text()
        assert "current: translates the original as published" in card.inner_text()
        link = card.get_by_role("link", name="Folleto para imprimir")
        assert link.get_attribute("href") == f"{ARTICLE_ID}/es-US/brochure.pdf"
        assert "Fernández-Huerta" in card.inner_text()
        chinese = page.locator(
            "li.document", has=page.get_by_role("heading", name="Washing Your Hands")
        )
        assert chinese.count() == 0, "its original was not built: the translation stands alone"
        alone = page.locator("li.document", has_text="洗手")
        assert "its original is not published" in alone.inner_text()


def test_a_changed_sentence_warns_names_the_section_fails_strict_and_shows_on_the_landing_page(
    languages: Built, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    shutil.copytree(languages.project.root, root, symlinks=True)
    project = Project.at(root)
    edit(project.root / ORIGINAL, lambda text: text.replace(SENTENCE, CHANGED))
    report = build(project, Options(docs=(ARTICLE_ID, SPANISH), formats=("html",)))
    assert not report.failed, "\n".join(report.lines)
    warning = (
        f"{SPANISH}: stale translation: the original's text changed since it was translated, "
        f'in section "spine" ({ORIGINAL}:{line_of(project.root / ORIGINAL, "{#spine}")}); '
        f"bring that part of {TRANSLATION} up to date, then run `leaflet translate "
        f"mark-current --doc {ARTICLE_ID} --lang es-US`"
    )
    said = [m.text for m in report.messages if m.level == "warning" and "translation" in m.text]
    assert said == [warning]
    outcomes = {kind: o.state for (doc, kind), o in report.outcomes.items() if doc == SPANISH}
    assert outcomes == {"html": "up to date"}, "the translation's outputs read its own source"
    assert report.outcomes[(ARTICLE_ID, "html")].state == "built"
    index = (project.output_dir / "index.html").read_text()
    assert "stale: the original&#39;s text changed in spine" in index
    strict = build(project, strictly(Options(docs=(SPANISH,), formats=("html",))))
    assert strict.failed
    assert [m.text for m in strict.messages if m.level == "error" and "stale" in m.text] == [
        warning
    ]


@pytest.mark.fast
def test_a_language_added_changes_the_keys_of_the_pages_that_link_languages_alone() -> None:
    from pipeline.builder.keys import StyleFiles, document_inputs, output_key
    from pipeline.formats import FORMATS as REGISTRY
    from pipeline.model import Language

    brand = load_brand(ROOT / "styles")
    styles = StyleFiles(brand)
    inputs = document_inputs(load(ROOT / ORIGINAL, ROOT), ROOT)
    alone: tuple[Language, ...] = ()
    both = (
        Language("en-US", "English", ARTICLE_ID),
        Language("es-US", "Español", f"{ARTICLE_ID}/es-US"),
    )
    changed = {
        kind
        for kind, fmt in REGISTRY.items()
        if output_key(fmt, inputs, brand, styles, alone)
        != output_key(fmt, inputs, brand, styles, both)
    }
    assert changed == {"html", "onepager_html"}


def test_a_review_of_a_translation_is_refused_never_merged_into_the_original(
    languages: Built,
) -> None:
    from pipeline.ingest import IngestError, ingest

    english = (languages.project.root / ORIGINAL).read_bytes()
    with pytest.raises(IngestError, match="is a review of a translation of ddd-stem-cell-therapy"):
        ingest(languages.project, languages.path(SPANISH, "docx"), True, ())
    assert (languages.project.root / ORIGINAL).read_bytes() == english
    kept = languages.project.output_dir.parent / "build" / "sources"
    assert sorted(p.name for p in kept.iterdir()) == sorted([ARTICLE_ID, SPANISH, CHINESE])
