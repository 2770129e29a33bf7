"""Text functions that need more than SQL: CCNet-style normalisation for exact deduplication."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from aidb.functions.registry import FunctionContext, Param, sql_function


@sql_function(params=[Param("text", "VARCHAR")], returns="VARCHAR")
def normalize_text(ctx: FunctionContext, text: pa.Array) -> pa.Array:
    """CCNet normalisation: lower case, accents stripped, digits to 0, punctuation dropped, spaces collapsed."""
    # Wenzek et al. 2020 (CCNet) hash paragraphs after this normalisation so trivially
    # different copies (case, accents, numbers, punctuation) count as the same text.
    out = pc.utf8_lower(text)
    out = pc.utf8_normalize(out, form="NFD")
    out = pc.replace_substring_regex(out, pattern=r"\p{Mn}+", replacement="")
    out = pc.replace_substring_regex(out, pattern=r"[0-9]", replacement="0")
    out = pc.replace_substring_regex(out, pattern=r"[^\w\s]+", replacement=" ")
    out = pc.replace_substring_regex(out, pattern=r"\s+", replacement=" ")
    return pc.utf8_trim_whitespace(out)
