"""DSIR: data selection with importance resampling (Xie et al. 2023, "Data Selection for Language Models via Importance Resampling").

Each text becomes a bag of hashed n-grams (lower-cased word/punctuation tokens as nltk's WordPunctTokenizer
splits them, unigrams up to `ngram`-grams, hashed into `buckets` buckets). Two bag-of-ngrams models are fit,
one on the target texts and one on the raw pool; a raw row's log importance weight is
sum over its n-grams of log p_target(bucket) - log p_raw(bucket), and `n` rows are drawn without replacement
in proportion to the weights by Gumbel top-k. The defaults (bigrams, 10,000 buckets, smoothing 1e-8) are those
of the authors' reference implementation, the `data-selection` package, and so is the bucket of an n-gram
(sha256 of its text); unlike it, aidb hashes each distinct n-gram once and works on whole Arrow columns at once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from aidb.errors import DataError, ProgrammingError
from aidb.ops.operator_registry import OperatorInput, OperatorParam, OperatorResult, input_column, operator, quote_identifier

DEFAULT_NGRAM = 2
DEFAULT_BUCKETS = 10_000
SMOOTHING = 1e-8  # added to both probabilities before the log, as the reference implementation does
LOG_WEIGHT_COLUMN = "dsir_log_weight"
# nltk's WordPunctTokenizer pattern \w+|[^\w\s]+, with Python's Unicode \w spelled for RE2.
_TOKEN_PATTERN = r"[\p{L}\p{N}_]+|[^\p{L}\p{N}_\s]+"
_BATCH_ROWS = 65_536


@dataclass(frozen=True)
class HashedNgrams:
    """The hashed n-grams of a batch of texts: feature i is bucket `buckets[i]` of text `rows[i]`."""

    buckets: np.ndarray  # int64 bucket ids
    rows: np.ndarray  # int64 row of each feature within the batch
    word_counts: np.ndarray  # int64 tokens per text (unigrams), 0 for NULL


def word_tokens(texts: pa.Array) -> pa.Array:
    """Lower-cased word and punctuation tokens of each text (WordPunct rules) as a list array; NULL stays NULL."""
    texts = texts if pa.types.is_large_string(texts.type) else texts.cast(pa.large_string())
    spaced = pc.replace_substring_regex(pc.utf8_lower(texts), pattern=_TOKEN_PATTERN, replacement=r"\0 ")
    pieces = pc.utf8_split_whitespace(pc.utf8_trim_whitespace(spaced))
    # a blank text splits into one empty piece: drop those so it has no tokens
    values = pc.list_flatten(pieces)
    keep = pc.greater(pc.utf8_length(values), 0)
    parents = pc.list_parent_indices(pieces).filter(keep).to_numpy(zero_copy_only=False)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(parents, minlength=len(texts)), out=offsets[1:])
    return pa.LargeListArray.from_arrays(pa.array(offsets), values.filter(keep), mask=pc.is_null(texts))


def hashed_ngrams(texts: pa.Array, ngram: int = DEFAULT_NGRAM, buckets: int = DEFAULT_BUCKETS) -> HashedNgrams:
    """Hash every 1..`ngram`-gram of each text into `buckets` buckets, for all texts at once.

    An n-gram's bucket is sha256 of its tokens joined by single spaces, modulo `buckets` (the reference's
    `hash_buckets`), computed once per distinct n-gram of the batch; occurrences are mapped with numpy.
    """
    tokens = word_tokens(texts)
    parents = np.asarray(pc.list_parent_indices(tokens).to_numpy(zero_copy_only=False), dtype=np.int64)
    encoded = pc.dictionary_encode(pc.list_flatten(tokens))
    token_ids = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    words = encoded.dictionary.to_pylist()
    all_buckets = [_sha256_buckets(words, buckets)[token_ids]]
    all_rows = [parents]
    gram_ids, gram_strings = token_ids, words
    for order in range(2, ngram + 1):
        # the n-gram ending at token j joins tokens j-order+1..j, which must all belong to one text
        same_text = parents[order - 1 :] == parents[: len(parents) - order + 1]
        pairs = gram_ids[:-1] * len(words) + token_ids[order - 1 :]
        unique_pairs, gram_ids = np.unique(pairs, return_inverse=True)
        gram_strings = [f"{gram_strings[p // len(words)]} {words[p % len(words)]}" for p in unique_pairs.tolist()]
        all_buckets.append(_sha256_buckets(gram_strings, buckets)[gram_ids][same_text])
        all_rows.append(parents[order - 1 :][same_text])
    word_counts = np.bincount(parents, minlength=len(texts)).astype(np.int64)
    return HashedNgrams(np.concatenate(all_buckets), np.concatenate(all_rows), word_counts)


def _sha256_buckets(strings: list[str], buckets: int) -> np.ndarray:
    """sha256(s) mod `buckets` for each distinct string (data-selection's `hash_buckets`)."""
    return np.fromiter(
        (int.from_bytes(hashlib.sha256(s.encode("utf-8")).digest(), "big") % buckets for s in strings),
        dtype=np.int64,
        count=len(strings),
    )


def _check_parameters(ngram: int, buckets: int, operator: str) -> None:
    if isinstance(ngram, bool) or not isinstance(ngram, int) or not 1 <= ngram <= 5:
        raise ProgrammingError(f"{operator}(): ngram must be an integer from 1 to 5, got {ngram!r}")
    if isinstance(buckets, bool) or not isinstance(buckets, int) or not 1 <= buckets <= 1 << 28:
        raise ProgrammingError(f"{operator}(): buckets must be a positive integer (at most 2^28), got {buckets!r}")


def _text_array(values: pa.Array | pa.ChunkedArray, what: str, operator: str) -> pa.ChunkedArray:
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values], type=values.type)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        raise ProgrammingError(f"{operator}(): the {what} must be text (VARCHAR), not {values.type}")
    return values


