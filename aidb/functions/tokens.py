"""Token counts for mixtures measured in tokens: `token_count` with a real tokenizer, `regex_token_count` as the fast estimate."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from aidb.functions.registry import FunctionContext, Param, sql_function

# nltk's WordPunctTokenizer pieces (\w+|[^\w\s]+) with Unicode classes, as DSIR's features use.
_PIECE = r"[\p{L}\p{N}_]+|[^\p{L}\p{N}_\s]+"


@sql_function(
    params=[Param("text", "VARCHAR"), Param("tokenizer", "VARCHAR", None)],
    returns="BIGINT",
    model_kind="tokenizer",
)
def token_count(ctx: FunctionContext, text: pa.Array, tokenizer: pa.Array) -> pa.Array:
    """Number of tokens of text under a Hugging Face tokenizer (default: the bundled MiniLM WordPiece), special tokens excluded."""
    texts = text.to_pylist()
    counts = np.zeros(len(texts), dtype=np.int64)
    names = tokenizer.to_pylist()
    for name in dict.fromkeys(names):
        rows = [i for i, n in enumerate(names) if n == name and texts[i] is not None]
        if rows:
            counter = ctx.model("tokenizer", name)
            counts[rows] = counter.count([texts[i] for i in rows])
    return pa.array(counts, pa.int64(), mask=np.asarray(pc.is_null(text).to_numpy(zero_copy_only=False), dtype=bool))


@sql_function(params=[Param("text", "VARCHAR")], returns="BIGINT")
def regex_token_count(ctx: FunctionContext, text: pa.Array) -> pa.Array:
    """Fast token estimate without a tokenizer: runs of letters/digits plus runs of punctuation (nltk WordPunct pieces)."""
    return count_pieces(text)


def count_pieces(text: pa.Array) -> pa.Array:
    """Runs of letters/digits/underscore plus runs of other non-space characters in each text (BIGINT, NULL kept)."""
    return pc.count_substring_regex(text, pattern=_PIECE).cast(pa.int64())
