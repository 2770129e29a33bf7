"""perplexity(): how surprising a text is to a language model, per document (CCNet quality signal)."""

from __future__ import annotations

import pyarrow as pa

from aidb.errors import ProgrammingError
from aidb.functions.registry import FunctionContext, Param, sql_function


@sql_function(
    params=[Param("text", "VARCHAR"), Param("model", "VARCHAR", None)],
    returns="DOUBLE",
    model_kind="language",
)
def perplexity(ctx: FunctionContext, text: pa.Array, model: pa.Array) -> pa.Array:
    """Perplexity of each text under a language model (KenLM, CCNet formula; default: Python-docs 5-gram); lower = more typical."""
    names = set(model.drop_null().unique().to_pylist()) if model.null_count < len(model) else set()
    if len(names) > 1 or (names and model.null_count):
        raise ProgrammingError("perplexity(): the model argument must be the same for every row (a constant)")
    language_model = ctx.model("language", names.pop() if names else None)
    return language_model.perplexity(text)
