"""Statements that write Lance tables plan their queries on the session's one path (plan cache, search functions)."""

from __future__ import annotations

import numpy as np

from pylance_docs import DIM, open_pylance_docs, plan_of, vectors  # tests/pylance_docs.py


def test_insert_select_from_an_ann_search_into_a_lance_table(tmp_path):
    docs = open_pylance_docs(tmp_path)
    query = "[" + ", ".join(repr(float(v)) for v in vectors(docs)[40] + 0.01) + f"]::FLOAT[{DIM}]"
    search = f"SELECT id, emb FROM vector_search(docs, emb, {query}, k := 5)"
    assert "__aidb_ann_" in plan_of(docs, search)  # the search runs through a pylance function
    expected = sorted(row[0] for row in docs.execute(search).fetchall())
    assert 40 in expected and len(expected) == 5

    docs.execute(f"CREATE TABLE hits (id BIGINT, emb FLOAT[{DIM}]) WITH (storage = 'lance')")
    fresh = docs.connection.cursor()
    fresh.execute(f"INSERT INTO hits {search}")
    assert fresh.rowcount == 5
    assert [row[0] for row in fresh.execute("SELECT id FROM hits ORDER BY id").fetchall()] == expected

    fresh.execute(f"CREATE TABLE hits_ctas WITH (storage = 'lance') AS {search}")
    stored = fresh.execute("SELECT id, emb FROM hits_ctas ORDER BY id").fetchall()
    assert [row[0] for row in stored] == expected
    assert np.allclose(stored[0][1], vectors(docs)[expected[0]])
    docs.connection.close()


def test_a_training_query_may_search(tmp_path):
    docs = open_pylance_docs(tmp_path)
    query = "[" + ", ".join(repr(float(v)) for v in vectors(docs)[7]) + f"]::FLOAT[{DIM}]"
    docs.execute(
        "CREATE LANGUAGE MODEL near7 FROM "
        f"(SELECT 'doc number ' || id || ' in ' || lang AS text FROM vector_search(docs, emb, {query}, k := 20)) WITH (order = 2)"
    )
    assert docs.execute("SELECT name, kind FROM aidb.models WHERE name = 'near7'").fetchall() == [("near7", "language")]
    docs.connection.close()
