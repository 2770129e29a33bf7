"""Heuristic pre-training quality filters with datatrove's rules and defaults: Gopher quality and repetition
(Rae et al. 2021), C4 (Raffel et al. 2020) and FineWeb (Penedo et al. 2024).

Each returns a STRUCT of the measured statistics plus `keep` and `reason` (the first rule failed, named as
datatrove names it; NULL when kept). Thresholds are the published defaults, overridable by name; a NULL
threshold switches its rule off. A NULL text gives a NULL struct. Counting happens in compiled kernels
(`aidb.ops`), one pass per DuckDB chunk; words are tokens of spaCy's English rules (`aidb.ops.word_tokens`).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from aidb.errors import DataError
from aidb.functions.registry import FunctionContext, Param, constant_argument, sql_function
from aidb.ops.c4_lines import c4_lines
from aidb.ops.char_classes import char_classes
from aidb.ops.quality_stats import fineweb_counts, gopher_quality_counts
from aidb.ops.repetition_stats import repetition_stats, span_hash
from aidb.ops.word_tokens import code_points, tokenize_words

GOPHER_STOP_WORDS = "the be to of and that have with"  # datatrove's STOP_WORDS (Gopher's list)
_TOP_NS = np.array([2, 3, 4], dtype=np.int64)
_DUP_NS = np.array([5, 6, 7, 8, 9, 10], dtype=np.int64)


def _numbers(values: pa.Array) -> np.ndarray:
    """A threshold argument per row as float64, NaN where NULL (the rule is off)."""
    return pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)


def _tokens(text: pa.Array):
    cls = char_classes()
    offsets, cps = code_points(text)
    return cls, offsets, cps, tokenize_words(offsets, cps, cls)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan)


def _decide(text: pa.Array, fields: dict[str, np.ndarray], rules: list[tuple[str, np.ndarray]]) -> pa.Array:
    """STRUCT of `fields` plus keep and the name of the first failed rule (rules in datatrove's order)."""
    n = len(text)
    reason = np.full(n, None, dtype=object)
    for name, failed in rules:
        reason[(reason == None) & failed] = name  # noqa: E711 (element-wise)
    arrays = [pa.array(v, from_pandas=True) for v in fields.values()]
    names = list(fields)
    arrays += [pa.array(reason == None), pa.array(reason, type=pa.string())]  # noqa: E711
    names += ["keep", "reason"]
    mask = pc.is_null(text)
    return pa.StructArray.from_arrays(arrays, names=names, mask=pa.array(mask) if pc.any(mask).as_py() else None)


def _below(value: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    return ~np.isnan(threshold) & (value < threshold)


def _above(value: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    return ~np.isnan(threshold) & (value > threshold)


_GOPHER_QUALITY_TYPE = (
    "STRUCT(n_words BIGINT, avg_word_length DOUBLE, hash_ratio DOUBLE, ellipsis_ratio DOUBLE, bullet_lines_ratio DOUBLE,"
    " end_ellipsis_lines_ratio DOUBLE, alpha_words_ratio DOUBLE, stop_words BIGINT, keep BOOLEAN, reason VARCHAR)"
)


@sql_function(
    params=[
        Param("text", "VARCHAR"),
        Param("min_doc_words", "DOUBLE", 50),
        Param("max_doc_words", "DOUBLE", 100000),
        Param("min_avg_word_length", "DOUBLE", 3),
        Param("max_avg_word_length", "DOUBLE", 10),
        Param("max_symbol_word_ratio", "DOUBLE", 0.1),
        Param("max_bullet_lines_ratio", "DOUBLE", 0.9),
        Param("max_ellipsis_lines_ratio", "DOUBLE", 0.3),
        Param("max_non_alpha_words_ratio", "DOUBLE", 0.8),
        Param("min_stop_words", "DOUBLE", 2),
        Param("stop_words", "VARCHAR", GOPHER_STOP_WORDS),
    ],
    returns=_GOPHER_QUALITY_TYPE,
    one_thread=True,
)
def gopher_quality(ctx: FunctionContext, text: pa.Array, *thresholds: pa.Array) -> pa.Array:
    """Gopher quality rules (Rae et al. 2021) as datatrove applies them: word count and length, #/... ratios, bullets, letters, stop words."""
    *limits, stop_words = thresholds
    words = str(constant_argument("gopher_quality", stop_words, "stop_words") or "").split()
    stop_hashes = np.array([span_hash(np.array([ord(c) for c in w], np.uint32), 0, len(w)) for w in set(words)], dtype=np.uint64)
    cls, offsets, cps, (tok_offsets, tok_starts, tok_ends) = _tokens(text)
    counts = gopher_quality_counts(offsets, cps, cls, tok_offsets, tok_starts, tok_ends, stop_hashes)
    tokens, n_words, word_chars, hashes, ellipses, lines, bullets, end_ellipsis, alpha, stops = counts.T
    fields = {
        "n_words": n_words,
        "avg_word_length": _ratio(word_chars, n_words),
        "hash_ratio": _ratio(hashes, tokens),
        "ellipsis_ratio": _ratio(ellipses, tokens),
        "bullet_lines_ratio": _ratio(bullets, lines),
        "end_ellipsis_lines_ratio": _ratio(end_ellipsis, lines),
        "alpha_words_ratio": _ratio(alpha, tokens),
        "stop_words": stops,
    }
    lim = [_numbers(v) for v in limits]
    rules = [
        ("gopher_short_doc", _below(n_words, lim[0])),
        ("gopher_long_doc", _above(n_words, lim[1])),
        ("gopher_below_avg_threshold", _below(fields["avg_word_length"], lim[2])),
        ("gopher_above_avg_threshold", _above(fields["avg_word_length"], lim[3])),
        ("gopher_too_many_hashes", _above(fields["hash_ratio"], lim[4])),
        ("gopher_too_many_ellipsis", _above(fields["ellipsis_ratio"], lim[4])),
        ("gopher_too_many_bullets", _above(fields["bullet_lines_ratio"], lim[5])),
        ("gopher_too_many_end_ellipsis", _above(fields["end_ellipsis_lines_ratio"], lim[6])),
        ("gopher_below_alpha_threshold", _below(fields["alpha_words_ratio"], lim[7])),
        ("gopher_enough_stop_words", _below(stops, lim[8])),
    ]
    return _decide(text, fields, rules)


_TOP = [f"top_{n}_gram_frac" for n in _TOP_NS]
_DUP = [f"dup_{n}_gram_frac" for n in _DUP_NS]
_REPETITION_FIELDS = ["dup_para_frac", "dup_para_char_frac", "dup_line_frac", "dup_line_char_frac", *_TOP, *_DUP]


@sql_function(
    params=[
        Param("text", "VARCHAR"),
        Param("dup_line_frac", "DOUBLE", 0.3),
        Param("dup_para_frac", "DOUBLE", 0.3),
        Param("dup_line_char_frac", "DOUBLE", 0.2),
        Param("dup_para_char_frac", "DOUBLE", 0.2),
        *[Param(name, "DOUBLE", limit) for name, limit in zip(_TOP, (0.2, 0.18, 0.16))],
        *[Param(name, "DOUBLE", limit) for name, limit in zip(_DUP, (0.15, 0.14, 0.13, 0.12, 0.11, 0.10))],
    ],
    returns="STRUCT(" + ", ".join(f"{f} DOUBLE" for f in _REPETITION_FIELDS) + ", keep BOOLEAN, reason VARCHAR)",
    one_thread=True,
)
def gopher_repetition(ctx: FunctionContext, text: pa.Array, *thresholds: pa.Array) -> pa.Array:
    """Gopher repetition rules (Rae et al. 2021, table A1): duplicate lines/paragraphs, top 2-4-grams, duplicated 5-10-grams."""
    cls, offsets, cps, (tok_offsets, tok_starts, tok_ends) = _tokens(text)
    stats = repetition_stats(offsets, cps, cls, tok_offsets, tok_starts, tok_ends, _TOP_NS, _DUP_NS)
    length = np.diff(offsets).astype(np.float64)
    dup_para, dup_para_chars, dup_line, dup_line_chars, paragraphs, lines = stats[:, :6].T
    fields = {
        "dup_para_frac": _ratio(dup_para, paragraphs),
        "dup_para_char_frac": _ratio(dup_para_chars, length),
        "dup_line_frac": _ratio(dup_line, lines),
        "dup_line_char_frac": _ratio(dup_line_chars, length),
    }
    for q, name in enumerate(_TOP):
        top = stats[:, 6 + q].astype(np.float64)
        fields[name] = _ratio(np.where(top < 0, np.nan, top), length)
    for q, name in enumerate(_DUP):
        fields[name] = _ratio(stats[:, 6 + len(_TOP) + q], length)
    lim = dict(zip(["dup_line_frac", "dup_para_frac", "dup_line_char_frac", "dup_para_char_frac", *_TOP, *_DUP], map(_numbers, thresholds)))
    rules = [("empty", length == 0)]
    rules += [(name, _above(fields[name], lim[name])) for name in _REPETITION_FIELDS[:4]]
    rules += [(f"top_{n}_gram", _above(fields[name], lim[name])) for n, name in zip(_TOP_NS, _TOP)]
    rules += [(f"duplicated_{n}_n_grams", _above(fields[name], lim[name])) for n, name in zip(_DUP_NS, _DUP)]
    return _decide(text, fields, rules)


_C4_PARAMS = [
    Param("text", "VARCHAR"),
    Param("remove_citations", "BOOLEAN", True),
    Param("filter_no_terminal_punct", "BOOLEAN", True),
    Param("min_num_sentences", "INTEGER", 5),
    Param("min_words_per_line", "INTEGER", 3),
    Param("max_word_length", "INTEGER", 1000),
    Param("filter_lorem_ipsum", "BOOLEAN", True),
    Param("filter_javascript", "BOOLEAN", True),
    Param("filter_curly_bracket", "BOOLEAN", True),
    Param("filter_policy", "BOOLEAN", True),
    Param("split_paragraph", "BOOLEAN", True),
]
_C4_REASONS = np.array([None, "lorem_ipsum", "curly_bracket", "too_few_sentences"], dtype=object)


def _run_c4(function: str, text: pa.Array, args: tuple[pa.Array, ...]):
    values = {p.name: constant_argument(function, a, p.name) for p, a in zip(_C4_PARAMS[1:], args)}
    for name, value in values.items():
        if value is None:
            raise DataError(f"{function}(): {name} must not be NULL (use -1 or false to switch its rule off)")
    flags = tuple(bool(values[k]) for k in ("remove_citations", "filter_no_terminal_punct", "filter_lorem_ipsum",
                                             "filter_javascript", "filter_curly_bracket", "filter_policy"))
    cls = char_classes()
    offsets, cps = code_points(text)
    return c4_lines(offsets, cps, cls, flags, values["min_num_sentences"], values["min_words_per_line"],
                    values["max_word_length"], bool(values["split_paragraph"]))


@sql_function(
    params=_C4_PARAMS,
    returns="STRUCT(lines BIGINT, kept_lines BIGINT, sentences BIGINT, keep BOOLEAN, reason VARCHAR)",
    one_thread=True,
)
def c4_quality(ctx: FunctionContext, text: pa.Array, *args: pa.Array) -> pa.Array:
    """C4 rules (Raffel et al. 2020) as datatrove's C4QualityFilter applies them: line filters, then lorem ipsum, '{', >= 5 sentences."""
    out, _, _ = _run_c4("c4_quality", text, args)
    fields = {"lines": out[:, 1], "kept_lines": out[:, 2], "sentences": out[:, 3]}
    return _decide(text, fields, [(name, out[:, 0] == code) for code, name in enumerate(_C4_REASONS) if code])


@sql_function(params=_C4_PARAMS, returns="VARCHAR", one_thread=True)
def c4_clean(ctx: FunctionContext, text: pa.Array, *args: pa.Array) -> pa.Array:
    """The lines of the text that C4's line filters keep, joined by newlines (c4_quality(text).keep says whether the document stays)."""
    _, kept_offsets, kept = _run_c4("c4_clean", text, args)
    whole = kept.tobytes().decode("utf-32-le")
    texts = [whole[kept_offsets[i] : kept_offsets[i + 1]] for i in range(len(text))]
    return pa.array(texts, type=pa.string(), mask=pc.is_null(text).to_numpy(zero_copy_only=False))


@sql_function(
    params=[
        Param("text", "VARCHAR"),
        Param("line_punct_thr", "DOUBLE", 0.12),
        Param("line_punct_exclude_zero", "BOOLEAN", False),
        Param("short_line_thr", "DOUBLE", 0.67),
        Param("short_line_length", "INTEGER", 30),
        Param("char_duplicates_ratio", "DOUBLE", 0.01),
        Param("new_line_ratio", "DOUBLE", 0.3),
        Param("stop_chars", "VARCHAR", None),
    ],
    returns="STRUCT(line_punct_ratio DOUBLE, short_line_ratio DOUBLE, char_dup_ratio DOUBLE, list_ratio DOUBLE, keep BOOLEAN, reason VARCHAR)",
    one_thread=True,
)
def fineweb_quality(
    ctx: FunctionContext, text: pa.Array, line_punct_thr: pa.Array, exclude_zero: pa.Array, short_line_thr: pa.Array,
    short_line_length: pa.Array, char_duplicates_ratio: pa.Array, new_line_ratio: pa.Array, stop_chars: pa.Array,
) -> pa.Array:
    """FineWeb rules (Penedo et al. 2024): lines ending in punctuation, short lines, duplicated line chars, newlines per word."""
    length = constant_argument("fineweb_quality", short_line_length, "short_line_length")
    # the characters a line may end with to count as punctuated; NULL: Unicode's terminal punctuation, as datatrove
    stops = constant_argument("fineweb_quality", stop_chars, "stop_chars") or ""
    stop_codes = np.array([ord(c) for c in stops], dtype=np.uint32)
    cls, offsets, cps, (tok_offsets, _, _) = _tokens(text)
    counts = fineweb_counts(offsets, cps, cls, tok_offsets, -1 if length is None else length, stop_codes)
    lines, punct, short, dup_chars, chars, newlines, tokens = counts.T
    fields = {
        "line_punct_ratio": _ratio(punct, lines),
        "short_line_ratio": _ratio(short, lines),
        "char_dup_ratio": _ratio(dup_chars, chars),
        "list_ratio": _ratio(newlines, tokens),
    }
    exclude = pc.fill_null(exclude_zero, False).to_numpy(zero_copy_only=False)
    punct_failed = _below(fields["line_punct_ratio"], _numbers(line_punct_thr)) & ~(exclude & (punct == 0))
    rules: list[tuple[str, np.ndarray]] = [
        ("empty", lines == 0),
        ("line_punct_ratio", punct_failed),
        ("short_line_ratio", _above(fields["short_line_ratio"], _numbers(short_line_thr))),
        ("char_dup_ratio", _above(fields["char_dup_ratio"], _numbers(char_duplicates_ratio))),
        ("list_ratio", _above(fields["list_ratio"], _numbers(new_line_ratio))),
    ]
    return _decide(text, fields, rules)

