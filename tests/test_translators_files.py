"""Translators' files (docs/translations.md): the article's XLIFF 1.2 for Spanish, exported
and read back. Export then import unchanged gives the translation's source byte for byte; a
CAT tool's usual changes (a target rewritten, states, notes, alternative translations, white
space and attribute order) import and change exactly the paragraph translated again; a broken
placeholder, a missing or unknown unit and a changed source are refused naming the unit; a
hostile file is refused in bounded memory; a changed translation of a disclaimer is held
back until approved by its id. Each test works in a copy of the project's sources."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from pipeline.builder.project import Project
from pipeline.source import load
from pipeline.translations import xliff
from pipeline.translations.exchange import ImportRefused, export, take_in
from tests.bounded import run_bounded
from tests.conftest import ROOT

pytestmark = pytest.mark.fast

DOC, LANG = "ddd-stem-cell-therapy", "es-US"
SPANISH = f"source/{DOC}.{LANG}.md"
NS = {"x": xliff.NS}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    shutil.copytree(ROOT / "source", tmp_path / "source")
    (tmp_path / "styles").symlink_to(ROOT / "styles", target_is_directory=True)
    return Project.at(tmp_path)


def exported(project: Project) -> Path:
    return export(project, DOC, LANG).path


def unit(tree: etree._ElementTree, ident: str) -> etree._Element:
    (found,) = tree.xpath(f'//x:trans-unit[@id="{ident}"]', namespaces=NS)
    return found


def target(tree: etree._ElementTree, ident: str) -> etree._Element:
    return unit(tree, ident).find(f"{{{xliff.NS}}}target")


def save(tree: etree._ElementTree, path: Path) -> Path:
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    return path


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in zip(before.split("\n"), after.split("\n"), strict=True) if a != b]


# -- the file -------------------------------------------------------------------------------


def test_the_export_is_xliff_1_2_with_a_unit_for_every_part_and_the_translation_as_target(
    project: Project,
) -> None:
    tree = etree.parse(str(exported(project)))
    root = tree.getroot()
    assert root.tag == f"{{{xliff.NS}}}xliff" and root.get("version") == "1.2"
    file = root.find("x:file", NS)
    assert (file.get("source-language"), file.get("target-language")) == ("en-US", LANG)
    ids = tree.xpath("//x:trans-unit/@id", namespaces=NS)
    assert ids[:3] == ["title", "subtitle", "overview/heading"]
    assert {"spine/plain/1", "not-a-cure/wording/1", "not-a-cure/plain/1"} <= set(ids)
    # a list item, its bold words a <g> in source and target alike
    item = unit(tree, "what-is-ddd/body/3/1/1")
    assert item.find("x:source/x:g", NS).get("ctype") == "bold"
    assert item.find("x:target/x:g", NS).text == "Deshidratación del disco:"
    assert {t.get("state") for t in tree.xpath("//x:target", namespaces=NS)} == {"translated"}
    # a disclaimer's units say they are approved wording
    notes = unit(tree, "not-a-cure/plain/1").findall("x:note", NS)
    assert any("--approve-disclaimer not-a-cure" in n.text for n in notes)
    assert unit(tree, "spine/plain/1").findall("x:note", NS) == []
    # the same ids on every export
    assert tree.xpath("//x:trans-unit/@id", namespaces=NS) == etree.parse(
        str(exported(project))
    ).xpath("//x:trans-unit/@id", namespaces=NS)


def test_a_part_whose_original_changed_is_exported_for_review(project: Project) -> None:
    original = project.source_dir / f"{DOC}.md"
    text = original.read_text()
    original.write_text(
        text.replace("Discs between the bones soak up shocks.", "Discs soak up shocks.")
    )
    tree = etree.parse(str(exported(project)))
    states = {
        u.get("id"): u.find("x:target", NS).get("state")
        for u in tree.xpath("//x:trans-unit", namespaces=NS)
    }
    assert {i for i, s in states.items() if s != "translated"} == {
        "spine/heading",
        "spine/plain/1",
        "spine/body/1",
    }
    assert set(states.values()) == {"translated", "needs-review-translation"}


# -- round trips ----------------------------------------------------------------------------


def test_export_then_import_unchanged_gives_the_translation_byte_for_byte(
    project: Project,
) -> None:
    before = (project.root / SPANISH).read_bytes()
    done = take_in(project, exported(project))
    assert (project.root / SPANISH).read_bytes() == before
    assert not done.written and done.exit_code == 0


def test_a_cat_tools_changes_import_and_change_exactly_what_was_translated_again(
    project: Project, tmp_path: Path
) -> None:
    """A target rewritten, its state final, a note and an alternative translation added, the
    file reformatted (line breaks inside targets, attributes in another order)."""
    tree = etree.parse(str(exported(project)))
    element = unit(tree, "spine/body/1")
    new = target(tree, "spine/body/1")
    new.text = new.text.replace("es una maravilla", "es\n   una verdadera maravilla")
    new.set("state", "final")
    note = etree.SubElement(element, f"{{{xliff.NS}}}note", {"from": "reviewer"})
    note.text = "Glossary checked."
    alt = etree.SubElement(element, f"{{{xliff.NS}}}alt-trans", {"match-quality": "75"})
    etree.SubElement(alt, f"{{{xliff.NS}}}target").text = "Otra traducción"
    for attribute in ("resname", "restype"):  # attribute order: moved to the end
        value = element.attrib.pop(attribute)
        element.set(attribute, value)
    text = etree.tostring(tree, encoding="unicode")
    text = re.sub(r"\n\s+<", "\n\t\t<", text)  # another tool's indentation
    path = tmp_path / "back.xlf"
    path.write_text(text, encoding="utf-8")

    before = (project.root / SPANISH).read_text()
    done = take_in(project, path)
    after = (project.root / SPANISH).read_text()
    assert done.written and done.exit_code == 0
    [(old, changed)] = changed_lines(before, after)
    assert "es una maravilla de la ingeniería" in old
    assert changed.startswith("La columna vertebral humana es una verdadera maravilla de la")
    doc = load(project.root / SPANISH, project.root)
    assert doc.translation is not None and doc.translation.stale == ()
    # and that file round-trips in turn
    assert take_in(project, exported(project)).written is False


def test_an_import_brings_a_stale_part_up_to_date_only_when_its_units_are_translated(
    project: Project, tmp_path: Path
) -> None:
    original = project.source_dir / f"{DOC}.md"
    original.write_text(
        original.read_text().replace(
            "Discs between the bones soak up shocks.", "Discs soak up shocks."
        )
    )
    tree = etree.parse(str(exported(project)))
    take_in(project, save(tree, tmp_path / "as-is.xlf"))
    translation = load(project.root / SPANISH, project.root).translation
    assert translation is not None and translation.stale == ("spine",)
    plain = target(tree, "spine/plain/1")
    plain.text = (
        "La columna lo sostiene y protege la médula espinal. Los discos absorben los golpes."
    )
    for ident in ("spine/heading", "spine/plain/1", "spine/body/1"):
        target(tree, ident).set("state", "translated")
    done = take_in(project, save(tree, tmp_path / "reviewed.xlf"))
    assert done.written
    translation = load(project.root / SPANISH, project.root).translation
    assert translation is not None and translation.stale == ()


# -- refused, naming the unit ---------------------------------------------------------------


def refused(project: Project, path: Path) -> str:
    before = (project.root / SPANISH).read_bytes()
    with pytest.raises(ImportRefused) as caught:
        take_in(project, path)
    assert (project.root / SPANISH).read_bytes() == before, "nothing is written"
    return str(caught.value)


def test_a_broken_placeholder_is_refused_naming_the_unit(project: Project, tmp_path: Path) -> None:
    tree = etree.parse(str(exported(project)))
    g = target(tree, "what-is-ddd/body/3/1/1").find("x:g", NS)
    g.set("id", "7")
    message = refused(project, save(tree, tmp_path / "renumbered.xlf"))
    assert "unit what-is-ddd/body/3/1/1" in message and "<g> 7" in message

    tree = etree.parse(str(exported(project)))
    source_markup = target(tree, "what-is-ddd/body/3/1/1")
    etree.SubElement(source_markup, f"{{{xliff.NS}}}ph", id="1").text = "**"
    message = refused(project, save(tree, tmp_path / "ph.xlf"))
    assert "unit what-is-ddd/body/3/1/1" in message and "<ph>" in message


def test_a_lost_link_is_refused_and_lost_emphasis_is_not(project: Project, tmp_path: Path) -> None:
    shutil.copy(ROOT / "tests" / "corpus" / "hand-washing.md", project.source_dir)
    (project.source_dir / "images").mkdir(exist_ok=True)
    for image in (ROOT / "tests" / "corpus" / "images").iterdir():
        shutil.copy(image, project.source_dir / "images")
    tree = etree.parse(str(export(project, "hand-washing", "es").path))
    link = unit(tree, "next/body/1").find("x:source", NS)
    assert link.find("x:g", NS).get("ctype") == "link"
    element = target(tree, "next/body/1")
    element.text = "Siga lavándose las manos a menudo; vea los pasos arriba."
    message = refused(project, save(tree, tmp_path / "lost-link.xlf"))
    assert "unit next/body/1" in message and "link 1" in message


def test_a_missing_unit_an_unknown_unit_and_a_changed_source_are_refused(
    project: Project, tmp_path: Path
) -> None:
    tree = etree.parse(str(exported(project)))
    gone = unit(tree, "symptoms/body/1")
    gone.getparent().remove(gone)
    message = refused(project, save(tree, tmp_path / "missing.xlf"))
    assert "unit symptoms/body/1 of the original is missing" in message

    tree = etree.parse(str(exported(project)))
    unit(tree, "symptoms/body/1").set("id", "symptoms/body/9")
    message = refused(project, save(tree, tmp_path / "unknown.xlf"))
    assert "unit symptoms/body/9 is not a unit of the original" in message

    tree = etree.parse(str(exported(project)))
    source = unit(tree, "symptoms/plain/1").find("x:source", NS)
    source.text = source.text.replace("mild", "slight")
    message = refused(project, save(tree, tmp_path / "source.xlf"))
    assert "unit symptoms/plain/1" in message and "not the original's as it is now" in message


def test_a_file_naming_a_path_outside_source_is_refused(project: Project, tmp_path: Path) -> None:
    tree = etree.parse(str(exported(project)))
    tree.getroot().find("x:file", NS).set("original", "../../etc/passwd")
    assert "is not a document of this project" in refused(project, save(tree, tmp_path / "p.xlf"))


# -- hostile files --------------------------------------------------------------------------

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE xliff [\n<!ENTITY a "ha">\n'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(9))
    + ']>\n<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file '
    'original="source/ddd-stem-cell-therapy.md" source-language="en-US" target-language="es-US">'
    '<body><trans-unit id="title"><source>&j;</source></trans-unit></body></file></xliff>'
)
EXTERNAL = (
    '<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file '
    'original="source/ddd-stem-cell-therapy.md" source-language="en-US" target-language="es-US">'
    '<body><trans-unit id="title"><source>&secret;</source></trans-unit></body></file></xliff>'
)


def _import_exit(root: Path, path: Path) -> tuple[int, str]:
    """`invoke translate import --file PATH` in the project at `root` (a copy of tasks.py)."""
    finished = subprocess.run(
        [sys.executable, "-m", "invoke", "translate", "import", "--file", str(path)],
        cwd=root,
        capture_output=True,
        text=True,
    )
    return finished.returncode, finished.stdout + finished.stderr


@pytest.mark.parametrize("case", ["entity expansion", "external entity", "50 MB"])
def test_a_hostile_file_is_refused_clearly_in_bounded_memory(
    project: Project, tmp_path: Path, case: str
) -> None:
    path = tmp_path / "hostile.xlf"
    if case == "50 MB":
        head = f'<?xml version="1.0"?><xliff version="1.2" xmlns="{xliff.NS}"><!-- '
        with path.open("w") as stream:
            stream.write(head + "x" * 50_000_000 + " --></xliff>")
    else:
        path.write_text(LAUGHS if case == "entity expansion" else EXTERNAL)
    shutil.copy(ROOT / "tasks.py", project.root / "tasks.py")
    outcome = run_bounded(_import_exit, project.root, path, memory_mb=800, seconds=60)
    assert not outcome.timed_out and not outcome.error, outcome.error
    code, said = outcome.result
    assert code == 2, said
    expected = "over the limit" if case == "50 MB" else "declares a DTD or entities"
    assert expected in said and "Traceback" not in said
    assert "root:" not in said  # nothing of /etc/passwd


# -- approved wording ---------------------------------------------------------------------


def test_a_changed_translation_of_a_disclaimer_is_held_until_approved_by_its_id(
    project: Project, tmp_path: Path
) -> None:
    tree = etree.parse(str(exported(project)))
    target(tree, "not-a-cure/plain/1").text = "Esto no es una cura asegurada."
    target(tree, "spine/plain/1").text = "La columna lo sostiene y protege la médula espinal."
    path = save(tree, tmp_path / "disclaimer.xlf")
    # what the file says of its units changes nothing: the original says what a disclaimer is
    for element in tree.xpath("//x:trans-unit", namespaces=NS):
        element.set("restype", "x-paragraph")
        for note in element.findall("x:note", NS):
            element.remove(note)
    path = save(tree, tmp_path / "disclaimer.xlf")

    before = (project.root / SPANISH).read_text()
    held = take_in(project, path)
    after = (project.root / SPANISH).read_text()
    assert held.exit_code == 1 and [h.id for h in held.held] == ["not-a-cure"]
    assert "No es una cura segura." in after and "asegurada" not in after
    [(_old, new)] = changed_lines(before, after)  # the rest of the file is applied
    assert new == "La columna lo sostiene y protege la médula espinal."
    said = "\n".join(held.lines)
    assert "--approve-disclaimer not-a-cure" in said
    assert "before: plain: No es una cura segura." in said
    assert "after:  plain: Esto no es una cura asegurada." in said

    code, again = _import_exit_in_process(project, path, [])  # held again: nothing approved
    assert code == 1 and "is unchanged: its only changes are held back for approval" in again
    approved = take_in(project, path, ["not-a-cure"])
    assert approved.exit_code == 0 and approved.written
    assert "Esto no es una cura asegurada." in (project.root / SPANISH).read_text()


def _import_exit_in_process(project: Project, path: Path, approve: list[str]) -> tuple[int, str]:
    done = take_in(project, path, approve)
    return done.exit_code, "\n".join(done.lines)


def test_approving_an_id_that_is_no_disclaimer_is_refused(project: Project) -> None:
    path = exported(project)
    with pytest.raises(ImportRefused, match="--approve-disclaimer spine: no such disclaimer"):
        take_in(project, path, ["spine"])
