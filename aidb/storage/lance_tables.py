"""Lance-backed tables: the Lance folder attached into DuckDB, their catalog rows, their Lance indexes.

Every Lance table of a database is a dataset `<name>.lance` in the database's Lance folder, which is
attached into DuckDB as the catalog `aidb_lance` (so `aidb_lance.main.<name>` is readable and writable
by plain SQL). `aidb.lance_tables` and `aidb.vector_indexes` record them; on open, the records are
reconciled with the datasets and the indexes that really exist (a build killed half-way leaves them
disagreeing, and the dataset is the truth).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from aidb.catalog_records import LANCE_CATALOG
from aidb.errors import OperationalError
from aidb.progress_reporter import ProgressReporter
from aidb.storage.extensions import load_extension

VECTOR_INDEX_TYPES = ("IVF_PQ", "IVF_HNSW_SQ", "IVF_FLAT", "IVF_HNSW_PQ", "IVF_SQ", "INVERTED")


@dataclass(frozen=True)
class LanceTableRecord:
    name: str
    dataset: str
    stats: str = "{}"

    @property
    def stat_values(self) -> dict:
        return json.loads(self.stats)


@dataclass(frozen=True)
class VectorIndexRecord:
    name: str
    table_name: str
    column_name: str
    index_type: str
    metric: str
    options: str = "{}"

    @property
    def option_values(self) -> dict:
        return json.loads(self.options)


@dataclass(frozen=True)
class DatasetIndex:
    """An index as Lance reports it (`SHOW INDEXES ON '<dataset>'`)."""

    name: str
    index_type: str
    column: str
    rows_indexed: int


def dataset_path(folder: Path, name: str) -> Path:
    return folder / f"{name}.lance"


def attach_lance_folder(con: duckdb.DuckDBPyConnection, folder: Path, read_only: bool = False) -> None:
    """Attach `folder` as the Lance catalog (idempotent); the folder is created on first use.

    In a read-only DuckDB connection the extension refuses a plain ATTACH ("Cannot launch in-memory database in
    read-only mode") but accepts `READ_ONLY false`; aidb itself refuses writes to Lance tables in a read-only
    session (lance_statements.run_lance_statement).
    """
    if not read_only:
        folder.mkdir(parents=True, exist_ok=True)
    load_extension(con, "lance")
    attached = con.execute("SELECT 1 FROM duckdb_databases() WHERE database_name = ?", [LANCE_CATALOG]).fetchone()
    if attached is None:
        mode = ", READ_ONLY false" if read_only else ""
        con.execute(f"ATTACH '{_quote(str(folder))}' AS {LANCE_CATALOG} (TYPE LANCE{mode})")


def reattach_lance_folder(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Attach again so `con` sees datasets created, and versions committed, since it last read them.

    The extension caches each dataset a connection has read, keyed by its path, and refreshes an entry only
    after a write through that connection (lance-format/lance-duckdb#224; DETACH does not clear it). The folder
    is attached again under a spelling of its path this connection has not used (`folder/./`, `folder//./`,
    ...: the same folder), so the next read opens each dataset anew.
    """
    spelling = str(folder) + "".join("/." if bit == "0" else "//." for bit in bin(next(_ATTACH_SPELLINGS))[2:])
    con.execute(f"DETACH DATABASE IF EXISTS {LANCE_CATALOG}")
    con.execute(f"ATTACH '{_quote(spelling)}' AS {LANCE_CATALOG} (TYPE LANCE)")


_ATTACH_SPELLINGS = itertools.count(1)  # process-wide, so no connection ever reuses a spelling


def read_lance_tables(con: duckdb.DuckDBPyConnection) -> list[LanceTableRecord]:
    rows = con.execute("SELECT name, dataset, stats FROM aidb.lance_tables ORDER BY name").fetchall()
    return [LanceTableRecord(*row) for row in rows]


def record_lance_table(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute("DELETE FROM aidb.lance_tables WHERE name = ?", [name])
    con.execute("INSERT INTO aidb.lance_tables (name, dataset) VALUES (?, ?)", [name, f"{name}.lance"])


def forget_lance_table(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute("DELETE FROM aidb.vector_indexes WHERE table_name = ?", [name])
    con.execute("DELETE FROM aidb.lance_tables WHERE name = ?", [name])


def record_table_stats(con: duckdb.DuckDBPyConnection, name: str, stats: dict) -> None:
    con.execute("UPDATE aidb.lance_tables SET stats = ? WHERE name = ?", [json.dumps(stats, sort_keys=True), name])


def read_vector_indexes(con: duckdb.DuckDBPyConnection) -> list[VectorIndexRecord]:
    rows = con.execute(
        "SELECT name, table_name, column_name, index_type, metric, options FROM aidb.vector_indexes ORDER BY name"
    ).fetchall()
    return [VectorIndexRecord(*row) for row in rows]


def record_vector_index(con: duckdb.DuckDBPyConnection, index: VectorIndexRecord) -> None:
    con.execute("DELETE FROM aidb.vector_indexes WHERE name = ?", [index.name])
    con.execute(
        "INSERT INTO aidb.vector_indexes (name, table_name, column_name, index_type, metric, options) VALUES (?, ?, ?, ?, ?, ?)",
        [index.name, index.table_name, index.column_name, index.index_type, index.metric, index.options],
    )


def forget_vector_index(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute("DELETE FROM aidb.vector_indexes WHERE name = ?", [name])


def dataset_indexes(con: duckdb.DuckDBPyConnection, path: Path) -> list[DatasetIndex]:
    rows = con.execute(f"SHOW INDEXES ON '{_quote(str(path))}'").fetchall()
    return [DatasetIndex(name, kind, fields, int(rows_indexed or 0)) for name, kind, fields, rows_indexed, _ in rows]


def index_metric(path: Path, index_name: str) -> str:
    """The distance metric a Lance vector index was built with (read with pylance: SHOW INDEXES omits it)."""
    import lance  # heavy: only when reconciling an index the catalog does not know

    stats = lance.dataset(str(path)).stats.index_stats(index_name)
    parts = stats.get("segments") or stats.get("indices") or [{}]  # pylance 14 says segments, older ones indices
    return str(parts[0].get("metric_type", "l2")).lower()


def build_vector_index(
    path: str, name: str, column: str, index_type: str, metric: str, options: dict, progress: ProgressReporter | None = None
) -> None:
    """Build (or replace) a vector index with pylance, which commits it in one step when the build is done.

    Built by pylance, not by the DuckDB extension, so that pylance can search it (lance_search.py): pylance 14
    does not read the indexes the extension's Lance writes, while the extension reads pylance's.
    """
    import lance

    def report(event) -> None:  # pylance's IndexProgress: stage, completed, total
        if progress is not None and event.total:
            progress.update(f"vector index {name}: {event.stage}", event.completed or 0, event.total)

    dataset = lance.dataset(path)
    try:
        dataset.create_index(column, index_type=index_type, name=name, metric=metric, replace=True, progress_callback=report, **options)
    except (OSError, ValueError, RuntimeError, TypeError) as error:
        raise OperationalError(f"building vector index {name} on {column} of {path} failed in Lance: {error}") from error


def drop_pylance_index(path: str, name: str) -> None:
    import lance

    lance.dataset(path).drop_index(name)


def optimize_pylance_index(path: str, name: str) -> None:
    """Add rows appended since the build to the index, without retraining it (Lance's default)."""
    import lance

    lance.dataset(path).optimize.optimize_indices(index_names=[name])


def is_dataset(path: Path) -> bool:
    """Whether `path` is a Lance dataset with at least one committed version (a first write killed early leaves none)."""
    versions = path / "_versions"
    return path.is_dir() and versions.is_dir() and any(versions.glob("*.manifest"))


def unfinished_datasets(folder: Path) -> list[Path]:
    """Folders of datasets whose first commit never happened: data files no version names, nothing to read."""
    return sorted(p for p in folder.glob("*.lance") if p.is_dir() and not is_dataset(p)) if folder.is_dir() else []


def reconcile(con: duckdb.DuckDBPyConnection, folder: Path | None) -> None:
    """Make the catalog say what the Lance folder holds: its datasets and their vector indexes."""
    if folder is None or not folder.is_dir():
        if read_lance_tables(con):
            con.execute("DELETE FROM aidb.vector_indexes WHERE table_name IN (SELECT name FROM aidb.lance_tables)")
            con.execute("DELETE FROM aidb.lance_tables")
        return
    present = {p.name.removesuffix(".lance") for p in folder.glob("*.lance") if is_dataset(p)}
    recorded = {t.name for t in read_lance_tables(con)}
    for name in recorded - present:
        forget_lance_table(con, name)
    for name in present - recorded:
        record_lance_table(con, name)
    catalog_indexes = {i.name: i for i in read_vector_indexes(con) if i.table_name in present}
    for table in sorted(present):
        path = dataset_path(folder, table)
        real = {i.name: i for i in dataset_indexes(con, path) if i.index_type.upper() in VECTOR_INDEX_TYPES}
        for name, index in catalog_indexes.items():
            if index.table_name == table and name not in real:
                forget_vector_index(con, name)  # the build never committed, or the index was dropped outside aidb
        for name, index in real.items():
            if name not in catalog_indexes:
                # Built, but the process died before the catalog row was written: adopt what Lance has.
                kind = index.index_type.upper()
                metric = "bm25" if kind == "INVERTED" else index_metric(path, name)
                record_vector_index(con, VectorIndexRecord(name, table, index.column, kind, metric))


def _quote(text: str) -> str:
    return text.replace("'", "''")
