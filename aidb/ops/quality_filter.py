"""`quality_filter(t, text_col, filters := [...])`: the quality filters in one statement, with a removal table.

Runs language ID (`lang_id`), the heuristic filters (`gopher_quality`, `gopher_repetition`, `c4_quality`,
`fineweb_quality`, datatrove's rules at their published defaults) and a perplexity cut (`perplexity`, CCNet's
signal) over the input and returns the rows every filter keeps. Each removed row gets one row in the removal table
(`removed :=`, default `<t>_filtered_out`), `(id, method, cluster_id, kept_id, similarity, rule)` as `dedup()`
writes it: `method` the first filter (in the order given) that dropped it, `rule` its reason with the measured
value, the threshold and the model, so `why_dropped` answers for filters as it does for duplicates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from aidb.errors import ProgrammingError
from aidb.functions.registry import SqlFunction, load_function_modules
from aidb.ops.dedup_input import TEXT_TYPES, checked_ids, rows_with_ids
from aidb.ops.operator_registry import (
    OperatorInput, OperatorParam, OperatorResult, id_column, input_column, operator, quote_identifier, removal_table_name,
)

HEURISTIC = ("gopher_quality", "gopher_repetition", "c4_quality", "fineweb_quality")
FILTERS = ("lang_id", *HEURISTIC, "perplexity")
DEFAULT_FILTERS = ["gopher_quality", "gopher_repetition", "fineweb_quality"]
REMOVAL_SUFFIX = "_filtered_out"

# reason -> (the statistic it measured, the threshold argument it compared with); reasons as datatrove names them
_REASONS: dict[str, dict[str, tuple[str | None, str | None]]] = {
    "gopher_quality": {
        "gopher_short_doc": ("n_words", "min_doc_words"),
        "gopher_long_doc": ("n_words", "max_doc_words"),
        "gopher_below_avg_threshold": ("avg_word_length", "min_avg_word_length"),
        "gopher_above_avg_threshold": ("avg_word_length", "max_avg_word_length"),
        "gopher_too_many_hashes": ("hash_ratio", "max_symbol_word_ratio"),
        "gopher_too_many_ellipsis": ("ellipsis_ratio", "max_symbol_word_ratio"),
        "gopher_too_many_bullets": ("bullet_lines_ratio", "max_bullet_lines_ratio"),
        "gopher_too_many_end_ellipsis": ("end_ellipsis_lines_ratio", "max_ellipsis_lines_ratio"),
        "gopher_below_alpha_threshold": ("alpha_words_ratio", "max_non_alpha_words_ratio"),
        "gopher_enough_stop_words": ("stop_words", "min_stop_words"),
    },
    "gopher_repetition": {
        "empty": (None, None),
        **{name: (name, name) for name in ("dup_para_frac", "dup_para_char_frac", "dup_line_frac", "dup_line_char_frac")},
        **{f"top_{n}_gram": (f"top_{n}_gram_frac", f"top_{n}_gram_frac") for n in (2, 3, 4)},
        **{f"duplicated_{n}_n_grams": (f"dup_{n}_gram_frac", f"dup_{n}_gram_frac") for n in range(5, 11)},
    },
    "c4_quality": {
        "lorem_ipsum": (None, "filter_lorem_ipsum"),
        "curly_bracket": (None, "filter_curly_bracket"),
        "too_few_sentences": ("sentences", "min_num_sentences"),
    },
    "fineweb_quality": {
        "empty": (None, None),
        "line_punct_ratio": ("line_punct_ratio", "line_punct_thr"),
        "short_line_ratio": ("short_line_ratio", "short_line_thr"),
        "char_dup_ratio": ("char_dup_ratio", "char_duplicates_ratio"),
        "list_ratio": ("list_ratio", "new_line_ratio"),
    },
}


@operator(
    params=[
        OperatorParam("t", "table"),
        OperatorParam("text_col", "column"),
        OperatorParam("filters", "list", DEFAULT_FILTERS),
        OperatorParam("lang", "any", None),
        OperatorParam("min_lang_score", "number", 0.0),
        OperatorParam("lang_model", "string", None),
        OperatorParam("max_perplexity", "number", None),
        OperatorParam("perplexity_model", "string", None),
        OperatorParam("removed", "string", None),
        OperatorParam("id_col", "column", "id"),
    ]
)
def quality_filter(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """Language ID, Gopher, C4, FineWeb and perplexity filters in one step: the kept rows; removals in `<t>_filtered_out`."""
    filters = _filters(args)
    langs = _languages(args) if "lang_id" in filters else None
    removed_name = removal_table_name(source, "quality_filter", args, REMOVAL_SUFFIX)
    id_name = id_column(source, "quality_filter", args)
    text = quote_identifier(input_column(source, "quality_filter", "text_col", args["text_col"], TEXT_TYPES))
    functions = load_function_modules()
    calls = [_call(functions[f], text, _model_argument(f, args)) for f in filters]
    rows = source.query([quote_identifier(id_name), *calls])
    ids = checked_ids(rows.column(0), "quality_filter", id_name)
    method = np.full(len(ids), None, dtype=object)
    rule = np.full(len(ids), None, dtype=object)
    for position, name in enumerate(filters):
        results = rows.column(position + 1).combine_chunks() if len(ids) else pa.array([], rows.schema.field(position + 1).type)
        dropped, reasons = _decisions(name, results, functions[name], args, langs)
        fresh = dropped & (method == None)  # noqa: E711 (element-wise): the first filter that drops a row names it
        method[fresh] = name
        rule[fresh] = reasons[fresh]
    gone = method != None  # noqa: E711
    kept_ids = ids.filter(pa.array(~gone))
    positions = pa.array(np.flatnonzero(gone))
    removal = pa.table({
        "id": ids.take(positions),
        "method": pa.array(method[gone].tolist(), pa.string()),
        "cluster_id": pa.nulls(len(positions), ids.type),
        "kept_id": pa.nulls(len(positions), ids.type),
        "similarity": pa.nulls(len(positions), pa.float64()),
        "rule": pa.array(rule[gone].tolist(), pa.string()),
    })
    return OperatorResult(rows_with_ids(source, id_name, kept_ids), {removed_name: removal})


def _decisions(name: str, results: pa.Array, function: SqlFunction, args: dict[str, Any], langs: list[str] | None) -> tuple[np.ndarray, np.ndarray]:
    """(dropped per row, the rule text of each dropped row) for one filter's results. A NULL text is dropped."""
    n = len(results)
    null = results.is_null().to_numpy(zero_copy_only=False)
    reasons = np.full(n, None, dtype=object)
    reasons[null] = f"{name}: NULL text"
    if name == "lang_id":
        lang = results.field("lang").to_pylist()
        score = results.field("score").to_numpy(zero_copy_only=False)
        minimum = float(args["min_lang_score"])
        wrong = np.array([v is not None and (v not in langs) for v in lang], dtype=bool) | (~null & (np.nan_to_num(score) < minimum))
        model = args.get("lang_model") or "the default language_id model"
        for row in np.flatnonzero(wrong):
            reasons[row] = f"lang_id: {lang[row]} (score {score[row]:.3f}); wanted {' or '.join(langs)} with score >= {minimum} ({model})"
        return null | wrong, reasons
    if name == "perplexity":
        values = results.to_numpy(zero_copy_only=False).astype(np.float64)
        limit = float(args["max_perplexity"])
        high = ~null & (values > limit)
        model = args.get("perplexity_model") or "the default language model"
        for row in np.flatnonzero(high):
            reasons[row] = f"perplexity: {values[row]:.1f} > max_perplexity {limit:g} ({model})"
        return null | high, reasons
    kept = results.field("keep").fill_null(False).to_numpy(zero_copy_only=False)
    reason = results.field("reason").to_pylist()
    defaults = {p.name: p.default for p in function.params}
    for row in np.flatnonzero(~kept & ~null):
        statistic, threshold = _REASONS[name].get(reason[row], (None, None))
        detail = []
        if statistic is not None:
            value = results.field(statistic)[row].as_py()
            detail.append(f"{statistic} {value:.4g}" if isinstance(value, float) else f"{statistic} {value}")
        if threshold is not None:
            detail.append(f"limit {threshold} := {defaults[threshold]!r}, datatrove's default")
        reasons[row] = f"{name}: {reason[row]}" + (f" ({'; '.join(detail)})" if detail else "")
    return ~kept, reasons


