"""What the vector search rewrite needs to know about tables with FLOAT[n] columns, read once per catalog build."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from aidb.catalog_records import LANCE_CATALOG, VectorIndexInfo, VectorTableInfo
from aidb.storage.lance_tables import dataset_path, read_lance_tables, read_vector_indexes

_FIXED_FLOAT = re.compile(r"^(FLOAT|DOUBLE)\[(\d+)\]$")


def read_vector_tables(con: duckdb.DuckDBPyConnection, lance_folder: Path | None) -> dict[str, VectorTableInfo]:
    """Lance tables (all of them) and DuckDB tables of the main schema that have FLOAT[n]/DOUBLE[n] columns."""
    tables: dict[str, VectorTableInfo] = {}
    lance_tables = read_lance_tables(con) if lance_folder is not None else []
    attached = con.execute("SELECT 1 FROM duckdb_databases() WHERE database_name = ?", [LANCE_CATALOG]).fetchone()
    indexes = read_vector_indexes(con)
    for record in lance_tables if attached else []:
        columns = _columns(con, LANCE_CATALOG, record.name)
        if not columns:
            continue
        sql_name = f"{LANCE_CATALOG}.main.{_ident(record.name)}"
        stats = record.stat_values
        row_count = con.execute(f"SELECT count(*) FROM {sql_name}").fetchone()[0]
        tables[record.name.lower()] = VectorTableInfo(
            name=record.name,
            storage="lance",
            sql_name=sql_name,
            dataset=str(dataset_path(lance_folder, record.name)),
            columns=tuple(columns),
            vector_columns=_vector_columns(columns),
            column_types=columns,
            row_count=int(row_count),
            ndv={k: int(v) for k, v in stats.get("ndv", {}).items()},
            ranges={k: (float(lo), float(hi)) for k, (lo, hi) in stats.get("range", {}).items()},
            indexes={
                i.column_name.lower(): VectorIndexInfo(i.name, i.column_name, i.index_type, i.metric, i.option_values)
                for i in indexes
                if i.table_name.lower() == record.name.lower()
            },
        )
    rows = con.execute(
        "SELECT t.table_name, t.estimated_size FROM duckdb_tables() t WHERE t.database_name = current_database() "
        "AND t.schema_name = 'main' AND EXISTS (SELECT 1 FROM duckdb_columns() c WHERE c.table_oid = t.table_oid "
        "AND regexp_matches(c.data_type, '^(FLOAT|DOUBLE)\\[\\d+\\]$'))"
    ).fetchall()
    for name, estimated_size in rows:
        if name.lower() in tables:
            continue
        columns = _columns(con, None, name)
        tables[name.lower()] = VectorTableInfo(
            name=name,
            storage="duckdb",
            sql_name=_ident(name),
            dataset=None,
            columns=tuple(columns),
            vector_columns=_vector_columns(columns),
            column_types=columns,
            row_count=int(estimated_size or 0),
        )
    return tables


def _columns(con: duckdb.DuckDBPyConnection, database: str | None, table: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = coalesce(?, current_database()) "
        "AND schema_name = 'main' AND table_name = ? ORDER BY column_index",
        [database, table],
    ).fetchall()
    return dict(rows)


def _vector_columns(columns: dict[str, str]) -> dict[str, int]:
    found = {}
    for name, data_type in columns.items():
        match = _FIXED_FLOAT.match(data_type.upper())
        if match:
            found[name.lower()] = int(match.group(2))
    return found


def _ident(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else '"' + name.replace('"', '""') + '"'
