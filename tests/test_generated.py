"""Generated documents: Hypothesis writes valid source documents from every construct the
source format allows (sections with plain summaries, paragraphs with emphasis, links,
footnotes, code, superscripts, other scripts and symbols, lists nested three deep, ordered
lists that start anywhere and count 1, a or i, subheadings, tables up to many rows, figures
of every type from the corpus, block quotes, definition lists, line blocks, divs in another
language, disclaimers at the start, middle or end of a section), and each one must build,
verify and publish in all six formats.

A handful of documents per run (the "suite" profile); `--hypothesis-profile=thorough` (or
HYPOTHESIS_PROFILE=thorough, THOROUGH_EXAMPLES=n) runs many more. The words are neutral
filler: what is tested is the form, never the advice.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from pipeline.builder import Options, Project, build
from pipeline.formats import FORMATS
from tests.conftest import ROOT
from tests.test_corpus import CORPUS

Draw = st.DrawFn

EASY = (  # noqa: SIM905
    "a all and ask at bag bed bus by call can car cup day desk do door find for get go "
    "hall help home if in it keep key lamp list map near new not note on one or our pen "
    "put read room see sign sit so take the this time to up us wait walk we week you your"
).split()
"""Short everyday words: plain summaries made of them read far below grade 6."""
LONGER = (  # noqa: SIM905
    "appointment information wheelchair reception entrance telephone interpreter "
    "afternoon neighbourhood arrangement comfortable"
).split()
"""Longer words for the full text, whose reading level is not limited."""
PHRASES = {
    "es": "Tiene a su disposición servicios gratuitos.",
    "vi": "Hỗ trợ bằng ngôn ngữ của bạn là miễn phí.",
    "zh-Hant": "您可以免費獲得語言協助。",
    "ko": "언어 지원 서비스를 무료로 이용하실 수 있습니다.",
    "ru": "Вам доступны бесплатные услуги.",
    "el": "Υπηρεσίες γλωσσικής υποστήριξης.",
    "ar": "المساعدة بلغتك مجانية.",
    "he": "עזרה בשפה שלך ניתנת בחינם.",
    "hi": "आपके लिए मुफ्त में भाषा सहायता सेवाएं उपलब्ध हैं।",
    "ja": "無料の言語支援サービスをご利用いただけます。",
}
SYMBOLS = ("37 °C", "5 µg", "≥ 2", "≤ 3", "± 0.5", "3 × 4", "A → B", "✓ yes", "½", "€ 5", "2–3")  # noqa: RUF001
FIGURES = {
    # file: the widths it may print at and stay at 300 ppi or more (in % of a column)
    "six-steps.png": (None, 100, 60),
    "clinic-door.jpg": (None, 80),
    "two-voices.gif": (None, 50),
    "bubbles.png": (50, 40),
    "calendar.svg": (None, 70),
    "night-sky.svg": (None, 60),
}
INLINE = "plain em strong both across link symbol lang note sup code".split()  # noqa: SIM905
STYLES = {"decimal": "{n}.", "alpha": "{a}.", "roman": "{i}."}
ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix")


def words(draw: Draw, vocabulary: list[str], least: int, most: int) -> list[str]:
    return draw(st.lists(st.sampled_from(vocabulary), min_size=least, max_size=most))


def sentence(draw: Draw, vocabulary: list[str] = EASY, least: int = 3, most: int = 9) -> str:
    text = " ".join(words(draw, vocabulary, least, most))
    return text[0].upper() + text[1:] + "."


def plain(draw: Draw) -> str:
    """One or two short sentences of short words."""
    return " ".join(sentence(draw, EASY, 3, 7) for _ in range(draw(st.integers(1, 2))))


def inline(draw: Draw, notes: list[str]) -> str:
    """A sentence of the full text, perhaps with emphasis, a link, a symbol, another script
    or a footnote."""
    body = words(draw, EASY + LONGER, 4, 14)
    kind = draw(st.sampled_from(INLINE))
    at = draw(st.integers(0, len(body) - 1))
    if kind == "em":
        body[at] = f"*{body[at]}*"
    elif kind == "strong":
        body[at] = f"**{body[at]}**"
    elif kind == "both":
        body[at] = f"***{body[at]}***"
    elif kind == "across" and at + 1 < len(body):
        body[at], body[at + 1] = f"**{body[at]}", f"{body[at + 1]}**"
    elif kind == "link":
        target = draw(st.sampled_from(["https://www.example.org/help", "mailto:a@example.org"]))
        body[at] = f"[{body[at]}]({target})"
    elif kind == "symbol":
        body.insert(at, draw(st.sampled_from(SYMBOLS)))
    elif kind == "lang":
        lang = draw(st.sampled_from(sorted(PHRASES)))
        body.insert(at, f"[{PHRASES[lang]}]{{lang={lang}}}")
    elif kind == "sup":
        body.insert(at, "the 2^nd^")
    elif kind == "code":
        body.insert(at, "`Guest-WiFi`")
    text = " ".join(body)
    text = text[0].upper() + text[1:] + "."
    if kind == "note":
        notes.append(sentence(draw, EASY + LONGER))
        text = (
            text[:-1] + f"[^n{len(notes)}]." if draw(st.booleans()) else text + f"[^n{len(notes)}]"
        )
    return text


def paragraph(draw: Draw, notes: list[str]) -> str:
    return " ".join(inline(draw, notes) for _ in range(draw(st.integers(1, 4))))


def marker(style: str, number: int) -> str:
    return STYLES[style].format(n=number, a="abcdefghi"[number - 1], i=ROMAN[number - 1])


def a_list(draw: Draw, depth: int = 1) -> str:
    """A bullet or ordered list, perhaps with lists inside it, up to three deep."""
    ordered = draw(st.booleans())
    style = draw(st.sampled_from(sorted(STYLES))) if ordered else ""
    start = draw(st.integers(1, 5)) if style == "decimal" else 1
    lines = []
    for n in range(start, start + draw(st.integers(1, 4))):
        label = marker(style, n) if ordered else "-"
        lines.append(f"{label} {sentence(draw, EASY + LONGER, 1, 8)}")
        if depth < 3 and draw(st.integers(0, 2)) == 0:
            inner = a_list(draw, depth + 1)
            lines += [" " * (len(label) + 1) + line if line else "" for line in inner.split("\n")]
    return "\n".join(lines)


def a_table(draw: Draw) -> str:
    columns = draw(st.integers(2, 4))
    rows = draw(st.one_of(st.integers(1, 6), st.integers(25, 45)))

    def cell() -> str:
        return " ".join(words(draw, EASY + LONGER, 1, 12)).capitalize()

    lines = ["| " + " | ".join(cell() for _ in range(columns)) + " |"]
    lines.append("|" + "---|" * columns)
    lines += ["| " + " | ".join(cell() for _ in range(columns)) + " |" for _ in range(rows)]
    if draw(st.booleans()):
        lines = ["Table: " + sentence(draw, EASY, 2, 6), "", *lines]
    return "\n".join(lines)


def a_figure(draw: Draw) -> str:
    name = draw(st.sampled_from(sorted(FIGURES)))
    width = draw(st.sampled_from(FIGURES[name]))
    alt = " ".join(words(draw, EASY, 3, 8)).capitalize()
    return f"![{alt}](images/{name})" + (f"{{width={width}%}}" if width else "")


def a_block(draw: Draw, notes: list[str]) -> str:
    kind = draw(
        st.sampled_from(
            ["paragraph", "list", "table", "figure", "heading", "quote", "terms", "lines", "div"]
        ),
    )
    if kind == "terms":
        term = sentence(draw, EASY, 1, 3)[:-1]
        return f"{term}\n:   {paragraph(draw, notes)}"
    if kind == "lines":
        return "\n".join(f"| {sentence(draw, EASY + LONGER, 1, 6)}" for _ in range(3))
    if kind == "div":
        lang = draw(st.sampled_from(sorted(PHRASES)))
        return f"::: {{lang={lang}}}\n{PHRASES[lang]}\n:::"
    if kind == "list":
        return a_list(draw)
    if kind == "table":
        return a_table(draw)
    if kind == "figure":
        return a_figure(draw)
    if kind == "heading":
        level = draw(st.sampled_from(["###", "####"]))
        return f"{level} {sentence(draw, EASY, 1, 5)[:-1]}\n\n{paragraph(draw, notes)}"
    if kind == "quote":
        return "> " + paragraph(draw, notes)
    return paragraph(draw, notes)


@st.composite
def documents(draw: Draw) -> str:
    """The text of a valid source document `source/generated.md`."""
    used: set[str] = set()

    def ident() -> str:
        name = "-".join(words(draw, EASY, 1, 3))
        while name in used:
            name += "-x"
        used.add(name)
        return name

    title = sentence(draw, EASY, 2, 5)[:-1]
    month = draw(st.integers(1, 11))
    meta = f'id: generated\ntitle: "{title}"\nlang: en-US\nlast-reviewed: 2026-{month:02d}'
    if draw(st.booleans()):
        meta += f'\nsubtitle: "{sentence(draw, EASY, 3, 9)}"'
    out = [f"---\n{meta}\n---"]
    disclaimers = 0
    notes: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        heading = sentence(draw, EASY, 1, 5)[:-1]
        blocks = [a_block(draw, notes) for _ in range(draw(st.integers(0, 4)))]
        if disclaimers < 3 and draw(st.booleans()):
            disclaimers += 1
            wording = "\n\n".join(paragraph(draw, notes) for _ in range(draw(st.integers(1, 2))))
            name = "consult-clinician" if draw(st.booleans()) and disclaimers == 1 else ident()
            box = f"::: {{.disclaimer #{name}}}\n{wording}\n\n::: plain\n{plain(draw)}\n:::\n:::"
            blocks.insert(draw(st.integers(0, len(blocks))), box)  # start, middle or end
        if not blocks:
            blocks.append(paragraph(draw, notes))
        section = [f"## {heading} {{#{ident()}}}", f"::: plain\n{plain(draw)}\n:::", *blocks]
        out.append("\n\n".join(section))
    out += [f"[^n{n}]: {note}" for n, note in enumerate(notes, 1)]
    return "\n\n".join(out) + "\n"


def generated_project(root: Path, source: str) -> Project:
    """A project of one generated document, source/generated.md, with the corpus's figures
    and the real styles."""
    (root / "source").mkdir()
    shutil.copytree(CORPUS / "images", root / "source" / "images")
    (root / "styles").symlink_to(ROOT / "styles", target_is_directory=True)
    (root / "source" / "generated.md").write_text(source, encoding="utf-8")
    return Project.at(root)


@given(documents())
def test_every_generated_document_builds_verifies_and_publishes(source: str) -> None:
    with tempfile.TemporaryDirectory(prefix="generated-") as folder:
        root = Path(folder)
        report = build(generated_project(root, source), Options(docs=("generated",)))
        problems = [m.text for m in report.messages if m.level != "info" and m.doc]
        assert not report.failed and not problems, "\n".join(problems) + "\n\n" + source
        states = {kind: report.outcomes[("generated", kind)] for kind in FORMATS}
        assert {k: (o.state, o.verified) for k, o in states.items()} == {
            kind: ("built", True) for kind in FORMATS
        }, source
        assert not (root / "build" / "rejected").exists()


CONSTRUCTS = {
    "a disclaimer": r"::: \{\.disclaimer #",
    "the back page's disclaimer": r"\{\.disclaimer #consult-clinician\}",
    "a disclaimer at the start of a section": r"\{#[a-z-]+\}\n\n::: plain\n.*\n:::\n\n::: \{\.disc",
    "a disclaimer at the end of a section": r":::\n:::\n\n## ",
    "a table of four columns": r"\|---\|---\|---\|---\|",
    "a table of 25 rows or more": r"(?m)(^\|.*\n){27}",
    "a table caption": r"(?m)^Table: ",
    "a figure": r"!\[[^]]+\]\(images/",
    "a figure with a width": r"\)\{width=\d+%\}",
    "subheadings": r"(?m)^### ",
    "deeper subheadings": r"(?m)^#### ",
    "a block quote": r"(?m)^> ",
    "a footnote": r"(?m)^\[\^n\d+\]: ",
    "another script": r"\]\{lang=",
    "bold italics": r"\*\*\*\w+\*\*\*",
    "bold across words": r"\*\*\w+ \w+\*\*",
    "a link": r"\]\(https://",
    "a mail link": r"\]\(mailto:",
    "a list three deep": r"(?m)^\S.*\n( +)\S.*\n\1 +\S",
    "a lettered list": r"(?m)^ *c\. ",
    "a roman list": r"(?m)^ *iii\. ",
    "a list that does not start at 1": r"(?m)^(?! *\d+\. ).*\n *[2-9]\. ",
    "a definition list": r"\n:   ",
    "a line block": r"(?m)^\| \w.*\n\| \w.*\n\| \w",
    "a div in another language": r"::: \{lang=",
    "code": r"`Guest-WiFi`",
    "superscript": r"\^nd\^",
    "a subtitle": r"\nsubtitle: ",
}


def test_the_generator_writes_every_construct() -> None:
    """Each construct is in some of a hundred generated documents (the same hundred each
    run; nothing is built)."""
    seen: set[str] = set()

    @settings(max_examples=100, derandomize=True, database=None, phases=[Phase.generate])
    @given(documents())
    def write(text: str) -> None:
        seen.update(name for name, pattern in CONSTRUCTS.items() if re.search(pattern, text))

    write()
    assert sorted(set(CONSTRUCTS) - seen) == []
