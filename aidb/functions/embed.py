"""`embed(text [, model])`: text embeddings from the catalog's embedding models, batched per DuckDB chunk and cached."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from aidb.functions.registry import FunctionContext, Param, sql_function
from aidb.models.result_cache import RESULT_CACHE, input_key


@sql_function(
    params=[Param("text", "VARCHAR"), Param("model", "VARCHAR", None)],
    returns="FLOAT[]",
    model_kind="embedding",
)
def embed(ctx: FunctionContext, text: pa.Array, model: pa.Array) -> pa.Array:
    """Embedding of text as FLOAT[n] (L2-normalised; texts past the model's max_seq_length tokens are truncated)."""
    texts = text.to_pylist()
    rows_by_model: dict[str | None, list[int]] = {}
    for row, (value, name) in enumerate(zip(texts, model.to_pylist())):
        if value is not None:  # NULL in, NULL out
            rows_by_model.setdefault(name, []).append(row)
    vectors: list[np.ndarray | None] = [None] * len(texts)
    for name, rows in rows_by_model.items():
        embedder = ctx.model("embedding", name)
        for row, vector in zip(rows, embed_texts(embedder, [texts[r] for r in rows])):
            vectors[row] = vector
    return _list_array(vectors)


def embed_texts(embedder, texts: list[str]) -> list[np.ndarray]:
    """One vector per text: duplicates and cached texts are not encoded again; the rest go in one batched call."""
    unique = list(dict.fromkeys(texts))
    keys = [input_key(t) for t in unique]
    found = RESULT_CACHE.get_many(embedder.fingerprint, keys)
    missing = [i for i, vector in enumerate(found) if vector is None]
    if missing:
        encoded = embedder.encode([unique[i] for i in missing])
        fresh = [row.copy() for row in encoded]  # copies: a cached row must not pin the whole batch matrix
        RESULT_CACHE.put_many(embedder.fingerprint, [keys[i] for i in missing], fresh)
        for i, vector in zip(missing, fresh):
            found[i] = vector
    by_text = dict(zip(unique, found))
    return [by_text[t] for t in texts]


def _list_array(vectors: list[np.ndarray | None]) -> pa.Array:
    lengths = np.array([0 if v is None else len(v) for v in vectors], dtype=np.int32)
    offsets = np.zeros(len(vectors) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    present = [v for v in vectors if v is not None]
    values = np.concatenate(present).astype(np.float32, copy=False) if present else np.zeros(0, dtype=np.float32)
    mask = pa.array([v is None for v in vectors], type=pa.bool_())
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values), mask=mask)
