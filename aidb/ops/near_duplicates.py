"""`near_duplicates(t, col, threshold := 0.8, num_perm := 128, ngram := 5 [, bands, rows])`: MinHash-LSH clusters.

Broder (1997) MinHash signatures of word n-gram shingles (`aidb.ops.minhash_kernel`, compiled), LSH banding with
(bands, rows) chosen from the threshold favouring recall (`aidb.ops.lsh_bands`), candidate pairs from band
collisions found by sorting, each candidate verified by its estimated Jaccard similarity (the fraction of equal
slots) >= threshold, clusters as connected components of the verified pairs. All set-at-a-time in numpy/scipy.

Memory: signatures are computed a batch at a time while the input streams from DuckDB; what stays is
num_perm * 4 + bands * 8 bytes a row (640 bytes at the defaults: 0.64 GB for a million rows) plus the pairs.
NULL texts and texts without a word are nobody's near-duplicate: each is its own cluster, kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from aidb.errors import ProgrammingError

from aidb.ops.dedup_input import checked_ids, text_batches
from aidb.ops.duplicate_clusters import cluster_table, components, kept_rows, rank_by_id
from aidb.ops.lsh_bands import band_hashes, candidate_pairs, choose_bands, estimated_jaccard
from aidb.ops.minhash_kernel import EMPTY_SLOT, exact_jaccard, signature_matrix
from aidb.ops.operator_registry import OperatorInput, OperatorParam, OperatorResult, check_range, operator

MAX_NUM_PERM = 8192
MAX_NGRAM = 1024
# 'exact': candidates verified by exact Jaccard of their shingle sets (precise at the threshold, where an estimate
# from 128 slots errs by +-0.035); 'minhash': by the signatures' estimate, without reading the texts again.
VERIFY = ("exact", "minhash")
SEED = 1  # minhash()'s default seed: signatures agree with SELECT minhash(text)


@operator(
    params=[
        OperatorParam("t", "table"),
        OperatorParam("col", "column"),
        OperatorParam("threshold", "number", 0.8),
        OperatorParam("num_perm", "integer", 128),
        OperatorParam("ngram", "integer", 5),
        OperatorParam("bands", "integer", None),
        OperatorParam("rows", "integer", None),
        OperatorParam("verify", "string", "exact"),
        OperatorParam("id_col", "column", "id"),
    ]
)
def near_duplicates(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """Near-duplicate clusters by MinHash-LSH (Broder 1997): (id, cluster_id, keep, similarity_to_kept)."""
    found = find_near_duplicates(source, "near_duplicates", args)
    ids, signatures, labels = found
    kept = kept_rows(labels, rank_by_id(ids))
    return OperatorResult(cluster_table(ids, kept, similarity_to(signatures, kept)))


@dataclass(frozen=True)
class LshSettings:
    threshold: float
    num_perm: int
    ngram: int
    bands: int
    rows: int
    verify: str

    @classmethod
    def from_arguments(cls, operator_name: str, args: dict[str, Any]) -> LshSettings:
        """The settings of `args` (threshold, num_perm, ngram, bands, rows, verify), each checked; errors name the argument."""
        threshold, num_perm, ngram = args["threshold"], args["num_perm"], args["ngram"]
        check_range(operator_name, "threshold", threshold, 0.0, 1.0, low_open=True)
        check_range(operator_name, "num_perm", num_perm, 1, MAX_NUM_PERM)
        check_range(operator_name, "ngram", ngram, 1, MAX_NGRAM)
        bands, rows = choose_bands(operator_name, threshold, num_perm, args.get("bands"), args.get("rows"))
        verify = args.get("verify", "exact")
        if verify not in VERIFY:
            raise ProgrammingError(f"{operator_name}(): argument verify must be one of {', '.join(map(repr, VERIFY))}, got {verify!r}")
        return cls(float(threshold), int(num_perm), int(ngram), bands, rows, verify)

    def describe(self) -> str:
        return f"threshold={self.threshold} ngram={self.ngram} num_perm={self.num_perm} bands={self.bands} rows={self.rows} verify={self.verify}"


def find_near_duplicates(source: OperatorInput, operator_name: str, args: dict[str, Any], column_argument: str = "col") -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """(ids, signatures, component label per row) of the input's near-duplicate clusters."""
    settings = LshSettings.from_arguments(operator_name, args)
    id_name, text_name, batches = text_batches(source, operator_name, args, column_argument)
    id_chunks: list[pa.Array] = []

    def texts() -> Iterator[pa.Array]:
        for batch in batches:
            id_chunks.append(batch.column(0))
            yield batch.column(1)

    read: list[pa.Array] = []

    def ids_read() -> pa.Array:  # once every batch has been read
        if not read:
            read.append(checked_ids(pa.chunked_array(id_chunks, type=source_type(id_chunks)), operator_name, id_name))
        return read[0]

    signatures, left, right, _ = similar_text_pairs(
        texts(), settings, lambda rows: _reread(source, id_name, text_name, ids_read(), rows)
    )
    ids = ids_read()
    return ids, signatures, components(len(ids), left, right)


