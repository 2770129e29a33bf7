"""SIGKILL a process at randomised moments of long statements; the database must reopen whole and consistent.

Each run starts a child that opens the database, writes a marker file when the statement starts, and runs
it; the test kills the child a random delay after the marker (several delays per statement, seeded), then
reopens the database: it must open, the data it had must be intact, a statement's effect must be all or
nothing, and after `aidb doctor` the catalog must match the files exactly (no index or model recorded that
is not there, no orphaned dataset, staging table or model file).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import aidb
from aidb.engine.doctor import run_doctor

DIM = 16
BASE_ROWS = 20_000
KILLS = 2  # per statement in the default suite; the slow variants kill at more moments


def _make_base(db_path: Path) -> None:
    """A Lance table `docs` (text, vectors, 0/1 labels), a DuckDB table `notes`, a trained language model `lm`."""
    con = aidb.connect(str(db_path), autocommit=True)
    con.execute(f"CREATE TABLE docs (id BIGINT, text VARCHAR, label INTEGER, emb FLOAT[{DIM}]) WITH (storage = 'lance')")
    con.execute(
        f"INSERT INTO docs SELECT range, CASE WHEN range % 2 = 0 THEN 'the cat sat on the mat ' ELSE 'buy cheap pills now ' END "
        f"|| range, (range % 2)::INTEGER, [sin(range * (i + 1)) FOR i IN range({DIM})]::FLOAT[{DIM}] FROM range({BASE_ROWS})"
    )
    con.execute("CREATE TABLE notes (id BIGINT, note VARCHAR)")
    con.execute("INSERT INTO notes VALUES (0, 'kept')")
    con.execute("CREATE LANGUAGE MODEL lm FROM (SELECT text FROM docs WHERE label = 0 LIMIT 2000)")
    con.close()


def _kill_during(db_path: Path, statements: str, delay: float, autocommit: bool = True) -> bool:
    """Run `statements` (Python, with `con` open) in a child, SIGKILL it `delay` s after it starts; True if it was killed."""
    marker = db_path.with_suffix(".started")
    marker.unlink(missing_ok=True)
    code = (
        "import sys, pathlib, aidb\n"
        f"con = aidb.connect(sys.argv[1], autocommit={autocommit})\n"
        "pathlib.Path(sys.argv[2]).write_text('started')\n"
        f"{statements}\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code, str(db_path), str(marker)], env={**os.environ, "PYTHONPATH": os.getcwd()})
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert child.poll() is None, "the child ended before its statement started"
        assert time.monotonic() < deadline, "the child did not start its statement"
        time.sleep(0.02)
    time.sleep(delay)
    killed = child.poll() is None
    if killed:
        child.send_signal(signal.SIGKILL)
    child.wait()
    assert killed or delay > 0.25, f"the statement ended within {delay:.2f} s: the kill tested nothing"
    return killed


def _reopen_and_check(db_path: Path) -> aidb.dbapi.Connection:
    """Reopen after a kill; `aidb doctor` must leave nothing unrepaired; returns an open autocommit connection."""
    report = run_doctor(db_path)
    assert report.remaining == [], report.remaining
    con = aidb.connect(str(db_path), autocommit=True)
    assert con.execute("SELECT note FROM notes WHERE id = 0").fetchall() == [("kept",)]
    assert con.execute("SELECT count(*) FROM docs WHERE id < ?", [BASE_ROWS]).fetchone() == (BASE_ROWS,)
    assert con.execute("SELECT count(*) FROM docs WHERE id = 12345 AND text LIKE '%pills now 12345'").fetchone() == (1,)
    return con


def _delays(seed: int, count: int, window: float) -> list[float]:
    """Seeded kill delays: the first early in the statement (it must still be running), the rest anywhere in `window`."""
    rng = random.Random(seed)
    return [rng.uniform(0.05, 0.25), *(rng.uniform(0.05, window) for _ in range(count - 1))]


@pytest.fixture
def base(tmp_path: Path) -> Path:
    path = tmp_path / "crash.aidb"
    _make_base(path)
    return path


def _vector_index_build(db_path: Path, kills: int) -> None:
    for delay in _delays(1, kills, 3.0):
        _kill_during(db_path, "con.execute('CREATE OR REPLACE VECTOR INDEX docs_emb ON docs (emb) USING IVF_PQ WITH (num_partitions = 16)')", delay)
        con = _reopen_and_check(db_path)
        indexes = [(row[0], row[5]) for row in con.execute("SHOW VECTOR INDEXES").fetchall()]
        assert indexes in ([], [("docs_emb", BASE_ROWS)])
        near = con.execute("SELECT id FROM docs ORDER BY distance(emb, (SELECT emb FROM docs WHERE id = 7)) LIMIT 1").fetchall()
        assert near == [(7,)]
        con.close()


def _ctas_of_model_scores(db_path: Path, kills: int) -> None:
    for delay in _delays(2, kills, 2.0):
        _kill_during(db_path, "con.execute(\"CREATE OR REPLACE TABLE scores AS SELECT id, perplexity(text, 'lm') AS ppl FROM docs\")", delay)
        con = _reopen_and_check(db_path)
        exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'scores'").fetchone()[0]
        if exists:
            assert con.execute("SELECT count(*), count(ppl) FROM scores").fetchone() == (BASE_ROWS, BASE_ROWS)
            assert con.execute("SELECT count(*) > 0 FROM aidb.column_provenance WHERE table_name = 'scores'").fetchone() == (True,)
        con.close()


def _lance_insert(db_path: Path, kills: int) -> None:
    inserted = 0
    for number, delay in enumerate(_delays(3, kills, 1.5)):
        first = 100_000 * (number + 1)
        statement = (
            f"con.execute('INSERT INTO docs SELECT range, ''new'', 0, NULL FROM range({first}, {first + 50_000})')"
        )
        _kill_during(db_path, statement, delay)
        con = _reopen_and_check(db_path)
        new = con.execute("SELECT count(*) FROM docs WHERE id >= ?", [first]).fetchone()[0]
        assert new in (0, 50_000)  # one Lance commit: all rows or none
        inserted += new
        assert con.execute("SELECT count(*) FROM docs").fetchone() == (BASE_ROWS + inserted,)
        con.close()


def _transaction_over_both_stores(db_path: Path, kills: int) -> None:
    for number, delay in enumerate(_delays(4, kills, 1.5)):
        first = 1_000_000 * (number + 1)
        statements = (
            f"con.execute('INSERT INTO docs SELECT range, ''txn'', 0, NULL FROM range({first}, {first + 30_000})')\n"
            f"con.execute('UPDATE docs SET text = ''updated'' WHERE id < 100')\n"
            f"con.execute('INSERT INTO notes VALUES ({first}, ''with docs'')')\n"
            "con.commit()"
        )
        _kill_during(db_path, statements, delay, autocommit=False)
        con = _reopen_and_check(db_path)
        note = con.execute("SELECT count(*) FROM notes WHERE id = ?", [first]).fetchone()[0]
        rows = con.execute("SELECT count(*) FROM docs WHERE id >= ? AND id < ?", [first, first + 30_000]).fetchone()[0]
        assert (note, rows) in ((0, 0), (1, 30_000))  # both stores or neither
        updated = con.execute("SELECT count(*) FROM docs WHERE text = 'updated'").fetchone()[0]
        assert updated in (0, 100) and (updated == 100) >= bool(note)
        con.close()


def _training(db_path: Path, kills: int) -> None:
    for delay in _delays(5, kills, 2.0):
        statements = (
            "con.execute('CREATE OR REPLACE CLASSIFIER spam FROM (SELECT text, label FROM docs)')\n"
            "con.execute('CREATE OR REPLACE LANGUAGE MODEL lm2 FROM (SELECT text FROM docs)')"
        )
        _kill_during(db_path, statements, delay)
        con = _reopen_and_check(db_path)
        models = {row[0] for row in con.execute("SELECT name FROM aidb.models").fetchall()}
        assert {"lm"} <= models <= {"lm", "spam", "lm2"}
        if "spam" in models:
            assert con.execute("SELECT classify('buy cheap pills now', 'spam') > 0.5").fetchone() == (True,)
        con.close()


def test_killed_vector_index_build(base):
    _vector_index_build(base, KILLS)


def test_killed_ctas_of_model_scores(base):
    _ctas_of_model_scores(base, KILLS)


def test_killed_lance_insert(base):
    _lance_insert(base, KILLS)


def test_killed_transaction_over_lance_and_duckdb(base):
    _transaction_over_both_stores(base, KILLS)


def test_killed_training(base):
    _training(base, KILLS)


def _dedup_run(db_path: Path, kills: int) -> None:
    """A dedup run killed part-way: its output table, its removal table and their catalog row exist together or not at all."""
    statement = "con.execute(\"CREATE OR REPLACE TABLE clean AS SELECT * FROM dedup(docs, text, methods := ['exact', 'fuzzy'])\")"
    for delay in _delays(7, kills, 3.0):
        _kill_during(db_path, statement, delay)
        con = _reopen_and_check(db_path)
        tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
        recorded = con.execute("SELECT count(*) FROM aidb.removal_tables WHERE output_table = 'clean'").fetchone()[0]
        assert ("clean" in tables) == ("docs_removed" in tables) == (recorded > 0)
        if "clean" in tables:
            kept = con.execute("SELECT count(*) FROM clean").fetchone()[0]
            removed = con.execute("SELECT count(DISTINCT id) FROM docs_removed").fetchone()[0]
            assert kept + removed == BASE_ROWS and 0 < kept < BASE_ROWS
        con.close()


def _migration(db_path: Path, kills: int) -> None:
    """A slow migration killed part-way: it is applied whole (with its record row) or not at all, and applies later."""
    import duckdb

    from aidb.storage.migrations import Migration, discover_migrations, migrate
    from aidb.storage.resources import resource_dir

    slow = Migration(9999, "slow_test", "CREATE TABLE aidb.slow AS SELECT range AS i FROM range(20000000);")
    statements = (
        "import duckdb\n"
        "from aidb.storage.migrations import Migration, discover_migrations, migrate\n"
        "from aidb.storage.resources import resource_dir\n"
        "con.close()\n"
        "raw = duckdb.connect(sys.argv[1])\n"
        f"migrate(raw, [*discover_migrations(resource_dir('migrations')), Migration(9999, 'slow_test', {slow.sql!r})])"
    )
    for delay in _delays(6, kills, 1.5):
        _kill_during(db_path, statements, delay)
        raw = duckdb.connect(str(db_path))
        recorded = raw.execute("SELECT count(*) FROM aidb.schema_migrations WHERE version = 9999").fetchone()[0]
        exists = raw.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'slow'").fetchone()[0]
        assert recorded == exists  # the migration and its record row: both or neither
        if exists:
            assert raw.execute("SELECT count(*) FROM aidb.slow").fetchone() == (20_000_000,)
            raw.execute("DROP TABLE aidb.slow")
            raw.execute("DELETE FROM aidb.schema_migrations WHERE version = 9999")
        raw.close()
        _reopen_and_check(db_path).close()
    raw = duckdb.connect(str(db_path))
    assert migrate(raw, [*discover_migrations(resource_dir("migrations")), slow]) == [slow]
    raw.close()


def test_killed_dedup_run_writing_its_removal_table(base):
    _dedup_run(base, KILLS)


def test_killed_migration(base):
    _migration(base, KILLS)


@pytest.mark.slow
@pytest.mark.parametrize("workload", [_vector_index_build, _ctas_of_model_scores, _lance_insert, _transaction_over_both_stores, _training, _dedup_run, _migration])
def test_killed_at_many_moments(base, workload):
    workload(base, 8)
