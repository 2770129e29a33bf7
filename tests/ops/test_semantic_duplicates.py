"""semantic_duplicates(): pairs at cosine >= 1 - eps against brute force, on generated embeddings with planted copies."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import aidb
from aidb.ops.semantic_duplicates import similar_pairs

DIM = 32


def planted_embeddings(originals: int, copies: int, seed: int = 0) -> np.ndarray:
    """Random unit vectors, then copies of some at small random offsets (cosine from ~0.9 to ~1 to their source)."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(originals, DIM)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    sources = rng.integers(0, originals, copies)
    noise = rng.normal(size=(copies, DIM)).astype(np.float32) * rng.uniform(0.02, 0.08, (copies, 1)).astype(np.float32)
    return np.concatenate([base, base[sources] + noise])


def brute_force_pairs(vectors: np.ndarray, min_cosine: float) -> set[tuple[int, int]]:
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    i, j = np.nonzero(np.triu(unit @ unit.T >= min_cosine, 1))
    return set(zip(i.tolist(), j.tolist()))


@pytest.mark.parametrize("clusters", [1, 8, 40])
def test_pairs_match_brute_force_cosine(clusters):
    vectors = planted_embeddings(3000, 600)
    truth = brute_force_pairs(vectors, 0.95)
    assert 200 < len(truth) < 700  # some copies land below the threshold, most above
    left, right = similar_pairs(vectors, 0.95, clusters)
    found = set(zip(left.tolist(), right.tolist()))
    hits = len(found & truth)
    assert hits / len(found) >= 0.95 and hits / len(truth) >= 0.95


@pytest.fixture
def embedded(con):
    vectors = planted_embeddings(400, 100, seed=1)
    rows = pa.table({"id": np.arange(len(vectors)), "emb": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), DIM)})
    con.session.duck.register("vectors", rows)
    con.execute(f"CREATE TABLE docs AS SELECT id, emb::FLOAT[{DIM}] AS emb, 'x' AS text FROM vectors")
    return con, vectors


def test_through_sql_clusters_are_groups_of_brute_force_pairs(embedded):
    con, vectors = embedded
    rows = con.execute("SELECT id, cluster_id, keep FROM semantic_duplicates(docs, emb, eps := 0.05) ORDER BY id").fetchall()
    cluster = {row_id: c for row_id, c, _ in rows}
    for i, j in brute_force_pairs(vectors, 0.95):
        assert cluster[i] == cluster[j]
    assert all(keep == (row_id == c) for row_id, c, keep in rows)
    assert sum(not keep for _, _, keep in rows) >= 50


def test_null_embeddings_and_lists(con):
    con.execute("CREATE TABLE t (id INTEGER, emb FLOAT[])")
    con.execute("INSERT INTO t VALUES (1, [1, 0]), (2, [1, 0.01]), (3, NULL), (4, NULL), (5, [0, 0]), (6, [0, 1])")
    rows = con.execute("SELECT id, cluster_id FROM semantic_duplicates(t, emb) ORDER BY id").fetchall()
    assert rows == [(1, 1), (2, 1), (3, 3), (4, 4), (5, 5), (6, 6)]


@pytest.mark.parametrize(
    "arguments, message",
    [
        ("docs, emb, eps := 0", "argument eps must be in (0.0, 1.0], got 0"),
        ("docs, emb, eps := -0.1", "argument eps must be in (0.0, 1.0]"),
        ("docs, vec", "argument emb_col: docs has no column 'vec'"),
        ("docs, text", "argument emb_col: column 'text' of docs is VARCHAR, expected an embedding"),
        ("docs, emb, clusters := 0", "argument clusters must be 'auto' or a positive integer"),
    ],
)
def test_bad_arguments(embedded, arguments, message):
    con, _ = embedded
    with pytest.raises(aidb.ProgrammingError, match="semantic_duplicates\\(\\)") as error:
        con.execute(f"SELECT * FROM semantic_duplicates({arguments})")
    assert message in str(error.value)


def test_a_lance_table(db_path):
    with aidb.connect(db_path, autocommit=True) as con:
        con.execute("CREATE TABLE v (id BIGINT, emb FLOAT[2]) WITH (storage = 'lance')")
        con.execute("INSERT INTO v VALUES (1, [1, 0]), (2, [1, 0.01]), (3, [0, 1])")
        assert con.execute("SELECT id, cluster_id FROM semantic_duplicates(v, emb) ORDER BY id").fetchall() == [(1, 1), (2, 1), (3, 3)]
        steps = dict(con.execute("EXPLAIN AIDB SELECT * FROM semantic_duplicates(v, emb)").fetchall())
        assert "lance" in steps["operator semantic_duplicates"].lower()  # the input is read from the Lance dataset
