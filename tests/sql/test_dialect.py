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
        ("CREATE MODEL x TYPE", "Expected TYPE"),
        ("DROP MODEL", "Expected a model name"),
        ("DROP VECTOR INDEX IF EXISTS", "Expected an index name"),
        ("OPTIMIZE VECTOR INDEX", "Expected an index name"),
        ("EXPLAIN AIDB", "Expected a statement after EXPLAIN AIDB"),
        ("CREATE MODEL m TYPE embedding FROM 'x' WITH (seed =)", "Expected a value for seed"),
        ("CREATE CLASSIFIER c FROM () USING 'logreg'", "Expected a SELECT query"),
        ("CREATE CLASSIFIER c FROM (SELECT 1) USING", "Expected a quoted trainer name"),
        ("CREATE VECTOR INDEX i ON t (e) USING", "Expected an index type"),
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


# sqlglot's habit (tests/dialects/test_*.py): every statement form, with every option, survives
# parse -> generate -> parse. `write` is the canonical spelling where the input has a synonym.
ROUND_TRIPS: list[tuple[str, str | None]] = [
    ("CREATE MODEL mini TYPE embedding FROM '/models/mini'", None),
    ("CREATE OR REPLACE MODEL m TYPE embedding FROM 'x' WITH (default = TRUE)", None),
    ("CREATE MODEL IF NOT EXISTS m TYPE clip FROM 'package:tiny' WITH (dim = 384, note = 'a ''b''', scale = -0.5)", None),
    ("CREATE MODEL m TYPE language FROM 'lm.arpa'", "CREATE LANGUAGE MODEL m FROM 'lm.arpa'"),
    ("CREATE MODEL m TYPE classifier FROM 'c.joblib'", "CREATE CLASSIFIER m FROM 'c.joblib'"),
    ("CREATE LANGUAGE MODEL wiki FROM 'wiki.arpa' WITH (order = 5)", None),
    ("CREATE OR REPLACE LANGUAGE MODEL wiki FROM (SELECT text FROM docs WHERE good) WITH (order := 5)",
     "CREATE OR REPLACE LANGUAGE MODEL wiki FROM (SELECT text FROM docs WHERE good) WITH (order = 5)"),
    ("CREATE CLASSIFIER q FROM (SELECT text, label FROM t) USING 'logreg'", None),
    ("CREATE OR REPLACE CLASSIFIER q FROM (SELECT text, label FROM t) USING 'fasttext' WITH (epochs = 3, \"odd key\" = NULL)", None),
    ("DROP MODEL m", None),
    ("DROP MODEL IF EXISTS \"my model\"", None),
    ("SHOW MODELS", None),
    ("show vector indexes", "SHOW VECTOR INDEXES"),
    ("SHOW AIDB FUNCTIONS", None),
    ("CREATE VECTOR INDEX e ON docs (emb)", None),
    ("CREATE VECTOR INDEX IF NOT EXISTS e ON main.docs (emb) USING IVF_PQ WITH (metric = 'cosine', num_partitions = 16)", None),
    ("CREATE OR REPLACE VECTOR INDEX e ON docs (emb) USING IVF_HNSW_SQ", None),
    ("CREATE VECTOR INDEX t_fts ON docs (text) USING FTS WITH (with_position = FALSE)", None),
    ("DROP VECTOR INDEX e", None),
    ("DROP VECTOR INDEX IF EXISTS e", None),
    ("OPTIMIZE VECTOR INDEX e", None),
    ("EXPLAIN AIDB SELECT id, text FROM docs WHERE lang = 'en' ORDER BY id LIMIT 3", None),
    ("EXPLAIN AIDB SHOW MODELS", None),
    ("EXPLAIN AIDB CREATE OR REPLACE MODEL m TYPE embedding FROM 'x' WITH (default = TRUE)", None),
    ("EXPLAIN AIDB CREATE VECTOR INDEX e ON docs (emb) USING IVF_PQ WITH (metric = 'l2')", None),
    ("EXPLAIN AIDB DROP MODEL IF EXISTS m", None),
]


@pytest.mark.parametrize("sql, write", ROUND_TRIPS)
def test_every_aidb_statement_round_trips(sql: str, write: str | None) -> None:
    tree = parse(sql)
    generated = tree.sql(dialect=AIDB)
    assert generated == (write or sql)
    assert parse(generated) == tree  # the same tree, every clause kept
    assert parse(generated).sql(dialect=AIDB) == generated
