"""DSIR (Xie et al. 2023): hashed n-gram features, importance weights, Gumbel top-k; parity with `data-selection`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import aidb
from aidb.errors import DataError, ProgrammingError
from aidb.ops.dsir import dsir_log_weights, dsir_sample, dsir_weights, hashed_ngrams, word_tokens
from tests.ops.real_text import changelog_paragraphs, python_doc_paragraphs, word_chunks


def two_source_pool(changelogs: int, docs: int) -> tuple[pa.Table, list[str]]:
    """A raw pool of 64-word chunks of Debian changelogs and Python docs, and held-out Python-docs chunks as the target."""
    log, doc = word_chunks(changelog_paragraphs()), word_chunks(python_doc_paragraphs())
    assert len(log) >= changelogs and len(doc) >= docs + 300, "this machine lacks the real text the test reads"
    ids = [f"log{i}" for i in range(changelogs)] + [f"doc{i}" for i in range(docs)]
    texts = list(log[:changelogs]) + list(doc[:docs])
    return pa.table({"id": ids, "text": texts}), list(doc[docs : docs + 300])


def test_tokens_follow_wordpunct_rules() -> None:
    from nltk.tokenize import WordPunctTokenizer

    texts = ["Hello, World!! It's 3.5 naïve—café...", "a_b  c\td\n(e)", "", None]
    ours = word_tokens(pa.array(texts, pa.large_string())).to_pylist()
    assert ours[:3] == [WordPunctTokenizer().tokenize(t.lower()) for t in texts[:3]]
    assert ours[3] is None


def test_ngram_buckets_are_the_references() -> None:
    from data_selection.hashed_ngram_dsir import get_ngram_counts

    texts = ["The cat sat on the mat; the cat sat.", "Ünïcode wörds, and 42 numbers!"]
    features = hashed_ngrams(pa.array(texts), ngram=2, buckets=997)
    for row, text in enumerate(texts):
        ours = np.bincount(features.buckets[features.rows == row], minlength=997)
        assert np.array_equal(ours, get_ngram_counts(text, n=2, num_buckets=997))
    assert features.word_counts.tolist() == [11, 7]


def test_weights_favour_target_like_rows() -> None:
    raw = pa.array(["def foo return x", "the cat sat down", None, "import numpy as np"])
    target = pa.array(["def bar return y", "import os as o"])
    weights, words = dsir_log_weights(raw, target)
    assert weights[0] > weights[1] and weights[3] > weights[1]
    assert np.isnan(weights[2]) and words.tolist() == [4, 4, 0, 4]
    table = dsir_weights(pa.table({"text": raw}), "text", target)
    assert table.column("dsir_log_weight").null_count == 1


def test_sample_comes_from_the_source_the_target_resembles() -> None:
    pool, target = two_source_pool(changelogs=1000, docs=400)
    sample = dsir_sample(pool, "text", pa.array(target), n=300, seed=1)
    from_docs = sum(i.startswith("doc") for i in sample.column("id").to_pylist())
    assert sample.num_rows == 300 and len(set(sample.column("id").to_pylist())) == 300
    assert from_docs / 300 >= 0.9, from_docs


def test_seeded_and_top_k() -> None:
    equal = pa.table({"id": list(range(100)), "text": ["same words here"] * 100})  # equal weights: the noise decides
    first = dsir_sample(equal, "text", pa.array(["same words"]), n=20, seed=4).column("id").to_pylist()
    assert first == dsir_sample(equal, "text", pa.array(["same words"]), n=20, seed=4).column("id").to_pylist()
    assert first != dsir_sample(equal, "text", pa.array(["same words"]), n=20, seed=5).column("id").to_pylist()
    pool, target = two_source_pool(changelogs=200, docs=200)
    top = dsir_sample(pool, "text", pa.array(target), n=50, top_k=True)
    weights = dsir_weights(pool, "text", pa.array(target)).column("dsir_log_weight").to_numpy()
    assert min(top.column("dsir_log_weight").to_pylist()) == pytest.approx(np.sort(weights)[-50])


def test_parity_with_data_selection(tmp_path: Path) -> None:
    """Same data, same seed: the reference package and aidb pick the same rows (Jaccard >= 0.8, source rate within 3 points)."""
    from data_selection import HashedNgramDSIR

    pool, target = two_source_pool(changelogs=600, docs=400)
    (tmp_path / "raw.jsonl").write_text("".join(json.dumps(r) + "\n" for r in pool.to_pylist()))
    (tmp_path / "target.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in target))
    reference = HashedNgramDSIR(
        [str(tmp_path / "raw.jsonl")], [str(tmp_path / "target.jsonl")], cache_dir=str(tmp_path / "cache"),
        num_proc=1, min_example_length=0,
    )
    reference.fit_importance_estimator(num_tokens_to_fit="all")
    reference.compute_importance_weights()
    np.random.seed(11)  # the reference draws its Gumbel noise from numpy's global generator
    reference.resample(out_dir=str(tmp_path / "out"), num_to_sample=250, cache_dir=str(tmp_path / "resample"))
    theirs = {json.loads(line)["id"] for path in (tmp_path / "out").glob("*.jsonl") for line in path.read_text().splitlines()}
    ours = set(dsir_sample(pool, "text", pa.array(target), n=250, seed=11).column("id").to_pylist())
    assert len(theirs) == len(ours) == 250
    assert len(theirs & ours) / len(theirs | ours) >= 0.8
    assert theirs == ours  # same buckets, same weights, same Gumbel noise: the same rows
    rate = lambda ids: sum(i.startswith("doc") for i in ids) / len(ids)  # noqa: E731
    assert abs(rate(theirs) - rate(ours)) <= 0.03
    their_weights = np.load(tmp_path / "cache" / "log_importance_weights" / "0.npy")
    our_weights, _ = dsir_log_weights(pool.column("text"), pa.array(target))
    assert np.allclose(our_weights, their_weights, rtol=1e-6, atol=1e-6)


def test_bad_input_names_the_argument() -> None:
    table = pa.table({"id": [1, 2, 3], "text": ["a b", "c d", "e f"], "n": [1, 2, 3]})
    with pytest.raises(DataError, match="target returned no text"):
        dsir_sample(table, "text", pa.array([], pa.string()), n=1)
    with pytest.raises(DataError, match="target returned no text"):
        dsir_sample(table, "text", pa.array([None, "  "], pa.string()), n=1)
    with pytest.raises(ProgrammingError, match=r"n := 4 is larger than the 3 eligible rows"):
        dsir_sample(table, "text", pa.array(["a b"]), n=4)
    with pytest.raises(ProgrammingError, match="text column 'body'"):
        dsir_sample(table, "body", pa.array(["a b"]), n=1)
    with pytest.raises(ProgrammingError, match=r"text column.*must be text"):
        dsir_sample(table, "n", pa.array(["a b"]), n=1)
    with pytest.raises(ProgrammingError, match="buckets must be a positive integer"):
        dsir_sample(table, "text", pa.array(["a b"]), n=1, buckets=0)
    with pytest.raises(ProgrammingError, match="ngram must be an integer from 1 to 5"):
        dsir_sample(table, "text", pa.array(["a b"]), n=1, ngram=9)


def test_dsir_in_sql_with_a_table_and_a_query_target(con) -> None:
    pool, target = two_source_pool(changelogs=300, docs=150)
    con.register("pool_rows", pool)
    con.execute("CREATE TABLE raw AS SELECT * FROM pool_rows")
    con.execute("CREATE TABLE wiki AS SELECT unnest(?) AS text", [target])
    by_table = con.execute("SELECT id FROM dsir_sample(raw, text, target := wiki, n := 100, seed := 1) ORDER BY id").fetchall()
    by_query = con.execute("SELECT id FROM dsir_sample(raw, text, target := (SELECT text AS body FROM wiki), n := 100, seed := 1) ORDER BY id").fetchall()
    assert by_table == by_query and sum(i.startswith("doc") for (i,) in by_table) >= 90
    weights = con.execute("SELECT id, dsir_log_weight FROM dsir_weights(raw, text, target := wiki) ORDER BY dsir_log_weight DESC LIMIT 20").fetchall()
    assert all(i.startswith("doc") for i, _ in weights)
    with pytest.raises(aidb.DataError, match="target returned no text"):
        con.execute("SELECT * FROM dsir_sample(raw, text, target := (SELECT text FROM wiki WHERE false), n := 5)")
    with pytest.raises(aidb.ProgrammingError, match="argument target: no table 'wikii'"):
        con.execute("SELECT * FROM dsir_sample(raw, text, target := wikii, n := 5)")
    with pytest.raises(aidb.ProgrammingError, match=r"argument target: \(subquery\) has columns id, text2, n"):
        con.execute("SELECT * FROM dsir_sample(raw, text, target := (SELECT 1 AS id, 'a' AS text2, 2 AS n), n := 5)")


def test_dsir_target_from_a_vector_search(con) -> None:
    """Structured and vector search meet: the target is the nearest neighbours of a query, filtered."""
    pool, _ = two_source_pool(changelogs=120, docs=120)
    con.register("pool_rows", pool)
    con.execute("CREATE TABLE docs (id VARCHAR, lang VARCHAR, text VARCHAR, emb FLOAT[384]) WITH (storage = 'lance')")
    con.execute("INSERT INTO docs SELECT id, 'en', text, embed(text) FROM pool_rows")
    sample = con.execute(
        "SELECT id FROM dsir_sample(docs, text, target := (SELECT text FROM vector_search(docs, emb, "
        "embed('Python expressions, statements and the data model'), k := 40) WHERE lang = 'en'), n := 60, seed := 2)"
    ).fetchall()
    assert len(sample) == 60 and sum(i.startswith("doc") for (i,) in sample) >= 54
