"""Operator table functions through a connection: results, parameters, EXPLAIN AIDB, lineage, transactions."""

from __future__ import annotations

import pytest

import aidb


@pytest.fixture
def docs(con):
    con.execute("CREATE TABLE docs AS SELECT i AS id, 'copy number ' || (i % 3) || ' of a short text' AS text FROM range(9) t(i)")
    return con


def test_operator_result_joins_like_a_table(docs):
    rows = docs.execute(
        "SELECT d.id FROM exact_duplicates(docs, text, normalize := false) AS x JOIN docs AS d USING (id) WHERE x.keep ORDER BY d.id"
    ).fetchall()
    assert rows == [(0,), (1,), (2,)]


def test_arguments_bound_as_parameters_leave_the_rest_to_duckdb(docs):
    sql = "SELECT count(*) FROM exact_duplicates(docs, text, normalize := ?) WHERE keep AND id < ?"
    assert docs.execute(sql, [False, 2]).fetchall() == [(2,)]
    named = "SELECT count(*) FROM exact_duplicates(docs, text, normalize := $n) WHERE id < $k"
    assert docs.execute(named, {"n": True, "k": 5}).fetchall() == [(5,)]


def test_explain_aidb_shows_the_operator_step(docs):
    steps = dict(docs.execute("EXPLAIN AIDB SELECT * FROM near_duplicates(docs, text, threshold := 0.7)").fetchall())
    assert steps["operator_calls"] == "SELECT * FROM aidb_operator_0 AS near_duplicates"
    assert steps["operator near_duplicates"].startswith("aidb_operator_0 := near_duplicates(t := 'docs', col := 'text', threshold := 0.7")
    assert steps["duckdb"] == "SELECT * FROM aidb_operator_0 AS near_duplicates"


def test_create_table_as_records_the_operator_input_as_lineage(docs):
    docs.execute("CREATE TABLE clusters AS SELECT * FROM near_duplicates(docs, text)")
    assert docs.execute("SELECT output_table, input_table FROM aidb.lineage").fetchall() == [("clusters", "docs")]
    assert docs.execute("SELECT count(*) FROM clusters").fetchone() == (9,)


def test_results_fetch_in_a_pep249_transaction(tmp_path):
    with aidb.connect(tmp_path / "t.aidb") as con:
        con.execute("CREATE TABLE docs AS SELECT i AS id, 'same text' AS text FROM range(4) t(i)")
        assert con.execute("SELECT count(*) FROM exact_duplicates(docs, text) WHERE keep").fetchone() == (1,)
        con.commit()
        with pytest.raises(aidb.ProgrammingError, match="argument col"):
            con.execute("SELECT * FROM exact_duplicates(docs, body)")
        assert con.execute("SELECT count(*) FROM docs").fetchone() == (4,)  # the committed table survives the error


def test_operators_are_listed_with_the_functions(docs):
    rows = dict(docs.execute("SELECT name, kind FROM aidb_functions() WHERE name LIKE '%duplicates'").fetchall())
    assert rows == {"exact_duplicates": "operator", "near_duplicates": "operator", "semantic_duplicates": "operator", "image_duplicates": "operator"}
