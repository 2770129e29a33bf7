"""Splitting scripts into statements keeps each statement's original text."""

from __future__ import annotations

from aidb.sql.split import split_statements


def test_semicolons_inside_strings_comments_and_dollar_quotes_do_not_split() -> None:
    script = "SELECT 'a;b' AS x; -- c;d\nSELECT $$e;f$$ ; SELECT 3"
    assert split_statements(script) == ["SELECT 'a;b' AS x", "SELECT $$e;f$$", "SELECT 3"]


def test_empty_statements_and_trailing_semicolon() -> None:
    assert split_statements(" ;; SELECT 1;; ") == ["SELECT 1"]
    assert split_statements("   ") == []
