"""Python objects as tables, as DuckDB's Python client has them: `register(name, df)` and `FROM df` for a variable.

DuckDB's own replacement scan looks for a variable in the frame that calls `execute`; aidb runs DuckDB from
its own, deeper frames, so the DB-API cursor hands over the caller's frame and this module registers the
pandas, Arrow and polars objects that a statement names as tables (when no table or view of that name exists)
for that statement, and drops them before the next one (DuckDB ends a streaming result when the connection
runs another statement, so they cannot be dropped sooner).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from types import FrameType
from typing import Any

import duckdb

from aidb.engine.plan_cache import LruCache
from aidb.errors import ProgrammingError
from aidb.sql.table_references import unqualified_table_names

# (top-level module, class name) of the objects DuckDB's Python client scans; checked by name so that
# neither pandas nor polars is imported for the check.
SCANNABLE = frozenset(
    {
        ("pandas", "DataFrame"),
        ("pyarrow", "Table"),
        ("pyarrow", "RecordBatch"),
        ("pyarrow", "RecordBatchReader"),
        ("pyarrow", "Dataset"),
        ("pyarrow", "FileSystemDataset"),
        ("pyarrow", "Scanner"),
        ("polars", "DataFrame"),
        ("polars", "LazyFrame"),
    }
)


def is_scannable(value: Any) -> bool:
    kind = type(value)
    return (kind.__module__.partition(".")[0], kind.__name__) in SCANNABLE


class PythonObjects:
    """The Python objects one DuckDB connection reads as tables: registered by name, or found in a caller's frame."""

    def __init__(self, duck: duckdb.DuckDBPyConnection) -> None:
        self._duck = duck
        self.registered: dict[str, Any] = {}  # by con.register; kept until unregister
        self._scanned: list[str] = []  # found in a frame for the last statement
        self._names: LruCache[tuple[str, ...]] = LruCache()  # statement text -> its unqualified table names

    def register(self, name: str, value: Any) -> None:
        if not isinstance(name, str) or not name:
            raise ProgrammingError(f"register: the view name must be a non-empty str, not {name!r}")
        if not is_scannable(value):
            raise ProgrammingError(
                f"register({name!r}, ...): a {type(value).__module__}.{type(value).__name__} cannot be read as a table; "
                "pass a pandas or polars DataFrame or a pyarrow Table, RecordBatch, RecordBatchReader or Dataset"
            )
        self._duck.register(name, value)
        self.registered[name] = value

    def unregister(self, name: str) -> None:
        if name not in self.registered:
            raise ProgrammingError(f"unregister: no Python object is registered as {name!r}")
        del self.registered[name]
        self._drop(name)

    def restore(self) -> None:
        """Register again what a ROLLBACK took away (DuckDB's registrations are part of the transaction)."""
        for name, value in self.registered.items():
            self._duck.register(name, value)

    def scan_for(self, text: str, tree: Any, frame: FrameType | None, hidden: Callable[[], Collection[str]]) -> None:
        """Before a statement: register the frame's objects it reads as tables; `hidden()` names tables aidb resolves."""
        self.release()
        if frame is None or tree is None:
            return
        names = self._names.get(text)
        if names is None:
            names = unqualified_table_names(tree)
            self._names.put(text, names)
        if not names:
            return
        variables, module = frame.f_locals, frame.f_globals
        found = {}
        for name in names:
            value = variables[name] if name in variables else module.get(name)
            if value is not None and name not in self.registered and is_scannable(value):
                found[name] = value
        if not found:
            return
        aidb_tables = {n.lower() for n in hidden()}
        found = {name: value for name, value in found.items() if name.lower() not in aidb_tables}
        existing = {
            row[0]
            for row in self._duck.execute(
                "SELECT lower(table_name) FROM duckdb_tables() WHERE list_contains($names, lower(table_name)) AND "
                "(database_name = 'temp' OR (database_name = current_database() AND schema_name = current_schema())) "
                "UNION ALL SELECT lower(view_name) FROM duckdb_views() WHERE list_contains($names, lower(view_name)) AND "
                "(database_name = 'temp' OR (database_name = current_database() AND schema_name = current_schema()))",
                {"names": [n.lower() for n in found]},
            ).fetchall()
        }
        for name, value in found.items():
            if name.lower() not in existing:  # as in DuckDB, a table or view of that name wins
                self._duck.register(name, value)
                self._scanned.append(name)

    def release(self) -> None:
        """Drop the objects registered for the previous statement."""
        while self._scanned:
            self._drop(self._scanned.pop())

    def _drop(self, name: str) -> None:
        try:
            self._duck.unregister(name)
        except duckdb.Error:
            pass  # a rolled-back transaction took the registration with it
