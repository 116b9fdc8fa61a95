"""pipeline.pandoc: body fragments to HTML, each fragment whole whatever it starts with."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from pipeline.pandoc import to_html

pytestmark = pytest.mark.fast  # unit tests that render nothing (invoke test --fast)


def _text(fragment: str) -> list[str]:
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    return [" ".join(element.text_content().split()) for element in root]


def test_a_fragment_that_starts_with_a_subheading_keeps_its_blocks() -> None:
    """The loader gives subheadings no id (no auto identifiers): pandoc once wrote such a
    fragment as its heading alone, and the section's text after it was lost."""
    heading = {"t": "Header", "c": [3, ["", [], []], [{"t": "Str", "c": "Steps"}]]}
    para = {"t": "Para", "c": [{"t": "Str", "c": "Wash."}]}
    first, second = to_html([[heading, para], [heading]])
    assert _text(first) == ["Steps", "Wash."]
    assert first.startswith("<h3") and "fragment" not in first
    assert _text(second) == ["Steps"]
