"""lang_id(text [, model]): the language of a text and the model's confidence, for language filtering."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from aidb.functions.registry import FunctionContext, Param, constant_model_name, sql_function


@sql_function(
    params=[Param("text", "VARCHAR"), Param("model", "VARCHAR", None)],
    returns="STRUCT(lang VARCHAR, score DOUBLE)",
    model_kind="language_id",
)
def lang_id(ctx: FunctionContext, text: pa.Array, model: pa.Array) -> pa.Array:
    """Language (ISO 639 code) and probability of a text (default: py3langid, 97 languages, offline; or a fastText lid model)."""
    identifier = ctx.model("language_id", constant_model_name("lang_id", model))
    texts = text.to_pylist()
    rows = [i for i, t in enumerate(texts) if t is not None]
    langs: list[str | None] = [None] * len(texts)
    scores = np.full(len(texts), np.nan)
    if rows:
        found, probabilities = identifier.identify([texts[i] for i in rows])
        for row, lang in zip(rows, found):
            langs[row] = lang
        scores[rows] = probabilities
    mask = np.array([t is None for t in texts], dtype=bool)
    return pa.StructArray.from_arrays(
        [pa.array(langs, type=pa.string()), pa.array(scores, mask=np.isnan(scores))],
        names=["lang", "score"],
        mask=pa.array(mask) if mask.any() else None,
    )
