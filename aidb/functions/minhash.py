"""`minhash(text [, num_perm, ngram, seed])` signatures and `jaccard(sig_a, sig_b)` estimates: the fuzzy-dedup hot path.

Signatures are `UINTEGER[]` lists of `num_perm` slots computed by `aidb.ops.minhash_kernel` (its docstring
defines the shingling and hashing scheme); a whole DuckDB chunk is hashed in one compiled pass.
NULL text gives a NULL signature; text without words gives the empty-set signature (all slots 0xFFFFFFFF).
`jaccard` returns NULL when either signature is NULL and raises DataError when their lengths differ.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from aidb.errors import DataError
from aidb.functions.registry import FunctionContext, Param, constant_argument, sql_function
from aidb.ops.minhash_kernel import signature_matrix

# Bounds that keep one chunk's (num_perm x shingles) intermediate and each stored signature reasonable;
# datasketch and rensa users rarely go past 1024 permutations or 32-word shingles.
MAX_NUM_PERM = 8192
MAX_NGRAM = 1024


@sql_function(
    params=[
        Param("text", "VARCHAR"),
        Param("num_perm", "INTEGER", 128),
        Param("ngram", "INTEGER", 5),
        Param("seed", "BIGINT", 1),
    ],
    returns="UINTEGER[]",
    # The kernel releases the GIL, but DuckDB's client spins a core while its workers run Python (see
    # Session.run_planned): 100k paragraphs took 0.54 s with two threads, 0.38 s with one.
    one_thread=True,
)
def minhash(ctx: FunctionContext, text: pa.Array, num_perm: pa.Array, ngram: pa.Array, seed: pa.Array) -> pa.Array:
    """MinHash signature (UINTEGER[num_perm]) of the text's word n-gram shingles; compare two with jaccard()."""
    if len(text) == 0:
        return pa.array([], type=pa.list_(pa.uint32()))
    perms = _constant(num_perm, "num_perm", 1, MAX_NUM_PERM)
    n = _constant(ngram, "ngram", 1, MAX_NGRAM)
    seed_value = _constant(seed, "seed", -(1 << 63), (1 << 63) - 1)
    matrix = signature_matrix(text, perms, n, seed_value)
    list_offsets = pa.array(np.arange(0, (len(text) + 1) * perms, perms, dtype=np.int32))
    is_null = pc.is_null(text)
    mask = pa.array(is_null) if pc.any(is_null).as_py() else None  # a plain Array: DuckDB hands over chunked ones
    return pa.ListArray.from_arrays(list_offsets, pa.array(matrix.reshape(-1)), mask=mask)


def _constant(values: pa.Array, name: str, low: int, high: int) -> int:
    """The one value of an argument that must be the same non-NULL integer in [low, high] on every row."""
    value = constant_argument("minhash", values, name, described="one constant non-NULL integer", allow_null=False)
    if not low <= value <= high:
        raise DataError(f"minhash(): {name} must be between {low} and {high}, got {value}")
    return value


@sql_function(params=[Param("sig_a", "UINTEGER[]"), Param("sig_b", "UINTEGER[]")], returns="DOUBLE")
def jaccard(ctx: FunctionContext, sig_a: pa.Array, sig_b: pa.Array) -> pa.Array:
    """Jaccard similarity estimated from two minhash() signatures: the fraction of equal slots (NULL if one is NULL)."""
    both = pc.and_(pc.is_valid(sig_a), pc.is_valid(sig_b))
    left, right = sig_a.filter(both), sig_b.filter(both)
    lengths = pc.list_value_length(left).to_numpy(zero_copy_only=False)
    mismatched = lengths != pc.list_value_length(right).to_numpy(zero_copy_only=False)
    if mismatched.any() or (lengths == 0).any():
        row = int(np.flatnonzero(mismatched | (lengths == 0))[0])
        raise DataError(
            f"jaccard(): signatures of {lengths[row]} and {pc.list_value_length(right)[row]} slots cannot be compared;"
            " both must be non-empty minhash() signatures with the same num_perm"
        )
    equal = pc.equal(pc.list_flatten(left), pc.list_flatten(right)).to_numpy(zero_copy_only=False)
    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    estimates = np.add.reduceat(equal.astype(np.int64), starts) / lengths if len(lengths) else np.zeros(0)
    result = np.full(len(sig_a), np.nan)
    both_mask = both.to_numpy(zero_copy_only=False)
    result[both_mask] = estimates
    return pa.array(result, mask=~both_mask)
