"""The W3C Nu HTML checker (npm's vnu-jar, run with Java) for tests.

    assert nu_errors(page, page.parent / "assets" / "article.css") == []

Java or the jar missing is an error that says how to install them, never a silent skip.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


class CheckerMissing(RuntimeError):
    """Java or vnu.jar is not installed; the message says how to install them."""


def nu_errors(*paths: Path) -> list[str]:
    """The checker's errors for HTML files (and CSS files, checked as CSS), one line each:
    `file:line: message`."""
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        missing = "java" if java is None else str(VNU_JAR)
        raise CheckerMissing(
            f"{missing} not found: the Nu HTML checker needs Java and npm's vnu-jar; "
            "run `invoke setup --tests` (or `invoke test`, which runs it)"
        )
    options = ["--errors-only", "--exit-zero-always", "--format", "json", "--also-check-css"]
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), *options, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    # vnu writes its JSON report to stderr.
    messages = json.loads(result.stderr or result.stdout)["messages"]
    return [
        f"{Path(m.get('url', '?').removeprefix('file:')).name}:{m.get('lastLine', '?')}: "
        f"{m['message']} [{m.get('extract', '').strip()[:80]}]"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]
