"""Apply committed Lance changes to their datasets, in order, from the catalog's commit log (`aidb.lance_commits`).

A transaction's Lance writes wait in two DuckDB tables of the `aidb` schema (rows to append, rowids to delete,
see engine/lance_staging.py). COMMIT records them here in the same DuckDB transaction as everything else it
writes, so the DuckDB commit is the one commit point; the Lance datasets are then brought up to date from
the log. A process killed before that is done leaves its rows in the log, and the next read-write open
restores each dataset to the version it had at commit and applies the rows again (roll forward): never half.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from aidb.errors import OperationalError
from aidb.catalog_records import LANCE_CATALOG
from aidb.storage.lance_tables import dataset_path, reattach_lance_folder

# Rowids per pylance delete predicate: Lance parses `_rowid IN (...)` as SQL, and a list this long parses in ~10 ms.
DELETE_CHUNK = 20_000


@dataclass(frozen=True)
class PendingCommit:
    commit_id: str
    table_name: str
    version_before: int
    rows_table: str
    deletes_table: str


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def record_commit(con: duckdb.DuckDBPyConnection, commit: PendingCommit) -> None:
    con.execute(
        "INSERT INTO aidb.lance_commits (commit_id, table_name, version_before, rows_table, deletes_table) VALUES (?, ?, ?, ?, ?)",
        [commit.commit_id, commit.table_name, commit.version_before, commit.rows_table, commit.deletes_table],
    )


def pending_commits(con: duckdb.DuckDBPyConnection) -> list[PendingCommit]:
    rows = con.execute(
        "SELECT commit_id, table_name, version_before, rows_table, deletes_table FROM aidb.lance_commits "
        "ORDER BY committed_at, commit_id, table_name"
    ).fetchall()
    return [PendingCommit(*row) for row in rows]


def dataset_version(path: Path) -> int:
    """The latest version of the Lance dataset at `path`."""
    import lance

    return int(lance.dataset(str(path)).latest_version)


def apply_pending_commits(con: duckdb.DuckDBPyConnection, folder: Path, recovering: bool) -> list[PendingCommit]:
    """Apply every logged commit to its dataset and drop its staging tables; returns what was applied.

    `recovering` (on open): a dataset whose version moved past `version_before` holds part of the commit
    (a process killed half-way); it is restored to `version_before` first, so the rows are applied once.
    Runs outside any DuckDB transaction: each Lance append is a DuckDB transaction of its own.
    """
    applied = []
    for commit in pending_commits(con):
        path = dataset_path(folder, commit.table_name)
        if path.is_dir():
            _apply(con, path, commit, recovering)
        _forget(con, commit)
        applied.append(commit)
    return applied


def _apply(con: duckdb.DuckDBPyConnection, path: Path, commit: PendingCommit, recovering: bool) -> None:
    import lance

    if recovering:
        dataset = lance.dataset(str(path))
        if dataset.latest_version != commit.version_before:
            dataset.checkout_version(commit.version_before).restore()
    deletes = [row[0] for row in con.execute(f"SELECT rid FROM aidb.{quoted(commit.deletes_table)} ORDER BY rid").fetchall()]
    try:
        dataset = lance.dataset(str(path)) if deletes else None
        for start in range(0, len(deletes), DELETE_CHUNK):
            dataset.delete(f"_rowid IN ({', '.join(str(int(r)) for r in deletes[start : start + DELETE_CHUNK])})")
    except (OSError, ValueError, RuntimeError) as error:
        raise OperationalError(f"applying a committed transaction to the Lance table {commit.table_name} failed: {error}") from error
    has_rows = con.execute(f"SELECT EXISTS (SELECT 1 FROM aidb.{quoted(commit.rows_table)})").fetchone()[0]
    if has_rows:
        # Through the extension, which also makes this connection's cached view of the dataset current.
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"INSERT INTO {LANCE_CATALOG}.main.{quoted(commit.table_name)} SELECT * FROM aidb.{quoted(commit.rows_table)}")
            con.execute("COMMIT")
        except duckdb.Error:
            con.execute("ROLLBACK")
            raise
    elif deletes:
        reattach_lance_folder(con, path.parent)


def _forget(con: duckdb.DuckDBPyConnection, commit: PendingCommit) -> None:
    con.execute("BEGIN TRANSACTION")
    con.execute(f"DROP TABLE IF EXISTS aidb.{quoted(commit.rows_table)}")
    con.execute(f"DROP TABLE IF EXISTS aidb.{quoted(commit.deletes_table)}")
    con.execute("DELETE FROM aidb.lance_commits WHERE commit_id = ? AND table_name = ?", [commit.commit_id, commit.table_name])
    con.execute("COMMIT")
