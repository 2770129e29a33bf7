"""The Lance commit log: a process killed after its DuckDB COMMIT, before or while Lance is updated, is rolled forward once."""

from __future__ import annotations

import os
import subprocess
import sys

import lance
import pytest

import aidb

SETUP = """
import os, signal, sys, aidb
import aidb.engine.session as session_module
import aidb.storage.lance_commits as commits_module

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

con = aidb.connect(sys.argv[1])
con.execute("INSERT INTO docs SELECT range, 'new', NULL FROM range(100, 150)")
con.execute("UPDATE docs SET text = 'changed' WHERE id < 5")
con.execute("DELETE FROM docs WHERE id BETWEEN 10 AND 14")
con.execute("INSERT INTO notes VALUES (1, 'with the docs')")
"""

# Where the child dies: before Lance sees anything, or after Lance has all of it but before the log row goes.
KILL_POINTS = {
    "before_apply": "session_module.apply_pending_commits = die",
    "after_apply": "commits_module._forget = die",
}


def _base(db_path) -> None:
    con = aidb.connect(str(db_path), autocommit=True)
    con.execute("CREATE TABLE docs (id BIGINT, text VARCHAR, emb FLOAT[2]) WITH (storage = 'lance')")
    con.execute("INSERT INTO docs SELECT range, 'old', [range, 1]::FLOAT[2] FROM range(20)")
    con.execute("CREATE TABLE notes (id BIGINT, note VARCHAR)")
    con.close()


@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_commit_killed_before_lance_is_updated_is_rolled_forward_on_open(db_path, point):
    _base(db_path)
    script = SETUP + KILL_POINTS[point] + "\ncon.commit()\n"
    child = subprocess.run([sys.executable, "-c", script, str(db_path)], env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert child.returncode == -9
    dataset = lance.dataset(str(db_path.parent / (db_path.name + ".lance") / "docs.lance"))
    assert dataset.count_rows() == (20 if point == "before_apply" else 65)  # 20 - 5 deleted - 5 replaced + 5 + 50
    con = aidb.connect(str(db_path), autocommit=True)
    assert con.execute("SELECT count(*) FROM aidb.lance_commits").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE starts_with(table_name, 'lance_stage_')").fetchone() == (0,)
    assert con.execute("SELECT note FROM notes").fetchall() == [("with the docs",)]
    counts = con.execute("SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE text = 'changed'), count(*) FILTER (WHERE text = 'new') FROM docs").fetchone()
    assert counts == (65, 65, 5, 50)
    assert con.execute("SELECT count(*) FROM docs WHERE id BETWEEN 10 AND 14").fetchone() == (0,)
    con.close()


def test_a_commit_with_nothing_staged_leaves_no_log_and_no_staging_tables(db_path):
    _base(db_path)
    con = aidb.connect(str(db_path))
    con.execute("DELETE FROM docs WHERE id < 0")
    con.commit()
    assert con.execute("SELECT count(*) FROM aidb.lance_commits").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE starts_with(table_name, 'lance_stage_')").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM docs").fetchone() == (20,)
    con.close()
