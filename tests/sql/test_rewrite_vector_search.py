"""The vector search passes on their own: AST in, AST out, catalog facts as data."""

from __future__ import annotations

import re

import pytest
import sqlglot
from sqlglot import exp

from aidb.errors import ProgrammingError
from aidb.sql.catalog_view import CatalogView
from aidb.sql.dialect import AIDB
from aidb.sql.rewrite_vector_search import rewrite_vector_search
from aidb.sql.rewrite_vector_tables import rewrite_vector_tables
from aidb.sql.vector_plan import estimate_selectivity
from aidb.sql.search_calls import searches_in
from aidb.catalog_records import VectorIndexInfo, VectorTableInfo

DOCS = VectorTableInfo(
    name="docs",
    storage="lance",
    sql_name="aidb_lance.main.docs",
    dataset="/data/x.aidb.lance/docs.lance",
    columns=("id", "lang", "year", "emb"),
    vector_columns={"emb": 4},
    row_count=1_000_000,
    ndv={"lang": 10},
    ranges={"year": (2000.0, 2020.0)},
    indexes={"emb": VectorIndexInfo("docs_emb", "emb", "IVF_PQ", "l2", {"num_partitions": 1000, "nprobes": 50, "refine_factor": 10})},
)
CATALOG = CatalogView(vector_tables={"docs": DOCS})


def rewritten(sql: str) -> str:
    tree = rewrite_vector_tables(rewrite_vector_search(sqlglot.parse_one(sql, read=AIDB), CATALOG), CATALOG)
    return tree.sql(dialect=AIDB).lower()


def test_top_k_with_pushable_filter_becomes_prefiltered_ann():
    sql = rewritten("SELECT id, distance(emb, [1, 2, 3, 4]) AS d FROM docs WHERE lang = 'en' ORDER BY d LIMIT 10")
    assert "lance_vector_search('/data/x.aidb.lance/docs.lance', 'emb'" in sql
    assert "prefilter := true" in sql and "refine_factor := 10" in sql
    assert "sqrt(docs._distance) as d" in sql  # Lance reports squared L2
    assert "ann_prefilter" in sql


def test_few_matching_rows_of_a_large_table_use_prefiltered_ann_with_more_probes():
    sql = rewritten("SELECT id FROM docs WHERE year < 2000.05 ORDER BY distance(emb, [1, 2, 3, 4]) LIMIT 10")
    # about 2500 of 1M rows match: 80 of 1000 partitions hold ~200 of them (20 candidates per result row)
    assert "ann_prefilter" in sql and "prefilter := true" in sql
    assert int(re.search(r"nprobs := (\d+)", sql).group(1)) in (80, 81)  # 81 when the estimate rounds below 2500


def test_hnsw_index_scans_few_matching_rows_exactly_instead_of_probing_more_partitions():
    hnsw = VectorIndexInfo("docs_emb", "emb", "IVF_HNSW_SQ", "l2", {"num_partitions": 1000, "nprobes": 50, "refine_factor": 10})
    catalog = CatalogView(vector_tables={"docs": VectorTableInfo(**{**DOCS.__dict__, "indexes": {"emb": hnsw}})})

    def plan(where: str) -> str:
        sql = f"SELECT id FROM docs WHERE {where} ORDER BY distance(emb, [1, 2, 3, 4]) LIMIT 10"
        return rewrite_vector_search(sqlglot.parse_one(sql, read=AIDB), catalog).sql(dialect=AIDB).lower()

    # ~2500 rows match: IVF_PQ would probe 80 partitions (above); 80 HNSW walks cost more than 2500 distances
    assert "exact" in plan("year < 2000.05") and "hnsw" in plan("year < 2000.05")
    # ~100k rows match: the default 50 probes already hold enough of them, so the index is used
    assert "ann_prefilter" in plan("lang = 'en'")


def test_selective_filter_becomes_exact_scan():
    sql = rewritten("SELECT id FROM docs WHERE year < 2000.001 ORDER BY distance(emb, [1, 2, 3, 4]) LIMIT 10")
    assert "exact" in sql and "array_distance(docs.emb, cast([1, 2, 3, 4] as real[4]))" in sql
    assert "aidb_lance.main.docs as docs" in sql and "not docs.emb is null" in sql


def test_filter_lance_cannot_evaluate_is_post_filtered():
    sql = rewritten("SELECT id FROM docs WHERE id IN (SELECT id FROM other) ORDER BY distance(emb, [1, 2, 3, 4]) LIMIT 10")
    assert "ann_postfilter" in sql and "prefilter := false" in sql


def test_other_metric_than_the_index_runs_exactly():
    sql = rewritten("SELECT id FROM docs ORDER BY distance(emb, [1, 2, 3, 4], 'cosine') LIMIT 10")
    assert "array_cosine_distance" in sql and "lance_vector_search" not in sql


def test_selectivity_uses_statistics():
    where = sqlglot.parse_one("SELECT 1 FROM docs WHERE lang = 'en' AND year >= 2010", read=AIDB).args["where"]
    assert estimate_selectivity(where, DOCS) == pytest.approx(1 / 10 * 0.5)


