"""What aidb writes is readable by stock DuckDB: a subprocess that imports only `duckdb` opens the file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import aidb
from aidb.storage.extensions import extension_path

# Runs in a fresh interpreter that imports only duckdb; it reports whether anything pulled aidb in.
READER = r"""
import json, sys
import duckdb
path, queries = sys.argv[1], json.loads(sys.argv[2])
con = duckdb.connect(path, read_only=sys.argv[3] == "read_only")
con.execute("SET enable_progress_bar = false")  # it would draw on stdout, where the answers go
answers = {}
for name, sql in queries.items():
    try:
        answers[name] = [list(map(str, row)) for row in con.execute(sql).fetchall()]
    except duckdb.Error as error:
        answers[name] = "error: " + str(error).splitlines()[0]
answers["aidb imported"] = any(m == "aidb" or m.startswith("aidb.") for m in sys.modules)
print(json.dumps(answers))
"""


def read_with_plain_duckdb(db_path: Path, queries: dict[str, str], mode: str = "read_only") -> dict:
    result = subprocess.run(
        [sys.executable, "-c", READER, str(db_path), json.dumps(queries), mode],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=db_path.parent,
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)
    assert answers.pop("aidb imported") is False
    return answers


@pytest.fixture(scope="module")
def written_db(tmp_path_factory) -> Path:
    db_path = tmp_path_factory.mktemp("bi") / "corpus.aidb"
    with aidb.connect(str(db_path)) as con:
        con.execute("CREATE TABLE docs AS SELECT range AS id, 'Hello,  World ' || range AS text FROM range(4)")
        con.execute("CREATE TABLE scored AS SELECT id, normalize_text(text) AS norm, word_count(text) AS words FROM docs")
        con.execute("CREATE VIEW late_docs AS SELECT id, text FROM docs WHERE id >= 2")
        con.execute("CREATE VIEW counted AS SELECT id, word_count(text) AS words FROM docs")
        con.execute("CREATE TABLE vecs (id BIGINT, emb FLOAT[3]) WITH (storage = 'lance')")
        con.execute("INSERT INTO vecs VALUES (1, [1, 0, 0]), (2, [0, 1, 0])")
    return db_path


def test_tables_with_model_function_results_are_plain(written_db: Path) -> None:
    answers = read_with_plain_duckdb(
        written_db,
        {
            "scored": "SELECT id, norm, words FROM scored ORDER BY id",
            "view": "SELECT id FROM late_docs ORDER BY id",
        },
    )
    assert answers["scored"] == [[str(i), "hello world 0", "3"] for i in range(4)]
    assert answers["view"] == [["2"], ["3"]]


def test_catalog_tables_are_plain(written_db: Path) -> None:
    answers = read_with_plain_duckdb(
        written_db,
        {
            "runs": "SELECT kind FROM aidb.runs ORDER BY run_id",
            "lineage": "SELECT output_table, input_table FROM aidb.lineage ORDER BY run_id, input_table",
            "models": "SELECT count(*) FROM aidb.models",
            "indexes": "SELECT count(*) FROM aidb.vector_indexes",
            "provenance": "SELECT count(*) FROM aidb.column_provenance",
            "lance": "SELECT name, dataset FROM aidb.lance_tables",
            "migrations": "SELECT count(*) > 0 FROM aidb.schema_migrations",
        },
    )
    assert answers["runs"][:2] == [["create_table_as"], ["create_table_as"]]
    assert ["scored", "docs"] in answers["lineage"]
    assert answers["models"] == [["0"]] and answers["indexes"] == [["0"]] and answers["provenance"] == [["0"]]
    assert answers["lance"] == [["vecs", "vecs.lance"]]
    assert answers["migrations"] == [["True"]]


def test_lance_tables_through_the_lance_extension(written_db: Path) -> None:
    # What docs/bi.md tells a BI user to run; LOAD from the installed package path instead of INSTALL (offline).
    load = f"LOAD '{extension_path('lance')}'; "
    attached = read_with_plain_duckdb(
        written_db,
        {"vecs": load + f"ATTACH '{written_db}.lance' AS aidb_lance (TYPE LANCE); SELECT id, emb FROM aidb_lance.main.vecs ORDER BY id"},
        mode="read_write",
    )
    # The lance extension cannot ATTACH inside a read-only connection; scanning the dataset folder works there.
    scanned = read_with_plain_duckdb(written_db, {"vecs": load + f"SELECT id, emb FROM '{written_db}.lance/vecs.lance' ORDER BY id"})
    expected = [["1", "(1.0, 0.0, 0.0)"], ["2", "(0.0, 1.0, 0.0)"]]  # FLOAT[3] arrives as a tuple
    assert attached["vecs"] == expected and scanned["vecs"] == expected


def test_views_calling_aidb_macros_open_in_plain_duckdb(written_db: Path) -> None:
    answers = read_with_plain_duckdb(
        written_db,
        {
            "counted": "SELECT words FROM counted ORDER BY id",
            "stored": "SELECT sql FROM duckdb_views() WHERE view_name = 'counted'",
            "pure": "SELECT aidb_fn.mean_word_length('ab abcd')",
            # a macro calling another persisted one names it in aidb_fn; the Gopher statistics themselves are
            # aidb's Python functions (datatrove's tokenizer), so plain DuckDB cannot evaluate them
            "nested": "SELECT macro_definition FROM duckdb_functions() "
            "WHERE schema_name = 'aidb_fn' AND function_name = 'symbol_word_ratio'",
        },
    )
    assert answers["counted"] == [["3"]] * 4
    assert "aidb_fn.word_count(" in answers["stored"][0][0]
    assert answers["pure"] == [["3.0"]]
    assert "aidb_fn.gopher_stats(" in answers["nested"][0][0]


def test_persisted_macros_leave_user_macros_alone_and_are_written_once(tmp_path: Path) -> None:
    path = tmp_path / "own.aidb"
    with aidb.connect(str(path)) as con:
        con.execute("CREATE MACRO word_count(t) AS 42")  # the user's own macro, in main
        con.execute("CREATE VIEW mine AS SELECT main.word_count('a b') AS n")
    stamp_before = path.stat().st_mtime_ns
    aidb.connect(str(path)).close()  # an unchanged database is not rewritten on open
    assert path.stat().st_mtime_ns == stamp_before
    answers = read_with_plain_duckdb(path, {"mine": "SELECT n FROM mine", "ours": "SELECT aidb_fn.word_count('a b c')"})
    assert answers == {"mine": [["42"]], "ours": [["3"]]}
