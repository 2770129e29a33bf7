"""classify(text, classifier) over classifiers made with CREATE CLASSIFIER."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from quality_corpus import labelled_rows  # tests/quality_corpus.py
from aidb.models.tiny_clip import save_tiny_clip

import aidb
from aidb.errors import DataError, OperationalError, ProgrammingError


def _load_corpus(cur) -> None:
    cur.execute("CREATE TABLE corpus (id INTEGER, text VARCHAR, label INTEGER)")
    cur.executemany("INSERT INTO corpus VALUES (?, ?, ?)", [(i, t, y) for i, (t, y) in enumerate(labelled_rows(300))])


@pytest.fixture
def corpus(con):
    cur = con.cursor()
    _load_corpus(cur)
    return cur


@pytest.fixture(scope="module")
def trained():
    """A database with the corpus and a 'quality' logreg classifier trained on it (shared: tests only read)."""
    with aidb.connect(":memory:", autocommit=True) as con:
        cur = con.cursor()
        _load_corpus(cur)
        cur.execute("CREATE CLASSIFIER quality FROM (SELECT text, label FROM corpus)")
        yield cur


def _options(cur, name: str) -> dict:
    cur.execute("SELECT options FROM aidb.models WHERE name = ?", [name])
    return json.loads(cur.fetchone()[0])


@pytest.mark.parametrize("trainer", ["logreg", "fasttext"])
def test_classifier_separates_reference_from_crawl(corpus, trainer):
    corpus.execute(f"CREATE CLASSIFIER quality FROM (SELECT text, label FROM corpus) USING '{trainer}'")
    options = _options(corpus, "quality")
    assert options["trainer"] == trainer
    assert options["accuracy"] > 0.9
    assert options["test_rows"] == 60 and options["train_rows"] == 240

    fresh = labelled_rows(100, seed=7)
    corpus.execute("CREATE TABLE fresh (text VARCHAR, label INTEGER)")
    corpus.executemany("INSERT INTO fresh VALUES (?, ?)", fresh)
    corpus.execute("SELECT label, classify(text, 'quality') AS p FROM fresh")
    scored = corpus.fetchall()
    assert all(0.0 <= p <= 1.0 for _, p in scored)
    accuracy = sum((p >= 0.5) == bool(label) for label, p in scored) / len(scored)
    assert accuracy > 0.9


def test_show_models_reports_held_out_accuracy(trained):
    trained.execute("SHOW MODELS")
    names = [d[0] for d in trained.description]
    row = dict(zip(names, trained.fetchone()))
    assert row["type"] == "classifier"
    assert json.loads(row["options"])["accuracy"] > 0.9


def test_null_text_or_classifier_gives_null(trained):
    trained.execute("SELECT classify(NULL, 'quality'), classify('click here', NULL), classify('The treaty established the reform movement.', 'quality')")
    null_text, null_model, value = trained.fetchone()
    assert null_text is None and null_model is None
    assert value > 0.5


def test_classify_matches_row_by_row_and_batched(trained):
    trained.execute("SELECT classify(text, 'quality') FROM corpus ORDER BY id")
    batched = [r[0] for r in trained.fetchall()]
    trained.execute("SELECT text FROM corpus ORDER BY id LIMIT 5")
    for text, expected in zip([r[0] for r in trained.fetchall()], batched):
        trained.execute("SELECT classify(?, 'quality')", [text])
        assert trained.fetchone()[0] == pytest.approx(expected, abs=1e-12)


def test_unknown_classifier_suggests_close_names(trained):
    with pytest.raises(ProgrammingError, match="unknown model 'qualty'.*Did you mean: quality"):
        trained.execute("SELECT classify(text, 'qualty') FROM corpus")


def test_model_of_another_type_is_refused(corpus, tmp_path):
    save_tiny_clip(tmp_path / "clip")
    corpus.execute(f"CREATE MODEL pics TYPE clip FROM '{tmp_path / 'clip'}'")
    with pytest.raises(ProgrammingError, match="'pics' is a clip model, but a classifier model is needed"):
        corpus.execute("SELECT classify(text, 'pics') FROM corpus")


def test_classifier_survives_reopening_a_database_file(db_path):
    with aidb.connect(db_path, autocommit=True) as con:
        cur = con.cursor()
        cur.execute("CREATE TABLE corpus (text VARCHAR, label BOOLEAN)")
        cur.executemany("INSERT INTO corpus VALUES (?, ?)", [(t, bool(y)) for t, y in labelled_rows(100)])
        cur.execute("CREATE CLASSIFIER quality FROM (SELECT * FROM corpus)")
        cur.execute("SELECT source FROM aidb.models")
        source = Path(cur.fetchone()[0])
    assert source.parent == Path(str(db_path) + ".models") and source.is_file()
    with aidb.connect(db_path, read_only=True) as con:
        cur = con.cursor()
        cur.execute("SELECT avg(classify(text, 'quality')) FROM corpus WHERE label")
        assert cur.fetchone()[0] > 0.8


def test_changed_model_file_is_refused(corpus):
    corpus.execute("CREATE CLASSIFIER tampered FROM (SELECT text, label FROM corpus)")
    corpus.execute("SELECT source FROM aidb.models WHERE name = 'tampered'")
    path = Path(corpus.fetchone()[0])
    path.write_bytes(path.read_bytes() + b"x")
    with pytest.raises(OperationalError, match="changed since it was trained"):
        corpus.execute("SELECT classify('text', 'tampered')")


def test_bad_training_data_leaves_catalog_unchanged(corpus):
    with pytest.raises(DataError, match="exactly two distinct values, got 1"):
        corpus.execute("CREATE CLASSIFIER one_class FROM (SELECT text, 1 AS label FROM corpus)")
    with pytest.raises(DataError, match="3 usable rows.*at least 10"):
        corpus.execute("CREATE CLASSIFIER tiny FROM (SELECT text, label FROM corpus LIMIT 3)")
    corpus.execute("SELECT count(*) FROM aidb.models")
    assert corpus.fetchone()[0] == 0
