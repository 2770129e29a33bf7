"""The compiled kernel of exact vector search (numba): dot products of one query with chosen rows, no copy made.

Ranking a filter's rows by gathering them first (`matrix[rows] @ q`) is bound by the copy: at 1M x 384 with 10% of
the rows kept, the gather alone took 40 ms of a 54 ms search (scratch timing). This reads each kept row once, in
place, on every core. Imported when such a search first runs; `cache=True` keeps the machine code for later processes.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(parallel=True, fastmath=True, nogil=True, cache=True)
def products_at(matrix: np.ndarray, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """`matrix[rows] @ query` without materialising `matrix[rows]` (float32 in, float32 out)."""
    out = np.empty(len(rows), dtype=np.float32)
    width = matrix.shape[1]
    for i in prange(len(rows)):
        row = matrix[rows[i]]
        total = np.float32(0.0)
        for j in range(width):
            total += row[j] * query[j]
        out[i] = total
    return out
