"""quality_filter(): the same decisions as the filter functions, one removal row per dropped row naming the first
filter, why_dropped through a dedup() that read its output, and bad arguments."""

from __future__ import annotations

import pyarrow as pa
import pytest

import aidb
from filter_corpus import filter_corpus
from language_samples import man_page_paragraphs

FILTERS = "['lang_id', 'gopher_quality', 'gopher_repetition', 'c4_quality', 'fineweb_quality']"


@pytest.fixture
def docs(con):
    """200 documents of real text and generated junk, 10 French paragraphs, a NULL text."""
    texts = filter_corpus(200, seed=5) + man_page_paragraphs("fr", 10, min_chars=400) + [None]
    con.session.duck.register("rows", pa.table({"id": list(range(len(texts))), "text": texts}))
    con.execute("CREATE TABLE docs AS SELECT * FROM rows")
    con.session.duck.unregister("rows")
    return con


def test_keeps_what_every_filter_keeps_and_records_the_first_that_dropped(docs):
    docs.execute(f"CREATE TABLE kept AS SELECT * FROM quality_filter(docs, text, filters := {FILTERS}, lang := 'en')")
    decisions = docs.execute(
        "SELECT id, lang_id(text).lang, gopher_quality(text).reason, gopher_repetition(text).reason, "
        "c4_quality(text).reason, fineweb_quality(text).reason, text IS NULL FROM docs ORDER BY id"
    ).fetchall()
    expected_method = {}
    for row_id, lang, *reasons, null in decisions:
        names = ["lang_id", "gopher_quality", "gopher_repetition", "c4_quality", "fineweb_quality"]
        failed = [n for n, r in zip(names, [None if lang == "en" else "other", *reasons]) if r is not None]
        if null or failed:
            expected_method[row_id] = "lang_id" if null else failed[0]
    kept = {i for (i,) in docs.execute("SELECT id FROM kept").fetchall()}
    removed = dict(docs.execute("SELECT id, method FROM docs_filtered_out").fetchall())
    assert removed == expected_method and kept.isdisjoint(removed) and len(kept) + len(removed) == len(decisions)
    assert 0 < len(kept) < len(decisions) - 10
    assert {removed[i] for i in range(200, 210)} == {"lang_id"}  # the French paragraphs
    assert docs.execute("SELECT rule FROM docs_filtered_out WHERE id = 210").fetchone() == ("lang_id: NULL text",)
    rules = dict(docs.execute("SELECT method, any_value(rule) FROM docs_filtered_out WHERE id < 200 GROUP BY method").fetchall())
    assert rules["gopher_quality"].startswith("gopher_quality: gopher_") and "datatrove's default" in rules["gopher_quality"]
    french = docs.execute("SELECT rule FROM docs_filtered_out WHERE id = 200").fetchone()[0]
    assert french.startswith("lang_id: fr (score ") and "wanted en" in french


def test_why_dropped_follows_a_dedup_back_to_the_filter(docs):
    docs.execute("INSERT INTO docs SELECT 1000 + id, text FROM docs WHERE id < 200")  # every document twice
    docs.execute("CREATE TABLE filtered AS SELECT * FROM quality_filter(docs, text, filters := ['gopher_quality'])")
    docs.execute("CREATE TABLE clean AS SELECT * FROM dedup(filtered, text, methods := ['exact'], keep := 'first')")
    dropped = docs.execute("SELECT min(id) FROM docs_filtered_out").fetchone()[0]
    steps = docs.execute(f"SELECT table_name, step, method, input_table FROM why_dropped('clean', {dropped})").fetchall()
    assert steps == [("filtered", "quality_filter", "gopher_quality", "docs")]
    copy = docs.execute("SELECT min(id) FROM filtered_removed").fetchone()[0]
    assert docs.execute(f"SELECT step, method FROM why_dropped('clean', {copy})").fetchall() == [("dedup", "exact")]


def test_perplexity_cut_names_the_value_the_limit_and_the_model(con):
    con.execute("CREATE TABLE docs AS SELECT 1 AS id, 'The function returns a list of the values.' AS text "
                "UNION ALL SELECT 2, 'qzx vbnk wplf ghjr tyuq'")
    con.execute("CREATE TABLE kept AS SELECT * FROM quality_filter(docs, text, filters := ['perplexity'], max_perplexity := 5000)")
    assert con.execute("SELECT id FROM kept").fetchall() == [(1,)]
    rule = con.execute("SELECT rule FROM docs_filtered_out").fetchone()[0]
    assert rule.startswith("perplexity: ") and "> max_perplexity 5000 (the default language model)" in rule


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("filters := ['gopher', 'c4_quality']", "argument filters must be a list of distinct filters"),
        ("filters := ['lang_id']", "filter 'lang_id' needs the languages to keep"),
        ("filters := ['perplexity']", "filter 'perplexity' needs a limit: max_perplexity"),
        ("filters := ['perplexity'], max_perplexity := -1", "max_perplexity must be a positive number"),
        ("lang := 'en'", "lang is given but 'lang_id' is not in filters"),
        ("filters := ['lang_id'], lang := 'en', min_lang_score := 2", "min_lang_score must be in"),
    ],
)
def test_bad_arguments_name_themselves_and_write_nothing(con, arguments, message):
    con.execute("CREATE TABLE docs AS SELECT 1 AS id, 'some text' AS text")
    with pytest.raises(aidb.ProgrammingError, match=message):
        con.execute(f"CREATE TABLE kept AS SELECT * FROM quality_filter(docs, text, {arguments})")
    tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert not {"kept", "docs_filtered_out"} & tables


def test_a_subquery_input_needs_a_removal_table_name(con):
    con.execute("CREATE TABLE docs AS SELECT 1 AS id, 'some text' AS text")
    with pytest.raises(aidb.ProgrammingError, match="name the removal table"):
        con.execute("SELECT * FROM quality_filter((SELECT * FROM docs), text)")
    assert con.execute("SELECT count(*) FROM quality_filter((SELECT * FROM docs), text, removed := 'gone')").fetchone() == (0,)
