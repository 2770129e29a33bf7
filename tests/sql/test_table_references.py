"""Which names a statement reads as plain tables (the candidates for a replacement scan)."""

from __future__ import annotations

import sqlglot

from aidb.sql.dialect import AIDB
from aidb.sql.table_references import unqualified_table_names


def names(sql: str) -> tuple[str, ...]:
    return unqualified_table_names(sqlglot.parse_one(sql, read=AIDB))


def test_unqualified_tables_outside_ctes() -> None:
    assert names("WITH c AS (SELECT * FROM df) SELECT * FROM c JOIN main.t ON true JOIN other o ON true") == ("df", "other")
    assert names("SELECT * FROM range(3)") == ()
    assert names("INSERT INTO target SELECT * FROM frame") == ("frame", "target")
