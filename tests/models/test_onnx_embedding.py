"""The int8 ONNX embedding backend: faithful to torch on real sentences, same SQL surface, refused cleanly when it is not."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import aidb
from aidb.errors import OperationalError, ProgrammingError
from aidb.models import onnx_embedding
from aidb.models.model_directory import fingerprint, resolve_source
from aidb.models.sentence_transformer import BUILTIN_SOURCE


def exported_file() -> Path:
    path = resolve_source(BUILTIN_SOURCE)
    return onnx_embedding.exported_path(onnx_embedding.export_key(path, fingerprint(path)))

CREATE_ONNX = f"CREATE MODEL mini_onnx TYPE embedding FROM '{BUILTIN_SOURCE}' WITH (backend = 'onnx')"
SENTENCES = [
    "A cat sits on the mat.",
    "A kitten is sitting on a rug.",
    "Interest rates rose by half a point.",
    "The function returns None when the key is missing from the mapping.",
    "Wir fahren morgen früh mit dem Zug nach Hamburg.",
]


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private export cache, so the test exports (once per module) instead of reusing a file from an earlier run."""
    with pytest.MonkeyPatch.context() as patch:
        directory = tmp_path_factory.mktemp("aidb-cache")
        patch.setenv("AIDB_CACHE_DIR", str(directory))
        yield directory


@pytest.fixture(scope="module")
def onnx_db(onnx_cache: Path) -> Iterator[aidb.dbapi.Cursor]:
    connection = aidb.connect(":memory:", autocommit=True)
    cur = connection.cursor()
    cur.execute(CREATE_ONNX)
    cur.execute(f"CREATE MODEL mini_torch TYPE embedding FROM '{BUILTIN_SOURCE}' WITH (backend = 'torch')")
    cur.execute("CREATE TABLE docs (id INTEGER, text VARCHAR)")
    cur.executemany("INSERT INTO docs VALUES (?, ?)", [(i, t) for i, t in enumerate(SENTENCES)] + [(len(SENTENCES), None)])
    yield cur
    connection.close()


def test_onnx_vectors_agree_with_torch(onnx_db, onnx_cache: Path) -> None:
    rows = onnx_db.execute(
        "SELECT embed(text, 'mini_onnx'), embed(text, 'mini_torch') FROM docs WHERE text IS NOT NULL ORDER BY id"
    ).fetchall()
    ours = np.array([r[0] for r in rows], dtype=np.float32)
    torch_vectors = np.array([r[1] for r in rows], dtype=np.float32)
    cosines = np.sum(ours * torch_vectors, axis=1)
    assert cosines.min() >= onnx_embedding.MIN_COSINE
    assert not np.array_equal(ours, torch_vectors)  # really a different backend, not the torch rows from the cache
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    exported = exported_file()
    assert exported.parent == onnx_cache / "onnx" and exported.is_file()


def test_the_builtin_default_runs_on_onnx(onnx_db) -> None:
    """embed(text) without a model is the built-in MiniLM on the onnx backend: the same vectors as the onnx model."""
    onnx_db.execute("SHOW MODELS")
    columns = [d[0] for d in onnx_db.description]
    row = next(dict(zip(columns, r)) for r in onnx_db.fetchall() if r[0] == "all-MiniLM-L6-v2")
    options, fingerprint_ = row["options"], row["fingerprint"]
    assert '"backend": "onnx"' in options and fingerprint_.endswith("-onnx-int8")
    rows = onnx_db.execute("SELECT embed(text) = embed(text, 'mini_onnx') FROM docs WHERE text IS NOT NULL").fetchall()
    assert rows == [(True,)] * len(SENTENCES)


def test_a_text_gets_the_same_vector_whatever_its_neighbours(onnx_db) -> None:
    """One text per ONNX Runtime call: dynamic quantisation's per-batch activation scale never mixes rows.

    On the embedder itself, not through SQL, whose result cache would hand back the first vectors."""
    from aidb.catalog_records import ModelRecord
    from aidb.models.sentence_transformer import load_sentence_transformer

    path = resolve_source(BUILTIN_SOURCE)
    record = ModelRecord("m", "embedding", BUILTIN_SOURCE, '{"backend": "onnx"}', fingerprint(path) + "-onnx-int8", 384)
    embedder = load_sentence_transformer(record)
    alone = np.vstack([embedder.encode([text]) for text in SENTENCES])
    together = embedder.encode(["word " * 400, *SENTENCES, "?"])[1:-1]
    assert np.array_equal(alone, together)
    batched = replace(embedder, batch_size=8, lock=threading.Lock())  # what `WITH (batch_size = 8)` gives up
    assert not np.array_equal(batched.encode(["word " * 400, *SENTENCES, "?"])[1:-1], alone)


