"""`image_duplicates(t, image_col [, method := 'phash' | 'clip'])`: near-duplicate images, one kept per group.

`phash`: images whose 64-bit DCT perceptual hashes (`phash()`, Zauner 2010) differ in at most `max_distance`
bits. Candidate pairs come from multi-index hashing (Norouzi et al. 2012): the hash is cut into max_distance + 1
pieces, and by the pigeonhole principle two hashes within max_distance bits agree exactly on at least one
piece, so grouping rows by each piece finds every pair without comparing all of them; candidates are then
checked on the whole hash. `clip`: images whose CLIP image embeddings (a catalog CLIP model) are at cosine
>= 1 - eps, found as `semantic_duplicates` finds them. Groups are connected components; the kept row of a group
is the one with the smallest id. Returns (id, cluster_id, keep) as the other dedup operators do.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from aidb.errors import ProgrammingError
from aidb.functions.clip_score import open_image
from aidb.functions.images import perceptual_hash
from aidb.ops.dedup_input import checked_ids
from aidb.ops.duplicate_clusters import cluster_table, components, kept_rows, rank_by_id
from aidb.ops.operator_registry import OperatorInput, OperatorParam, OperatorResult, check_range, id_column, input_column, operator
from aidb.ops.semantic_duplicates import similar_pairs, spherical_cluster_count

METHODS = ("phash", "clip")
HASH_BITS = 64
IMAGE_TYPES = ("VARCHAR", "BLOB")


def hamming_pairs(hashes: np.ndarray, max_distance: int) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs (i < j) of 64-bit hashes that differ in at most `max_distance` bits (multi-index hashing)."""
    pieces = max_distance + 1
    bounds = np.linspace(0, HASH_BITS, pieces + 1).astype(np.uint64)
    left_parts, right_parts = [], []
    for low, high in zip(bounds[:-1], bounds[1:]):
        key = (hashes >> low) & np.uint64((1 << int(high - low)) - 1)  # a Python int: 64 bits do not overflow
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
        sizes = np.diff(np.r_[starts, len(order)])
        for start, size in zip(starts[sizes > 1], sizes[sizes > 1]):
            members = order[start : start + size]
            i, j = np.triu_indices(size, k=1)
            left_parts.append(members[i])
            right_parts.append(members[j])
    if not left_parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    left, right = np.concatenate(left_parts), np.concatenate(right_parts)
    low, high = np.minimum(left, right), np.maximum(left, right)
    unique = np.unique(low.astype(np.int64) * len(hashes) + high)
    low, high = unique // len(hashes), unique % len(hashes)
    close = np.bitwise_count(hashes[low] ^ hashes[high]) <= max_distance
    return low[close], high[close]


@operator(
    params=[
        OperatorParam("t", "table"),
        OperatorParam("image_col", "column"),
        OperatorParam("method", "string", "phash"),
        OperatorParam("max_distance", "integer", 6),
        OperatorParam("eps", "number", 0.05),
        OperatorParam("model", "string", None),
        OperatorParam("id_col", "column", "id"),
    ]
)
def image_duplicates(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """Near-duplicate images by perceptual hash (Hamming <= max_distance) or CLIP embedding (cosine >= 1 - eps): (id, cluster_id, keep)."""
    method = args["method"]
    if method not in METHODS:
        raise ProgrammingError(f"image_duplicates(): argument method must be one of {list(METHODS)}, got {method!r}")
    if method == "phash":
        distance = args["max_distance"]
        if isinstance(distance, bool) or not isinstance(distance, int) or not 0 <= distance < HASH_BITS // 2:
            raise ProgrammingError(f"image_duplicates(): argument max_distance must be an integer in [0, {HASH_BITS // 2 - 1}], got {distance!r}")
    else:
        check_range("image_duplicates", "eps", args["eps"], 0.0, 1.0, low_open=True)
    id_name = id_column(source, "image_duplicates", args)
    image_name = input_column(source, "image_duplicates", "image_col", args["image_col"], IMAGE_TYPES)
    ids_parts, images = [], []
    for batch in source.batches([id_name, image_name]):
        ids_parts.append(batch.column(0))
        images.extend(batch.column(1).to_pylist())
    ids = checked_ids(_concat(ids_parts), "image_duplicates", id_name)
    present = np.array([value is not None for value in images], dtype=bool)
    rows = np.flatnonzero(present)
    if method == "phash":
        hashes = np.array([perceptual_hash(open_image(images[r], int(r), "image_duplicates")) for r in rows], dtype=np.uint64)
        left, right = hamming_pairs(hashes, args["max_distance"])
    else:
        clip = source.context.model("clip", args["model"])
        vectors = clip.image_embeddings([open_image(images[r], int(r), "image_duplicates") for r in rows])
        left, right = similar_pairs(vectors, 1.0 - float(args["eps"]), spherical_cluster_count(len(rows)))
    labels = np.arange(len(images))  # rows without an image stay alone
    if len(rows):
        labels[rows] = components(len(rows), left, right)
        labels[~present] = labels[rows].max() + 1 + np.arange(int((~present).sum()))  # a NULL image: nobody's duplicate
    return OperatorResult(cluster_table(ids, kept_rows(labels, rank_by_id(ids))))


def _concat(parts: list[pa.Array]) -> pa.Array:
    if parts:
        return pa.concat_arrays([p.combine_chunks() if isinstance(p, pa.ChunkedArray) else p for p in parts])
    return pa.array([], type=pa.int64())
