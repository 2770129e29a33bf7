"""Rewritten select items keep the names the user wrote."""

from __future__ import annotations


def test_rewritten_unaliased_items_are_named_as_written(con) -> None:
    cursor = con.execute("SELECT normalize_text(text => 'A b'), normalize_text('C') AS c, 1 + 1")
    assert [d[0] for d in cursor.description] == ["normalize_text(text => 'A b')", "c", "(1 + 1)"]
    assert cursor.fetchall() == [("a b", "c", 2)]


def test_created_table_columns_keep_their_names(con) -> None:
    con.execute("CREATE TABLE t AS SELECT minhash('a b c d e f', ngram := 2) FROM range(1)")
    assert con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 't'").fetchall() == [
        ("minhash('a b c d e f', ngram := 2)",)
    ]
