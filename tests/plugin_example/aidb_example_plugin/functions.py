"""Entry point `aidb.functions`: SQL functions of the example plugin."""

from __future__ import annotations

import pyarrow as pa

from aidb.functions.registry import FunctionContext, Param, sql_function


@sql_function(params=[Param("text", "VARCHAR")], returns="VARCHAR")
def reverse_words(ctx: FunctionContext, text: pa.Array) -> pa.Array:
    """The words of text in reverse order."""
    return pa.array([None if t is None else " ".join(reversed(t.split())) for t in text.to_pylist()], type=pa.string())


@sql_function(params=[Param("text", "VARCHAR"), Param("model", "VARCHAR", None)], returns="VARCHAR", model_kind="affix")
def affixed(ctx: FunctionContext, text: pa.Array, model: pa.Array) -> pa.Array:
    """text between the prefix and suffix of an affix model (the plugin's model TYPE)."""
    names = model.to_pylist()
    out = []
    for t, name in zip(text.to_pylist(), names):
        out.append(None if t is None else ctx.model("affix", name).apply(t))
    return pa.array(out, type=pa.string())
