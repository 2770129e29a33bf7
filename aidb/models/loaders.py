"""The registry of model loaders, keyed by model TYPE (embedding, language, clip, classifier).

A loader is the only code that knows a framework. `describe` validates a source when a model is
created (cheap, no weights loaded); `load` builds the in-memory model the first time a query needs it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from aidb.catalog_records import ModelRecord
from aidb.errors import NotSupportedError
from aidb.plugins import MODEL_LOADERS_GROUP, load_plugins


@dataclass(frozen=True)
class ModelDescription:
    fingerprint: str
    dimension: int | None = None
    source: str | None = None  # normalised source (e.g. an absolute path), when it differs
    # What training measured (e.g. held-out accuracy) or the loader resolved (e.g. the embedding backend it
    # chose and how well it agreed with torch): stored in the model's options JSON (SHOW MODELS).
    metrics: dict[str, object] = field(default_factory=dict)


class TrainingContext(Protocol):
    """What a loader that trains may use of the database: the training query's rows and a folder for its files."""

    def read_query(self, sql: str) -> Any:
        """The rows of `sql` (already planned by the engine) as a pyarrow RecordBatchReader."""

    def model_files_dir(self) -> Path:
        """Where models trained in this database keep their files."""


class ModelLoader(Protocol):
    def describe(self, source: str, options: dict[str, object]) -> ModelDescription:
        """Validate a source at CREATE MODEL (cheap: no weights loaded)."""

    def load(self, record: ModelRecord) -> Any:
        """The in-memory model, built the first time a query needs it."""


@runtime_checkable
class TrainingModelLoader(ModelLoader, Protocol):
    """A loader whose models are trained from a query (CREATE CLASSIFIER, CREATE LANGUAGE MODEL ... FROM (SELECT ...))."""

    def train(self, context: TrainingContext, name: str, query_sql: str, using: Any, options: dict[str, object]) -> ModelDescription:
        """Train model `name` on the rows of `query_sql`; `options` may be completed with what training chose."""


LOADERS: dict[str, ModelLoader] = {}

# The model each function uses when the catalog names no default of its TYPE (e.g. the bundled
# all-MiniLM-L6-v2 for embeddings); registered by the loader modules with `builtin_default`.
BUILTIN_DEFAULTS: dict[str, ModelRecord] = {}


def builtin_default(record: ModelRecord) -> ModelRecord:
    BUILTIN_DEFAULTS[record.kind] = record
    return record


def model_loader(kind: str):
    """Class decorator: register an instance of the class as the loader for `kind`."""

    def register(cls):
        LOADERS[kind] = cls()
        return cls

    return register


def loader_for(kind: str) -> ModelLoader:
    loader = LOADERS.get(kind)
    if loader is None:
        raise NotSupportedError(f"models of TYPE {kind} cannot be loaded by this aidb build (no loader registered)")
    return loader


_cache: dict[tuple[str, str, str, str | None], Any] = {}
_cache_lock = threading.Lock()


def load_model(record: ModelRecord) -> Any:
    """The loaded model for `record`, built once per process (thread-safe) and reused afterwards."""
    key = (record.kind, record.source, record.options, record.fingerprint)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = loader_for(record.kind).load(record)
        return _cache[key]


_modules_loaded = False


def load_loader_modules() -> None:
    """Import every module of `aidb.models`, then the installed `aidb.model_loaders` plugins (aidb/plugins.py), so
    their `@model_loader` classes register (frameworks stay lazy)."""
    global _modules_loaded
    if _modules_loaded:
        return
    import importlib
    import pkgutil

    package = importlib.import_module("aidb.models")
    for module in pkgutil.iter_modules(package.__path__):
        if module.name != "loaders" and not module.name.startswith("_"):
            importlib.import_module(f"aidb.models.{module.name}")
    load_plugins(MODEL_LOADERS_GROUP)
    _modules_loaded = True
