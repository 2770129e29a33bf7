"""why_dropped(): the pass over recorded removal tables, and the answer through a connection."""

from __future__ import annotations

import pytest
import sqlglot

import aidb
from aidb.errors import ProgrammingError
from aidb.sql.catalog_view import CatalogView
from aidb.sql.dialect import AIDB
from aidb.sql.rewrite_why_dropped import rewrite_why_dropped
from aidb.catalog_records import RemovalTableRecord

RECORDS = (
    RemovalTableRecord(1, "clean", "docs_removed_old", "dedup", "docs"),
    RemovalTableRecord(4, "clean", "docs_removed", "dedup", "docs"),
)


def test_latest_run_of_the_table_is_queried():
    tree = sqlglot.parse_one("SELECT method FROM why_dropped('clean', 42)", read=AIDB)
    sql = rewrite_why_dropped(tree, CatalogView(removal_tables=RECORDS)).sql(dialect="duckdb")
    assert "FROM docs_removed AS r" in sql and "WHERE removals.id = CAST(42 AS TEXT)" in sql
    assert "docs_removed_old" not in sql and "4 AS run_id" in sql


def test_unknown_table_and_bad_calls():
    catalog = CatalogView(removal_tables=RECORDS)
    with pytest.raises(ProgrammingError, match="no removals are recorded for 'cleen'. Did you mean: clean?"):
        rewrite_why_dropped(sqlglot.parse_one("SELECT * FROM why_dropped('cleen', 1)", read=AIDB), catalog)
    with pytest.raises(ProgrammingError, match="expected why_dropped\\('table', id\\)"):
        rewrite_why_dropped(sqlglot.parse_one("SELECT * FROM why_dropped('clean')", read=AIDB), catalog)


def test_why_dropped_answers_which_step_and_duplicate(db_path):
    with aidb.connect(db_path, autocommit=True) as con:
        con.execute(
            "CREATE TABLE docs AS SELECT i AS id, CASE WHEN i < 3 THEN 'one text, three times' "
            "ELSE 'row ' || chr(65 + i::INTEGER) || ' says something of its own' END AS text FROM range(8) t(i)"
        )
        con.execute("CREATE TABLE clean AS SELECT * FROM dedup(docs, text, methods := ['exact', 'fuzzy'], keep := 'first')")
        rows = con.execute("SELECT step, method, duplicate_of, kept_id, similarity, input_table FROM why_dropped('clean', 2)").fetchall()
        assert rows == [("dedup", "exact", "0", "0", 1.0, "docs")]
        assert con.execute("SELECT * FROM why_dropped(clean, ?)", [5]).fetchall() == []  # kept
        assert con.execute("SELECT removal_table, step FROM aidb.removal_tables").fetchall() == [("docs_removed", "dedup")]
    with aidb.connect(db_path) as con:  # recorded in the file: a later session answers too
        assert con.execute("SELECT rule FROM why_dropped('clean', 1)").fetchone() == ("exact_duplicates normalize=true",)


def test_the_chain_of_inputs_is_followed_earliest_step_first():
    records = (
        RemovalTableRecord(2, "filtered", "corpus_filtered_out", "quality_filter", "corpus"),
        RemovalTableRecord(3, "clean", "filtered_removed", "dedup", "filtered"),
        RemovalTableRecord(5, "other", "x_removed", "dedup", "x"),
    )
    tree = sqlglot.parse_one("SELECT * FROM why_dropped('clean', 7)", read=AIDB)
    sql = rewrite_why_dropped(tree, CatalogView(removal_tables=records)).sql(dialect="duckdb")
    assert sql.index("FROM corpus_filtered_out AS r") < sql.index("FROM filtered_removed AS r") and "x_removed" not in sql


def test_a_bound_id_binds_once_along_the_chain(con):
    english = "The quick brown fox jumps over the lazy dog and then runs back into the forest before night."
    con.execute("CREATE TABLE docs AS SELECT * FROM (VALUES (0, $e), (1, $e), (2, 'Ceci est une phrase en français, écrite pour ce test.'), "
                "(3, 'A second English sentence tells of the weather in the northern hills this week.')) v(id, text)", {"e": english})
    con.execute("CREATE TABLE filtered AS SELECT * FROM quality_filter(docs, text, filters := ['lang_id'], lang := 'en')")
    con.execute("CREATE TABLE clean AS SELECT * FROM dedup(filtered, text, methods := ['exact'], keep := 'first')")
    rows = con.execute(
        "SELECT id, step, method FROM why_dropped('clean', ?) UNION ALL SELECT id, step, method FROM why_dropped('clean', ?)", [1, 2]
    ).fetchall()
    assert sorted(rows) == [("1", "dedup", "exact"), ("2", "quality_filter", "lang_id")]