def test_dimension_mismatch_is_reported():
    with pytest.raises(ProgrammingError, match=r"docs.emb is FLOAT\[4\] but the query vector has 2 dimensions"):
        rewritten("SELECT id FROM docs ORDER BY distance(emb, [1, 2]) LIMIT 3")


def test_plain_sql_is_left_alone():
    tree = sqlglot.parse_one("SELECT 1 FROM other", read=AIDB)
    assert rewrite_vector_search(tree, CATALOG) is tree


PYLANCE_INDEX = VectorIndexInfo("docs_emb", "emb", "IVF_HNSW_SQ", "l2", {"num_partitions": 1000, "nprobes": 50, "refine_factor": 10, "built_with": "pylance"})
PYLANCE_DOCS = VectorTableInfo(
    **{**DOCS.__dict__, "indexes": {"emb": PYLANCE_INDEX}, "column_types": {"id": "BIGINT", "lang": "VARCHAR", "year": "INTEGER", "emb": "FLOAT[4]"}}
)


def pylance_rewritten(sql: str) -> exp.Expression:
    return rewrite_vector_search(sqlglot.parse_one(sql, read=AIDB), CatalogView(vector_tables={"docs": PYLANCE_DOCS}))


def test_index_built_by_pylance_is_searched_by_the_pylance_function():
    tree = pylance_rewritten("SELECT id, distance(emb, [1, 2, 3, 4]) AS d FROM docs WHERE lang = 'en' ORDER BY d LIMIT 10")
    (search,) = searches_in(tree).values()
    assert search.columns == ("id", "lang")  # what the query reads, not the vector column
    assert search.filter == "lang = 'en'" and (search.k, search.nprobes, search.refine_factor) == (10, 50, 10)
    assert search.returns == 'STRUCT("id" BIGINT, "lang" VARCHAR, _distance FLOAT)[]'
    sql = tree.sql(dialect=AIDB).lower()
    assert "lance_vector_search" not in sql and "max_depth := 2)) as docs" in sql
    assert "sqrt(docs._distance) as d" in sql and "where lang = 'en'" in sql  # DuckDB checks the filter again


def test_filter_lance_cannot_evaluate_is_not_sent_to_lance():
    tree = pylance_rewritten("SELECT id FROM docs WHERE id IN (SELECT id FROM other) ORDER BY distance(emb, [1, 2, 3, 4]) LIMIT 10")
    (search,) = searches_in(tree).values()
    assert search.filter is None and search.k > 10  # over-fetch, DuckDB filters after


def test_positional_parameters_are_numbered_in_written_order():
    tree = pylance_rewritten("SELECT id FROM docs WHERE lang = ? ORDER BY distance(emb, ?) LIMIT 10")
    sql = tree.sql(dialect=AIDB)
    assert "CAST($2 AS REAL[4])" in sql and "lang = $1" in sql


@pytest.mark.parametrize(
    "sql, columns",
    [
        ("SELECT id FROM vector_search(docs, emb, [1, 2, 3, 4], k := 3)", ("id",)),
        ("SELECT v.year FROM vector_search(docs, emb, [1, 2, 3, 4], k := 3) AS v WHERE lang = 'en'", ("lang", "year")),
        ("SELECT * FROM vector_search(docs, emb, [1, 2, 3, 4], k := 3)", ("id", "lang", "year", "emb")),
        ("SELECT v FROM vector_search(docs, emb, [1, 2, 3, 4], k := 3) AS v", ("id", "lang", "year", "emb")),
        ("SELECT count(*) FROM vector_search(docs, emb, [1, 2, 3, 4], k := 3)", ("id", "lang", "year", "emb")),
    ],
)
def test_vector_search_fetches_only_the_columns_the_statement_reads(sql, columns):
    (search,) = searches_in(pylance_rewritten(sql)).values()
    assert search.columns == columns


def test_a_filter_with_parameters_carries_the_prefiltered_search_to_run_once_bound():
    tree = pylance_rewritten("SELECT id FROM docs WHERE lang = ? AND year >= ? ORDER BY distance(emb, ?) LIMIT 10")
    (search,) = searches_in(tree).values()
    assert search.filter is None and search.k > 10  # inside DuckDB: over-fetch
    assert search.bound_filter == ("lang = ", "1", " AND year >= ", "2", "")
    assert (search.bound_k, search.bound_nprobes) == (10, 50)
    bound = search.bound(lambda name: {"1": "it's", "2": 2010}[name])
    assert (bound.filter, bound.k, bound.nprobes, bound.bound_filter) == ("lang = 'it''s' AND year >= 2010", 10, 50, None)
    assert search.bound(lambda name: None) is None  # NULL has no literal to compare with


def test_a_literal_query_vector_carries_no_bound_search():
    tree = pylance_rewritten("SELECT id FROM docs WHERE lang = ? ORDER BY distance(emb, [1, 2, 3, 4]) LIMIT 10")
    (search,) = searches_in(tree).values()
    assert search.bound_filter is None  # the search runs inside DuckDB, where the parameters are not known
