"""Read and write the catalog tables (`aidb.models`, `aidb.runs`, `aidb.lineage`, ...) of one database."""

from __future__ import annotations

from datetime import datetime

import duckdb

from aidb.catalog_records import ModelRecord, RemovalTableRecord


_MODEL_COLUMNS = "name, kind, source, options, fingerprint, dimension, is_default, signature"


def read_models(con: duckdb.DuckDBPyConnection) -> list[ModelRecord]:
    rows = con.execute(f"SELECT {_MODEL_COLUMNS} FROM aidb.models ORDER BY name").fetchall()
    return [ModelRecord(*row) for row in rows]


def insert_model(con: duckdb.DuckDBPyConnection, model: ModelRecord) -> None:
    if model.is_default:
        con.execute("UPDATE aidb.models SET is_default = false WHERE kind = ? AND is_default", [model.kind])
    con.execute(
        f"INSERT INTO aidb.models ({_MODEL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [model.name, model.kind, model.source, model.options, model.fingerprint, model.dimension, model.is_default, model.signature],
    )


def delete_model(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute("DELETE FROM aidb.models WHERE name = ?", [name])


def record_run(
    con: duckdb.DuckDBPyConnection,
    statement: str,
    kind: str,
    started_at: datetime,
    output_table: str | None,
    input_tables: list[str],
    aidb_version: str,
) -> int:
    """Record one statement that produced a table, with the tables it read; returns the run id."""
    run_id = con.execute(
        "INSERT INTO aidb.runs (statement, kind, aidb_version, started_at, finished_at) "
        "VALUES (?, ?, ?, ?, current_timestamp) RETURNING run_id",
        [statement, kind, aidb_version, started_at],
    ).fetchone()[0]
    if output_table is not None and input_tables:
        con.executemany(
            "INSERT INTO aidb.lineage (run_id, output_table, input_table) VALUES (?, ?, ?)",
            [[run_id, output_table, source] for source in input_tables],
        )
    return run_id


def read_removal_tables(con: duckdb.DuckDBPyConnection) -> list[RemovalTableRecord]:
    rows = con.execute(
        "SELECT run_id, output_table, removal_table, step, input_table FROM aidb.removal_tables ORDER BY run_id, removal_table"
    ).fetchall()
    return [RemovalTableRecord(*row) for row in rows]


def record_removal_tables(con: duckdb.DuckDBPyConnection, run_id: int, output_table: str, written: list[tuple[str, str, str]]) -> None:
    """Record the (step, removal table, input table) an operator wrote during run `run_id`, which produced `output_table`."""
    if written:
        con.executemany(
            "INSERT INTO aidb.removal_tables (run_id, output_table, removal_table, step, input_table) VALUES (?, ?, ?, ?, ?)",
            [[run_id, output_table, table, step, source] for step, table, source in written],
        )
