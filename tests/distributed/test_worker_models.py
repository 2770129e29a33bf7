"""Model resolution inside Ray workers (aidb/distributed/worker_models.py): the session's names, defaults and errors."""

from __future__ import annotations

import pytest

import aidb
from aidb.distributed.worker_models import WorkerModels
from aidb.storage.catalog import ModelRecord

LM = ModelRecord("wiki", "language", "/m/wiki.bin", fingerprint="f1")
CLF = ModelRecord("quality", "classifier", "/m/q.joblib", fingerprint="f2")


def test_names_and_defaults_resolve_as_in_the_session():
    models = WorkerModels({"wiki": LM, "quality": CLF}, {"language": LM})
    assert models.resolve("language", None) is LM
    assert models.resolve("classifier", "quality") is CLF
    with pytest.raises(aidb.ProgrammingError, match="unknown model 'qualty'.*quality"):
        models.resolve("classifier", "qualty")
    with pytest.raises(aidb.ProgrammingError, match="model 'wiki' is a language model, but a classifier model is needed"):
        models.resolve("classifier", "wiki")
    with pytest.raises(aidb.ProgrammingError, match="no default embedding model"):
        models.resolve("embedding", None)


def test_a_model_the_driver_refused_fails_only_when_used():
    models = WorkerModels({"wiki": LM, "quality": CLF}, {"language": LM}, refused={"quality": "model 'quality' was not created by aidb on this machine"})
    assert models.resolve("language", "wiki") is LM
    with pytest.raises(aidb.OperationalError, match="not created by aidb on this machine"):
        models.resolve("classifier", "quality")
