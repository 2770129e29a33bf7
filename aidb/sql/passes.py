"""The rewrite pipeline: pure passes applied in order, each traced for EXPLAIN AIDB."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

from aidb.sql.catalog_view import CatalogView
from aidb.sql.column_names import keep_column_names
from aidb.sql.dialect import AIDB
from aidb.sql.rewrite_catalog_functions import rewrite_catalog_functions
from aidb.sql.rewrite_embedding_type import rewrite_embedding_type
from aidb.sql.rewrite_function_arguments import rewrite_function_arguments
from aidb.sql.rewrite_vector_search import rewrite_vector_search
from aidb.sql.rewrite_vector_tables import rewrite_vector_tables

Pass = Callable[[exp.Expression, CatalogView], exp.Expression]

PASSES: list[tuple[str, Pass]] = [
    ("catalog_functions", rewrite_catalog_functions),
    ("function_arguments", rewrite_function_arguments),
    ("embedding_type", rewrite_embedding_type),
    ("vector_search", rewrite_vector_search),
    ("vector_tables", rewrite_vector_tables),
]


@dataclass(frozen=True)
class PassStep:
    name: str
    changed: bool
    sql: str


@dataclass(frozen=True)
class Rewritten:
    tree: exp.Expression
    steps: tuple[PassStep, ...]

    @property
    def changed(self) -> bool:
        return any(step.changed for step in self.steps)


def rewrite(tree: exp.Expression, catalog: CatalogView, passes: list[tuple[str, Pass]] | None = None) -> Rewritten:
    steps: list[PassStep] = []
    current = tree
    for name, rewrite_pass in passes if passes is not None else PASSES:
        after = rewrite_pass(current, catalog)
        changed = after != current
        steps.append(PassStep(name, changed, to_duckdb_sql(after) if changed else ""))
        current = after
    named = keep_column_names(tree, current)
    if named != current:
        steps.append(PassStep("column_names", True, to_duckdb_sql(named)))
    return Rewritten(named, tuple(steps))


def to_duckdb_sql(tree: exp.Expression) -> str:
    return tree.sql(dialect=AIDB)