def similar_text_pairs(chunks: Iterable[pa.Array], settings: LshSettings, texts_of: Callable[[np.ndarray], pa.Array]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(signatures, left, right, similarity) of the row pairs (i < j) at similarity >= the threshold.

    `chunks` are the texts, streamed; `texts_of(rows)` gives the texts of sorted row positions again (for exact
    verification, asked once, for the candidates only).
    """
    signature_chunks, hash_chunks, valid_chunks = [], [], []
    for text in chunks:
        signatures = signature_matrix(text, settings.num_perm, settings.ngram, SEED)
        signature_chunks.append(signatures)
        hash_chunks.append(band_hashes(signatures, settings.bands, settings.rows))
        # NULL text, or text without a word (the empty-set signature): in no pair
        valid_chunks.append(~(signatures == EMPTY_SLOT).all(axis=1) & ~text.is_null().to_numpy(zero_copy_only=False))
    signatures = _concat(signature_chunks, (0, settings.num_perm), np.uint32)
    hashes = _concat(hash_chunks, (0, settings.bands), np.uint64)
    signature_chunks.clear(), hash_chunks.clear()  # one copy of each at a time: 0.6 GB less at a million rows
    left, right = candidate_pairs(hashes, _concat(valid_chunks, (0,), bool))
    del hashes
    if settings.verify == "exact" and len(left):
        involved = np.unique(np.concatenate([left, right]))
        text = texts_of(involved)
        similarity = exact_jaccard(text, settings.ngram, np.searchsorted(involved, left), np.searchsorted(involved, right))
    else:
        similarity = estimated_jaccard(signatures, left, right)
    similar = similarity >= settings.threshold
    return signatures, left[similar], right[similar], similarity[similar]


def _reread(source: OperatorInput, id_name: str, text_name: str, ids: pa.Array, involved: np.ndarray) -> pa.Array:
    """The texts of rows `involved` (sorted positions), read again from the input and matched by id."""
    wanted = ids.take(pa.array(involved))
    texts: list[pa.Array] = []
    positions: list[np.ndarray] = []
    for batch in source.batches([id_name, text_name]):
        slot = pc.index_in(batch.column(0), value_set=wanted).to_numpy(zero_copy_only=False)
        chosen = ~np.isnan(slot) if slot.dtype.kind == "f" else slot >= 0
        if chosen.any():
            texts.append(batch.column(1).filter(pa.array(chosen)))
            positions.append(slot[chosen].astype(np.int64))
    order = np.empty(len(involved), dtype=np.int64)
    order[np.concatenate(positions)] = np.arange(len(involved))
    whole = pa.concat_arrays(texts)
    texts.clear()
    # a table scan gives its rows in the order of the first read: then the texts are in place already
    return whole if np.array_equal(order, np.arange(len(order))) else whole.take(pa.array(order))


def similarity_to(signatures: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Each row's estimated Jaccard similarity to its cluster's kept row (1.0 for kept rows)."""
    rows = np.arange(len(kept))
    similarity = np.ones(len(kept))
    moved = np.flatnonzero(kept != rows)
    similarity[moved] = estimated_jaccard(signatures, moved, kept[moved])
    return similarity


def source_type(chunks: list[pa.Array]) -> pa.DataType | None:
    return chunks[0].type if chunks else pa.int64()


def _concat(chunks: list[np.ndarray], empty_shape: tuple[int, ...], dtype: type) -> np.ndarray:
    return np.concatenate(chunks) if chunks else np.zeros(empty_shape, dtype=dtype)
