"""Quality signals of SFT records: `instruction_length` and `response_length` in regex tokens, and `ifd_score`,
the instruction-following difficulty of Li et al. 2024 ("From quantity to quality", the Cherry LLM selection)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from aidb.errors import ProgrammingError
from aidb.functions.registry import FunctionContext, Param, constant_model_name, sql_function
from aidb.functions.tokens import count_pieces


@sql_function(params=[Param("instruction", "VARCHAR"), Param("input", "VARCHAR", None)], returns="BIGINT")
def instruction_length(ctx: FunctionContext, instruction: pa.Array, input: pa.Array) -> pa.Array:  # noqa: A002 - the Alpaca field name
    """Tokens (regex_token_count pieces) of an instruction plus its optional input; NULL instruction gives NULL."""
    return pc.add(count_pieces(instruction), pc.fill_null(count_pieces(input), 0))


@sql_function(params=[Param("response", "VARCHAR")], returns="BIGINT")
def response_length(ctx: FunctionContext, response: pa.Array) -> pa.Array:
    """Tokens (regex_token_count pieces) of a response; NULL gives NULL."""
    return count_pieces(response)


@sql_function(params=[Param("instruction", "VARCHAR"), Param("response", "VARCHAR"), Param("model", "VARCHAR", None)], returns="DOUBLE", model_kind="language")
def ifd_score(ctx: FunctionContext, instruction: pa.Array, response: pa.Array, model: pa.Array) -> pa.Array:
    """IFD (Li et al. 2024): perplexity of the response after the instruction / without it, under an hf: causal LM; higher = harder."""
    language_model = ctx.model("language", constant_model_name("ifd_score", model))
    if not hasattr(language_model, "response_perplexities"):
        raise ProgrammingError(
            "ifd_score(): the model must be a Hugging Face causal LM (CREATE MODEL m TYPE language FROM 'hf:/path/to/model'); "
            "an n-gram model cannot condition a response on its instruction"
        )
    conditioned, alone = language_model.response_perplexities(instruction, response)
    return pc.divide(conditioned, alone)
