"""Run a statement's operator calls before DuckDB runs it: read each input as Arrow, run, register the result.

Each result is registered on the connection under the call's placeholder name (a zero-copy view of the Arrow
table) and stays registered until the session's next statement, so a SELECT's rows can be fetched lazily.
Tables an operator writes (dedup's removal table) are created in the statement's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import duckdb
import pyarrow as pa

from aidb.errors import ProgrammingError, did_you_mean
from aidb.ops.operator_registry import OPERATORS, OperatorContext, OperatorInput, OperatorResult
from aidb.sql.catalog_view import CatalogView
from aidb.sql.frontend import parse_statement, plan_statement
from aidb.sql.rewrite_operator_calls import OperatorCall, ParameterRef, RelationArgument, bound_positions

BATCH_ROWS = 65_536


class OperatorSession(OperatorContext, Protocol):
    """What running operators needs from the session: the operators' context, and planning of extra inputs."""

    def plan_sql(self, sql: str) -> str:
        """The DuckDB SQL that runs an aidb query (rewritten like any statement)."""
        ...

    def distributed_run(self, operator: str) -> Callable[[OperatorInput, dict[str, Any]], OperatorResult] | None:
        """The operator's distributed version when the session runs it elsewhere (the Ray engine), else None."""
        ...


@dataclass
class DuckDBInput:
    """An operator's input relation, read through DuckDB."""

    duck: duckdb.DuckDBPyConnection
    name: str
    sql: str
    columns: dict[str, str]
    context: OperatorContext | None = None

    @classmethod
    def open(
        cls, duck: duckdb.DuckDBPyConnection, call: OperatorCall, input_sql: str, context: OperatorContext | None = None,
        name: str | None = None, argument: str | None = None,
    ) -> DuckDBInput:
        name = call.input_name if name is None else name
        argument = argument or _table_param(call)
        try:
            described = duck.execute(f"DESCRIBE {input_sql}").fetchall()
        except duckdb.CatalogException as error:
            if name == "(subquery)":
                raise ProgrammingError(f"{call.operator}(): argument {argument}: its query fails: {error}") from error
            tables = [r[0] for r in duck.execute("SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]
            raise ProgrammingError(
                f"{call.operator}(): argument {argument}: no table {name!r}.{did_you_mean(name, tables)}"
            ) from error
        except duckdb.Error as error:
            raise ProgrammingError(f"{call.operator}(): argument {argument}: its query fails: {error}") from error
        return cls(duck, name, input_sql, {row[0]: row[1] for row in described}, context)

    def batches(self, columns: list[str], batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        selected = ", ".join(_quote(c) for c in columns)
        reader = self.duck.execute(f"SELECT {selected} FROM ({self.sql}) AS aidb_input").to_arrow_reader(batch_rows)
        yield from reader

    def query(self, expressions: list[str]) -> pa.Table:
        return self.duck.execute(f"SELECT {', '.join(expressions)} FROM ({self.sql}) AS aidb_input").to_arrow_table()


class OperatorRelations:
    """The operator results registered on one connection, dropped when the next statement starts."""

    def __init__(self, duck: duckdb.DuckDBPyConnection, session: OperatorSession | None = None) -> None:
        self.duck = duck
        self.session = session
        self._registered: list[str] = []
        self.written: list[tuple[str, str, str]] = []  # (operator, table, input) of the last statement's writes

    def release(self) -> None:
        self.written = []
        for name in self._registered:
            self.duck.unregister(name)
        self._registered.clear()

    def run(self, calls: Sequence[OperatorCall], inputs: Sequence[str], parameters: Any) -> Any:
        """Run `calls` (with their planned input queries) in order, register their results; the parameters left."""
        self.release()
        for call, input_sql in zip(calls, inputs):
            result = run_call(self.duck, call, input_sql, parameters, self.session)
            for table, rows in result.writes.items():
                write_table(self.duck, table, rows)
                self.written.append((call.operator, table, call.input_name))
            for table, rows in result.reports.items():
                write_table(self.duck, table, rows)
            self.duck.register(call.relation, result.rows)
            self._registered.append(call.relation)
        return remaining_parameters(calls, parameters)


def planned_inputs(calls: Sequence[OperatorCall], catalog: CatalogView) -> tuple[str, ...]:
    """Each call's input query planned like any statement (a Lance table, embed() in a subquery)."""
    return tuple(plan_statement(parse_statement(call.input_sql), catalog).sql if call.input_sql else "" for call in calls)


def run_call(
    duck: duckdb.DuckDBPyConnection, call: OperatorCall, input_sql: str, parameters: Any, session: OperatorSession | None = None
) -> OperatorResult:
    operator = OPERATORS[call.operator]
    args = {name: _bind(value, parameters, call, name) for name, value in call.arguments}
    for name, value in call.arguments:
        if isinstance(value, RelationArgument):  # a second table argument: planned and read like the input
            planned = session.plan_sql(value.sql) if session is not None else value.sql
            args[name] = DuckDBInput.open(duck, call, planned, session, value.name, name)
    source = DuckDBInput.open(duck, call, input_sql, session) if input_sql else DuckDBInput(duck, "", "", {}, session)
    distributed = session.distributed_run(call.operator) if session is not None else None
    return (distributed or operator.run)(source, args)


def write_table(duck: duckdb.DuckDBPyConnection, name: str, rows: pa.Table) -> None:
    """Create (or replace) table `name` with `rows`; inside the caller's transaction."""
    view = "aidb_operator_write"
    duck.register(view, rows)
    try:
        duck.execute(f"CREATE OR REPLACE TABLE {_quote(name)} AS SELECT * FROM {view}")
    finally:
        duck.unregister(view)


def remaining_parameters(calls: Sequence[OperatorCall], parameters: Any) -> Any:
    """`parameters` without the values the calls took (the rewritten statement no longer has those)."""
    if parameters is None:
        return None
    if isinstance(parameters, Mapping):
        taken = {v.name for call in calls for _, v in call.arguments if isinstance(v, ParameterRef) and v.name}
        return {k: v for k, v in parameters.items() if k not in taken} if taken else parameters
    taken_positions = bound_positions(tuple(calls))
    if not taken_positions:
        return parameters
    left = [v for i, v in enumerate(parameters) if i not in taken_positions]
    return left or None


def _bind(value: Any, parameters: Any, call: OperatorCall, name: str) -> Any:
    if not isinstance(value, ParameterRef):
        return value
    try:
        if value.name is not None:
            return parameters[value.name]
        return parameters[value.position]
    except (KeyError, IndexError, TypeError) as error:
        raise ProgrammingError(f"{call.operator}(): argument {name} is a parameter, but no value was bound for it") from error


def _table_param(call: OperatorCall) -> str:
    return call.arguments[0][0]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
