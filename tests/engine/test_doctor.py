"""`aidb doctor`: each way the catalog and the files can disagree is found (dry run) and repaired."""

from __future__ import annotations

import duckdb
import pytest

import aidb
from aidb.cli import main
from aidb.engine.doctor import run_doctor
from aidb.errors import OperationalError


@pytest.fixture
def damaged(db_path):
    """A database with a Lance table, a trained model, and five kinds of damage a crash or a user can leave."""
    con = aidb.connect(str(db_path), autocommit=True)
    con.execute("CREATE TABLE docs (id BIGINT, emb FLOAT[2]) WITH (storage = 'lance')")
    con.execute("INSERT INTO docs SELECT range, [range, 1]::FLOAT[2] FROM range(50)")
    con.execute("CREATE TABLE ref AS SELECT 'the cat sat on the mat ' || range AS text FROM range(100)")
    con.execute("CREATE LANGUAGE MODEL lm FROM (SELECT text FROM ref)")
    con.execute("CREATE LANGUAGE MODEL gone FROM (SELECT text || ' again' FROM ref)")
    gone = con.execute("SELECT source FROM aidb.models WHERE name = 'gone'").fetchone()[0]
    con.close()
    lance_dir = db_path.parent / (db_path.name + ".lance")
    models_dir = db_path.parent / (db_path.name + ".models")
    (lance_dir / "half.lance" / "data").mkdir(parents=True)  # a first write killed before its commit
    (lance_dir / "half.lance" / "data" / "x.lance").write_bytes(b"partial")
    (models_dir / "orphan.0123456789abcdef.arpa").write_text("\\data\\\n")  # trained, never recorded
    import pathlib

    pathlib.Path(gone).unlink()  # recorded, file gone
    raw = duckdb.connect(str(db_path))
    raw.execute("CREATE TABLE aidb.lance_stage_dead_0_rows (id BIGINT)")  # staging of a transaction that died
    raw.execute("INSERT INTO aidb.vector_indexes (name, table_name, column_name, index_type, metric) VALUES ('ghost', 'docs', 'emb', 'IVF_PQ', 'l2')")
    raw.close()
    return db_path


def test_dry_run_lists_every_problem_and_changes_nothing(damaged):
    report = run_doctor(damaged, dry_run=True)
    problems = "\n".join(f.problem for f in report.found)
    assert "Lance folder half.lance holds no committed version" in problems
    assert "model file orphan.0123456789abcdef.arpa belongs to no model" in problems
    assert "model gone is in the catalog but its file" in problems
    assert "staging table aidb.lance_stage_dead_0_rows" in problems
    assert "vector index ghost on docs is in the catalog but not in the dataset" in problems
    assert len(report.found) == 5
    assert run_doctor(damaged, dry_run=True).found == report.found


def test_repair_fixes_everything_and_keeps_the_data(damaged, capsys):
    assert main(["doctor", str(damaged)]) == 0
    out = capsys.readouterr().out
    assert out.count("repaired:") == 5
    assert run_doctor(damaged, dry_run=True).found == []
    con = aidb.connect(str(damaged), autocommit=True)
    assert con.execute("SELECT count(*) FROM docs").fetchone() == (50,)
    assert con.execute("SELECT name FROM aidb.models ORDER BY name").fetchall() == [("lm",)]
    assert con.execute("SELECT perplexity('the cat sat', 'lm') > 0").fetchone() == (True,)
    con.close()
    assert main(["doctor", str(damaged), "--dry-run"]) == 0
    assert "nothing to repair" in capsys.readouterr().out


def test_dry_run_exit_status_says_whether_there_is_something_to_repair(damaged, capsys):
    assert main(["doctor", str(damaged), "--dry-run"]) == 1
    assert "would remove the folder" in capsys.readouterr().out


def test_a_missing_database_is_an_operational_error(tmp_path):
    with pytest.raises(OperationalError, match="no database file"):
        run_doctor(tmp_path / "nothing.aidb")
