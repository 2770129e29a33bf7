"""From duplicate pairs or equal-key groups to clusters: one kept row per cluster, every row labelled.

The result every dedup operator returns: (id, cluster_id, keep[, similarity_to_kept]) with `cluster_id` the id of
the cluster's kept row. Which row is kept is decided by a rank (lowest first): by id ('first'), longest text, or
a score column (highest first), ties broken by id.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected-component labels (0..k-1) of n rows joined by the edges (left[i], right[i])."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def rank_by_id(ids: pa.Array) -> np.ndarray:
    """Each row's position when rows are sorted by id: the 'first' row of a cluster has the smallest id."""
    order = pc.sort_indices(ids).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def kept_rows(labels: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """For each row, the row index of its cluster's kept row (the lowest rank among rows with its label)."""
    order = np.lexsort((rank, labels))
    first_of_label = np.empty(labels.max() + 1 if len(labels) else 0, dtype=np.int64)
    sorted_labels = labels[order]
    starts = np.r_[True, sorted_labels[1:] != sorted_labels[:-1]] if len(order) else np.zeros(0, dtype=bool)
    first_of_label[sorted_labels[starts]] = order[starts]
    return first_of_label[labels]


def cluster_table(ids: pa.Array, kept: np.ndarray, similarity: np.ndarray | None = None) -> pa.Table:
    """(id, cluster_id, keep[, similarity_to_kept]) for rows whose cluster's kept row is `kept[row]`."""
    columns = {
        "id": ids,
        "cluster_id": ids.take(pa.array(kept)),
        "keep": pa.array(kept == np.arange(len(kept))),
    }
    if similarity is not None:
        columns["similarity_to_kept"] = pa.array(similarity, type=pa.float64())
    return pa.table(columns)
