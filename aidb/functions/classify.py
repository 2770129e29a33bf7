"""classify(text, classifier): the positive-class probability of a classifier made with CREATE CLASSIFIER."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from aidb.functions.registry import FunctionContext, Param, sql_function


@sql_function(params=[Param("text", "VARCHAR"), Param("classifier", "VARCHAR")], returns="DOUBLE", model_kind="classifier")
def classify(ctx: FunctionContext, text: pa.Array, classifier: pa.Array) -> pa.Array:
    """Probability in [0, 1] that text belongs to the positive class of a CREATE CLASSIFIER model."""
    texts = text.to_pylist()
    names = classifier.to_pylist()
    scores = np.full(len(texts), np.nan)
    # The classifier argument is usually one constant; group rows by name so each model runs once per chunk.
    for name in {n for n in names if n is not None}:
        rows = [i for i, (t, n) in enumerate(zip(texts, names)) if n == name and t is not None]
        if rows:
            model = ctx.model("classifier", name)
            scores[rows] = model.positive_probability([texts[i] for i in rows])
    return pa.array(scores, type=pa.float64(), mask=np.isnan(scores))
