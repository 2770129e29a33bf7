"""Stored views and macros name aidb's macros by their persisted copies (`aidb_fn.<macro>`); queries do not."""

from __future__ import annotations

import sqlglot

from aidb.sql.catalog_view import CatalogView, FunctionInfo
from aidb.sql.dialect import AIDB
from aidb.sql.rewrite_persisted_macros import rewrite_persisted_macros

CATALOG = CatalogView(
    functions={
        "word_count": FunctionInfo("word_count", "macro", "text_stats", (), "ANY", "doc", "word_count(text) -> ANY"),
        "normalize_text": FunctionInfo("normalize_text", "udf", "text", (), "VARCHAR", "doc", "normalize_text(text)"),
    }
)


def rewritten(sql: str) -> str:
    return rewrite_persisted_macros(sqlglot.parse_one(sql, read=AIDB), CATALOG).sql(dialect=AIDB)


def test_a_view_calls_the_persisted_macros() -> None:
    assert rewritten("CREATE VIEW v AS SELECT word_count(text) AS n, normalize_text(text) FROM docs WHERE Word_Count(text) > 2") == (
        "CREATE VIEW v AS SELECT aidb_fn.word_count(text) AS n, NORMALIZE_TEXT(text) FROM docs WHERE aidb_fn.Word_Count(text) > 2"
    )
    assert rewritten("CREATE MACRO long_doc(t) AS word_count(t) > 100") == "CREATE MACRO long_doc(t) AS aidb_fn.word_count(t) > 100"


def test_queries_temporary_views_and_qualified_calls_are_left_alone() -> None:
    for sql in (
        "SELECT word_count(text) FROM docs",
        "CREATE TEMPORARY VIEW v AS SELECT word_count(text) FROM docs",
        "CREATE TABLE t AS SELECT word_count(text) AS n FROM docs",
        "CREATE VIEW v AS SELECT aidb_fn.word_count(text) FROM docs",
        "CREATE VIEW v AS SELECT main.word_count(text) FROM docs",
    ):
        assert rewritten(sql) == sqlglot.parse_one(sql, read=AIDB).sql(dialect=AIDB)
