"""The packages' imports run one way (README, Architecture): kb <- indexer <- web / cli, and only
indexer/engine/ reaches Whoosh. Read from the source with ast, so a lazy import inside a function
counts as much as one at the top."""
from __future__ import annotations

import ast
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def _imports(package: str) -> list[tuple[str, int, str]]:
    """(file relative to the project, line, imported module) for every import under a package."""
    found = []
    for path in sorted((PROJECT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(str(path.relative_to(PROJECT)), node.lineno, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((str(path.relative_to(PROJECT)), node.lineno, node.module))
    return found


def _offending(package: str, forbidden: tuple[str, ...], exempt: str | None = None) -> list[str]:
    """Imports of any of the forbidden modules (or a module inside one), outside the exempt folder."""
    return [f"{file}:{line} imports {module}" for file, line, module in _imports(package)
            if any(module == f or module.startswith(f + ".") for f in forbidden)
            and (exempt is None or not file.startswith(exempt))]


def test_only_the_engine_package_imports_whoosh():
    offending = [o for package in ("kb", "indexer", "web", "cli")
                 for o in _offending(package, ("whoosh",), exempt="indexer/engine/")]
    assert offending == []


def test_kb_imports_neither_indexer_nor_web_nor_cli():
    assert _offending("kb", ("indexer", "web", "cli")) == []


def test_indexer_imports_neither_web_nor_cli():
    assert _offending("indexer", ("web", "cli")) == []


def test_the_engine_imports_neither_the_build_nor_the_search_side():
    assert _offending("indexer/engine", ("indexer.build", "indexer.search")) == []


def test_the_layer_check_sees_an_import_inside_a_function():
    # store.is_current_version imports the schema where it is called, not at the top
    assert any(file == "indexer/store.py" and module == "indexer.schema" for file, _, module in _imports("indexer"))
