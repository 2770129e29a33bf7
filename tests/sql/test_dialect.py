"""The aidb dialect parses aidb's statements and leaves DuckDB's alone."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

import aidb
from aidb.sql import statements as st
from aidb.sql.dialect import AIDB
from aidb.sql.frontend import parse_script


def parse(sql: str) -> exp.Expression:
    return sqlglot.parse_one(sql, read=AIDB)


def test_create_model_with_options() -> None:
    node = parse("CREATE MODEL mini TYPE embedding FROM '/models/mini' WITH (dim = 384, default = true, note = 'x')")
    assert isinstance(node, st.CreateModel)
    assert node.this.name == "mini" and node.args["kind"].name == "embedding"
    assert node.args["source"].name == "/models/mini"
    assert st.options_dict(node) == {"dim": 384, "default": True, "note": "x"}


def test_create_language_model_from_query_and_classifier_using() -> None:
    lm = parse("CREATE OR REPLACE LANGUAGE MODEL wiki FROM (SELECT text FROM docs WHERE good) WITH (order := 5)")
    assert lm.args["kind"].name == "language" and lm.args["replace"]
    assert isinstance(lm.args["source"], exp.Subquery)
    assert st.options_dict(lm) == {"order": 5}
    clf = parse("CREATE CLASSIFIER q FROM (SELECT text, label FROM t) USING 'logreg'")
    assert clf.args["kind"].name == "classifier" and clf.args["using"].name == "logreg"


def test_vector_index_statements() -> None:
    node = parse("CREATE VECTOR INDEX IF NOT EXISTS e ON main.docs (emb) USING IVF_PQ WITH (metric = 'cosine', nlist = 16)")
    assert isinstance(node, st.CreateVectorIndex) and node.args["exists"]
    assert node.args["table"].sql() == "main.docs" and node.args["column"].name == "emb"
    assert node.args["index_type"].name == "IVF_PQ"
    assert isinstance(parse("DROP VECTOR INDEX IF EXISTS e"), st.DropVectorIndex)
    assert isinstance(parse("OPTIMIZE VECTOR INDEX e"), st.OptimizeVectorIndex)


@pytest.mark.parametrize("sql, what", [("SHOW MODELS", "MODELS"), ("show vector indexes", "VECTOR INDEXES"), ("SHOW AIDB FUNCTIONS", "FUNCTIONS")])
def test_show(sql: str, what: str) -> None:
    node = parse(sql)
    assert isinstance(node, st.Show) and node.this.name == what


def test_explain_aidb_wraps_a_statement() -> None:
    node = parse("EXPLAIN AIDB SELECT 1")
    assert isinstance(node, st.ExplainAidb) and isinstance(node.this, exp.Select)


def test_plain_duckdb_show_and_create_still_parse_as_duckdb() -> None:
    assert not isinstance(parse("SHOW TABLES"), st.AidbStatement)
    assert isinstance(parse("CREATE TABLE model (x INT)"), exp.Create)


@pytest.mark.parametrize(
    "sql, message",
    [
        ("CREATE MODEL m TYPE bogus FROM 'x'", r"line 1, column \d+: Unknown model type 'bogus'"),
        ("CREATE MODEL m FROM 'x'", "Expected TYPE"),
        ("CREATE MODEL m TYPE embedding", "Expected FROM"),
        ("CREATE VECTOR INDEX i ON t (a, b)", "exactly one column"),
    ],
)
def test_bad_aidb_statements_name_the_problem_and_position(sql: str, message: str) -> None:
    with pytest.raises(aidb.ProgrammingError, match=message):
        parse_script(sql)


def test_error_names_which_statement_of_a_script() -> None:
    with pytest.raises(aidb.ProgrammingError, match="statement 2 of 2"):
        parse_script("SELECT 1; CREATE MODEL m TYPE nope FROM 'x'")


def test_parameter_casts_parse_as_duckdb_reads_them(con) -> None:
    assert parse("SELECT ?::BLOB").sql(dialect=AIDB) == "SELECT CAST(? AS BLOB)"
    assert con.execute("SELECT normalize_text(?::VARCHAR)", ["A-b"]).fetchall() == [("a b",)]
