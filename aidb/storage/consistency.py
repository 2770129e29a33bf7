"""Compare what the catalog records with what is on disk (Lance datasets, their indexes, model files), and repair it.

A process killed at the wrong moment can leave the two apart: a commit logged but not applied to Lance,
staging tables of a dead transaction, a dataset folder whose first write never committed, an index built
but not recorded, a trained model file no row names (or a row whose file is gone). Opening a database
read-write repairs the first ones (lance_commits, lance_tables.reconcile); `aidb doctor` checks and
repairs all of them.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from aidb.storage.catalog import delete_model
from aidb.storage.lance_commits import pending_commits, quoted
from aidb.storage.lance_tables import (
    VECTOR_INDEX_TYPES,
    dataset_indexes,
    dataset_path,
    is_dataset,
    read_lance_tables,
    read_vector_indexes,
    unfinished_datasets,
)

STAGING_PREFIX = "lance_stage_"


@dataclass(frozen=True)
class Finding:
    problem: str  # what disagrees, naming the object
    repair: str  # what repairing it does


def diagnose(con: duckdb.DuckDBPyConnection, lance_dir: Path | None, models_dir: Path | None) -> list[Finding]:
    """Every disagreement between the catalog and the disk; reads only (works on a read-only connection)."""
    findings: list[Finding] = []
    has_log = _has_table(con, "lance_commits")
    logged = pending_commits(con) if has_log else []
    for commit in logged:
        findings.append(
            Finding(
                f"transaction {commit.commit_id} committed but its changes to Lance table {commit.table_name} are not applied",
                f"restore {commit.table_name} to version {commit.version_before} and apply them (roll forward)",
            )
        )
    for table in leftover_staging_tables(con):
        findings.append(Finding(f"staging table aidb.{table} belongs to no committed transaction", "drop it"))
    if lance_dir is not None:
        findings += _lance_findings(con, lance_dir)
    if models_dir is not None:
        findings += _model_findings(con, models_dir)
    return findings


def repair(con: duckdb.DuckDBPyConnection, lance_dir: Path | None, models_dir: Path | None) -> None:
    """Repair what opening the database leaves to `aidb doctor`: staging tables, unfinished datasets, model files."""
    for table in leftover_staging_tables(con):
        con.execute(f"DROP TABLE aidb.{quoted(table)}")
    if lance_dir is not None:
        for folder in unfinished_datasets(lance_dir):
            shutil.rmtree(folder)
    if models_dir is not None and models_dir.is_dir():
        for name in _models_without_file(con, models_dir):
            delete_model(con, name)
        for path in _unreferenced_model_files(con, models_dir):
            path.unlink(missing_ok=True)


def leftover_staging_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Staging tables (engine/lance_staging.py) of transactions that ended without a logged commit."""
    tables = [
        row[0]
        for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'aidb' "
            "AND starts_with(table_name, ?) ORDER BY table_name",
            [STAGING_PREFIX],
        ).fetchall()
    ]
    if not tables or not _has_table(con, "lance_commits"):
        return tables
    logged = {name for commit in pending_commits(con) for name in (commit.rows_table, commit.deletes_table)}
    return [t for t in tables if t not in logged]


def _lance_findings(con: duckdb.DuckDBPyConnection, lance_dir: Path) -> list[Finding]:
    findings = [
        Finding(f"Lance folder {folder.name} holds no committed version (its first write was interrupted)", "remove the folder")
        for folder in unfinished_datasets(lance_dir)
    ]
    recorded = {t.name for t in read_lance_tables(con)} if _has_table(con, "lance_tables") else set()
    present = {p.name.removesuffix(".lance") for p in lance_dir.glob("*.lance") if is_dataset(p)} if lance_dir.is_dir() else set()
    findings += [Finding(f"Lance table {name} is in the catalog but its dataset is missing", "forget it") for name in sorted(recorded - present)]
    findings += [Finding(f"Lance dataset {name}.lance is not in the catalog", "record it as a table") for name in sorted(present - recorded)]
    indexes = read_vector_indexes(con) if _has_table(con, "vector_indexes") else []
    for table in sorted(present & recorded):
        real = {i.name for i in dataset_indexes(con, dataset_path(lance_dir, table)) if i.index_type.upper() in VECTOR_INDEX_TYPES}
        listed = {i.name for i in indexes if i.table_name == table}
        findings += [Finding(f"vector index {name} on {table} is in the catalog but not in the dataset", "forget it") for name in sorted(listed - real)]
        findings += [Finding(f"index {name} of {table} exists in the dataset but not in the catalog", "record it") for name in sorted(real - listed)]
    return findings


def _model_findings(con: duckdb.DuckDBPyConnection, models_dir: Path) -> list[Finding]:
    if not models_dir.is_dir():
        return []
    findings = [
        Finding(f"model {name} is in the catalog but its file in {models_dir.name} is missing", "drop the model from the catalog")
        for name in _models_without_file(con, models_dir)
    ]
    findings += [
        Finding(f"model file {path.name} belongs to no model in the catalog", "remove the file")
        for path in _unreferenced_model_files(con, models_dir)
    ]
    return findings


def _models_without_file(con: duckdb.DuckDBPyConnection, models_dir: Path) -> list[str]:
    rows = con.execute("SELECT name, source FROM aidb.models ORDER BY name").fetchall()
    return [name for name, source in rows if Path(source).parent == models_dir and not Path(source).is_file()]


def _unreferenced_model_files(con: duckdb.DuckDBPyConnection, models_dir: Path) -> list[Path]:
    referenced = {Path(row[0]).name for row in con.execute("SELECT source FROM aidb.models").fetchall()}
    return sorted(p for p in models_dir.iterdir() if p.is_file() and p.name not in referenced)


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'aidb' AND table_name = ?",
        [name],
    ).fetchone()
    return bool(row[0])
