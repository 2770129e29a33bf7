"""dedup(): the cascade's kept rows, its removal table, the keep rule, defaults that catch 5% edits, bad input."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

import aidb
from dedup_corpus import edit_words, real_paragraphs


@pytest.fixture
def corpus(con):
    """300 real paragraphs; copies of 0-9 upper-cased (exact), of 10-29 with 5% of words replaced (fuzzy), and
    rows 30-34 repeated with new text but near-identical embeddings (semantic)."""
    rng = random.Random(3)
    texts, fresh = real_paragraphs(305)[:300], real_paragraphs(305)[300:]
    vectors = np.random.default_rng(3).normal(size=(300, 8)).astype(np.float32)
    ids, rows, embs, scores = list(range(300)), list(texts), list(vectors), [0.0] * 300
    for i in range(10):
        ids.append(1000 + i), rows.append(texts[i].upper()), embs.append(vectors[i] * -1), scores.append(1.0)
    for i in range(10, 30):
        ids.append(1000 + i), rows.append(edit_words(texts[i], 0.05, rng)), embs.append(-vectors[i]), scores.append(0.0)
    for i in range(30, 35):
        ids.append(1000 + i), rows.append(fresh[i - 30]), embs.append(vectors[i] + 0.001), scores.append(0.0)
    emb = pa.FixedSizeListArray.from_arrays(pa.array(np.stack(embs).ravel()), 8)
    con.session.duck.register("rows", pa.table({"id": ids, "text": rows, "emb": emb, "score": scores}))
    con.execute("CREATE TABLE docs AS SELECT id, text, emb::FLOAT[8] AS emb, score FROM rows")
    con.session.duck.unregister("rows")
    return con


def test_cascade_removes_each_kind_once_and_writes_the_removal_table(corpus):
    corpus.execute("CREATE TABLE clean AS SELECT * FROM dedup(docs, text, keep := 'first')")
    kept = {row_id for (row_id,) in corpus.execute("SELECT id FROM clean").fetchall()}
    removed = corpus.execute("SELECT id, method, cluster_id, kept_id FROM docs_removed ORDER BY id").fetchall()
    by_method = {}
    for row_id, method, cluster, final in removed:
        by_method.setdefault(method, set()).add(row_id)
        assert final in kept and row_id not in kept
    assert {1000 + i for i in range(10)} == by_method["exact"]
    assert len({1000 + i for i in range(10, 30)} & by_method["fuzzy"]) >= 18  # a few short texts lose more than 40% of 3-grams
    assert len(by_method.get("semantic", ())) >= 5
    assert len(kept) + len(removed) == 335
    assert set(range(35)) <= kept  # keep := 'first': the originals stay
    assert [c[0] for c in corpus.execute("DESCRIBE clean").fetchall()] == ["id", "text", "emb", "score"]


def test_keep_by_score_column_and_longest(corpus):
    corpus.execute("CREATE TABLE clean AS SELECT * FROM dedup(docs, text, methods := ['exact'], keep := score)")
    assert corpus.execute("SELECT count(*) FROM clean WHERE id BETWEEN 1000 AND 1009").fetchone() == (10,)
    corpus.execute("CREATE TABLE longest AS SELECT * FROM dedup(docs, text, methods := ['fuzzy'], removed := 'fuzzy_out')")
    removed = corpus.execute(
        "SELECT length(d.text), length(k.text) FROM fuzzy_out AS r JOIN docs AS d ON d.id = r.id JOIN docs AS k ON k.id = r.cluster_id"
    ).fetchall()
    assert removed and all(length <= kept for length, kept in removed)


def test_a_failed_run_leaves_no_removal_table(corpus):
    with pytest.raises(aidb.ProgrammingError, match="argument emb_col"):
        corpus.execute("CREATE TABLE clean AS SELECT * FROM dedup(docs, text, emb_col := 'vector')")
    corpus.execute("INSERT INTO docs VALUES (1000, 'a repeated id', NULL, 0)")
    with pytest.raises(aidb.DataError, match="repeated values"):
        corpus.execute("CREATE TABLE clean AS SELECT * FROM dedup(docs, text)")
    tables = {t for (t,) in corpus.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "docs_removed" not in tables and "clean" not in tables


@pytest.mark.parametrize(
    "arguments, message",
    [
        ("docs, text, methods := ['exact', 'fuzz']", "argument methods must be a list of distinct methods"),
        ("docs, text, methods := []", "argument methods must be a list"),
        ("(SELECT * FROM docs), text", "argument removed: name the removal table"),
        ("docs, text, keep := 'quality'", "argument keep: docs has no column 'quality'"),
        ("docs, text, threshold := 0", "argument threshold must be in (0.0, 1.0]"),
        ("docs, text, eps := 0", "argument eps must be in (0.0, 1.0]"),
        ("docs, emb", "argument text_col: column 'emb' of docs is FLOAT[8], expected VARCHAR"),
        ("docs, text, emb_col := text", "argument emb_col: column 'text' of docs is VARCHAR, expected an embedding"),
    ],
)
def test_bad_arguments(corpus, arguments, message):
    with pytest.raises(aidb.ProgrammingError, match="dedup\\(\\)") as error:
        corpus.execute(f"SELECT * FROM dedup({arguments})")
    assert message in str(error.value)


def test_defaults_find_copies_with_5_percent_of_words_replaced(con):
    rng = random.Random(5)
    texts = real_paragraphs(1500)
    copies = [edit_words(texts[i], 0.05, rng) for i in range(0, 1500, 5)]
    con.session.duck.register("rows", pa.table({"id": list(range(len(texts) + len(copies))), "text": texts + copies}))
    con.execute("CREATE TABLE docs AS SELECT * FROM rows")
    con.execute("CREATE TABLE clean AS SELECT * FROM dedup(docs, text, methods := ['exact', 'fuzzy'], keep := 'first')")
    found = con.execute("SELECT count(*) FROM docs_removed WHERE id >= 1500 AND kept_id = (id - 1500) * 5").fetchone()[0]
    assert found / len(copies) >= 0.9
