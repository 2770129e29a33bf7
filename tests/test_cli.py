"""The `aidb` command: help, demo, and the demo's result tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import aidb
from aidb.demo.pipeline import MARKER_TABLE, run_demo


def test_help_is_fast_and_lists_the_commands() -> None:
    out = subprocess.run([sys.executable, "-m", "aidb.cli", "--help"], capture_output=True, text=True, check=True)
    assert "aidb demo" in out.stdout and "aidb sql PATH" in out.stdout
    imported = subprocess.run(
        [sys.executable, "-c", "import sys, aidb.cli; print(any(m in sys.modules for m in ('torch', 'duckdb', 'sqlglot')))"],
        capture_output=True, text=True, check=True,
    )
    assert imported.stdout.strip() == "False", "aidb --help must not import the engine"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> tuple[Path, list[str]]:
    path = tmp_path_factory.mktemp("demo") / "demo.aidb"
    lines: list[str] = []
    run_demo(path, echo=lines.append)
    return path, lines


def test_demo_builds_a_database_plain_duckdb_can_read(demo_db) -> None:
    path, lines = demo_db
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM corpus").fetchone()[0] == 400
        kept_by_kind = dict(
            con.execute("SELECT c.planted, avg(q.keep::INT) FROM corpus c JOIN quality q USING (id) GROUP BY 1").fetchall()
        )
        removed = dict(
            con.execute("SELECT c.planted, count(*) FILTER (WHERE NOT d.keep) FROM corpus c JOIN exact_dedup d USING (id) GROUP BY 1").fetchall()
        )
    assert kept_by_kind["clean"] == 1.0
    for kind in ("junk_bullets", "junk_ellipsis", "junk_symbols", "junk_short", "junk_repeated_lines"):
        assert kept_by_kind[kind] == 0.0, kind
    assert removed["exact_dup"] == 25 and removed["clean"] == 0
    assert any("Gopher quality rules" in line for line in lines)


def test_demo_refuses_to_overwrite_a_database_it_did_not_make(tmp_path: Path) -> None:
    path = tmp_path / "precious.aidb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE important AS SELECT 1 AS x")
    with pytest.raises(aidb.OperationalError, match="not an aidb demo database"):
        run_demo(path, echo=lambda line: None)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT x FROM important").fetchone() == (1,)
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [MARKER_TABLE]).fetchone() == (0,)
