"""LSH banding for MinHash signatures: choosing (bands, rows) for a threshold, band hashes, candidate pairs.

Banding (Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3.4): a signature of num_perm slots is
cut into `bands` bands of `rows` slots; two documents are candidates when all slots of some band agree, which
happens with probability 1 - (1 - s**rows)**bands for Jaccard similarity s.
"""

from __future__ import annotations

import functools

import numpy as np

from aidb.errors import ProgrammingError

# Weights of the false-positive and false-negative areas (datasketch's `_optimal_param` uses 0.5/0.5).
# Candidates are verified afterwards, so a false positive costs a comparison while a false negative loses a
# duplicate for good: recall is weighted 19 to 1. At threshold 0.8 and 128 permutations this picks 16 bands of
# 8 rows, which makes a pair at Jaccard 0.8 a candidate with probability 0.95 (datasketch's 9 x 13: 0.40).
FALSE_POSITIVE_WEIGHT = 0.05
FALSE_NEGATIVE_WEIGHT = 0.95
# Groups of equal band hashes larger than this are paired within a window of this many neighbours (in row order)
# plus each member with the group's first: a bucket of 10k identical texts must not become 50M pairs.
ALL_PAIRS_GROUP = 64
_ODD = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5], dtype=np.uint64)


@functools.lru_cache(maxsize=256)
def optimal_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows), bands * rows <= num_perm, minimising the weighted false-positive and false-negative areas."""
    below = np.linspace(0.0, threshold, 256)
    above = np.linspace(threshold, 1.0, 256)
    best: tuple[float, int, int] | None = None
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            fp = np.trapezoid(1 - (1 - below**rows) ** bands, below)
            fn = np.trapezoid((1 - above**rows) ** bands, above)
            error = FALSE_POSITIVE_WEIGHT * fp + FALSE_NEGATIVE_WEIGHT * fn
            if best is None or error < best[0]:
                best = (error, bands, rows)
    assert best is not None
    return best[1], best[2]


def choose_bands(operator: str, threshold: float, num_perm: int, bands: int | None, rows: int | None) -> tuple[int, int]:
    """The bands and rows to use: given ones checked against num_perm, missing ones derived from the threshold."""
    if bands is None and rows is None:
        return optimal_bands(round(float(threshold), 6), num_perm)
    for name, value in (("bands", bands), ("rows", rows)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ProgrammingError(f"{operator}(): argument {name} must be a positive integer, got {value!r}")
    if bands is None:
        bands = num_perm // rows
    if rows is None:
        rows = num_perm // bands
    if bands * rows > num_perm or bands * rows == 0:
        raise ProgrammingError(
            f"{operator}(): arguments bands and rows: {bands} bands of {rows} rows need {bands * rows} slots, "
            f"but num_perm is {num_perm}; choose bands * rows <= num_perm"
        )
    return bands, rows


def band_hashes(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n x bands) uint64: each band's `rows` slots mixed into one 64-bit value."""
    n = signatures.shape[0]
    out = np.empty((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            block = signatures[:, band * rows : (band + 1) * rows].astype(np.uint64)
            h = np.zeros(n, dtype=np.uint64)
            for j in range(rows):
                h = (h ^ block[:, j]) * _ODD[j % len(_ODD)]
                h ^= h >> np.uint64(29)
            out[:, band] = h
    return out


def candidate_pairs(hashes: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs (i < j, unique) that share a band hash in some band; rows with valid False take part in none."""
    rows_valid = np.flatnonzero(valid)
    keys: list[np.ndarray] = []
    n = np.int64(hashes.shape[0])
    for band in range(hashes.shape[1]):
        column = hashes[rows_valid, band]
        order = np.argsort(column, kind="stable")
        ordered = column[order]
        same_next = ordered[1:] == ordered[:-1]
        in_group = np.zeros(len(ordered), dtype=bool)
        in_group[1:] |= same_next
        in_group[:-1] |= same_next
        members = rows_valid[order[in_group]]  # grouped rows, each group in row order
        if len(members) == 0:
            continue
        group_hash = ordered[in_group]
        starts = np.r_[True, group_hash[1:] != group_hash[:-1]]
        group = np.cumsum(starts) - 1
        first = members[np.flatnonzero(starts)][group]
        keys.append(_pair_keys(first, members, n, members != first))  # each member with its group's first
        for offset in range(1, ALL_PAIRS_GROUP):
            same = group[offset:] == group[:-offset]
            if not same.any():
                break
            keys.append(_pair_keys(members[:-offset][same], members[offset:][same], n))
    if not keys:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    unique = np.unique(np.concatenate(keys))
    return unique // n, unique % n


def _pair_keys(a: np.ndarray, b: np.ndarray, n: np.int64, mask: np.ndarray | None = None) -> np.ndarray:
    if mask is not None:
        a, b = a[mask], b[mask]
    low, high = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
    return low * n + high


def estimated_jaccard(signatures: np.ndarray, left: np.ndarray, right: np.ndarray, chunk: int = 65_536) -> np.ndarray:
    """The fraction of equal slots of each pair's signatures, computed `chunk` pairs at a time."""
    out = np.empty(len(left), dtype=np.float64)
    for start in range(0, len(left), chunk):
        a, b = left[start : start + chunk], right[start : start + chunk]
        out[start : start + chunk] = (signatures[a] == signatures[b]).mean(axis=1)
    return out
