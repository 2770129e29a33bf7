"""The CLIP loader: validating a model directory at CREATE MODEL and scoring with what it loads."""

from __future__ import annotations

import json

import numpy as np
import pytest
from aidb.models.tiny_clip import draw, save_tiny_clip

from aidb.errors import OperationalError, ProgrammingError
from aidb.models.clip import ClipLoader
from aidb.catalog_records import ModelRecord


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("untrained_clip")
    save_tiny_clip(directory)
    return directory


def test_describe_fingerprints_the_weights(clip_dir):
    first = ClipLoader().describe(str(clip_dir), {})
    assert first.dimension == 16 and first.source == str(clip_dir.resolve())
    assert ClipLoader().describe(str(clip_dir), {}).fingerprint == first.fingerprint
    assert len(first.fingerprint) == 16


def test_describe_refuses_what_is_not_a_clip_directory(tmp_path, clip_dir):
    with pytest.raises(OperationalError, match="is not a CLIP model directory: .*config.json does not exist"):
        ClipLoader().describe(str(tmp_path), {})
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "gpt2"}))
    with pytest.raises(ProgrammingError, match="holds a 'gpt2' model, not a CLIP model"):
        ClipLoader().describe(str(tmp_path), {})
    (tmp_path / "config.json").write_text((clip_dir / "config.json").read_text())
    with pytest.raises(OperationalError, match="holds no weights"):
        ClipLoader().describe(str(tmp_path), {})


def test_create_model_checks_the_directory(con, tmp_path):
    with pytest.raises(OperationalError, match="not a CLIP model directory"):
        con.cursor().execute(f"CREATE MODEL c TYPE clip FROM '{tmp_path / 'missing'}'")


def test_loaded_scorer_gives_one_cosine_per_row(clip_dir):
    scorer = ClipLoader().load(ModelRecord("c", "clip", str(clip_dir)))
    images = [draw("red", "circle"), draw("blue", "square").convert("L")]  # greyscale is converted to RGB
    scores = scorer.cosine_similarity(images, ["a red circle", "a photo of a blue square and more words than fit" * 3])
    assert scores.shape == (2,) and scores.dtype == np.float64
    assert np.all(np.abs(scores) <= 1.0)
