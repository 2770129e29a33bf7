"""The int8 ONNX embedding backend: faithful to torch on real sentences, same SQL surface, refused cleanly when it is not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import aidb
from aidb.errors import OperationalError, ProgrammingError
from aidb.models import onnx_embedding
from aidb.models.model_directory import fingerprint, resolve_source
from aidb.models.sentence_transformer import BUILTIN_SOURCE

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
    cur.execute("CREATE TABLE docs (id INTEGER, text VARCHAR)")
    cur.executemany("INSERT INTO docs VALUES (?, ?)", [(i, t) for i, t in enumerate(SENTENCES)] + [(len(SENTENCES), None)])
    yield cur
    connection.close()


def test_onnx_vectors_agree_with_torch(onnx_db, onnx_cache: Path) -> None:
    rows = onnx_db.execute(
        "SELECT embed(text, 'mini_onnx'), embed(text) FROM docs WHERE text IS NOT NULL ORDER BY id"
    ).fetchall()
    ours = np.array([r[0] for r in rows], dtype=np.float32)
    torch_default = np.array([r[1] for r in rows], dtype=np.float32)
    cosines = np.sum(ours * torch_default, axis=1)
    assert cosines.min() >= onnx_embedding.MIN_COSINE
    assert not np.array_equal(ours, torch_default)  # really a different backend, not the torch rows from the cache
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    exported = onnx_embedding.exported_path(fingerprint(resolve_source(BUILTIN_SOURCE)))
    assert exported.parent == onnx_cache / "onnx" and exported.is_file()


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
    with pytest.raises(ProgrammingError, match=r"backend 'tensorrt' is not supported; choose one of torch, onnx"):
        con.execute(f"CREATE MODEL m TYPE embedding FROM '{BUILTIN_SOURCE}' WITH (backend = 'tensorrt')")
    assert con.execute("SELECT count(*) FROM aidb.models").fetchone()[0] == 0


def test_backend_below_the_cosine_bar_is_refused(con, onnx_db, monkeypatch) -> None:
    monkeypatch.setattr(onnx_embedding, "MIN_COSINE", 1.01)
    monkeypatch.setattr(onnx_embedding, "_verified", {})  # verify again, as a new process would
    with pytest.raises(OperationalError, match=r"onnx backend refused: .* min cosine 0\.9\d+ \(needs >= 1\.01\)"):
        con.execute(CREATE_ONNX)
    assert con.execute("SELECT count(*) FROM aidb.models").fetchone()[0] == 0


def test_corrupt_exported_file_is_refused(con, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("AIDB_CACHE_DIR", str(tmp_path))
    broken = onnx_embedding.exported_path(fingerprint(resolve_source(BUILTIN_SOURCE)))
    broken.write_bytes(b"not an onnx model")
    with pytest.raises(OperationalError, match=rf"onnx backend refused: cannot open exported model {broken}"):
        con.execute(CREATE_ONNX)
    assert con.execute("SELECT count(*) FROM aidb.models").fetchone()[0] == 0


def test_verification_covers_long_texts(tmp_path: Path) -> None:
    from aidb.models.onnx_samples import LONG_TEXT_CHARS, long_verification_texts

    long_texts = long_verification_texts()
    assert len(long_texts) == 4 and all(len(t) == LONG_TEXT_CHARS for t in long_texts)

    class Agreeing:
        """An embedder whose vectors match the reference on short texts only."""

        def encode(self, texts: list[str]) -> np.ndarray:
            return np.tile(np.array([1.0, 0.0], dtype=np.float32), (len(texts), 1))

    def reference(texts: list[str]) -> np.ndarray:
        return np.array([[0.0, 1.0] if len(t) >= LONG_TEXT_CHARS else [1.0, 0.0] for t in texts], dtype=np.float32)

    with pytest.raises(OperationalError, match=r"min cosine 0\.0000 .* on '"):
        onnx_embedding.verify(Agreeing(), reference, tmp_path / "model.onnx")
