"""The layer rule, checked on the import graph of aidb/: arrows point down only, and there is no cycle.

surfaces (dbapi, cli, repl/, sqlalchemy_dialect, demo/, training/) -> engine -> distributed (Ray) -> sql | functions | ops
-> models | storage -> leaf
modules (catalog_records, settings, ...) -> errors. Every import counts: module level, inside functions, under TYPE_CHECKING.
A module imported lazily (a heavy framework, a plugin) still draws its arrow.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "aidb"

BASE, LEAF, LOWER, MIDDLE, DISTRIBUTED, ENGINE, SURFACE = range(7)
# The layer of each top-level part of aidb. A new top-level module or folder must be placed here.
LAYERS = {
    "aidb": SURFACE,  # the package itself: aidb.connect
    "aidb.dbapi": SURFACE,
    "aidb.cli": SURFACE,
    "aidb.repl": SURFACE,
    "aidb.sqlalchemy_dialect": SURFACE,
    "aidb.demo": SURFACE,
    "aidb.engine": ENGINE,
    "aidb.distributed": DISTRIBUTED,  # Ray jobs: run the functions and operators below; the engine routes to them
    "aidb.training": SURFACE,  # QueryDataset: a Python surface over a connection, like dbapi
    "aidb.sql": MIDDLE,
    "aidb.functions": MIDDLE,
    "aidb.ops": MIDDLE,
    "aidb.collect": MIDDLE,
    "aidb.agent": MIDDLE,  # the planner: operator catalog, retrieval, step templates; runs SQL through callables it is given
    "aidb.models": LOWER,
    "aidb.storage": LOWER,
    "aidb.errors": BASE,  # imported by everything, leaf modules included
    "aidb.catalog_records": LEAF,
    "aidb.ann_search": LEAF,
    "aidb.progress_reporter": LEAF,
    "aidb.dbapi_types": LEAF,
    "aidb.utf8_buffers": LEAF,
    "aidb.file_digest": LEAF,
    "aidb.version": BASE,
    "aidb.settings": LEAF,
    "aidb.plugins": LEAF,
}
# Sideways arrows allowed inside one layer (besides those within one part). aidb.sql is pure: it reads only
# itself and the leaf modules.
SIDEWAYS = {
    ("aidb.functions", "aidb.ops"),
    ("aidb.ops", "aidb.functions"),
    ("aidb.ops", "aidb.agent"),  # plan_pipeline / suggest_operators are operators over the agent's planner
    ("aidb.agent", "aidb.ops"),
    ("aidb.agent", "aidb.functions"),
    ("aidb.models", "aidb.storage"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The aidb modules `path` imports anywhere in its body, `from pkg import submodule` resolved to the submodule."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name == "aidb" or a.name.startswith("aidb."))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source != "aidb" and not source.startswith("aidb."):
                continue
            submodules = [f"{source}.{a.name}" for a in node.names if f"{source}.{a.name}" in known]
            found.update(submodules or [source])
    found.discard(name)
    return found


def part_of(name: str) -> str:
    parts = name.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else name


@lru_cache(maxsize=1)
def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports_of(name, path, set(found)) for name, path in found.items()}


def test_every_part_of_aidb_has_a_layer():
    unplaced = sorted({part_of(name) for name in modules()} - set(LAYERS))
    assert not unplaced, f"place these in LAYERS of tests/test_layers.py (and README's layout): {', '.join(unplaced)}"


def test_imports_point_down():
    upward = []
    for name, targets in graph().items():
        source = part_of(name)
        for target in sorted(targets):
            goal = part_of(target)
            if source == goal or (source, goal) in SIDEWAYS or LAYERS[goal] == LAYERS[source] == SURFACE:
                continue  # surfaces may use one another (cli -> repl -> aidb.connect); the cycle test still applies
            if LAYERS[goal] >= LAYERS[source]:
                upward.append(f"{name} -> {target}")
    assert not upward, "imports that do not point down a layer:\n  " + "\n  ".join(upward)


def test_no_import_cycle():
    edges = graph()
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target) :] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            cycle = visit(node)
            assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_checker_sees_function_local_and_type_checking_imports(tmp_path):
    module = tmp_path / "probe.py"
    module.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from aidb.engine.session import Session\n"
        "def f():\n    from aidb.repl import shell\n",
        encoding="utf-8",
    )
    assert imports_of("aidb.storage.probe", module, {"aidb.repl.shell"}) == {"aidb.engine.session", "aidb.repl.shell"}


@pytest.mark.parametrize("leaf", [name for name, layer in LAYERS.items() if layer in (BASE, LEAF)])
def test_leaf_modules_import_nothing_but_errors(leaf):
    edges = graph()
    others = {t for t in edges.get(leaf, ()) if part_of(t) != leaf and LAYERS[part_of(t)] != BASE}
    assert not others, f"{leaf} is a leaf module but imports {others}"


def third_party_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name.partition(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.partition(".")[0])
    return found


# aidb.sql is pure (sqlglot and leaf modules, never DuckDB); storage reads and writes data but builds no SQL trees.
FORBIDDEN = {"aidb.sql": {"duckdb", "lance", "pyarrow"}, "aidb.storage": {"sqlglot"}}


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_pure_parts_do_not_import_what_they_must_not(part):
    offending = {
        name: sorted(third_party_imports(path) & FORBIDDEN[part]) for name, path in modules().items() if part_of(name) == part
    }
    offending = {name: found for name, found in offending.items() if found}
    assert not offending, f"{part} must not import {sorted(FORBIDDEN[part])}: {offending}"
