"""Exact top-k over a Lance table ranked in numpy (storage/lance_search.py) against DuckDB's brute force on a copy.

The same `SELECT ... ORDER BY distance(emb, q) LIMIT k` runs on the Lance table (no index: the exact plan, with
`aidb_numpy_exact_min_rows` lowered so this small table takes the numpy path) and on a plain DuckDB table holding
the same rows: ids and distances must agree for every metric and filter, with the query vector as a literal or a
parameter, after writes and inside a transaction that wrote the table.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import aidb

ROWS, DIM, K = 3_000, 16, 10
FILTERS = ["", "WHERE bucket = 3", "WHERE id < 50", "WHERE lang = 'en' AND bucket < 5", "WHERE bucket IN (1, 2) OR id > 2990", "WHERE id < 0"]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(ROWS, DIM)).astype(np.float32)
    ids = np.arange(ROWS)
    valid = ids % 97 != 5  # some rows without a vector: never returned
    emb = pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), DIM)
    emb = pa.array([v if ok else None for v, ok in zip(emb.to_pylist(), valid)], type=pa.list_(pa.float32(), DIM))
    source = pa.table({"id": ids, "bucket": ids % 100, "lang": np.where(ids % 3 == 0, "en", "fr"), "emb": emb})  # noqa: F841
    con = aidb.connect(str(tmp_path_factory.mktemp("exact") / "e.aidb"), autocommit=True)
    con.execute(f"CREATE TABLE docs (id BIGINT, bucket BIGINT, lang VARCHAR, emb FLOAT[{DIM}]) WITH (storage = 'lance')")
    con.execute(f"INSERT INTO docs SELECT id, bucket, lang, emb::FLOAT[{DIM}] FROM source")
    con.execute(f"CREATE TABLE plain AS SELECT id, bucket, lang, emb::FLOAT[{DIM}] AS emb FROM source")
    con.execute("SET aidb_numpy_exact_min_rows = 0")
    yield con
    con.close()


def brute_force(con, where: str, metric: str, query: np.ndarray) -> list[tuple[int, float]]:
    function = {"cosine": "array_cosine_distance", "l2": "array_distance", "dot": "array_negative_inner_product"}[metric]
    joined = f"{where} AND" if where else "WHERE"
    return con.execute(
        f"SELECT id, {function}(emb, ?::FLOAT[{DIM}]) AS d FROM plain {joined} emb IS NOT NULL ORDER BY d, id LIMIT {K}", [query.tolist()]
    ).fetchall()


def assert_same(found: list[tuple[int, float]], expected: list[tuple[int, float]]) -> None:
    assert len(found) == len(expected)
    assert sorted(r[0] for r in found) == sorted(r[0] for r in expected)
    np.testing.assert_allclose([r[1] for r in found], [r[1] for r in expected], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("metric", ["cosine", "l2", "dot"])
@pytest.mark.parametrize("where", FILTERS)
def test_literal_query_equals_duckdb_brute_force(db, where, metric):
    query = np.random.default_rng(len(where)).normal(size=DIM).astype(np.float32)
    literal = "[" + ", ".join(f"{v:.7f}" for v in query) + f"]::FLOAT[{DIM}]"
    query = np.asarray([float(f"{v:.7f}") for v in query], dtype=np.float32)
    sql = f"SELECT id, distance(emb, {literal}, '{metric}') AS d FROM docs {where} ORDER BY d LIMIT {K}"
    plan = dict(db.execute("EXPLAIN AIDB " + sql).fetchall())["vector_search"]
    assert '"exact": true' in plan and "aidb_lance" not in plan  # ranked in numpy, not scanned by DuckDB
    assert_same(db.execute(sql).fetchall(), brute_force(db, where, metric, query))


@pytest.mark.parametrize("where", FILTERS[:3])
def test_parameter_query_equals_duckdb_brute_force(db, where):
    """A parameter query vector: the search runs before DuckDB (engine/search_first.py)."""
    query = np.random.default_rng(99).normal(size=DIM).astype(np.float32)
    found = db.execute(f"SELECT id, distance(emb, ?) AS d FROM docs {where} ORDER BY d LIMIT {K}", [query.tolist()]).fetchall()
    assert_same(found, brute_force(db, where, "cosine", query))


def test_columns_and_other_expressions_come_back(db):
    query = np.ones(DIM, dtype=np.float32)
    rows = db.execute(
        f"SELECT lang, id * 2 AS twice, emb IS NOT NULL AS has, distance(emb, ?) AS d FROM docs WHERE bucket = 7 ORDER BY d LIMIT 3",
        [query.tolist()],
    ).fetchall()
    expected = brute_force(db, "WHERE bucket = 7", "cosine", query)[:3]
    assert [r[1] for r in rows] == [2 * r[0] for r in expected]
    assert all(r[0] == ("en" if (r[1] // 2) % 3 == 0 else "fr") and r[2] for r in rows)


def test_written_rows_are_ranked_after_commit_and_inside_the_transaction(db):
    target = np.full(DIM, 5.0, dtype=np.float32)
    sql = f"SELECT id FROM docs WHERE bucket = 42 ORDER BY distance(emb, ?) LIMIT 1"
    before = db.execute(sql, [target.tolist()]).fetchall()  # reads (and caches) the current version
    db.execute("BEGIN")
    db.execute(f"INSERT INTO docs VALUES (100042, 42, 'en', ?::FLOAT[{DIM}])", [target.tolist()])
    assert db.execute(sql, [target.tolist()]).fetchall() == [(100042,)]  # the staged row: DuckDB scans it
    db.execute("ROLLBACK")
    assert db.execute(sql, [target.tolist()]).fetchall() == before
    db.execute(f"INSERT INTO docs VALUES (100042, 42, 'en', ?::FLOAT[{DIM}])", [target.tolist()])
    assert db.execute(sql, [target.tolist()]).fetchall() == [(100042,)]  # a new version is read again
    db.execute("DELETE FROM docs WHERE id = 100042")
    assert db.execute(sql, [target.tolist()]).fetchall() == before


def test_small_tables_stay_with_duckdb_by_default(db):
    db.execute("RESET aidb_numpy_exact_min_rows")
    try:
        plan = dict(db.execute(f"EXPLAIN AIDB SELECT id FROM docs ORDER BY distance(emb, ?) LIMIT 3").fetchall())["vector_search"]
        assert "array_cosine_distance" in plan.lower() and '"exact": true' not in plan
    finally:
        db.execute("SET aidb_numpy_exact_min_rows = 0")


def test_a_second_distance_to_another_vector_is_computed_too(db):
    near, other = np.ones(DIM, dtype=np.float32), np.arange(DIM, dtype=np.float32)
    rows = db.execute(
        f"SELECT id, distance(emb, ?::FLOAT[{DIM}]) AS d, distance(emb, ?::FLOAT[{DIM}]) AS d2 FROM docs ORDER BY d LIMIT 3",
        [near.tolist(), other.tolist()],
    ).fetchall()
    expected = brute_force(db, "", "cosine", near)[:3]
    assert [r[0] for r in rows] == [r[0] for r in expected]
    for rid, _, d2 in rows:
        (plain,) = db.execute(f"SELECT array_cosine_distance(emb, ?::FLOAT[{DIM}]) FROM plain WHERE id = ?", [other.tolist(), rid]).fetchone()
        assert d2 == pytest.approx(plain, abs=1e-5)
