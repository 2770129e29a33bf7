"""Catalog migrations: fresh create, re-open, upgrade in place, refusal of modified or unknown migrations."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import aidb
from aidb.storage.migrations import discover_migrations, migrate
from aidb.storage.resources import resource_dir


def _applied(path: Path) -> list[tuple[int, str]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT version, name FROM aidb.schema_migrations ORDER BY version").fetchall()


def test_fresh_database_gets_every_migration(db_path: Path) -> None:
    aidb.connect(str(db_path)).close()
    expected = [(m.version, m.name) for m in discover_migrations(resource_dir("migrations"))]
    assert _applied(db_path) == expected
    with duckdb.connect(str(db_path), read_only=True) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'aidb'").fetchall()}
    assert {"models", "vector_indexes", "runs", "lineage", "schema_migrations", "column_provenance"} <= tables


def test_reopen_applies_nothing_and_keeps_data(db_path: Path) -> None:
    with aidb.connect(str(db_path), autocommit=True) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
    before = _applied(db_path)
    with aidb.connect(str(db_path)) as con:
        assert con.execute("SELECT x FROM t").fetchall() == [(1,)]
    assert _applied(db_path) == before


def test_database_from_first_migration_only_upgrades_in_place(db_path: Path, tmp_path: Path) -> None:
    migrations = discover_migrations(resource_dir("migrations"))
    assert len(migrations) >= 2, "the upgrade test needs at least two migrations"
    with duckdb.connect(str(db_path)) as con:
        migrate(con, migrations[:1])
        con.execute(
            "INSERT INTO aidb.models (name, kind, source) VALUES ('old_model', 'embedding', '/models/old')"
        )
        con.execute("CREATE TABLE user_data AS SELECT range AS x FROM range(5)")
    assert _applied(db_path) == [(1, "init")]
    with aidb.connect(str(db_path)) as con:
        assert con.execute("SELECT count(*) FROM user_data").fetchone() == (5,)
        assert con.execute("SELECT name FROM aidb.models").fetchall() == [("old_model",)]
    assert [v for v, _ in _applied(db_path)] == [m.version for m in migrations]


def test_modified_applied_migration_is_refused(db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(resource_dir("migrations"), folder)
    with duckdb.connect(str(db_path)) as con:
        migrate(con, discover_migrations(folder))
    first = sorted(folder.glob("0001_*.sql"))[0]
    first.write_text(first.read_text() + "\n-- an edit after the fact\n")
    with duckdb.connect(str(db_path)) as con:
        with pytest.raises(aidb.OperationalError, match=r"0001_init\.sql was modified after it was applied"):
            migrate(con, discover_migrations(folder))


def test_line_endings_do_not_change_the_checksum(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0001_a.sql").write_bytes(b"CREATE TABLE aidb.a (x INT);\r\n")
    crlf = discover_migrations(folder)[0].checksum
    (folder / "0001_a.sql").write_bytes(b"CREATE TABLE aidb.a (x INT);\n")
    assert discover_migrations(folder)[0].checksum == crlf


def test_database_from_a_newer_aidb_is_refused(db_path: Path) -> None:
    aidb.connect(str(db_path)).close()
    with duckdb.connect(str(db_path)) as con:
        con.execute("INSERT INTO aidb.schema_migrations (version, name, checksum) VALUES (9999, 'future', 'x')")
    with pytest.raises(aidb.OperationalError, match="newer aidb.*9999_future"):
        aidb.connect(str(db_path))


def test_failing_migration_rolls_back_and_names_the_file(db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0001_good.sql").write_text("CREATE TABLE aidb.good (x INT);")
    (folder / "0002_bad.sql").write_text("CREATE TABLE aidb.half (x INT); SELECT * FROM no_such_table;")
    with duckdb.connect(str(db_path)) as con:
        with pytest.raises(aidb.OperationalError, match="0002_bad.sql failed and was rolled back"):
            migrate(con, discover_migrations(folder))
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert "good" in tables and "half" not in tables
        assert con.execute("SELECT version FROM aidb.schema_migrations").fetchall() == [(1,)]


def test_badly_named_migration_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "init.sql").write_text("SELECT 1")
    with pytest.raises(aidb.OperationalError, match="NNNN_lowercase_name.sql"):
        discover_migrations(tmp_path)


def test_read_only_open_of_an_unmigrated_file_is_refused(db_path: Path) -> None:
    duckdb.connect(str(db_path)).close()
    with pytest.raises(aidb.OperationalError, match="opened read-only"):
        aidb.connect(str(db_path), read_only=True)


def test_database_reopens_after_its_process_ends_without_closing_it(db_path: Path) -> None:
    """The new database's catalog is checkpointed: DuckDB 1.5.5 cannot replay migration 0008 from the log."""
    script = (
        "import os, sys, aidb\n"
        "con = aidb.connect(sys.argv[1], autocommit=True)\n"
        "con.execute('CREATE TABLE kept AS SELECT 42 AS answer')\n"
        "os._exit(0)\n"  # no close, no checkpoint: what a crash or a killed notebook kernel leaves
    )
    subprocess.run([sys.executable, "-c", script, str(db_path)], check=True, timeout=120)
    with duckdb.connect(str(db_path)) as plain:  # the stock driver replays the log as aidb does
        assert plain.execute("SELECT answer FROM kept").fetchall() == [(42,)]
    con = aidb.connect(str(db_path))
    assert con.execute("SELECT count(*) FROM aidb.schema_migrations").fetchone()[0] == len(discover_migrations(resource_dir("migrations")))
    con.close()


def test_log_that_cannot_be_replayed_is_named(tmp_path: Path) -> None:
    path = tmp_path / "broken.aidb"
    script = (  # DuckDB's own replay bug, made without aidb: ADD COLUMN to a table with a current_timestamp default
        "import os, sys, duckdb\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "con.execute('CREATE SCHEMA s; CREATE TABLE s.t (a INT, made TIMESTAMP DEFAULT current_timestamp)')\n"
        "con.execute('ALTER TABLE s.t ADD COLUMN b VARCHAR')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=True, timeout=120)
    with pytest.raises(aidb.OperationalError, match=r"write-ahead log .*broken\.aidb\.wal.*moving that file aside"):
        aidb.connect(str(path))
