"""The rewrite pipeline: pure passes applied in order, each traced for EXPLAIN AIDB."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from sqlglot import exp

from aidb.sql.catalog_view import CatalogView
from aidb.sql.column_names import keep_column_names
from aidb.sql.dialect import AIDB
from aidb.sql.rewrite_catalog_functions import rewrite_catalog_functions
from aidb.sql.rewrite_embedding_type import rewrite_embedding_type
from aidb.sql.rewrite_function_arguments import rewrite_function_arguments
from aidb.sql.rewrite_persisted_macros import rewrite_persisted_macros
from aidb.sql.rewrite_operator_calls import rewrite_operator_calls
from aidb.sql.rewrite_why_dropped import rewrite_why_dropped
from aidb.sql.rewrite_vector_search import rewrite_vector_search
from aidb.sql.rewrite_vector_tables import rewrite_vector_tables

Pass = Callable[[exp.Expression, CatalogView], exp.Expression]

# Immutable: a caller that wants other passes hands its own tuple to `rewrite`.
PASSES: tuple[tuple[str, Pass], ...] = (
    ("operator_calls", rewrite_operator_calls),
    ("why_dropped", rewrite_why_dropped),
    ("catalog_functions", rewrite_catalog_functions),
    ("function_arguments", rewrite_function_arguments),
    ("embedding_type", rewrite_embedding_type),
    ("vector_search", rewrite_vector_search),
    ("vector_tables", rewrite_vector_tables),
    ("persisted_macros", rewrite_persisted_macros),
)


@dataclass(frozen=True)
class PassStep:
    """One pass's trace for EXPLAIN AIDB; its SQL is rendered only when asked for (rendering costs ~1 ms a step)."""

    name: str
    changed: bool
    tree: exp.Expression | None = None  # the tree after the pass, kept when it changed

    @cached_property
    def sql(self) -> str:
        return to_duckdb_sql(self.tree) if self.changed and self.tree is not None else ""


@dataclass(frozen=True)
class Rewritten:
    tree: exp.Expression
    steps: tuple[PassStep, ...]

    @property
    def changed(self) -> bool:
        return any(step.changed for step in self.steps)


def rewrite(tree: exp.Expression, catalog: CatalogView, passes: tuple[tuple[str, Pass], ...] | None = None) -> Rewritten:
    steps: list[PassStep] = []
    current = tree
    for name, rewrite_pass in passes if passes is not None else PASSES:
        after = rewrite_pass(current, catalog)
        changed = after != current
        steps.append(PassStep(name, changed, after if changed else None))
        current = after
    named = keep_column_names(tree, current)
    if named != current:
        steps.append(PassStep("column_names", True, named))
    return Rewritten(named, tuple(steps))


def to_duckdb_sql(tree: exp.Expression) -> str:
    return tree.sql(dialect=AIDB)
