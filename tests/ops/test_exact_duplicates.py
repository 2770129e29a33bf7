"""exact_duplicates(): CCNet-normalised equality, the kept row, NULL/empty texts, normalize := false."""

from __future__ import annotations

import pytest

import aidb


@pytest.fixture
def texts(con):
    con.execute("CREATE TABLE t (id INTEGER, text VARCHAR)")
    con.execute(
        "INSERT INTO t VALUES (3, 'Hello, World 42!'), (1, 'hello world 17'), (2, 'Héllo   wörld 99'), "
        "(4, 'something else'), (5, NULL), (6, NULL), (7, '...'), (8, '!!!'), (9, 'Something else')"
    )
    return con


def test_normalised_copies_share_a_cluster_and_the_smallest_id_is_kept(texts):
    rows = texts.execute("SELECT id, cluster_id, keep FROM exact_duplicates(t, text) ORDER BY id").fetchall()
    assert rows == [
        (1, 1, True), (2, 1, False), (3, 1, False), (4, 4, True), (5, 5, True),
        (6, 6, True), (7, 7, True), (8, 8, True), (9, 4, False),
    ]


def test_without_normalisation_only_identical_texts_match(texts):
    texts.execute("INSERT INTO t VALUES (10, 'something else')")
    rows = texts.execute("SELECT id, cluster_id FROM exact_duplicates(t, text, normalize := false) WHERE NOT keep").fetchall()
    assert rows == [(10, 4)]


def test_a_subquery_as_input_and_a_join_back(texts):
    rows = texts.execute(
        "SELECT t.id, t.text FROM exact_duplicates((SELECT * FROM t WHERE id < 5), text) AS d JOIN t USING (id) "
        "WHERE d.keep ORDER BY t.id"
    ).fetchall()
    assert rows == [(1, "hello world 17"), (4, "something else")]


def test_bad_arguments(texts):
    with pytest.raises(aidb.ProgrammingError, match="exact_duplicates\\(\\): argument normalize must be a boolean"):
        texts.execute("SELECT * FROM exact_duplicates(t, text, normalize := 'yes')")
    with pytest.raises(aidb.ProgrammingError, match="exact_duplicates\\(\\): argument col: column 'id' of t is INTEGER"):
        texts.execute("SELECT * FROM exact_duplicates(t, id)")
