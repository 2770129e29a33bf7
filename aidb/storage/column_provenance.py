"""Write `aidb.column_provenance`: which model (name and fingerprint) produced each model-derived column of a table."""

from __future__ import annotations

import duckdb

from aidb.catalog_records import ModelColumn


def record_column_provenance(
    con: duckdb.DuckDBPyConnection, table: str, columns: tuple[ModelColumn, ...], run_id: int, names: list[str] | None = None
) -> None:
    """Insert one row per model call found in `table`'s columns; columns whose name cannot be told are skipped.

    `names`: the table's column names, when DuckDB cannot tell them by the table's name (a Lance table).
    """
    if not columns:
        return
    names = con.table(table).columns if names is None else names
    rows = []
    for column in columns:
        name = column.alias or (names[column.position] if column.position is not None and column.position < len(names) else None)
        if name is not None:
            rows.append([table, name, column.function_name, column.model_name, column.model_fingerprint, run_id])
    if rows:
        con.executemany(
            "INSERT INTO aidb.column_provenance (table_name, column_name, function_name, model_name, model_fingerprint, run_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
