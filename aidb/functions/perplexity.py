"""perplexity(): how surprising a text is to a language model, per document (CCNet quality signal)."""

from __future__ import annotations

import pyarrow as pa

from aidb.functions.registry import FunctionContext, Param, constant_model_name, sql_function


@sql_function(
    params=[Param("text", "VARCHAR"), Param("model", "VARCHAR", None)],
    returns="DOUBLE",
    model_kind="language",
)
def perplexity(ctx: FunctionContext, text: pa.Array, model: pa.Array) -> pa.Array:
    """Perplexity of each text under a language model (KenLM, CCNet formula; default: Python-docs 5-gram); lower = more typical."""
    language_model = ctx.model("language", constant_model_name("perplexity", model))
    return language_model.perplexity(text)
