"""ANN search through SQL against exact numpy brute force: recall@10 across filter selectivities, k rows, edge cases."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import aidb
from aidb.errors import ProgrammingError

ROWS, DIM, K = 20_000, 32, 10
SELECTIVITIES = {1.0: 1000, 0.5: 500, 0.1: 100, 0.01: 10, 0.001: 1}  # fraction -> bucket bound (bucket = id % 1000)


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    rng = np.random.default_rng(7)
    centers = rng.normal(size=(64, DIM))
    return (centers[rng.integers(0, 64, ROWS)] + 0.6 * rng.normal(size=(ROWS, DIM))).astype(np.float32)


@pytest.fixture(scope="module")
def db(tmp_path_factory, vectors):
    folder = tmp_path_factory.mktemp("vec")
    ids = np.arange(ROWS)
    table = pa.table(
        {
            "id": ids,
            "bucket": ids % 1000,
            "lang": np.where(ids % 2 == 0, "en", "fr"),
            "emb": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), DIM),
        }
    )
    pq.write_table(table, folder / "docs.parquet")
    con = aidb.connect(str(folder / "v.aidb"), autocommit=True)
    cur = con.cursor()
    cur.execute(f"CREATE TABLE docs (id BIGINT, bucket BIGINT, lang VARCHAR, emb FLOAT[{DIM}]) WITH (storage = 'lance')")
    cur.execute(f"INSERT INTO docs SELECT id, bucket, lang, emb::FLOAT[{DIM}] FROM read_parquet('{folder / 'docs.parquet'}')")
    cur.execute(f"CREATE TABLE plain AS SELECT id, bucket, emb::FLOAT[{DIM}] AS emb FROM read_parquet('{folder / 'docs.parquet'}')")
    cur.execute("CREATE VECTOR INDEX docs_emb ON docs (emb) USING IVF_PQ WITH (metric = 'cosine')")
    yield con
    con.close()


@pytest.fixture
def force_ann(db):
    """At 20k rows every filtered query would be scanned exactly; lower the bar so the ANN paths run."""
    db.execute("SET aidb_exact_scan_max_rows = 150")
    yield
    db.execute("RESET aidb_exact_scan_max_rows")


def exact_top_k(vectors: np.ndarray, query: np.ndarray, mask: np.ndarray) -> set[int]:
    cos = 1 - (vectors @ query) / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(query))
    cos = np.where(mask, cos, np.inf)
    return set(np.argsort(cos)[:K].tolist())


def vector_literal(query: np.ndarray) -> str:
    return "[" + ", ".join(f"{v:.6f}" for v in query) + f"]::FLOAT[{DIM}]"


@pytest.mark.parametrize("selectivity", list(SELECTIVITIES))
def test_recall_at_10_with_prefilter(db, vectors, force_ann, selectivity):
    rng = np.random.default_rng(11)
    bound = SELECTIVITIES[selectivity]
    mask = (np.arange(ROWS) % 1000) < bound
    recalls = []
    for _ in range(10):
        query = vectors[rng.integers(ROWS)] + 0.3 * rng.normal(size=DIM).astype(np.float32)
        rows = db.cursor().execute(
            f"SELECT id, distance(emb, {vector_literal(query)}) AS d FROM docs WHERE bucket < {bound} ORDER BY d LIMIT {K}"
        ).fetchall()
        assert len(rows) == min(K, int(mask.sum())), "k rows whenever k rows match"
        assert all((r[0] % 1000) < bound for r in rows)
        recalls.append(len({r[0] for r in rows} & exact_top_k(vectors, query, mask)) / K)
    assert np.mean(recalls) >= 0.9, f"recall@10 {np.mean(recalls):.2f} at selectivity {selectivity}"


def test_plan_choice_follows_selectivity(db, force_ann):
    def plan(where: str) -> str:
        steps = dict(db.cursor().execute(f"EXPLAIN AIDB SELECT id, distance(emb, {vector_literal(np.ones(DIM))}) AS d FROM docs {where} ORDER BY d LIMIT 10").fetchall())
        return steps["vector_search"].lower()

    assert "ann_prefilter" in plan("") and "__aidb_ann_" in plan("")  # pylance, on the index it built
    assert "ann_prefilter" in plan("WHERE bucket < 500") and '"filter": "bucket < 500"' in plan("WHERE bucket < 500")
    # few matching rows: exact, ranked in numpy among the rows the filter keeps (the table has 20,000 rows)
    assert "exact" in plan("WHERE bucket < 1") and '"exact_filter": "\\"bucket\\" < 1"' in plan("WHERE bucket < 1")
    # a filter Lance cannot evaluate (a subquery) is never pushed into the ANN search
    assert "ann_prefilter" not in plan("WHERE id IN (SELECT 1)")


def test_filter_through_subquery_is_correct(db, vectors):
    query = vectors[5]
    rows = db.cursor().execute(
        f"SELECT id FROM (SELECT id, distance(emb, {vector_literal(query)}) AS d FROM docs "
        f"WHERE id IN (SELECT id FROM plain WHERE bucket = 5) ORDER BY d LIMIT 10)"
    ).fetchall()
    assert {r[0] for r in rows} == exact_top_k(vectors, query, (np.arange(ROWS) % 1000) == 5)


def test_vector_search_table_function_matches_sql_form(db, vectors):
    query = vectors[42]
    table_fn = db.cursor().execute(f"SELECT id FROM vector_search(docs, emb, {vector_literal(query)}, k := 10, nprobes := 30)").fetchall()
    assert 42 in {r[0] for r in table_fn}
    assert len(table_fn) == 10


def test_plain_duckdb_table_is_searched_exactly(db, vectors):
    query = vectors[3]
    rows = db.cursor().execute(f"SELECT id FROM plain ORDER BY distance(emb, {vector_literal(query)}) LIMIT 10").fetchall()
    assert {r[0] for r in rows} == exact_top_k(vectors, query, np.ones(ROWS, bool))
    steps = dict(db.cursor().execute(f"EXPLAIN AIDB SELECT id FROM plain ORDER BY distance(emb, {vector_literal(query)}) LIMIT 10").fetchall())
    assert "no vector index" in steps["vector_search"]


def test_batch_search_gives_top_k_per_query(db, vectors):
    cur = db.cursor()
    cur.execute("CREATE OR REPLACE TABLE queries AS SELECT id AS qid, emb AS q FROM plain WHERE id IN (1, 2, 3)")
    rows = cur.execute("SELECT query_id, id FROM batch_vector_search(docs, emb, (SELECT qid, q FROM queries), k := 5)").fetchall()
    per_query: dict[int, set[int]] = {}
    for qid, rid in rows:
        per_query.setdefault(qid, set()).add(rid)
    assert sorted(per_query) == [1, 2, 3]
    for qid, found in per_query.items():
        assert qid in found and len(found) == 5


def test_query_vector_as_parameter_and_subquery(db, vectors):
    query = vectors[9].tolist()
    by_param = db.cursor().execute("SELECT id FROM docs ORDER BY distance(emb, ?) LIMIT 3", [query]).fetchall()
    by_subquery = db.cursor().execute("SELECT id FROM docs ORDER BY distance(emb, (SELECT emb FROM plain WHERE id = 9)) LIMIT 3").fetchall()
    assert by_param[0][0] == 9 and by_subquery[0][0] == 9


def test_dimension_mismatch_names_both_dimensions(db):
    with pytest.raises(ProgrammingError, match=r"FLOAT\[32\].*3 dimensions"):
        db.cursor().execute("SELECT id FROM docs ORDER BY distance(emb, [1, 2, 3]) LIMIT 3")


def test_unknown_metric_is_refused(db):
    with pytest.raises(ProgrammingError, match="unknown metric 'manhattan'"):
        db.cursor().execute(f"SELECT id FROM docs ORDER BY distance(emb, {vector_literal(np.ones(DIM))}, 'manhattan') LIMIT 3")
    with pytest.raises(ProgrammingError, match="unknown metric 'hamming'"):
        db.cursor().execute("CREATE VECTOR INDEX bad ON docs (emb) USING IVF_FLAT WITH (metric = 'hamming')")


def test_index_on_non_vector_column_is_refused(db):
    with pytest.raises(ProgrammingError, match="not a fixed-width vector column"):
        db.cursor().execute("CREATE VECTOR INDEX bad ON docs (lang) USING IVF_PQ")
    with pytest.raises(ProgrammingError, match="DuckDB table"):
        db.cursor().execute("CREATE VECTOR INDEX bad ON plain (emb) USING IVF_PQ")