def test_create_model_without_backend_records_the_one_it_took(con, onnx_db, monkeypatch) -> None:
    con.execute(f"CREATE MODEL auto_mini TYPE embedding FROM '{BUILTIN_SOURCE}'")
    options, fingerprint_ = con.execute("SELECT options, fingerprint FROM aidb.models WHERE name = 'auto_mini'").fetchone()
    assert '"backend": "onnx"' in options and '"onnx_min_cosine": 0.99' in options and fingerprint_.endswith("-onnx-int8")
    # a copy that fails verification leaves the model on torch, saying why
    monkeypatch.setattr(onnx_embedding, "MIN_COSINE", 1.01)
    monkeypatch.setattr(onnx_embedding, "_verified", {})
    con.execute(f"CREATE MODEL torch_mini TYPE embedding FROM '{BUILTIN_SOURCE}'")
    options, fingerprint_ = con.execute("SELECT options, fingerprint FROM aidb.models WHERE name = 'torch_mini'").fetchone()
    assert '"backend": "torch"' in options and "onnx_refused" in options and "needs >= 1.01" in options
    assert not fingerprint_.endswith("-onnx-int8")
    assert len(con.execute("SELECT embed('x', 'torch_mini')").fetchone()[0]) == 384


def test_a_model_the_export_does_not_take_stays_on_torch(tmp_path: Path) -> None:
    import json
    import shutil

    from aidb.models.sentence_transformer import onnx_exportable

    source = resolve_source(BUILTIN_SOURCE)
    assert onnx_exportable(source)
    copy = tmp_path / "cls_pooled"
    shutil.copytree(source, copy)
    pooling = next(p for p in copy.glob("*Pooling*/config.json"))
    config = json.loads(pooling.read_text())
    pooling.write_text(json.dumps({**config, "pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}))
    assert not onnx_exportable(copy)


def test_a_stamped_verification_spares_torch_until_something_changes(onnx_db, monkeypatch) -> None:
    """A new process trusts the stamp beside the exported file; a different runtime version verifies again."""
    import json

    file = exported_file()
    stamp_file = file.with_name(file.name + onnx_embedding.STAMP_SUFFIX)
    assert json.loads(stamp_file.read_text())["min_cosine"] >= onnx_embedding.MIN_COSINE
    monkeypatch.setattr(onnx_embedding, "_verified", {})  # as a new process
    calls: list[int] = []

    def counted_verify(embedder, torch_encode, path):
        calls.append(1)
        return 0.995

    monkeypatch.setattr(onnx_embedding, "verify", counted_verify)
    connection = aidb.connect(":memory:", autocommit=True)
    connection.execute(CREATE_ONNX)
    assert calls == []
    stamp = json.loads(stamp_file.read_text())
    stamp_file.write_text(json.dumps({**stamp, "onnxruntime": "0.0.1"}))
    monkeypatch.setattr(onnx_embedding, "_verified", {})
    connection.execute(CREATE_ONNX.replace("CREATE MODEL", "CREATE OR REPLACE MODEL"))
    assert calls == [1]
    connection.close()


def test_onnx_model_has_the_sql_surface_of_the_torch_one(onnx_db) -> None:
    assert onnx_db.execute("SELECT typeof(embed('x', 'mini_onnx'))").fetchone()[0] == "FLOAT[384]"
    rows = onnx_db.execute("SELECT id, embed(text, 'mini_onnx') IS NULL FROM docs ORDER BY id").fetchall()
    assert rows == [(i, False) for i in range(len(SENTENCES))] + [(len(SENTENCES), True)]
    rows = onnx_db.execute(
        "SELECT id FROM docs WHERE text IS NOT NULL "
        "ORDER BY array_cosine_distance(embed(text, 'mini_onnx'), embed('a cat on a mat', 'mini_onnx')) LIMIT 2"
    ).fetchall()
    assert sorted(r[0] for r in rows) == [0, 1]
    fingerprint_, options = onnx_db.execute("SELECT fingerprint, options FROM aidb.models WHERE name = 'mini_onnx'").fetchone()
    assert fingerprint_.endswith("-onnx-int8") and "onnx" in options


def test_unknown_backend_is_a_clear_error(con) -> None:
    with pytest.raises(ProgrammingError, match=r"backend 'tensorrt' is not supported; choose one of onnx, torch"):
        con.execute(f"CREATE MODEL m TYPE embedding FROM '{BUILTIN_SOURCE}' WITH (backend = 'tensorrt')")
    assert con.execute("SELECT count(*) FROM aidb.models").fetchone()[0] == 0


def test_backend_below_the_cosine_bar_is_refused(con, onnx_db, monkeypatch) -> None:
    monkeypatch.setattr(onnx_embedding, "MIN_COSINE", 1.01)
    monkeypatch.setattr(onnx_embedding, "_verified", {})  # verify again, as a new process would
    with pytest.raises(OperationalError, match=r"onnx backend refused: .* min cosine 0\.9\d+ \(needs >= 1\.01\)"):
        con.execute(CREATE_ONNX)
    assert con.execute("SELECT count(*) FROM aidb.models").fetchone()[0] == 0
    # inside a transaction (PEP 249 mode): a failed statement rolls the transaction back, as for any other error
    connection = aidb.connect(":memory:", autocommit=False)
    connection.execute("CREATE TABLE gone (x INTEGER)")
    with pytest.raises(OperationalError, match="onnx backend refused"):
        connection.execute(CREATE_ONNX)
    assert not connection.session.in_transaction
    assert connection.execute("SELECT count(*) FROM aidb.models").fetchone()[0] == 0
    assert connection.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'gone'").fetchone()[0] == 0
    connection.close()


def test_corrupt_exported_file_is_refused(con, onnx_db, tmp_path: Path, monkeypatch) -> None:
    tokenizer = onnx_embedding.tokenizer_path(exported_file()).read_bytes()
    monkeypatch.setenv("AIDB_CACHE_DIR", str(tmp_path))
    broken = exported_file()
    broken.write_bytes(b"not an onnx model")
    onnx_embedding.tokenizer_path(broken).write_bytes(tokenizer)
    with pytest.raises(OperationalError, match=rf"onnx backend refused: cannot open exported model {broken}"):
        con.execute(CREATE_ONNX)
    assert con.execute("SELECT count(*) FROM aidb.models").fetchone()[0] == 0


def test_verification_covers_long_texts(tmp_path: Path) -> None:
    from aidb.models.onnx_samples import DEGENERATE_TEXTS, LONG_TEXT_CHARS, long_verification_texts, verification_texts

    long_texts = long_verification_texts()
    assert len(long_texts) == 4 and all(len(t) == LONG_TEXT_CHARS for t in long_texts)
    assert set(long_texts) | set(DEGENERATE_TEXTS) <= set(verification_texts())

    class Agreeing:
        """An embedder whose vectors match the reference on short texts only."""

        def encode(self, texts: list[str]) -> np.ndarray:
            return np.tile(np.array([1.0, 0.0], dtype=np.float32), (len(texts), 1))

    def reference(texts: list[str]) -> np.ndarray:
        return np.array([[0.0, 1.0] if len(t) >= LONG_TEXT_CHARS else [1.0, 0.0] for t in texts], dtype=np.float32)

    with pytest.raises(OperationalError, match=r"min cosine 0\.0000 .* on '"):
        onnx_embedding.verify(Agreeing(), reference, tmp_path / "model.onnx")


def test_parallel_runs_follow_the_cpus_a_worker_was_given(monkeypatch) -> None:
    """Ray sets OMP_NUM_THREADS to an actor's CPUs: an actor runs that many texts at once, not one per core."""
    import os

    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert onnx_embedding.parallel_runs() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "not a number")
    assert onnx_embedding.parallel_runs() == min(onnx_embedding.MAX_PARALLEL_RUNS, os.cpu_count() or 1)
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert onnx_embedding.parallel_runs() == min(onnx_embedding.MAX_PARALLEL_RUNS, os.cpu_count() or 1)


def test_the_exported_tokenizer_gives_transformers_ids(onnx_db) -> None:
    """Loading the backend reads the tokenizer saved at export (no transformers import): the same ids, masks and
    type ids as transformers' fast tokenizer, truncation and padding included."""
    from transformers import AutoTokenizer

    from aidb.models.model_directory import transformer_directory
    from aidb.models.onnx_samples import verification_texts

    reference = AutoTokenizer.from_pretrained(str(transformer_directory(resolve_source(BUILTIN_SOURCE))), local_files_only=True)
    ours = onnx_embedding.load_tokenizer(onnx_embedding.tokenizer_path(exported_file()), 256)
    texts = [*verification_texts(), "Ünïcödé — “quotes” and 中文 text", "", "   ", "tab\tand\nnewline", "x" * 5000]
    for batch in ([text] for text in texts):
        expected = reference(batch, padding=True, truncation=True, max_length=256, return_tensors="np")
        got = OnnxEmbedderFeeds(ours).feeds(batch)
        for name in onnx_embedding.ONNX_INPUTS:
            assert np.array_equal(got[name], expected[name]), (name, batch[0][:40])
    padded = OnnxEmbedderFeeds(ours).feeds(SENTENCES)
    expected = reference(SENTENCES, padding=True, truncation=True, max_length=256, return_tensors="np")
    assert all(np.array_equal(padded[name], expected[name]) for name in onnx_embedding.ONNX_INPUTS)


def test_a_corrupt_exported_tokenizer_is_refused(con, tmp_path: Path) -> None:
    broken = tmp_path / "model.onnx.tokenizer.json"
    broken.write_text("{not json")
    with pytest.raises(OperationalError, match=r"cannot read the exported tokenizer .*model\.onnx\.tokenizer\.json"):
        onnx_embedding.load_tokenizer(broken, 256)


class OnnxEmbedderFeeds:
    """The embedder's own feed building, without a session."""

    def __init__(self, tokenizer) -> None:
        self.embedder = onnx_embedding.OnnxEmbedder(None, tokenizer, "x", 384, 256, 1)

    def feeds(self, texts: list[str]) -> dict[str, np.ndarray]:
        return self.embedder._feeds(texts)
