"""Runs and lineage for writes beyond DuckDB tables: INSERT ... SELECT into a Lance table, COPY ... TO a file."""

from __future__ import annotations

import aidb


def _runs(con) -> list[tuple]:
    return con.execute(
        "SELECT r.kind, l.output_table, l.input_table FROM aidb.runs r JOIN aidb.lineage l USING (run_id) ORDER BY r.run_id, l.input_table"
    ).fetchall()


def test_insert_select_into_a_lance_table_records_its_run(db_path):
    with aidb.connect(db_path, autocommit=True) as con:
        con.execute("CREATE TABLE src AS SELECT i AS id, 'text ' || i AS text, [i, 1]::FLOAT[2] AS emb FROM range(5) t(i)")
        con.execute("CREATE TABLE vecs (id BIGINT, text VARCHAR, emb FLOAT[2]) WITH (storage = 'lance')")
        con.execute("INSERT INTO vecs SELECT * FROM src WHERE id < 3")
        assert ("insert", "vecs", "src") in _runs(con)
    with aidb.connect(db_path) as con:  # in a transaction: staged, recorded with it
        con.execute("INSERT INTO vecs SELECT * FROM src WHERE id >= 3")
        con.commit()
        assert _runs(con).count(("insert", "vecs", "src")) == 2
        assert con.execute("SELECT count(*) FROM vecs").fetchone() == (5,)


def test_dedup_into_a_lance_table_records_its_removals(db_path):
    with aidb.connect(db_path, autocommit=True) as con:
        con.execute("CREATE TABLE src AS SELECT i AS id, CASE WHEN i < 3 THEN 'same words' ELSE 'other ' || chr(65 + i::INTEGER) END AS text FROM range(6) t(i)")
        con.execute("CREATE TABLE kept (id BIGINT, text VARCHAR) WITH (storage = 'lance')")
        con.execute("INSERT INTO kept SELECT * FROM dedup(src, text, methods := ['exact'], keep := 'first')")
        assert con.execute("SELECT count(*) FROM kept").fetchone() == (4,)
        assert con.execute("SELECT method, duplicate_of FROM why_dropped('kept', 2)").fetchall() == [("exact", "0")]


def test_copy_to_records_the_file_as_output(con, tmp_path):
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    target = tmp_path / "out.parquet"
    con.execute(f"COPY (SELECT * FROM t) TO '{target}' (FORMAT parquet)")
    con.execute(f"COPY t TO '{tmp_path / 'again.csv'}'")
    runs = _runs(con)
    assert ("copy_to", str(target), "t") in runs and ("copy_to", str(tmp_path / "again.csv"), "t") in runs


def test_dedup_into_a_lance_table_in_a_transaction(db_path):
    with aidb.connect(db_path) as con:
        con.execute("CREATE TABLE src AS SELECT i AS id, CASE WHEN i < 3 THEN 'same words' ELSE 'other ' || chr(65 + i::INTEGER) END AS text FROM range(6) t(i)")
        con.execute("CREATE TABLE kept (id BIGINT, text VARCHAR) WITH (storage = 'lance')")
        con.execute("INSERT INTO kept SELECT * FROM dedup(src, text, methods := ['exact'], keep := 'first')")
        con.commit()
        assert con.execute("SELECT count(*) FROM kept").fetchone() == (4,)
        assert con.execute("SELECT method FROM why_dropped('kept', 1)").fetchall() == [("exact",)]
