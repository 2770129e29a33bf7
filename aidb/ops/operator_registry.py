"""The registry of operator table functions: relation-to-relation steps DuckDB cannot express in SQL.

An operator is called in FROM like a table function, `SELECT * FROM near_duplicates(docs, text, threshold := 0.8)`.
The rewriter (`aidb.sql.rewrite_operator_calls`) replaces the call by a placeholder relation and records the
call; the engine (`aidb.engine.operator_runs`) runs the operator over its input read from DuckDB as Arrow
batches and registers the result under the placeholder's name before DuckDB runs the statement.

An operator is declared once, next to its implementation in `aidb/ops/<operator>.py`::

    @operator(params=[OperatorParam("t", "table"), OperatorParam("col", "column"),
                      OperatorParam("threshold", "number", 0.8)])
    def near_duplicates(source: OperatorInput, args: dict) -> OperatorResult:
        "Near-duplicate clusters by MinHash-LSH (Broder 1997; Leskovec et al., Mining of Massive Datasets ch. 3)."

Rows are identified by an `id` column of the input, or by the column named with `id_col := 'name'`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from aidb.errors import ProgrammingError, did_you_mean


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()

# Argument kinds the rewriter checks: 'table' (a table name or a subquery: the first is the input relation, a
# later one reaches the operator as an OperatorInput of its own), 'column' (a column of the input, written as a
# name or a string), 'expression' (SQL over the input's columns, computed with the input: the operator gets the
# name of the column holding it), 'map' (a struct literal {'web': 0.5} as a dict), 'number', 'integer',
# 'string', 'boolean', 'list', 'any'.
KINDS = ("table", "column", "expression", "map", "number", "integer", "string", "boolean", "list", "any")
ID_COLUMN = "id"


@dataclass(frozen=True)
class OperatorParam:
    name: str
    kind: str
    default: Any = REQUIRED

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown operator parameter kind {self.kind!r}")

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


class OperatorContext(Protocol):
    """What an operator may ask of the session that runs it, besides its input rows."""

    @property
    def database_folder(self) -> Path:
        """The folder of the database file (the working directory for an in-memory database): relative output paths start here."""
        ...

    def model(self, kind: str, name: str | None) -> Any:
        """The loaded catalog model `name` of `kind` (None: the default of that kind)."""
        ...

    def progress(self, stage: str, completed: int, total: int) -> None:
        """Report work of known size (a file's bytes read): the session's progress bar shows it."""
        ...


class OperatorInput(Protocol):
    """The input relation of one operator call, as the engine hands it over."""

    name: str  # the table name or '(subquery)', for messages
    columns: dict[str, str]  # column name -> DuckDB type, in order
    context: OperatorContext

    def batches(self, columns: list[str], batch_rows: int = ...) -> Iterator[pa.RecordBatch]: ...

    def query(self, expressions: list[str]) -> pa.Table:
        """All rows of DuckDB SQL `expressions` over the input's columns (for small per-row results)."""
        ...


@dataclass
class OperatorResult:
    """An operator's rows, plus tables it writes (name -> rows) in the statement's transaction: `writes` are removal
    tables (recorded for why_dropped), `reports` other accounts of the run (the records read_warc skipped)."""

    rows: pa.Table
    writes: dict[str, pa.Table] = field(default_factory=dict)
    reports: dict[str, pa.Table] = field(default_factory=dict)


@dataclass(frozen=True)
class Operator:
    name: str
    params: tuple[OperatorParam, ...]
    doc: str
    run: Callable[[OperatorInput, dict[str, Any]], OperatorResult]

    @property
    def signature(self) -> str:
        shown = [p.name if p.required else f"{p.name} := {p.default!r}" for p in self.params]
        return f"{self.name}({', '.join(shown)}) -> TABLE"


OPERATORS: dict[str, Operator] = {}
# Compiled kernels declare no operator and cost ~0.3 s to import (numba): imported on first use only.
_KERNEL_MODULES = frozenset({"minhash_numba"})


def operator(params: list[OperatorParam], name: str | None = None) -> Callable:
    """Declare an operator table function; its name is `name` or the function's, its doc the docstring's first line."""

    def register(run: Callable[[OperatorInput, dict[str, Any]], OperatorResult]) -> Callable:
        doc = (run.__doc__ or "").strip().splitlines()[0] if run.__doc__ else ""
        operator_name = name or run.__name__
        OPERATORS[operator_name] = Operator(operator_name, tuple(params), doc, run)
        return run

    return register


def load_operator_modules() -> dict[str, Operator]:
    """Import every module of aidb.ops so their @operator declarations run; name -> Operator."""
    import aidb.ops as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.name not in _KERNEL_MODULES:
            importlib.import_module(f"aidb.ops.{module.name}")
    return OPERATORS


def input_column(source: OperatorInput, operator_name: str, argument: str, column: str, types: tuple[str, ...] = ()) -> str:
    """The input's column `column` (its spelling there), checked to exist and, with `types`, to be of one of them.

    `types` are DuckDB type prefixes ('VARCHAR', 'FLOAT[', ...); the error names the argument.
    """
    by_lower = {c.lower(): c for c in source.columns}
    actual = by_lower.get(column.lower())
    if actual is None:
        hint = " Name the column that identifies rows with id_col := '...'." if argument == "id_col" else ""
        raise ProgrammingError(
            f"{operator_name}(): argument {argument}: {source.name} has no column {column!r}."
            f"{did_you_mean(column, list(source.columns))}{hint}"
        )
    kind = source.columns[actual].upper()
    if types and not kind.startswith(types):
        raise ProgrammingError(
            f"{operator_name}(): argument {argument}: column {actual!r} of {source.name} is {kind}, expected {' or '.join(types)}"
        )
    return actual


def id_column(source: OperatorInput, operator_name: str, args: dict[str, Any]) -> str:
    """The column that identifies rows: `id_col` if given, else `id`; it must have no NULLs (checked by the caller)."""
    return input_column(source, operator_name, "id_col", args.get("id_col") or ID_COLUMN)


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def check_range(operator_name: str, argument: str, value: Any, low: float, high: float, low_open: bool = False) -> None:
    """Raise a ProgrammingError naming `argument` unless low <(=) value <= high."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProgrammingError(f"{operator_name}(): argument {argument} must be a number, got {value!r}")
    if (value <= low if low_open else value < low) or value > high:
        interval = f"{'(' if low_open else '['}{low}, {high}]"
        raise ProgrammingError(f"{operator_name}(): argument {argument} must be in {interval}, got {value}")


def removal_table_name(source: OperatorInput, operator_name: str, args: dict[str, Any], suffix: str) -> str:
    """The table an operator that removes rows writes its removals to: `removed :=`, else the input's name + `suffix`."""
    name = args.get("removed")
    if name is None:
        if source.name == "(subquery)":
            raise ProgrammingError(f"{operator_name}(): argument removed: name the removal table (removed := '...') when the input is a subquery")
        name = source.name.split(".")[-1].strip('"') + suffix
    if not isinstance(name, str) or not name.strip():
        raise ProgrammingError(f"{operator_name}(): argument removed must be a table name, got {name!r}")
    return name
