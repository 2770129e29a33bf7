"""Which names a statement reads as plain tables (the candidates for a replacement scan)."""

from __future__ import annotations

import sqlglot

from aidb.sql.dialect import AIDB
from aidb.sql.table_references import single_scanned_table, unqualified_table_names


def names(sql: str) -> tuple[str, ...]:
    return unqualified_table_names(sqlglot.parse_one(sql, read=AIDB))


def test_unqualified_tables_outside_ctes() -> None:
    assert names("WITH c AS (SELECT * FROM df) SELECT * FROM c JOIN main.t ON true JOIN other o ON true") == ("df", "other")
    assert names("SELECT * FROM range(3)") == ()
    assert names("INSERT INTO target SELECT * FROM frame") == ("frame", "target")


def test_the_single_scanned_table() -> None:
    def scanned(sql: str) -> str | None:
        table = single_scanned_table(sqlglot.parse_one(sql, read=AIDB))
        return None if table is None else table.sql(dialect=AIDB)

    assert scanned("SELECT embed(text) FROM docs WHERE id > 3") == "docs"
    assert scanned("CREATE TABLE t AS SELECT embed(text) FROM main.docs AS d") == "main.docs AS d"
    assert scanned("INSERT INTO t SELECT embed(text) FROM aidb_lance.main.docs") == "aidb_lance.main.docs"
    assert scanned("SELECT * FROM a JOIN b ON a.id = b.id") is None
    assert scanned("SELECT * FROM range(10)") is None
    assert scanned("SELECT 1") is None
