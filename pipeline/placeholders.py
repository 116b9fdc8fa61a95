"""What styles/brand.toml still holds of a sample brand: placeholders that must not reach
patients on a one-pager or a brochure.

Found three ways, each named with its line:
- an address reserved for examples (RFC 2606, RFC 6761): example.org, example.com,
  example.net and their subdomains, and any name under .example, .test, .invalid or
  .localhost, in a web or e-mail address;
- a telephone number reserved for fiction: 555-0100 to 555-0199 (the North American range
  set aside for films and examples);
- a value marked PLACEHOLDER, in a comment on its line or in the comment just above it (the
  sample brand marks its organisation's name and logo so).
A build warns of each; `--strict` makes them errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.brand import Brand

_RESERVED = re.compile(
    r"(?i)(?<![\w.-])((?:[a-z0-9-]+\.)*(?:example\.(?:com|org|net)|[a-z0-9-]+\."
    r"(?:example|test|invalid|localhost)))(?![\w-])"
)
_FICTIONAL = re.compile(r"555\D{0,2}01\d\d(?!\d)")
_MARK = re.compile(r"\bPLACEHOLDER\b")
_TABLE = re.compile(r"^\s*\[+\s*([^\]]+?)\s*\]+")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')


@dataclass(frozen=True)
class Placeholder:
    file: str
    line: int
    table: str
    key: str
    value: str
    why: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: [{self.table}] {self.key} {self.value} {self.why}"


def placeholders(brand: Brand, shown: Callable[[Path], str] = str) -> list[Placeholder]:
    """Every placeholder in the brand's brand.toml, in line order; `shown` names the file."""
    path = brand.path("brand.toml")
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except OSError:
        return []
    return list(_scan(lines, shown(path)))


def _scan(lines: list[str], file: str) -> Iterator[Placeholder]:
    table, key, marked_above = "", "", False
    for number, line in enumerate(lines, 1):
        strings = _STRING.findall(line)
        comment = _STRING.sub("", line).partition("#")[2]
        if not line.strip() or line.lstrip().startswith("#"):
            # A comment block marks the key that follows it; a blank line ends the block.
            marked_above = bool(line.strip()) and (marked_above or bool(_MARK.search(comment)))
            continue
        if found := _TABLE.match(line):
            table, marked_above = found.group(1), False
            continue
        if found := _KEY.match(line):
            key = found.group(1)
        value = " ".join(strings) or line.partition("=")[2].partition("#")[0].strip()
        where = (file, number, table, key, f"= {value}")
        reasons = [
            f'holds "{address}", an address reserved for examples'
            for text in strings
            for address in _RESERVED.findall(text)
        ] + [
            f'holds "{phone}", a telephone number reserved for fiction'
            for text in strings
            for phone in _FICTIONAL.findall(text)
        ]
        fix = "replace it with your organisation's own"
        if not reasons and (marked_above or _MARK.search(comment)):
            reasons, fix = ["is marked PLACEHOLDER"], f"{fix}, and delete the mark"
        marked_above = False
        for why in reasons:
            yield Placeholder(*where, f"{why}: {fix}")
