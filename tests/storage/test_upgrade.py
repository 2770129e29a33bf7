"""A database written by an old aidb (commit 351107e, schema 0001-0003, tests/fixtures/) opens under the newest code:
every migration since is applied, and its rows, model, Lance table and vector index are intact and usable."""

from __future__ import annotations

import hashlib
import shutil
import tarfile
from pathlib import Path

import aidb
from aidb.engine.doctor import run_doctor
from aidb.storage.migrations import discover_migrations
from aidb.storage.resources import resource_dir

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "aidb_351107e_schema3.tar.gz"


def _copy_of_old_database(folder: Path) -> Path:
    with tarfile.open(FIXTURE) as archive:
        archive.extractall(folder, filter="data")
    return folder / "v0_3.aidb"


def test_an_old_database_upgrades_with_rows_models_and_indexes_intact(tmp_path):
    fixture_digest = hashlib.sha256(FIXTURE.read_bytes()).hexdigest()
    path = _copy_of_old_database(tmp_path)
    latest = max(m.version for m in discover_migrations(resource_dir("migrations")))
    with aidb.connect(str(path)) as con:
        applied = [row[0] for row in con.execute("SELECT version FROM aidb.schema_migrations ORDER BY version").fetchall()]
        assert applied == list(range(1, latest + 1))
        assert con.execute("SELECT count(*), sum(id) FROM docs").fetchone() == (300, sum(range(300)))
        model = con.execute("SELECT name, kind, fingerprint, dimension, is_default FROM aidb.models").fetchall()
        assert model == [("mini", "embedding", "6ad9cbc4171eb592", 384, True)]
        assert [row[0] for row in con.execute("SHOW MODELS").fetchall()].count("mini") == 1
        scored = con.execute("SELECT count(*), min(len(e)) FROM scored").fetchone()
        assert scored == (5, 384)
        # the Lance table and its index: searched through the index, nearest first
        assert con.execute("SELECT count(*) FROM vecs").fetchone()[0] == 300
        indexes = con.execute("SELECT name, table_name, column_name, index_type, metric FROM aidb.vector_indexes").fetchall()
        assert indexes == [("vecs_emb", "vecs", "emb", "IVF_FLAT", "l2")]
        con.execute("SET aidb_exact_scan_max_rows = 10")  # 300 rows: make the planner use the index
        query = "SELECT id FROM vector_search(vecs, emb, [sin(7), cos(7), 7 / 300, 1]::FLOAT[4], k := 3)"
        assert "index vecs_emb" in dict(con.execute("EXPLAIN AIDB " + query).fetchall())["duckdb"]
        assert con.execute(query).fetchall()[0] == (7,)
        # and it takes writes under the new transaction model
        con.execute("INSERT INTO vecs VALUES (1000, 'new row', [0, 0, 0, 1]::FLOAT[4])")
        con.commit()
        assert con.execute("SELECT count(*) FROM vecs").fetchone()[0] == 301
    with aidb.connect(str(path), read_only=True) as again:  # a second open finds nothing left to migrate
        assert again.execute("SELECT count(*) FROM aidb.schema_migrations").fetchone()[0] == latest
    assert hashlib.sha256(FIXTURE.read_bytes()).hexdigest() == fixture_digest  # the fixture itself is never opened


def test_the_old_database_passes_aidb_doctor_after_the_upgrade(tmp_path):
    path = _copy_of_old_database(tmp_path)
    aidb.connect(str(path)).close()
    report = run_doctor(path, dry_run=True)
    assert report.found == []
