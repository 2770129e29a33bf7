"""The classifier loader: trainers, model files, and what CREATE CLASSIFIER refuses."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from quality_corpus import labelled_rows  # tests/quality_corpus.py

from aidb.errors import NotSupportedError, ProgrammingError


@pytest.fixture
def cur(con):
    cursor = con.cursor()
    cursor.execute("CREATE TABLE corpus (text VARCHAR, kind VARCHAR)")
    cursor.executemany("INSERT INTO corpus VALUES (?, ?)", [(t, "hq" if y else "crawl") for t, y in labelled_rows(60)])
    return cursor


def _model(cur, name: str) -> tuple[Path, dict]:
    cur.execute("SELECT source, options FROM aidb.models WHERE name = ?", [name])
    source, options = cur.fetchone()
    return Path(source), json.loads(options)


def test_string_labels_and_options_are_recorded(cur):
    cur.execute("CREATE CLASSIFIER q FROM (SELECT text, kind AS label FROM corpus) WITH (test_fraction = 0.25, seed = 3)")
    _, options = _model(cur, "q")
    assert options["positive_label"] == "hq"
    assert options["test_fraction"] == 0.25 and options["seed"] == 3
    assert options["test_rows"] == 16 and options["train_rows"] == 44


def test_replacing_a_classifier_writes_a_new_file(cur):
    cur.execute("CREATE CLASSIFIER q FROM (SELECT text, kind AS label FROM corpus)")
    first, _ = _model(cur, "q")
    cur.execute("CREATE OR REPLACE CLASSIFIER q FROM (SELECT text, kind AS label FROM corpus) USING 'fasttext'")
    second, options = _model(cur, "q")
    assert options["trainer"] == "fasttext" and second.suffix == ".bin"
    assert first != second and second.is_file()
    # the statement committed (autocommit): no transaction can still read the old row, so its file is gone
    assert not first.exists()
    cur.execute("SELECT classify('Buy now pills casino lol', 'q')")
    assert cur.fetchone()[0] < 0.5


def test_unknown_trainer_is_refused(cur):
    with pytest.raises(ProgrammingError, match="unknown trainer 'svm'; USING one of 'logreg', 'fasttext'"):
        cur.execute("CREATE CLASSIFIER q FROM (SELECT text, kind AS label FROM corpus) USING 'svm'")


def test_missing_fasttext_package_names_what_to_install(cur, monkeypatch):
    monkeypatch.setitem(sys.modules, "fasttext", None)  # makes `import fasttext` fail
    with pytest.raises(NotSupportedError, match="pip install fasttext-wheel"):
        cur.execute("CREATE CLASSIFIER q FROM (SELECT text, kind AS label FROM corpus) USING 'fasttext'")
    cur.execute("SELECT count(*) FROM aidb.models")
    assert cur.fetchone()[0] == 0


def test_classifiers_are_trained_not_loaded_from_a_path(cur, tmp_path):
    with pytest.raises(NotSupportedError, match="CREATE CLASSIFIER name FROM \\(SELECT text, label"):
        cur.execute(f"CREATE MODEL q TYPE classifier FROM '{tmp_path}'")


def test_fasttext_probabilities_are_fasttexts_own_predict(cur):
    """classify() gives what fastText's documented predict() gives for the same model file (end-of-line token included)."""
    import fasttext
    import numpy as np

    cur.execute("CREATE CLASSIFIER q FROM (SELECT text, kind AS label FROM corpus) USING 'fasttext'")
    path, _ = _model(cur, "q")
    texts = [text for text, _ in labelled_rows(30, seed=7)] + ["Short, unseen words: zebra quantum marmalade.", "a\nb  c"]
    cur.execute("SELECT classify(text, 'q') FROM (SELECT unnest(?) AS text, generate_subscripts(?, 1) AS i) ORDER BY i", [texts, texts])
    ours = np.array([row[0] for row in cur.fetchall()])
    labels, probabilities = fasttext.load_model(str(path)).predict([" ".join(t.split()) for t in texts], k=1)
    top = np.array([float(p[0]) for p in probabilities])
    theirs = np.where([names[0] == "__label__1" for names in labels], top, 1.0 - top)
    np.testing.assert_allclose(ours, theirs, atol=1e-9)
