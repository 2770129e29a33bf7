"""The per-session plan cache: a repeated statement is planned once, and a catalog change plans it again."""

from __future__ import annotations

import pytest

import aidb
from aidb.engine import session as session_module
from aidb.errors import ProgrammingError
from aidb.engine.plan_cache import LruCache


def test_least_recently_used_entry_is_evicted_first():
    cache: LruCache[int] = LruCache(size=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (1, None, 3, 2)
    cache.put("x" * 10_000, 4)  # a long one-off text (a vector literal) is not kept
    assert cache.get("x" * 10_000) is None and len(cache) == 2


def test_repeated_statement_is_planned_once(con, monkeypatch):
    calls: list[str] = []
    real = session_module.plan_statement

    def counting(statement, catalog):
        calls.append(statement.text)
        return real(statement, catalog)

    monkeypatch.setattr(session_module, "plan_statement", counting)
    query = "SELECT normalize_text(?) AS t"
    assert [con.execute(query, [text]).fetchall() for text in ("A  b", "C")] == [[("a b",)], [("c",)]]
    assert calls == [query]
    con.session.invalidate_catalog()
    assert con.execute(query, ["D"]).fetchall() == [("d",)]
    assert calls == [query, query]


def test_cached_plan_is_replanned_when_the_table_changes(db_path):
    connection = aidb.connect(str(db_path), autocommit=True)
    try:
        query = "SELECT id FROM docs ORDER BY distance(emb, [1, 0]) LIMIT 1"
        connection.execute("CREATE TABLE docs (id BIGINT, emb FLOAT[2]) WITH (storage = 'lance')")
        connection.execute("INSERT INTO docs VALUES (1, [1, 0]), (2, [0, 1])")
        assert connection.execute(query).fetchall() == [(1,)]
        connection.execute("DROP TABLE docs")
        connection.execute("CREATE TABLE docs (id BIGINT, emb FLOAT[3]) WITH (storage = 'lance')")
        with pytest.raises(ProgrammingError, match=r"docs.emb is FLOAT\[3\] but the query vector has 2 dimensions"):
            connection.execute(query)
    finally:
        connection.close()
