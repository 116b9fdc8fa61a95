"""A new source document (`invoke new`): every part a document needs, with the writer's
words still to come marked TODO. The loader refuses a file holding TODO and names each line,
so a placeholder is never published."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.errors import UserError
from pipeline.frontmatter import LANG_PATTERN
from pipeline.metadata import ID_PATTERN, slug
from pipeline.unwritten import PLACEHOLDER

TEMPLATE = """\
---
id: {id}
title: {title}
subtitle: "{todo}: one sentence under the title, or delete this line"
lang: {lang}
last-reviewed: {todo}  # the date a clinician approved this text: YYYY-MM-DD
review-every-months: 12
---

## {todo}: the first section's heading {{#{todo}-first-section}}

::: plain
{todo}: one to three short sentences that say what this section says, in everyday words.
:::

{todo}: the section's full text: paragraphs, lists, tables, figures (see docs/authoring.md).

::: {{.disclaimer #{todo}-disclaimer-name}}
{todo}: the disclaimer's full wording, exactly as it was approved.

::: plain
{todo}: the same disclaimer in plain words.
:::
:::
"""


class ScaffoldError(UserError):
    """The new document cannot be written; the message says why and what to do."""


def new_source(source_dir: Path, title: str, doc_id: str = "", lang: str = "en-US") -> Path:
    """Write `source_dir/<id>.md` (the id made from the title unless given); never over an
    existing file."""
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError('the title is empty; write e.g. --title "Knee pain"')
    doc_id = doc_id or slug(title)
    if not ID_PATTERN.fullmatch(doc_id):
        raise ScaffoldError(
            f'id "{doc_id}" is not valid; use lower-case letters, digits and hyphens'
        )
    if not LANG_PATTERN.fullmatch(lang):
        raise ScaffoldError(f'lang "{lang}" is not a BCP 47 language tag; write e.g. --lang en-US')
    path = source_dir / f"{doc_id}.md"
    text = TEMPLATE.format(
        id=doc_id,
        title=json.dumps(title, ensure_ascii=False),  # a JSON string is a YAML string
        lang=lang,
        todo=PLACEHOLDER,
    )
    source_dir.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as stream:
            stream.write(text)
    except FileExistsError:
        raise ScaffoldError(
            f"{path.name} already exists in {source_dir.name}/; choose another title, or "
            "an id with --id"
        ) from None
    return path


def placeholder_count(path: Path) -> int:
    return sum(PLACEHOLDER in line for line in path.read_text(encoding="utf-8").splitlines())
