"""Writing a document as a new writer does: `invoke new` writes every part with TODO where the
writer's words go, and nothing is published until each is replaced; a mistake gives one
message that names its root cause at the right line; pandoc's own warnings become our
messages; `invoke check` validates without rendering."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pypdfium2
import pytest
from lxml import html as lxml_html
from PIL import Image

from pipeline.builder import Options, build
from pipeline.problems import SourceError
from pipeline.source import load
from tests.test_build import make_project, run_invoke
from tests.test_source import GOOD, line_of, problems

PARA = "Pain can vary widely."
# Each mistake: a change to GOOD, the line its one message names (a needle on that line of
# the changed text), and the message after "source/sample.md:<line>: ".
MISTAKES = {
    "a plain div never closed": (
        ("Your back may hurt.\n:::\n", "Your back may hurt.\n"),
        "::: plain",
        'the div "::: plain" is never closed (each ":::" line closes the div opened last, so '
        'one is missing); add a line ":::" where its text ends, before line 23',
    ),
    "a disclaimer never closed": (
        ("Talk to a doctor.\n:::\n:::\n", "Talk to a doctor.\n:::\n"),
        ".disclaimer",
        'the div "::: {.disclaimer #see-a-doctor}" is never closed (each ":::" line closes the '
        'div opened last, so one is missing); add a line ":::" where its text ends, before '
        "line 23",
    ),
    "the last div never closed": (
        ("Rest can help.\n:::\n", "Rest can help.\n"),
        line_of(GOOD, "Rest can help") - 1,
        'the div "::: plain" is never closed (each ":::" line closes the div opened last, so '
        'one is missing); add a line ":::" where its text ends',
    ),
    "a div opened straight after text": (
        ("widely.\n\n::: {.disclaimer", "widely.\n::: {.disclaimer"),
        ".disclaimer",
        '"::: {.disclaimer #see-a-doctor}" is read as text because the line above it is not '
        "empty; put an empty line before it",
    ),
    "a heading straight after text": (
        ("Pain can vary widely.\n", "Pain can vary widely.\n## Causes {#causes}\n"),
        "## Causes",
        '"## Causes {#causes}" is read as text because the line above it is not empty; put an '
        "empty line before it",
    ),
    "an indented closing fence": (
        ("Rest can help.\n:::\n", "Rest can help.\n  :::\n"),
        "  :::",
        '":::" is read as text because it starts with spaces; start it at the beginning of '
        "the line",
    ),
    "a div opened with two colons": (
        ("::: plain\nRest can help.", ":: plain\nRest can help."),
        line_of(GOOD, "Rest can help") - 1,
        '":: plain" is read as text; a div starts with three colons, ":::"',
    ),
    "one ':::' too many": (
        ("Rest can help.\n:::\n", "Rest can help.\n:::\n\n:::\n"),
        30,
        'this ":::" closes no div (one ":::" too many, or the div it closes was never '
        "opened); delete it or fix the div's first line",
    ),
    "a heading without a space after #": (
        ("## Treatment {#treatment}", "##Treatment {#treatment}"),
        "##Treatment",
        '"##Treatment {#treatment}" is read as text; put a space after the "#"',
    ),
    "an id without its #": (
        ("## Treatment {#treatment}", "## Treatment {treatment}"),
        "## Treatment",
        'section "Treatment" has no id; write "## Treatment {#treatment}"',
    ),
    "a footnote never used": (
        ("Pain can vary widely.\n", "Pain can vary widely.\n\n[^1]: Most people recover.\n"),
        "[^1]:",
        "footnote [^1] is never used, so its text would be lost; put [^1] where it belongs in "
        "the text, or delete the note",
    ),
    "a footnote in a section's heading": (
        (
            "## Treatment {#treatment}",
            "## Treatment[^1] {#treatment}\n\n[^1]: As your care team advises.",
        ),
        "## Treatment",
        'a footnote in the heading "Treatment"; put the note in the section\'s text, after the '
        "sentence it explains",
    ),
    # -- what a writer types (issue 21) ---------------------------------------------------
    "an absolute image path": (
        (PARA, f"{PARA}\n\n![The colon](/home/writer/Pictures/colon.png)"),
        "colon.png",
        'image "/home/writer/Pictures/colon.png" in section "symptoms" is an absolute path, '
        "which names a file on this computer only; write the path from the source file's "
        'folder, e.g. "images/colon.png" (after copying the file to source/images/)',
    ),
    "a TODO at the end of a long paragraph": (
        (PARA, "Pain can vary widely from one day to the next, and from person to person. TODO"),
        "TODO",
        'placeholder "TODO" in "…and from person to person. TODO"; write your own '
        "words in its place (and delete the TODO)",
    ),
    "a todo in lower case": (
        (PARA, f"{PARA} todo: check the figures"),
        "todo",
        'placeholder "todo" in "Pain can vary widely. todo: check the figures"; write your '
        "own words in its place (and delete the todo)",
    ),
    "TBD": (
        ("Rest can help.", "Rest can help for TBD days."),
        "TBD",
        'placeholder "TBD" in "Rest can help for TBD days."; write your own words in its place '
        "(and delete the TBD)",
    ),
    "XXX in a phone number": (
        (PARA, f"{PARA} Call 555-XXXX."),
        "XXXX",
        'placeholder "XXXX" in "…can vary widely. Call 555-XXXX."; write your own words in '
        "its place (and delete the XXXX)",
    ),
    "bold written as HTML": (
        (PARA, "Pain can <b>vary</b> widely."),
        "<b>",
        'raw HTML "<b>" in section "symptoms"; write it in Markdown: **bold text**',
    ),
    "italics written as HTML": (
        (PARA, "Pain can <em>vary</em> widely."),
        "<em>",
        'raw HTML "<em>" in section "symptoms"; write it in Markdown: *italic text*',
    ),
    "a line break written as HTML": (
        (PARA, "Pain can vary<br>widely."),
        "<br>",
        'raw HTML "<br>" in section "symptoms"; write it in Markdown: a new paragraph (an empty '
        "line), or end the line with a backslash \\",
    ),
    "a link written as HTML": (
        (PARA, 'Pain can vary widely: <a href="https://example.org/pain">read more</a>.'),
        "<a href",
        'raw HTML "<a href="https://example.org/pain">" in section "symptoms"; write it in '
        "Markdown: [link text](https://example.org/pain)",
    ),
    "an HTML comment": (
        (PARA, f"{PARA}\n\n<!-- ask Dr Lee about this -->"),
        "<!--",
        'an HTML comment "<!-- ask Dr Lee about this -->" in section "symptoms"; delete it (a '
        "comment is not shown, but it would be published in the page's code)",
    ),
    "a level-1 heading keeps its id": (
        ("## Symptoms {#symptoms}", "# What back pain is {#symptoms}"),
        "# What back pain is",
        'level-1 heading "What back pain is": the title is the only H1; write '
        '"## What back pain is {#symptoms}"',
    ),
    "an id with a space and capitals": (
        ("## Treatment {#treatment}", "## After care {#After Care}"),
        "## After care",
        'the id "After Care" of section "After care" is not valid: an id is lower-case letters, '
        'digits and hyphens, without spaces; write "## After care {#after-care}"',
    ),
    "a title with a colon, unquoted": (
        ("title: A sample leaflet", "title: Colonoscopy: what to expect"),
        "title:",
        "the title holds a colon followed by a space, which YAML reads as a new key; put it in "
        'quotes: title: "Colonoscopy: what to expect"',
    ),
    "math": (
        (PARA, "Pain can vary widely, as $x^2$ does."),
        "$x^2$",
        'math "$x^2$" in section "symptoms" cannot be shown in every format; write it in words, '
        "or as text (x^2^ for a superscript, H~2~O for a subscript); if you meant an amount in "
        "dollars, write \\$ for each $",
    ),
    "a plain summary after the text": (
        (
            "::: plain\nYour back may hurt.\n:::\n\nPain can vary widely.\n",
            "Pain can vary widely.\n\n::: plain\nYour back may hurt.\n:::\n",
        ),
        "::: plain",
        'the plain summary of "symptoms" must come first, right under its heading (line 8); '
        'move this "::: plain" div up, above the text before it',
    ),
    "a footnote defined twice": (
        (
            "Pain can vary widely.\n",
            "Pain can vary widely.[^1]\n\n[^1]: One.\n\n[^1]: Two.\n",
        ),
        "[^1]: Two",
        "footnote [^1] is defined twice and this text would be lost; give each note its own name",
    ),
}


@pytest.mark.fast
@pytest.mark.parametrize("name", MISTAKES)
def test_one_mistake_gives_one_message_naming_its_root_cause(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], name: str
) -> None:
    (old, new), needle, message = MISTAKES[name]
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    line = needle if isinstance(needle, int) else line_of(text, str(needle))
    assert problems(tmp_path, text) == [f"source/sample.md:{line}: {message}"]
    assert capfd.readouterr().err == "", "pandoc's own warnings never reach the terminal"


STRUCTURE_LINES = [
    number
    for number, line in enumerate(GOOD.splitlines(), 1)
    if number > 6 and line.startswith((":::", "##"))
]


@pytest.mark.fast
@pytest.mark.parametrize("number", STRUCTURE_LINES)
def test_each_heading_or_fence_deleted_or_indented_gives_one_message(
    tmp_path: Path, number: int
) -> None:
    lines = GOOD.splitlines()
    deleted = lines[: number - 1] + lines[number:]
    indented = [*lines[: number - 1], "  " + lines[number - 1], *lines[number:]]
    for changed in (deleted, indented):
        found = problems(tmp_path, "\n".join(changed) + "\n")
        assert len(found) == 1, found


@pytest.mark.fast
@pytest.mark.parametrize("stray", [":::", "::: plain", "##Heading", ":: plain", "    :::"])
def test_a_stray_line_anywhere_gives_at_most_one_message(tmp_path: Path, stray: str) -> None:
    lines = GOOD.splitlines()
    for number in range(7, len(lines) + 1):
        changed = [*lines[:number], stray, *lines[number:]]
        path = tmp_path / "source" / "sample.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(changed) + "\n")
        try:
            load(path, tmp_path)
        except SourceError as error:
            assert len(error.problems) == 1, (number, [str(p) for p in error.problems])


@pytest.mark.fast
def test_raw_html_is_one_message_a_tag_however_many_times(tmp_path: Path) -> None:
    text = GOOD.replace("Pain can vary widely.", "Pain <b>can</b> <b>vary</b> <i>widely</i>.")
    line = line_of(text, "<b>")
    assert problems(tmp_path, text) == [
        f'source/sample.md:{line}: raw HTML "<b>" in section "symptoms"; write it in Markdown: '
        "**bold text**",
        f'source/sample.md:{line}: raw HTML "<i>" in section "symptoms"; write it in Markdown: '
        "*italic text*",
    ]


def test_todo_in_a_language_where_it_is_a_word_is_text(tmp_path: Path) -> None:
    """Spanish and Portuguese "todo" means "all": only TODO in capitals is a marker there.
    (Test text, Spanish.)"""
    spanish = GOOD.replace("lang: en-US", "lang: es").replace(
        "Pain can vary widely.", "El dolor puede afectar a todo el cuerpo. Todo pasa."
    )
    load(make_project(tmp_path, {"sample": spanish}).source_dir / "sample.md", tmp_path)
    marked = spanish.replace("Todo pasa.", "TODO: causas.")
    assert problems(tmp_path / "marked", marked) == [
        f'source/sample.md:{line_of(marked, "TODO")}: placeholder "TODO" in "…afectar a todo el '
        'cuerpo. TODO: causas."; write your own words in its place (and delete the TODO)'
    ]


@pytest.mark.fast
def test_line_numbers_after_a_misread_fence_stay_right(tmp_path: Path) -> None:
    """A fence that pandoc reads as text is not counted as a div, so a problem further down
    names its own line."""
    text = GOOD.replace("Rest can help.", "Rest can help.\n\n:: not a div").replace(
        "- **Exercise:** it helps others.",
        "- **Exercise:** it helps others.\n\n![](missing.png)",
    )
    found = problems(tmp_path, text)
    assert found == [
        f'source/sample.md:{line_of(text, ":: not a div")}: ":: not a div" is read as text; '
        'a div starts with three colons, ":::"',
        f'source/sample.md:{line_of(text, "missing.png")}: image "missing.png" in section '
        '"treatment" has no alt text; write ![what the image shows](missing.png)',
        f'source/sample.md:{line_of(text, "missing.png")}: image "missing.png" in section '
        '"treatment" does not exist; check the file name',
    ]


# -- invoke new -------------------------------------------------------------------------------


def todo_lines(path: Path) -> list[int]:
    return [i for i, line in enumerate(path.read_text().splitlines(), 1) if "TODO" in line]


def fill_in(path: Path) -> None:
    """What a writer does: each placeholder replaced with real words."""
    words = {
        "subtitle:": "subtitle: What helps, and when to get care",
        "last-reviewed:": "last-reviewed: 2026-06",
        "## TODO": "## Easing knee pain {#easing}",
        "TODO: one to three": "Rest and gentle movement help most knee pain.",
        "TODO: the section's full text": "Most knee pain gets better with rest and exercise.",
        "::: {.disclaimer": "::: {.disclaimer #not-advice}",
        "TODO: the disclaimer's": "This leaflet does not replace advice from your clinician.",
        "TODO: the same disclaimer": "Ask your clinician what is right for you.",
    }
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        for start, replacement in words.items():
            if line.startswith(start) and "TODO" in line:
                lines[i] = replacement
    path.write_text("\n".join(lines) + "\n")


def test_new_then_build_fails_naming_each_placeholder_then_builds_filled_in(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path, {})
    made = run_invoke(tmp_path, "new", "--title", "Knee pain: what helps")
    assert made.returncode == 0, made.stderr
    path = tmp_path / "source" / "knee-pain-what-helps.md"
    assert "wrote source/knee-pain-what-helps.md" in made.stdout
    placeholders = todo_lines(path)
    assert len(placeholders) == 8  # subtitle, date, heading, summary, text, id, wording, plain

    result = run_invoke(tmp_path, "build", "--formats", "html")
    assert result.returncode == 1
    named = [
        int(m.group(1))
        for m in re.finditer(
            r"^source/knee-pain-what-helps\.md:(\d+): .*placeholder", result.stderr, re.M
        )
    ]
    assert named == placeholders, result.stderr
    about_the_source = [
        line for line in result.stderr.strip().splitlines() if not line.startswith("styles/")
    ]  # the sample brand's own placeholders are warnings of every build
    assert len(about_the_source) == len(placeholders) + 1  # + "FAILED"
    assert not (project.output_dir / "knee-pain-what-helps").exists(), "never published"

    fill_in(path)
    assert todo_lines(path) == []
    result = run_invoke(tmp_path, "build", "--formats", "html")
    assert result.returncode == 0, result.stderr
    page = (project.output_dir / "knee-pain-what-helps" / "index.html").read_text()
    assert "Most knee pain gets better with rest and exercise." in page
    assert "Knee pain: what helps" in page


def test_new_never_overwrites_a_source(tmp_path: Path) -> None:
    make_project(tmp_path, {"knee-pain": GOOD.replace("id: sample", "id: knee-pain")})
    before = (tmp_path / "source" / "knee-pain.md").read_bytes()
    result = run_invoke(tmp_path, "new", "--title", "Knee pain")
    assert result.returncode == 2
    assert "knee-pain.md already exists in source/" in result.stderr
    assert (tmp_path / "source" / "knee-pain.md").read_bytes() == before
    assert run_invoke(tmp_path, "new").returncode == 2  # no title


@pytest.mark.parametrize(
    ("title", "made"),
    [
        ("Colonoscopy: préparation", "colonoscopy-preparation"),
        ("Ärzte & Straße", "arzte-strasse"),
        ("Колоноскопия", "kolonoskopiya"),  # test text, Russian
    ],
)
def test_new_makes_the_id_by_transliterating_the_title(
    tmp_path: Path, title: str, made: str
) -> None:
    make_project(tmp_path, {})
    result = run_invoke(tmp_path, "new", "--title", title)
    assert result.returncode == 0, result.stderr
    assert f"wrote source/{made}.md" in result.stdout
    assert f'title: "{title}"' in (tmp_path / "source" / f"{made}.md").read_text()


def test_new_refuses_a_language_that_is_not_a_tag(tmp_path: Path) -> None:
    """Checked before the file is written, as the loader would check it after."""
    make_project(tmp_path, {})
    result = run_invoke(tmp_path, "new", "--title", "Knee pain", "--lang", "English")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        'invoke new: lang "English" is not a BCP 47 language tag; write e.g. --lang en-US'
    )
    assert list((tmp_path / "source").iterdir()) == []


@pytest.mark.fast
def test_a_placeholder_left_anywhere_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("Pain can vary widely.", "Pain can vary widely. TODO: add causes.")
    with pytest.raises(SourceError) as caught:
        load(make_project(tmp_path, {"sample": text}).source_dir / "sample.md", tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        f'source/sample.md:{line_of(text, "TODO")}: placeholder "TODO" in "Pain can vary widely. '
        'TODO: add causes."; write your own words in its place (and delete the TODO)'
    ]


# -- invoke check -----------------------------------------------------------------------------


def test_check_validates_without_rendering(tmp_path: Path) -> None:
    broken = GOOD.replace("Rest can help.\n:::\n", "Rest can help.\n")
    project = make_project(tmp_path, {"sample": GOOD, "broken": broken.replace("sample", "broken")})
    result = run_invoke(tmp_path, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f'source/broken.md:{line_of(broken, "Rest can help") - 1}: the div "::: plain" is '
        'never closed (each ":::" line closes the div opened last, so one is missing); add a '
        'line ":::" where its text ends'
    )
    assert "source/sample.md: ok (2 sections, 1 disclaimer; review due 2027-01-01" in result.stdout
    assert "2 documents checked, 1 problem" in result.stdout
    assert not project.output_dir.exists(), "nothing rendered, nothing written"

    good = run_invoke(tmp_path, "check", "--doc", "sample")
    assert good.returncode == 0 and "1 document checked, no problems" in good.stdout


def test_check_warns_of_an_overdue_review_and_strict_fails(tmp_path: Path) -> None:
    make_project(
        tmp_path, {"sample": GOOD.replace("last-reviewed: 2026-01", "last-reviewed: 2020-01")}
    )
    result = run_invoke(tmp_path, "check")
    assert result.returncode == 0
    assert "sample: review overdue since 2021-01-01 (last reviewed 2020-01" in result.stderr
    strict = run_invoke(tmp_path, "check", "--strict")
    assert strict.returncode == 1
    assert "(an error with --strict)" in strict.stderr


def test_alt_text_describes_the_image_and_is_not_printed_as_a_caption(tmp_path: Path) -> None:
    """pandoc makes an image alone in its paragraph a figure captioned with its alt text: a
    reader would see the description printed under the picture, and a screen reader would
    read it twice. In the page and the PDFs the alt text is the image's description only;
    the DOCX, which clinicians review, shows it too (they review what a screen reader
    reads)."""
    alt = "A drawing of the lower spine, showing five vertebrae and the discs between them"
    project = make_project(tmp_path, {"sample": GOOD.replace(PARA, f"{PARA}\n\n![{alt}](x.png)")})
    Image.new("RGB", (1200, 600), (20, 80, 120)).save(project.source_dir / "x.png")

    report = build(project, Options(formats=("html", "accessible_pdf", "docx")))

    assert not report.failed, report.lines
    folder = project.output_dir / "sample"
    page = lxml_html.parse(str(folder / "index.html")).getroot()
    assert [img.get("alt") for img in page.iter("img") if "x.png" in img.get("src", "")] == [alt]
    assert alt not in page.text_content(), "no visible caption"
    pdf = pypdfium2.PdfDocument(folder / "sample.pdf")
    text = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "lower spine" not in " ".join(text.split())
    with zipfile.ZipFile(folder / "sample.docx") as package:
        body = package.read("word/document.xml").decode()
    assert f'descr="{alt}"' in body
    assert body.count("lower spine") == 2, "the description, and shown for review"
