"""Rows of the training log (aidb.training_log, aidb.training_selections), appended in the caller's transaction."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

_SCHEMAS = {
    "aidb.training_log": pa.schema(
        [("run", pa.string()), ("step", pa.int64()), ("domain", pa.string()), ("weight", pa.float64()), ("loss", pa.float64()), ("method", pa.string())]
    ),
    "aidb.training_selections": pa.schema(
        [("run", pa.string()), ("step", pa.int64()), ("id", pa.string()), ("domain", pa.string()), ("score", pa.float64()), ("method", pa.string())]
    ),
}
_VIEW = "aidb_training_rows"


def append_training_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[Any, ...]]) -> None:
    """Append `rows` (tuples in the order of the table's columns above) to `table`, one INSERT for all of them."""
    if not rows:
        return
    schema = _SCHEMAS[table]
    data = pa.Table.from_pylist([dict(zip(schema.names, row)) for row in rows], schema=schema)
    con.register(_VIEW, data)
    try:
        con.execute(f"INSERT INTO {table} ({', '.join(schema.names)}) SELECT {', '.join(schema.names)} FROM {_VIEW}")
    finally:
        con.unregister(_VIEW)


def forget_training_rows_after(con: duckdb.DuckDBPyConnection, run: str, step: int, selection: int) -> None:
    """Drop `run`'s log rows after weight update `step` and from selection `selection` on: a run resumed from a
    checkpoint logs them again, so the log stays the history of the run that continued."""
    con.execute("DELETE FROM aidb.training_log WHERE run = ? AND step > ?", [run, step])
    con.execute("DELETE FROM aidb.training_selections WHERE run = ? AND step >= ?", [run, selection])
