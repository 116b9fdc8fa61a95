"""No import circles in pipeline/: each module can be read knowing only the ones it imports.

An edge is an import at a module's top level, those for type checking included (a circle
there is still a circle of ideas). An import inside a function is left out: it is how a
module defers a heavy import until it is needed (the lazy public API in pipeline/api.py),
and it runs after every module it could reach has loaded.
"""

from __future__ import annotations

import ast
import graphlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.fast  # unit tests that render nothing (invoke test --fast)


def modules(package: Path) -> dict[str, Path]:
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def top_level_imports(statements: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    for statement in statements:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            yield statement
        elif isinstance(statement, ast.If | ast.Try):  # `if TYPE_CHECKING:`, `try: import`
            for block in (statement.body, statement.orelse, getattr(statement, "finalbody", [])):
                yield from top_level_imports(block)


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of `known` that module `name` (file `path`) imports at its top level."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for statement in top_level_imports(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(statement, ast.Import):
            found |= {alias.name for alias in statement.names}
            continue
        base = statement.module or ""
        if statement.level:
            parents = package.split(".")[: len(package.split(".")) - statement.level + 1]
            base = ".".join([*parents, *([base] if base else [])])
        # `from pipeline import tools` imports the module pipeline.tools.
        found |= {
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
            for alias in statement.names
        }
    return {module for module in found if module in known and module != name}


def circle(graph: dict[str, set[str]]) -> list[str]:
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        return list(error.args[1])
    return []


def test_no_module_of_the_pipeline_imports_itself_round_a_circle() -> None:
    known = modules(ROOT / "pipeline")
    graph = {name: imported(name, path, known) for name, path in known.items()}
    assert len(graph) > 80 and sum(map(len, graph.values())) > 200, "the graph was read"
    assert circle(graph) == []


def test_a_circle_is_found(tmp_path: Path) -> None:
    """The control: the model asking the review module, which asks the model (for types
    only), as they did before ReviewDate moved to pipeline/review.py."""
    package = tmp_path / "pipeline"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "model.py").write_text("from pipeline import review\n")
    (package / "review.py").write_text(
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .model import X\n"
    )
    (package / "api.py").write_text("def build():\n    from pipeline.model import X\n")
    known = modules(package)
    graph = {name: imported(name, path, known) for name, path in known.items()}
    assert sorted(circle(graph)) == ["pipeline.model", "pipeline.model", "pipeline.review"]
    (package / "review.py").write_text("")
    graph = {name: imported(name, path, known) for name, path in known.items()}
    assert circle(graph) == []