def _bucket_counts(texts: pa.ChunkedArray, ngram: int, buckets: int) -> tuple[np.ndarray, list[HashedNgrams]]:
    counts = np.zeros(buckets, dtype=np.float64)
    batches = []
    for chunk in texts.chunks:
        for start in range(0, len(chunk), _BATCH_ROWS):
            features = hashed_ngrams(chunk.slice(start, _BATCH_ROWS), ngram, buckets)
            counts += np.bincount(features.buckets, minlength=buckets)
            batches.append(features)
    return counts, batches


def dsir_log_weights(
    raw_texts: pa.Array | pa.ChunkedArray,
    target_texts: pa.Array | pa.ChunkedArray,
    *,
    ngram: int = DEFAULT_NGRAM,
    buckets: int = DEFAULT_BUCKETS,
    operator: str = "dsir_weights",
) -> tuple[np.ndarray, np.ndarray]:
    """(log importance weight, word count) of every raw text; NULL texts get NaN and 0."""
    _check_parameters(ngram, buckets, operator)
    raw = _text_array(raw_texts, "text column", operator)
    target = _text_array(target_texts, "target's text", operator)
    target_counts, _ = _bucket_counts(target, ngram, buckets)
    if target_counts.sum() == 0:
        raise DataError(f"{operator}(): target returned no text (no rows, or only NULL or empty texts); it must give texts to resemble")
    raw_counts, raw_batches = _bucket_counts(raw, ngram, buckets)
    if raw_counts.sum() == 0:
        raise DataError(f"{operator}(): the raw table has no text to weight")
    log_ratio = np.log(target_counts / target_counts.sum() + SMOOTHING) - np.log(raw_counts / raw_counts.sum() + SMOOTHING)
    weights = np.concatenate([np.bincount(f.rows, weights=log_ratio[f.buckets], minlength=len(f.word_counts)) for f in raw_batches])
    words = np.concatenate([f.word_counts for f in raw_batches])
    weights[np.asarray(pc.is_null(raw).to_numpy(zero_copy_only=False), dtype=bool)] = np.nan
    return weights, words


def dsir_weights(
    table: pa.Table, text_col: str, target_texts: pa.Array | pa.ChunkedArray, *, ngram: int = DEFAULT_NGRAM, buckets: int = DEFAULT_BUCKETS
) -> pa.Table:
    """`table` with a `dsir_log_weight` column: each row's DSIR log importance weight toward the target (NULL for NULL text)."""
    _check_column(table, text_col, "dsir_weights")
    weights, _ = dsir_log_weights(table.column(text_col), target_texts, ngram=ngram, buckets=buckets)
    return table.append_column(LOG_WEIGHT_COLUMN, pa.array(weights, pa.float64(), mask=np.isnan(weights)))


