"""ANN search through pylance on the dataset aidb keeps open: freshness, parameters, projection, NULLs."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from pylance_docs import ROWS, open_pylance_docs, plan_of, vectors  # tests/pylance_docs.py

from aidb.sql.search_calls import lance_filter

import sqlglot


@pytest.fixture
def docs(tmp_path):
    cur = open_pylance_docs(tmp_path)
    yield cur
    cur.connection.close()


def test_the_open_dataset_sees_rows_written_after_it_was_opened(docs):
    sql = "SELECT id FROM docs ORDER BY distance(emb, [7, 7, 7, 7, 7, 7, 7, 7]) LIMIT 1"
    assert "__aidb_ann_" in plan_of(docs, sql)
    first = docs.execute(sql).fetchone()[0]
    docs.execute("INSERT INTO docs VALUES (99999, 'en', 2024, [7, 7, 7, 7, 7, 7, 7, 7])")
    assert docs.execute(sql).fetchone() == (99999,)  # an unindexed fragment, searched by Lance
    docs.execute("DELETE FROM docs WHERE id = 99999")
    assert docs.execute(sql).fetchone() == (first,)


def test_positional_parameters_keep_their_values_when_the_query_vector_moves(docs):
    data = vectors(docs)
    query = data[5] + 0.01
    # written order: lang first, vector second; the ANN plan puts the vector in FROM, before the WHERE
    # (a parameter in the filter keeps it out of Lance: the ANN search over-fetches and DuckDB filters after)
    sql = "SELECT id, lang FROM docs WHERE lang = ? ORDER BY distance(emb, ?) LIMIT 5"
    assert "ann_postfilter" in plan_of(docs, sql)
    rows = docs.execute(sql, ["en", query.tolist()]).fetchall()
    english = np.arange(len(data)) % 3 != 0
    exact = np.argsort(np.where(english, np.linalg.norm(data - query, axis=1), np.inf))[:5]
    assert [r[0] for r in rows] == exact.tolist() and {r[1] for r in rows} == {"en"}


def test_filter_runs_inside_lance_with_quoted_column_names(docs):
    data = vectors(docs)
    query = data[11]
    sql = f'SELECT id, "Year Made" FROM docs WHERE "Year Made" >= 2010 AND lang = \'en\' ORDER BY distance(emb, {query.tolist()}) LIMIT 10'
    plan = plan_of(docs, sql)
    assert "ann_prefilter" in plan and "`year made` >= 2010" in plan
    rows = docs.execute(sql).fetchall()
    ids = np.arange(len(data))
    keep = (2000 + ids % 20 >= 2010) & (ids % 3 != 0)
    exact = np.argsort(np.where(keep, np.linalg.norm(data - query, axis=1), np.inf))[:10]
    assert [r[0] for r in rows] == exact.tolist()


def test_only_the_columns_the_query_reads_are_fetched_and_star_reads_all(docs):
    narrow = plan_of(docs, "SELECT id FROM docs ORDER BY distance(emb, [1, 2, 3, 4, 5, 6, 7, 8]) LIMIT 3")
    assert '"columns": ["id"]' in narrow
    docs.execute("SELECT * FROM docs ORDER BY distance(emb, [1, 2, 3, 4, 5, 6, 7, 8]) LIMIT 3")
    assert [d[0] for d in docs.description] == ["id", "lang", "Year Made", "emb", "_distance"]
    assert len(docs.fetchall()) == 3


def test_null_query_vector_finds_nothing(docs):
    assert docs.execute("SELECT id FROM docs ORDER BY distance(emb, ?) LIMIT 3", [None]).fetchall() == []


def test_distances_are_in_duckdb_units(docs):
    data = vectors(docs)
    query = data[7] + 0.5
    rows = docs.execute("SELECT id, distance(emb, ?) AS d FROM docs ORDER BY d LIMIT 3", [query.tolist()]).fetchall()
    for row_id, d in rows:
        assert d == pytest.approx(float(np.linalg.norm(data[row_id] - query)), rel=1e-4)  # L2, not Lance's squared L2


def test_dropped_index_falls_back_to_an_exact_scan(docs):
    docs.execute("DROP VECTOR INDEX docs_emb")
    plan = plan_of(docs, "SELECT id FROM docs ORDER BY distance(emb, [1, 2, 3, 4, 5, 6, 7, 8]) LIMIT 3")
    assert "__aidb_ann_" not in plan and "array_cosine_distance" in plan.lower()


def test_lance_filter_text():
    where = sqlglot.parse_one("SELECT 1 FROM t AS d WHERE d.lang IN ('en', 'it''s') AND \"Year Made\" BETWEEN 1 AND 2 OR NOT \"order\" IS NULL", read="duckdb")
    assert lance_filter(where.args["where"]) == "lang IN ('en', 'it''s') AND `Year Made` BETWEEN 1 AND 2 OR NOT `order` IS NULL"


def test_batch_search_runs_one_ann_search_per_query_row(docs):
    data = vectors(docs)
    docs.execute("CREATE TABLE queries AS SELECT id AS qid, emb AS q FROM docs WHERE id IN (1, 2, 30)")
    sql = "SELECT query_id, id, _distance FROM batch_vector_search(docs, emb, (SELECT qid, q FROM queries), k := 5)"
    assert "__aidb_ann_" in plan_of(docs, sql)
    per_query: dict[int, list[tuple[int, float]]] = {}
    for qid, rid, d in docs.execute(sql).fetchall():
        per_query.setdefault(qid, []).append((rid, d))
    assert sorted(per_query) == [1, 2, 30]
    for qid, found in per_query.items():
        exact = np.argsort(np.linalg.norm(data - data[qid], axis=1))[:5]
        assert {r for r, _ in found} == set(exact.tolist())
        assert all(d == pytest.approx(float(np.linalg.norm(data[r] - data[qid])), abs=1e-4) for r, d in found)


def test_filter_lance_refuses_is_an_aidb_error_naming_it(docs):
    from aidb.errors import ProgrammingError

    with pytest.raises(ProgrammingError, match=r"filter 'lang = 5 AND `Year Made` >= 2010' failed in Lance"):
        docs.execute("SELECT id FROM docs WHERE lang = 5 AND \"Year Made\" >= 2010 ORDER BY distance(emb, [1, 2, 3, 4, 5, 6, 7, 8]) LIMIT 3")
    assert docs.execute("SELECT count(*) FROM docs").fetchone() == (ROWS,)


@pytest.mark.parametrize("metric", ["cosine", "l2", "dot"])
def test_batch_search_without_index_is_exact_in_numpy_and_matches_duckdb(con, metric):
    rng = np.random.default_rng(7)
    data = rng.normal(size=(300, 8)).astype(np.float32)
    con.execute("CREATE TABLE vecs (id BIGINT, tag VARCHAR, emb FLOAT[8]) WITH (storage = 'lance')")
    rows = pa.table({"id": np.arange(300), "tag": [f"t{i}" for i in range(300)], "emb": [None if i == 5 else v.tolist() for i, v in enumerate(data)]})
    con.execute("INSERT INTO vecs SELECT id, tag, emb::FLOAT[8] FROM rows")
    con.execute("CREATE TABLE queries AS SELECT id AS qid, emb AS q FROM vecs WHERE id < 40 UNION ALL SELECT 999, NULL")
    sql = f"SELECT query_id, id, tag, _distance FROM batch_vector_search(vecs, emb, (SELECT qid, q FROM queries), k := 4, metric := '{metric}')"
    assert "__aidb_ann_" in plan_of(con, sql)  # the chunk-at-a-time search function, not a DuckDB join
    found = con.execute(sql + " ORDER BY query_id, _distance").fetchall()
    function = {"cosine": "array_cosine_distance", "l2": "array_distance", "dot": "array_negative_inner_product"}[metric]
    expected = con.execute(
        f"SELECT q.qid, v.id, v.tag, {function}(v.emb, q.q) AS d FROM queries q, vecs v WHERE v.emb IS NOT NULL AND q.q IS NOT NULL "
        "QUALIFY row_number() OVER (PARTITION BY q.qid ORDER BY d) <= 4 ORDER BY q.qid, d"
    ).fetchall()
    assert [r[:3] for r in found] == [r[:3] for r in expected] and len(found) == 39 * 4
    assert [r[3] for r in found] == pytest.approx([r[3] for r in expected], abs=1e-5)
