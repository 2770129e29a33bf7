"""Lance-backed tables: DDL and DML through SQL, catalog rows, index DDL, and recovery from interrupted builds."""

from __future__ import annotations

import subprocess
import sys
import time

import duckdb
import pytest

import aidb
from aidb.errors import ProgrammingError
from aidb.storage.extensions import load_extension

DIM = 8


def make_docs(cur, rows: int = 2000) -> None:
    cur.execute(f"CREATE TABLE docs (id BIGINT, lang VARCHAR, txt VARCHAR, emb FLOAT[{DIM}]) WITH (storage = 'lance')")
    cur.execute(
        f"INSERT INTO docs SELECT range, CASE WHEN range % 2 = 0 THEN 'en' ELSE 'fr' END, 'doc ' || range, "
        f"[sin(range * (i + 1)) FOR i IN range({DIM})]::FLOAT[{DIM}] FROM range({rows})"
    )


def test_create_insert_update_delete_ctas_drop(db_path):
    con = aidb.connect(str(db_path), autocommit=True)
    cur = con.cursor()
    make_docs(cur, 100)
    assert (db_path.parent / (db_path.name + ".lance") / "docs.lance").is_dir()
    cur.execute("UPDATE docs SET lang = 'de' WHERE id < 10")
    assert cur.rowcount == 10
    cur.execute("DELETE FROM docs WHERE id >= 90")
    assert cur.rowcount == 10
    assert cur.execute("SELECT count(*), count(*) FILTER (WHERE lang = 'de') FROM docs").fetchone() == (90, 10)
    cur.execute("CREATE TABLE en_docs WITH (storage = 'lance') AS SELECT * FROM docs WHERE lang = 'en'")
    assert cur.execute("SELECT count(*) FROM en_docs").fetchone() == (40,)
    assert cur.execute("SELECT name FROM aidb.lance_tables ORDER BY name").fetchall() == [("docs",), ("en_docs",)]
    cur.execute("DROP TABLE en_docs")
    assert cur.execute("SELECT name FROM aidb.lance_tables").fetchall() == [("docs",)]
    con.close()
    reopened = aidb.connect(str(db_path), autocommit=True)
    assert reopened.cursor().execute("SELECT count(*) FROM docs").fetchone() == (90,)
    reopened.close()


def test_in_memory_database_keeps_lance_tables_in_a_scratch_folder(con):
    cur = con.cursor()
    make_docs(cur, 10)
    assert cur.execute("SELECT count(*) FROM docs").fetchone() == (10,)


def test_unknown_storage_is_refused(con):
    with pytest.raises(ProgrammingError, match="unknown table storage 'parquet'"):
        con.cursor().execute("CREATE TABLE t (id INT) WITH (storage = 'parquet')")


def test_lance_ddl_inside_explicit_transaction_is_refused(con):
    cur = con.cursor()
    cur.execute("BEGIN")
    with pytest.raises(ProgrammingError, match="cannot run inside a transaction"):
        cur.execute(f"CREATE TABLE v (id INT, emb FLOAT[{DIM}]) WITH (storage = 'lance')")


def test_rows_added_after_build_are_found_and_optimize_folds_them_in(con):
    cur = con.cursor()
    make_docs(cur)
    cur.execute("CREATE VECTOR INDEX docs_emb ON docs (emb) USING IVF_FLAT WITH (metric = 'l2', num_partitions = 4)")
    cur.execute("INSERT INTO docs VALUES (99999, 'en', 'new', [7, 7, 7, 7, 7, 7, 7, 7])")
    rows = cur.execute("SHOW VECTOR INDEXES").fetchall()
    assert rows == [("docs_emb", "docs", "emb", "IVF_FLAT", "l2", 2000, 1)]
    found = cur.execute("SELECT id, distance(emb, [7, 7, 7, 7, 7, 7, 7, 7]) AS d FROM vector_search(docs, emb, [7, 7, 7, 7, 7, 7, 7, 7], k := 1)").fetchall()
    assert found[0][0] == 99999 and found[0][1] == pytest.approx(0.0, abs=1e-5)
    cur.execute("OPTIMIZE VECTOR INDEX docs_emb")
    assert cur.execute("SHOW VECTOR INDEXES").fetchall()[0][5:] == (2001, 0)
    cur.execute("DROP VECTOR INDEX docs_emb")
    assert cur.execute("SHOW VECTOR INDEXES").fetchall() == []


def test_null_vectors_are_never_returned(con):
    cur = con.cursor()
    make_docs(cur, 5)
    cur.execute("INSERT INTO docs SELECT range + 100, 'en', 'no vector', NULL FROM range(45)")
    rows = cur.execute("SELECT id FROM docs ORDER BY distance(emb, [1, 1, 1, 1, 1, 1, 1, 1]) LIMIT 10").fetchall()
    assert sorted(r[0] for r in rows) == list(range(5))