def dsir_sample(
    table: pa.Table,
    text_col: str,
    target_texts: pa.Array | pa.ChunkedArray,
    n: int,
    *,
    ngram: int = DEFAULT_NGRAM,
    buckets: int = DEFAULT_BUCKETS,
    seed: int = 0,
    min_words: int = 0,
    top_k: bool = False,
) -> pa.Table:
    """`n` rows of `table` drawn without replacement with probability proportional to their importance weights.

    Gumbel top-k: the rows with the largest log weight + Gumbel(0, 1) noise (numpy's RandomState(seed),
    drawn over the eligible rows in table order, as the reference does with the global RNG); `top_k`
    takes the largest weights without noise. Rows with NULL text or fewer than `min_words` tokens are not
    eligible (the reference package's default is min_example_length=100). The result keeps the table's
    row order and adds `dsir_log_weight`.
    """
    _check_column(table, text_col, "dsir_sample")
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise ProgrammingError(f"dsir_sample(): n must be a positive integer, got {n!r}")
    weights, words = dsir_log_weights(table.column(text_col), target_texts, ngram=ngram, buckets=buckets, operator="dsir_sample")
    eligible = np.flatnonzero(~np.isnan(weights) & (words >= min_words))
    if n > len(eligible):
        raise ProgrammingError(f"dsir_sample(): n := {n} is larger than the {len(eligible)} eligible rows (non-NULL text, at least {min_words} words)")
    keys = weights[eligible].copy()
    if not top_k:
        keys += np.random.RandomState(seed).gumbel(size=len(keys))
    chosen = np.sort(eligible[np.argsort(-keys, kind="stable")[:n]])
    result = table.take(pa.array(chosen))
    return result.append_column(LOG_WEIGHT_COLUMN, pa.array(weights[chosen], pa.float64()))


def _check_column(table: pa.Table, text_col: str, operator: str) -> None:
    if text_col not in table.column_names:
        raise ProgrammingError(f"{operator}(): text column {text_col!r} is not a column of the table ({', '.join(table.column_names)})")
    if LOG_WEIGHT_COLUMN in table.column_names:
        raise ProgrammingError(f"{operator}(): the table already has a column named {LOG_WEIGHT_COLUMN!r}, which {operator} adds")


def _target_texts(target: OperatorInput, text_col: str, operator_name: str) -> pa.ChunkedArray:
    """The target's text column: one named like the raw text column, else its only column."""
    by_lower = {c.lower(): c for c in target.columns}
    column = by_lower.get(text_col.lower()) or (next(iter(target.columns)) if len(target.columns) == 1 else None)
    if column is None:
        raise ProgrammingError(
            f"{operator_name}(): argument target: {target.name} has columns {', '.join(target.columns)}; "
            f"select one text column, or name it {text_col!r} like the raw text"
        )
    return input_texts(target, operator_name, "target", column)


def input_texts(source: OperatorInput, operator_name: str, argument: str, column: str) -> pa.ChunkedArray:
    column = input_column(source, operator_name, argument, column, ("VARCHAR",))
    return source.query([quote_identifier(column)]).column(0)


_DSIR_PARAMS = [
    OperatorParam("raw", "table"),
    OperatorParam("text_col", "column"),
    OperatorParam("target", "table"),
]


@operator(
    name="dsir_sample",
    params=[
        *_DSIR_PARAMS,
        OperatorParam("n", "integer"),
        OperatorParam("ngram", "integer", DEFAULT_NGRAM),
        OperatorParam("buckets", "integer", DEFAULT_BUCKETS),
        OperatorParam("seed", "integer", 0),
        OperatorParam("min_words", "integer", 0),
        OperatorParam("top_k", "boolean", False),
    ],
)
def dsir_sample_operator(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """n rows of raw resampled toward the target's text by DSIR (Xie et al. 2023) importance weights, Gumbel top-k."""
    input_column(source, "dsir_sample", "text_col", args["text_col"], ("VARCHAR",))
    target = _target_texts(args["target"], args["text_col"], "dsir_sample")
    sample = dsir_sample(
        source.query(["*"]), args["text_col"], target, args["n"], ngram=args["ngram"], buckets=args["buckets"],
        seed=args["seed"], min_words=args["min_words"], top_k=args["top_k"],
    )
    return OperatorResult(sample)


@operator(
    name="dsir_weights",
    params=[*_DSIR_PARAMS, OperatorParam("ngram", "integer", DEFAULT_NGRAM), OperatorParam("buckets", "integer", DEFAULT_BUCKETS)],
)
def dsir_weights_operator(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """Every raw row with its DSIR log importance weight toward the target (Xie et al. 2023)."""
    input_column(source, "dsir_weights", "text_col", args["text_col"], ("VARCHAR",))
    target = _target_texts(args["target"], args["text_col"], "dsir_weights")
    return OperatorResult(dsir_weights(source.query(["*"]), args["text_col"], target, ngram=args["ngram"], buckets=args["buckets"]))
