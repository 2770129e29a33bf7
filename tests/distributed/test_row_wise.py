"""Which statements the Ray engine takes (aidb/distributed/row_wise.py): pure planning over the sqlglot tree."""

from __future__ import annotations

import pytest

import aidb
from aidb.distributed.row_wise import RayTarget, ray_target
from aidb.sql.frontend import parse_statement


@pytest.fixture(scope="module")
def catalog():
    con = aidb.connect(":memory:")
    yield con.session.catalog()
    con.close()


def _target(sql: str, catalog):
    return ray_target(parse_statement(sql).tree, catalog)


def test_row_wise_select_over_one_table_runs_per_block(catalog):
    target = _target("CREATE TABLE o AS SELECT d.id, embed(d.text) AS e, minhash(text) FROM docs AS d WHERE perplexity(text) < 100", catalog)
    assert isinstance(target, RayTarget)
    assert (target.kind, target.output_name, target.source.name) == ("create_table_as", "o", "docs")
    assert sorted(target.model_calls) == ["embed", "minhash", "perplexity"]
    assert sorted(target.model_kinds) == ["embedding", "language"]
    assert target.batch_select.sql(dialect="duckdb") == (
        "SELECT d.id, EMBED(d.text) AS e, MINHASH(text) FROM aidb_batch AS d WHERE PERPLEXITY(text) < 100"
    )
    insert = _target("INSERT INTO o SELECT docs.id, classify(docs.text, 'q') FROM docs", catalog)
    assert insert.kind == "insert" and insert.batch_select.sql(dialect="duckdb").endswith("FROM aidb_batch AS docs")


@pytest.mark.parametrize(
    "sql, reason",
    [
        ("CREATE TABLE o AS SELECT id % 2 AS k, max(perplexity(text)) FROM docs GROUP BY k", "it groups rows"),
        ("CREATE TABLE o AS SELECT id, embed(text) FROM docs ORDER BY id", "it orders rows"),
        ("CREATE TABLE o AS SELECT id, embed(text) FROM docs LIMIT 5", "it has LIMIT"),
        ("CREATE TABLE o AS SELECT DISTINCT embed(text) FROM docs", "it is DISTINCT"),
        ("CREATE TABLE o AS SELECT a.id, embed(a.text) FROM docs a JOIN b USING (id)", "it joins tables"),
        ("CREATE TABLE o AS SELECT id, minhash(text), row_number() OVER () FROM docs", "it has a window function"),
        ("CREATE TABLE o AS SELECT id, minhash(text) FROM docs WHERE id IN (SELECT id FROM b)", "it has a subquery"),
        ("CREATE TABLE o AS SELECT id, minhash(text) FROM (SELECT * FROM docs)", "it does not read one table"),
        ("CREATE TABLE o AS SELECT id, minhash(text) FROM other.docs", "its table is outside the main schema"),
        ("CREATE TABLE o AS SELECT id, perplexity(text) FROM docs WHERE id > ?", "it binds parameters"),
        ("CREATE OR REPLACE TABLE o AS SELECT id, minhash(text) FROM docs", "CREATE OR REPLACE / WITH around the statement"),
    ],
)
def test_what_is_not_row_wise_stays_in_duckdb_with_the_reason(catalog, sql, reason):
    assert _target(sql, catalog) == f"runs in DuckDB: {reason}"


def test_statements_without_model_functions_are_not_for_ray(catalog):
    assert _target("CREATE TABLE o AS SELECT id, lower(text) FROM docs", catalog) is None
    assert _target("SELECT embed(text) FROM docs", catalog) is None
    assert _target("UPDATE docs SET text = 'x'", catalog) is None