def _call(function: SqlFunction, text: str, model: str | None) -> str:
    """The complete SQL call of a filter function with its default arguments (operators' SQL is not rewritten)."""
    args = [text]
    for param in function.params[1:]:
        value = model if param.name == "model" else param.default
        args.append(_literal(value, param.type))
    return f"{function.name}({', '.join(args)})"


def _literal(value: Any, sql_type: str) -> str:
    if value is None:
        return f"NULL::{sql_type}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value!r}::{sql_type}"
    return "'" + str(value).replace("'", "''") + "'"


def _model_argument(name: str, args: dict[str, Any]) -> str | None:
    return {"lang_id": args.get("lang_model"), "perplexity": args.get("perplexity_model")}.get(name)


def _filters(args: dict[str, Any]) -> list[str]:
    value = args["filters"]
    filters = [value] if isinstance(value, str) else list(value or [])
    unknown = [f for f in filters if f not in FILTERS]
    if not filters or unknown or len(set(filters)) != len(filters):
        raise ProgrammingError(f"quality_filter(): argument filters must be a list of distinct filters from {list(FILTERS)}, got {value!r}")
    if "perplexity" in filters and not isinstance(args.get("max_perplexity"), (int, float)):
        raise ProgrammingError("quality_filter(): filter 'perplexity' needs a limit: max_perplexity := <number>")
    if "perplexity" in filters and (isinstance(args["max_perplexity"], bool) or args["max_perplexity"] <= 0):
        raise ProgrammingError(f"quality_filter(): argument max_perplexity must be a positive number, got {args['max_perplexity']!r}")
    if "lang_id" not in filters and args.get("lang") is not None:
        raise ProgrammingError("quality_filter(): argument lang is given but 'lang_id' is not in filters")
    return filters


def _languages(args: dict[str, Any]) -> list[str]:
    value = args.get("lang")
    langs = [value] if isinstance(value, str) else list(value or [])
    if not langs or not all(isinstance(v, str) and v for v in langs):
        raise ProgrammingError(f"quality_filter(): filter 'lang_id' needs the languages to keep: lang := 'en' (or a list), got {value!r}")
    if not isinstance(args["min_lang_score"], (int, float)) or not 0 <= args["min_lang_score"] <= 1:
        raise ProgrammingError(f"quality_filter(): argument min_lang_score must be in [0, 1], got {args['min_lang_score']!r}")
    return langs
