"""Lengths of SFT records for quality filters: `instruction_length` and `response_length`, in regex tokens."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from aidb.functions.registry import FunctionContext, Param, sql_function
from aidb.functions.tokens import count_pieces


@sql_function(params=[Param("instruction", "VARCHAR"), Param("input", "VARCHAR", None)], returns="BIGINT")
def instruction_length(ctx: FunctionContext, instruction: pa.Array, input: pa.Array) -> pa.Array:  # noqa: A002 - the Alpaca field name
    """Tokens (regex_token_count pieces) of an instruction plus its optional input; NULL instruction gives NULL."""
    return pc.add(count_pieces(instruction), pc.fill_null(count_pieces(input), 0))


@sql_function(params=[Param("response", "VARCHAR")], returns="BIGINT")
def response_length(ctx: FunctionContext, response: pa.Array) -> pa.Array:
    """Tokens (regex_token_count pieces) of a response; NULL gives NULL."""
    return count_pieces(response)
