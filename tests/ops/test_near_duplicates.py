"""near_duplicates(): quality against brute-force exact Jaccard on real paragraphs, and its arguments."""

from __future__ import annotations

import pyarrow as pa
import pytest

import aidb
from dedup_corpus import cluster_pairs, jaccard_pairs, planted_corpus, precision_recall


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    return planted_corpus(3000, 800)


@pytest.fixture(scope="module")
def truth(corpus: list[str]) -> set[tuple[int, int]]:
    return jaccard_pairs(corpus, 0.8)


@pytest.fixture(scope="module")
def docs(corpus: list[str]):
    con = aidb.connect(":memory:", autocommit=True)
    con.session.duck.register("planted", pa.table({"id": list(range(len(corpus))), "text": corpus}))
    con.execute("CREATE TABLE docs AS SELECT * FROM planted")
    yield con
    con.close()


def _clusters(con, sql: str) -> list[int]:
    return [cluster for _, cluster in con.execute(sql).fetchall()]


def test_defaults_find_pairs_at_jaccard_08_with_precision_and_recall_095(docs, truth):
    assert len(truth) > 150  # planted copies plus the machine's own near-duplicate paragraphs
    found = cluster_pairs(_clusters(docs, "SELECT id, cluster_id FROM near_duplicates(docs, text) ORDER BY id"))
    precision, recall = precision_recall(found, truth)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)


def test_minhash_verification_is_an_estimate_near_the_threshold(docs, truth):
    sql = "SELECT id, cluster_id FROM near_duplicates(docs, text, verify := 'minhash') ORDER BY id"
    precision, recall = precision_recall(cluster_pairs(_clusters(docs, sql)), truth)
    assert precision >= 0.75 and recall >= 0.8, (precision, recall)


def test_one_row_kept_per_cluster_and_similarity_to_kept(docs):
    rows = docs.execute("SELECT id, cluster_id, keep, similarity_to_kept FROM near_duplicates(docs, text)").fetchall()
    kept = {cluster for _, cluster, keep, _ in rows if keep}
    assert {cluster for _, cluster, _, _ in rows} == kept
    for row_id, cluster, keep, similarity in rows:
        assert keep == (row_id == cluster)
        assert row_id >= cluster  # the smallest id of a cluster is kept
        assert (similarity == 1.0) if keep else (0.5 <= similarity <= 1.0)


def test_null_and_empty_texts_are_nobodys_duplicates(con):
    con.execute("CREATE TABLE t (id INTEGER, text VARCHAR)")
    con.execute("INSERT INTO t VALUES (1, NULL), (2, NULL), (3, ''), (4, '!!'), (5, 'a b c d e f'), (6, 'a b c d e f')")
    rows = con.execute("SELECT id, cluster_id, keep FROM near_duplicates(t, text) ORDER BY id").fetchall()
    assert rows == [(1, 1, True), (2, 2, True), (3, 3, True), (4, 4, True), (5, 5, True), (6, 5, False)]


def test_rows_identified_by_a_named_column(con):
    con.execute("CREATE TABLE t (doc VARCHAR, body VARCHAR)")
    con.execute("INSERT INTO t VALUES ('b', 'one two three four five six'), ('a', 'One two three four five six!')")
    rows = con.execute("SELECT * FROM near_duplicates(t, body, id_col := doc) ORDER BY id").fetchall()
    assert rows == [("a", "a", True, 1.0), ("b", "a", False, 1.0)]


@pytest.mark.parametrize(
    "arguments, message",
    [
        ("t, txt", "argument col: t has no column 'txt'"),
        ("nope, text", "argument t: no table 'nope'"),
        ("t, n", "argument col: column 'n' of t is INTEGER, expected VARCHAR"),
        ("t, text, threshold := 0", "argument threshold must be in (0.0, 1.0], got 0"),
        ("t, text, threshold := 1.2", "argument threshold must be in (0.0, 1.0], got 1.2"),
        ("t, text, threshold := 'high'", "argument threshold must be a number"),
        ("t, text, rows := 0", "argument rows must be a positive integer, got 0"),
        ("t, text, bands := 20, rows := 8", "20 bands of 8 rows need 160 slots, but num_perm is 128"),
        ("t, text, verify := 'maybe'", "argument verify must be one of 'exact', 'minhash'"),
        ("t, text, id_col := key", "argument id_col: t has no column 'key'"),
        ("t, text, treshold := 0.5", "has no parameter 'treshold'"),
        ("t", "missing argument col"),
    ],
)
def test_bad_arguments_name_the_argument(con, arguments, message):
    con.execute("CREATE TABLE t (id INTEGER, n INTEGER, text VARCHAR)")
    con.execute("INSERT INTO t VALUES (1, 1, 'x')")
    with pytest.raises(aidb.ProgrammingError, match="near_duplicates\\(\\)") as error:
        con.execute(f"SELECT * FROM near_duplicates({arguments})")
    assert message in str(error.value)


def test_table_without_an_id_column_says_how_rows_are_identified(con):
    con.execute("CREATE TABLE t (text VARCHAR)")
    with pytest.raises(aidb.ProgrammingError, match="argument id_col: t has no column 'id'.*id_col := "):
        con.execute("SELECT * FROM near_duplicates(t, text)")


def test_repeated_or_null_ids_are_data_errors(con):
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES (1, 'a b'), (1, 'c d'), (NULL, 'e f')) v(id, text)")
    with pytest.raises(aidb.DataError, match="argument id_col: column 'id' has NULLs"):
        con.execute("SELECT * FROM near_duplicates(t, text)")
    con.execute("DELETE FROM t WHERE id IS NULL")
    with pytest.raises(aidb.DataError, match="repeated values"):
        con.execute("SELECT * FROM near_duplicates(t, text)")