def test_text_and_hybrid_search(con):
    cur = con.cursor()
    make_docs(cur, 200)
    for doc_id in (3, 5):  # the Lance extension refuses UPDATE ... WHERE id IN (...) filters
        cur.execute(f"UPDATE docs SET txt = 'tokenizer training data' WHERE id = {doc_id}")
    cur.execute("CREATE VECTOR INDEX docs_txt ON docs (txt) USING INVERTED")
    assert {r[0] for r in cur.execute("SELECT id FROM text_search(docs, txt, 'tokenizer', k := 5)").fetchall()} == {3, 5}
    vector = cur.execute("SELECT emb FROM docs WHERE id = 5").fetchone()[0]
    fused = cur.execute(f"SELECT id FROM hybrid_search(docs, txt, emb, 'tokenizer', k := 3, vector := {list(vector)})").fetchall()
    assert fused[0][0] == 5  # first in both rankings
    rsf = cur.execute(f"SELECT id FROM hybrid_search(docs, txt, emb, 'tokenizer', k := 3, fusion := 'rsf', vector := {list(vector)})").fetchall()
    assert rsf[0][0] == 5
    with pytest.raises(ProgrammingError, match="needs a VARCHAR column"):
        cur.execute("CREATE VECTOR INDEX bad ON docs (id) USING INVERTED")


def test_index_built_outside_the_catalog_is_adopted_on_open(db_path):
    con = aidb.connect(str(db_path), autocommit=True)
    make_docs(con.cursor())
    con.close()
    raw = duckdb.connect()
    load_extension(raw, "lance")
    dataset = db_path.parent / (db_path.name + ".lance") / "docs.lance"
    raw.execute(f"CREATE INDEX stray ON '{dataset}' (emb) USING IVF_FLAT WITH (num_partitions = 2, metric_type = 'dot')")
    raw.close()
    reopened = aidb.connect(str(db_path), autocommit=True)
    assert reopened.cursor().execute("SELECT name, index_type, metric FROM aidb.vector_indexes").fetchall() == [("stray", "IVF_FLAT", "dot")]
    reopened.close()


def make_indexed_docs_file(db_path, rows: int) -> None:
    """A database file whose Lance table `docs` has an IVF_FLAT index `docs_emb`, closed again."""
    con = aidb.connect(str(db_path), autocommit=True)
    make_docs(con.cursor(), rows)
    con.cursor().execute("CREATE VECTOR INDEX docs_emb ON docs (emb) USING IVF_FLAT WITH (num_partitions = 2)")
    con.close()


def test_killed_index_build_leaves_table_and_catalog_consistent(db_path):
    make_indexed_docs_file(db_path, 20000)
    script = (
        "import aidb; c = aidb.connect(%r, autocommit=True); "
        "c.cursor().execute('CREATE OR REPLACE VECTOR INDEX docs_emb ON docs (emb) USING IVF_PQ WITH (num_partitions = 256)')"
    ) % str(db_path)
    child = subprocess.Popen([sys.executable, "-c", script])
    time.sleep(4)
    child.kill()
    child.wait()
    reopened = aidb.connect(str(db_path), autocommit=True)
    cur = reopened.cursor()
    assert cur.execute("SELECT count(*) FROM docs").fetchone() == (20000,)
    (name, _, _, index_type, _, indexed, _), = cur.execute("SHOW VECTOR INDEXES").fetchall()
    assert name == "docs_emb" and index_type in ("IVF_FLAT", "IVF_PQ") and indexed == 20000
    assert cur.execute("SELECT id FROM docs ORDER BY distance(emb, (SELECT emb FROM docs WHERE id = 7)) LIMIT 1").fetchone() == (7,)
    reopened.close()


def test_read_only_connection_searches_lance_tables_and_refuses_writes(db_path):
    make_indexed_docs_file(db_path, 500)
    reader = aidb.connect(str(db_path), read_only=True)
    cur = reader.cursor()
    assert cur.execute("SELECT id FROM vector_search(docs, emb, (SELECT emb FROM docs WHERE id = 7), k := 1)").fetchall() == [(7,)]
    for write in ("INSERT INTO docs VALUES (1, 'en', 'x', NULL)", "DELETE FROM docs WHERE id = 1", "DROP TABLE docs"):
        with pytest.raises(ProgrammingError, match="open read-only"):
            cur.execute(write)
    reader.close()
    writer = aidb.connect(str(db_path))
    assert writer.cursor().execute("SELECT count(*) FROM docs").fetchone() == (500,)
    writer.close()
