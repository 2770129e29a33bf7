"""Reading, labelling and splitting the training rows of CREATE CLASSIFIER."""

from __future__ import annotations

import duckdb
import pytest

from aidb.errors import DataError, ProgrammingError
from aidb.models.classifier_data import read_labelled_texts, split_held_out


def _read(con: duckdb.DuckDBPyConnection, sql: str, positive: object | None):
    return read_labelled_texts(con.execute(sql).to_arrow_reader(), positive)


def _texts(labels: list[object], sql_type: str, extra_null: bool = False) -> tuple[duckdb.DuckDBPyConnection, str]:
    con = duckdb.connect()
    con.execute(f"CREATE TABLE t (text VARCHAR, label {sql_type})")
    con.executemany("INSERT INTO t VALUES (?, ?)", [(f"text {i}", label) for i, label in enumerate(labels)])
    if extra_null:
        con.execute("INSERT INTO t VALUES (NULL, ?), ('no label', NULL)", [labels[0]])
    return con, "SELECT text, label FROM t"


def test_integer_labels_make_one_positive():
    con, sql = _texts([0, 1] * 6, "INTEGER", extra_null=True)
    labelled = _read(con, sql, None)
    assert labelled.labels == [0, 1] * 6  # the NULL rows are skipped
    assert labelled.positive_label == "1"


def test_boolean_labels_make_true_positive():
    labelled = _read(*_texts([True, False] * 6, "BOOLEAN"), None)
    assert labelled.labels == [1, 0] * 6 and labelled.positive_label == "True"


@pytest.mark.parametrize("positive_name", ["hq", "positive", "HIGH_QUALITY"])
def test_string_label_spelled_as_positive_class(positive_name):
    labelled = _read(*_texts(["crawl", positive_name] * 6, "VARCHAR"), None)
    assert labelled.labels == [0, 1] * 6 and labelled.positive_label == positive_name


def test_positive_option_chooses_the_class():
    labelled = _read(*_texts(["crawl", "hq"] * 6, "VARCHAR"), "crawl")
    assert labelled.labels == [1, 0] * 6


def test_ambiguous_string_labels_ask_for_positive_option():
    with pytest.raises(ProgrammingError, match=r"labels 'news', 'spam'.*WITH \(positive = '<label>'\)"):
        _read(*_texts(["spam", "news"] * 6, "VARCHAR"), None)
    with pytest.raises(ProgrammingError, match="positive = 'ham' is not one of the labels"):
        _read(*_texts(["spam", "news"] * 6, "VARCHAR"), "ham")


def test_numeric_labels_other_than_0_1_are_refused():
    with pytest.raises(DataError, match="numeric labels must be 0 and 1, got 1, 2"):
        _read(*_texts([1, 2] * 6, "INTEGER"), None)


def test_three_classes_are_refused():
    with pytest.raises(DataError, match="exactly two distinct values, got 3"):
        _read(*_texts([0, 1, 2] * 4, "INTEGER"), None)


def test_each_class_needs_two_rows():
    with pytest.raises(DataError, match="only 1 positive rows"):
        _read(*_texts([0] * 11 + [1], "INTEGER"), None)


def test_query_needs_text_and_label_columns():
    con = duckdb.connect()
    with pytest.raises(ProgrammingError, match="columns text and label.*got a, b, c"):
        _read(con, "SELECT 'x' AS a, 1 AS b, 2 AS c", None)


def test_split_is_stratified_and_deterministic():
    labelled = _read(*_texts([0] * 20 + [1] * 10, "INTEGER"), None)
    split = split_held_out(labelled, 0.2, seed=0)
    assert sorted(split.test.labels) == [0] * 4 + [1] * 2
    assert len(split.train.labels) == 24
    assert not set(split.train.texts) & set(split.test.texts)
    assert split_held_out(labelled, 0.2, seed=0) == split
    with pytest.raises(ProgrammingError, match="test_fraction must be between 0 and 1"):
        split_held_out(labelled, 1.5, seed=0)
