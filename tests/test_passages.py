"""Shared, approved passages (styles/passages/, docs/authoring.md): included by id, expanded
into the model as the document's own text with messages naming the passage's file and line,
in the document's language; a change to one rebuilds exactly the outputs of the documents
(and languages) that include it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.builder import Options, Project, build
from pipeline.builder.keys import document_inputs
from pipeline.problems import SourceError
from pipeline.source import load
from pipeline.translations import record
from tests.conftest import ROOT

SECTION = """---
id: language-help
lang: en-US
# Test text.
---

## Language help {#language-help}

::: plain
Help in your language is free. Ask us for it.
:::

Language assistance services are available to you free of charge. Ask any staff member.
"""
SECTION_ES = """---
id: language-help
lang: es
# Texto de prueba (test text), traducido con cuidado del inglés.
---

## Ayuda en su idioma {#language-help}

::: plain
La ayuda en su idioma es gratuita. Pídanosla.
:::

Tiene a su disposición servicios gratuitos de asistencia lingüística. Pregunte a cualquier
miembro del personal.
"""
DISCLAIMER = """---
id: ask-first
lang: en-US
---

::: {.disclaimer #ask-first}
Ask your care team before you change anything.

::: plain
Ask your care team first.
:::
:::
"""


def document(doc_id: str, body: str, lang: str = "en-US") -> str:
    return (
        f"---\nid: {doc_id}\ntitle: Visiting Hours\nlang: {lang}\nlast-reviewed: 2026-01\n---\n\n"
        + body
    )


ASK_FIRST_ES = """---
id: ask-first
lang: es
# Texto de prueba (test text).
---

::: {.disclaimer #ask-first}
Consulte a su equipo de atención antes de cambiar algo.

::: plain
Consulte primero a su equipo de atención.
:::
:::
"""
TRANSLATION = """---
translation-of: visits
title: Horario de visitas
lang: es-US
last-reviewed: 2026-01
RECORD
---

::: {include=language-help}
:::

## Visitas {#visiting}

::: plain
Pregunte en la recepción cuándo puede visitar.
:::

Pregunte en la recepción por el horario de visitas de hoy.

::: {include=ask-first}
:::
"""
VISITING = """## Visiting {#visiting}

::: plain
Ask the front desk when you can visit.
:::

Ask the front desk for today's visiting hours.

::: {include=ask-first}
:::
"""
INCLUDES = "::: {include=language-help}\n:::\n\n" + VISITING


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "source").mkdir()
    shutil.copytree(ROOT / "styles", tmp_path / "styles")
    passages = tmp_path / "styles" / "passages"
    shutil.rmtree(passages)
    passages.mkdir()
    (passages / "language-help.md").write_text(SECTION)
    (passages / "language-help.es.md").write_text(SECTION_ES)
    (passages / "ask-first.md").write_text(DISCLAIMER)
    return tmp_path


def write(root: Path, name: str, text: str) -> Path:
    path = root / "source" / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.fast
def test_an_included_section_and_disclaimer_are_the_documents_own_text(root: Path) -> None:
    doc = load(write(root, "visits", document("visits", INCLUDES)), root)
    assert [(s.id, s.passage) for s in doc.sections] == [
        ("language-help", "styles/passages/language-help.md"),
        ("visiting", ""),
    ]
    (ask,) = doc.sections[1].disclaimers
    assert (ask.id, ask.passage, doc.where(ask)) == (
        "ask-first",
        "styles/passages/ask-first.md",
        "styles/passages/ask-first.md:6",
    )
    assert doc.passages == ("styles/passages/language-help.md", "styles/passages/ask-first.md")


@pytest.mark.fast
def test_a_passage_is_checked_like_the_documents_text_naming_its_own_file(root: Path) -> None:
    (root / "styles/passages/ask-first.md").write_text(
        DISCLAIMER.replace("::: plain\nAsk your care team first.\n:::\n", "")
    )
    (root / "styles/passages/language-help.md").write_text(
        SECTION.replace("free of charge.", "free of charge <b>now</b>.")
    )
    with pytest.raises(SourceError) as caught:
        load(write(root, "visits", document("visits", INCLUDES)), root)
    said = [str(p) for p in caught.value.problems]
    assert any(s.startswith("styles/passages/ask-first.md:6: disclaimer") for s in said), said
    assert any(s.startswith("styles/passages/language-help.md:13: raw HTML") for s in said), said


@pytest.mark.fast
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            INCLUDES.replace("include=language-help", "include=language-hlp"),
            'source/visits.md:8: no shared passage "language-hlp": write it in '
            "styles/passages/language-hlp.md",
        ),
        (
            "::: {include=language-help}\n:::\n\nA stray line.\n\n" + VISITING,
            'source/visits.md:11: text after the included section "language-help" (line 8)',
        ),
        (
            VISITING + "\n::: plain\n::: {include=ask-first}\n:::\n:::\n",
            "a shared passage included inside",
        ),
        (
            "::: {include=ask-first}\n:::\n\n" + VISITING,
            'source/visits.md:8: the shared passage "ask-first" is a disclaimer: include it '
            "inside a section",
        ),
        (
            VISITING.replace("::: {include=ask-first}", "::: {include=ask-first .note}"),
            'class "note"',
        ),
    ],
)
def test_a_misplaced_or_unknown_include_is_named_with_its_line(
    root: Path, body: str, expected: str
) -> None:
    with pytest.raises(SourceError) as caught:
        load(write(root, "visits", document("visits", body)), root)
    assert any(expected in str(p) for p in caught.value.problems), caught.value


@pytest.mark.fast
def test_each_language_gets_its_own_version_or_is_told_which_file_to_write(root: Path) -> None:
    only_section = INCLUDES.replace("::: {include=ask-first}\n:::\n", "")
    spanish = load(write(root, "visitas", document("visitas", only_section, "es-US")), root)
    assert spanish.sections[0].passage == "styles/passages/language-help.es.md"
    assert spanish.sections[0].title == "Ayuda en su idioma"
    with pytest.raises(SourceError) as caught:  # ask-first has no Spanish version
        load(write(root, "visitas", document("visitas", INCLUDES, "es-US")), root)
    assert any(
        'the shared passage "ask-first" has no version in es-US' in str(p)
        and "styles/passages/ask-first.es-US.md" in str(p)
        for p in caught.value.problems
    ), caught.value


@pytest.mark.fast
def test_a_passage_is_in_the_keys_of_exactly_the_documents_and_languages_that_include_it(
    root: Path,
) -> None:
    (root / "styles/passages/ask-first.es.md").write_text(
        DISCLAIMER.replace("lang: en-US", "lang: es")
        .replace(
            "Ask your care team before you change anything.",
            "Consulte a su equipo de atención antes de cambiar algo.",
        )
        .replace("Ask your care team first.", "Consulte primero a su equipo de atención.")
    )
    docs = {
        "visits": document("visits", INCLUDES),
        "visitas": document("visitas", INCLUDES, "es-US"),
        "plain": document("plain", VISITING.replace("::: {include=ask-first}\n:::\n", "")),
    }
    for name, text in docs.items():
        write(root, name, text)

    def inputs() -> dict[str, set[str]]:
        return {
            name: set(document_inputs(load(root / f"source/{name}.md", root), root)["full"])
            | set(document_inputs(load(root / f"source/{name}.md", root), root)["plain"])
            for name in docs
        }

    found = inputs()
    assert found["visits"] >= {"styles/passages/language-help.md", "styles/passages/ask-first.md"}
    assert found["visitas"] >= {"styles/passages/language-help.es.md"}
    assert not any(p.startswith("styles/passages/") for p in found["plain"])
    assert not found["visitas"] & {"styles/passages/language-help.md"}


def test_a_changed_passage_rebuilds_exactly_the_outputs_that_include_it(root: Path) -> None:
    """Built in HTML (every format's key reads the same inputs): the English passage changed
    rebuilds the English leaflet only; its Spanish version, the leaflet's Spanish translation
    and the Spanish leaflet only; a leaflet that includes none stays up to date throughout.
    Each rebuilt page shows the new text, verified like the leaflet's own."""
    (root / "styles/passages/ask-first.es.md").write_text(ASK_FIRST_ES)
    visits = write(root, "visits", document("visits", INCLUDES))
    write(root, "visitas", document("visitas", INCLUDES, "es-US"))
    write(root, "plain", document("plain", VISITING.replace("::: {include=ask-first}\n:::\n", "")))
    recorded = "\n".join(record.as_yaml(record.current(load(visits, root))))
    translation = TRANSLATION.replace("RECORD", recorded)
    write(root, "visits.es-US", translation)
    project = Project.at(root)
    options = Options(formats=("html",))
    first = build(project, options)
    assert not first.failed, first.lines
    editions = {doc for doc, _kind in first.outcomes}
    assert len(editions) == 4, editions

    def rebuilt() -> set[str]:
        report = build(project, options)
        assert not report.failed, report.lines
        states = {doc: outcome.state for (doc, _kind), outcome in report.outcomes.items()}
        assert set(states.values()) <= {"built", "up to date"}, states
        return {doc for doc, state in states.items() if state == "built"}

    english = root / "styles/passages/language-help.md"
    english.write_text(SECTION.replace("Ask any staff member.", "Ask any member of staff."))
    assert rebuilt() == {"visits"}
    assert "Ask any member of staff." in (root / "output/visits/index.html").read_text()

    spanish = root / "styles/passages/language-help.es.md"
    spanish.write_text(SECTION_ES.replace("Pregunte a cualquier", "Consulte a cualquier"))
    changed = rebuilt()
    assert "visitas" in changed and "visits" not in changed and "plain" not in changed
    assert len(changed) == 2, changed  # and the translation of visits into es-US
    for page in (root / "output/visitas/index.html", root / "output/visits/es-US/index.html"):
        assert "Consulte a cualquier" in page.read_text()
    assert rebuilt() == set()


def test_a_passage_version_is_stale_once_its_original_changes_until_marked_current(
    root: Path,
) -> None:
    """A Spanish leaflet includes language-help.es.md: told stale while that version records
    no version of the English passage, current once marked, stale again when one sentence of
    the English changes (a warning, or with --strict an error that holds its edition back).
    The English leaflet, which includes the original, is never told so."""
    from pipeline.translations import staleness
    from pipeline.translations.commands import mark_passage_current

    only_section = INCLUDES.replace("::: {include=ask-first}\n:::\n", "")
    spanish = write(root, "visitas", document("visitas", only_section, "es-US"))
    english = write(root, "visits", document("visits", only_section))
    version = "styles/passages/language-help.es.md"
    assert load(spanish, root).stale_passages == (version,)
    mark_passage_current(Project.at(root), "language-help", "es")
    assert "translated-from:" in (root / version).read_text()
    assert load(spanish, root).stale_passages == ()

    original = root / "styles/passages/language-help.md"
    original.write_text(SECTION.replace("Ask any staff member.", "Ask any member of staff."))
    doc = load(spanish, root)
    assert doc.stale_passages == (version,) and load(english, root).stale_passages == ()
    said = staleness.message(doc)
    assert said.startswith(f"stale shared passage: {version} no longer translates ")
    assert "styles/passages/language-help.md" in said
    assert "leaflet translate mark-current --passage language-help --lang es" in said

    project = Project.at(root)
    warned = build(project, Options(formats=("html",), docs=("visitas",)))
    assert not warned.failed and f"visitas: {said}" in warned.lines
    held = build(project, Options(formats=("html",), docs=("visitas",), stale_translation="error"))
    assert held.failed and f"visitas: {said}" in held.lines
    mark_passage_current(project, "language-help", "es")
    assert load(spanish, root).stale_passages == ()


@pytest.mark.fast
def test_only_a_version_in_another_language_keeps_a_record_of_its_original(root: Path) -> None:
    passage = root / "styles/passages/language-help.md"
    passage.write_text(SECTION.replace("lang: en-US\n", "lang: en-US\ntranslated-from: x\n"))
    with pytest.raises(SourceError) as caught:
        load(write(root, "visits", document("visits", INCLUDES)), root)
    assert any(
        p.file == "styles/passages/language-help.md"
        and p.line == 4
        and '"translated-from" is the record a version in another language keeps' in p.message
        for p in caught.value.problems
    ), caught.value


def test_ingest_merges_nothing_from_a_reviewed_docx_of_a_document_with_passages(
    root: Path,
) -> None:
    """The DOCX shows the passage's text, which is no paragraph of the source: ingest says it
    cannot tell an edit of the passage from one of the document, names the files to edit, and
    writes nothing (an unchanged review would otherwise read as 4 paragraphs added)."""
    from pipeline.ingest import IngestError, ingest

    source = write(root, "visits", document("visits", INCLUDES))
    project = Project.at(root)
    assert not build(project, Options(formats=("docx",))).failed
    before = source.read_bytes()
    with pytest.raises(IngestError) as caught:
        ingest(project, root / "output/visits/visits.docx", apply=True)
    said = str(caught.value)
    assert "includes the shared passages ask-first, language-help" in said
    assert "styles/passages/language-help.md" in said and "merges nothing" in said
    assert source.read_bytes() == before
