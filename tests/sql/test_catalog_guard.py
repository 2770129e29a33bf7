"""Plain SQL may read aidb's catalog schema but never write it."""

from __future__ import annotations

import pytest

from aidb.sql.catalog_guard import catalog_write
from aidb.sql.frontend import parse_statement


@pytest.mark.parametrize(
    "sql, written",
    [
        ("DROP SCHEMA aidb CASCADE", "aidb"),
        ("DROP TABLE aidb.models, t", "aidb.models"),
        ("TRUNCATE aidb.models", "aidb.models"),
        ("COPY aidb.models FROM 'x.csv'", "aidb.models"),
        ("CREATE OR REPLACE TABLE aidb.models AS SELECT 1", "aidb.models"),
        ("ALTER TABLE aidb.models RENAME TO m2", "aidb.models"),
        ("INSERT OR REPLACE INTO aidb.models SELECT 1", "aidb.models"),
        ('DELETE FROM "AIDB"."schema_migrations"', "aidb.schema_migrations"),
        ("UPDATE mydb.aidb.models SET source = 'x'", "aidb.models"),
        ("CREATE MACRO aidb.f() AS 1", "aidb.f"),
        ("COMMENT ON TABLE aidb.models IS 'x'", "aidb.models"),
        ("USE aidb", "aidb"),
        ("SET search_path = 'main,aidb'", "aidb"),
        ("SET schema = 'aidb'", "aidb"),
        ("SELECT * FROM aidb.models", None),
        ("COPY aidb.models TO 'x.csv'", None),
        ("INSERT INTO t SELECT * FROM aidb.models", None),
        ("CREATE VIEW v AS SELECT * FROM aidb.models", None),
        ("DROP TABLE t", None),
        ("USE main", None),
        ("SET threads = 2", None),
    ],
)
def test_catalog_writes_are_found(sql: str, written: str | None) -> None:
    statement = parse_statement(sql)
    assert catalog_write(statement.tree, statement.text) == written


def test_statements_sqlglot_cannot_parse_are_checked_by_their_words() -> None:
    assert catalog_write(None, "DELETE FROM aidb . models USING some_future_syntax") == "aidb"
    assert catalog_write(None, "PRAGMA something aidb.models") is None
