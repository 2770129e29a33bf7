"""`semantic_duplicates(t, emb_col, eps := 0.05 [, clusters := 'auto'])`: SemDeDup (Abbas et al. 2023).

Embeddings are normalised and clustered with spherical k-means (Lloyd's algorithm on cosine, in numpy, fitted on a sample); within each cluster every
pair's cosine similarity is computed (one matrix product per block of rows) and pairs with similarity >= 1 - eps
are duplicates; groups are connected components, one row kept per group (the smallest id).

SemDeDup compares only within a k-means cluster, so a pair split across two clusters is missed. Here a row is
also compared with the members of other clusters whose centroid is within d(row, own centroid) + 2 * delta of it
(delta = sqrt(2 * eps), the Euclidean distance of unit vectors at cosine 1 - eps): by the triangle inequality a
duplicate of the row in cluster B satisfies that bound, so every pair is found as long as no row has more than
MAX_VISITS such clusters (the nearest ones are visited first).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa

from aidb.errors import DataError, ProgrammingError
from aidb.ops.dedup_input import checked_ids
from aidb.ops.duplicate_clusters import cluster_table, components, kept_rows, rank_by_id
from aidb.ops.operator_registry import OperatorInput, OperatorParam, OperatorResult, check_range, id_column, input_column, operator

# Rows per k-means cluster when clusters := 'auto': pair work grows with the cluster size, k-means work with k.
ROWS_PER_CLUSTER = 500
MAX_VISITS = 4  # clusters a row is compared with: its own and up to 3 near ones the bound admits
QUERY_BLOCK = 2048
SEED = 0
KMEANS_ITERATIONS = 15
KMEANS_SAMPLE_PER_CLUSTER = 256  # rows the centroids are fitted on, per cluster (all rows when fewer)


@operator(
    params=[
        OperatorParam("t", "table"),
        OperatorParam("emb_col", "column"),
        OperatorParam("eps", "number", 0.05),
        OperatorParam("clusters", "any", "auto"),
        OperatorParam("id_col", "column", "id"),
    ]
)
def semantic_duplicates(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """Semantic duplicates by SemDeDup (Abbas et al. 2023): (id, cluster_id, keep) for cosine >= 1 - eps."""
    ids, labels = semantic_labels(source, "semantic_duplicates", args)
    return OperatorResult(cluster_table(ids, kept_rows(labels, rank_by_id(ids))))


def semantic_labels(source: OperatorInput, operator_name: str, args: dict[str, Any], column_argument: str = "emb_col") -> tuple[pa.Array, np.ndarray]:
    """(ids, a component label per row) of the input's semantic-duplicate groups."""
    ids, vectors, min_cosine, k = semantic_input(source, operator_name, args, column_argument)
    left, right = similar_pairs(vectors, min_cosine, k)
    return ids, components(len(ids), left, right)


def semantic_input(source: OperatorInput, operator_name: str, args: dict[str, Any], column_argument: str = "emb_col") -> tuple[pa.Array, np.ndarray, float, int]:
    """(ids, embeddings as float32 rows, the minimum cosine of a duplicate pair, k) of the operator's arguments."""
    eps = args["eps"]
    check_range(operator_name, "eps", eps, 0.0, 1.0, low_open=True)
    id_name = id_column(source, operator_name, args)
    column = input_column(source, operator_name, column_argument, args[column_argument])
    if "[" not in source.columns[column]:
        raise ProgrammingError(
            f"{operator_name}(): argument {column_argument}: column {column!r} of {source.name} is {source.columns[column]}, "
            "expected an embedding (FLOAT[n] or a list of numbers)"
        )
    id_chunks, vector_chunks = [], []
    for batch in source.batches([id_name, column]):
        id_chunks.append(batch.column(0))
        vector_chunks.append(embedding_matrix(batch.column(1), operator_name, column_argument))
    ids = checked_ids(pa.chunked_array(id_chunks, type=id_chunks[0].type if id_chunks else pa.int64()), operator_name, id_name)
    vectors = np.concatenate(vector_chunks) if vector_chunks else np.zeros((0, 1), dtype=np.float32)
    if len({v.shape[1] for v in vector_chunks}) > 1:
        raise DataError(f"{operator_name}(): argument {column_argument}: embeddings of different lengths in {column!r}")
    return ids, vectors, 1.0 - float(eps), _cluster_count(args.get("clusters", "auto"), len(ids), operator_name)


def similar_pairs(vectors: np.ndarray, min_cosine: float, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs with cosine similarity >= min_cosine, compared within k-means clusters (and near ones, see above)."""
    unit, comparisons = cluster_comparisons(vectors, min_cosine, k)
    pairs = [cluster_pair_keys(unit, queries, members, min_cosine) for queries, members in comparisons]
    return pair_rows(pairs, len(vectors))


def cluster_comparisons(vectors: np.ndarray, min_cosine: float, k: int) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """(unit vectors, for each non-empty k-means cluster the rows compared with its members and the members)."""
    norms = np.linalg.norm(vectors, axis=1)
    usable = np.flatnonzero(np.isfinite(norms) & (norms > 0))  # NULL, zero or NaN vectors: in no pair
    unit = np.zeros_like(vectors)
    unit[usable] = vectors[usable] / norms[usable, None]
    if len(usable) < 2:
        return unit, []
    k = max(1, min(k, len(usable)))
    centroids, assignment, visits = _clusters(unit[usable], k, math.sqrt(2 * (1 - min_cosine)))
    members = [usable[assignment == c] for c in range(k)]
    return unit, [(usable[visits[c]], members[c]) for c in range(k) if len(members[c])]


def cluster_pair_keys(unit: np.ndarray, queries: np.ndarray, members: np.ndarray, min_cosine: float) -> np.ndarray:
    """The pairs (as keys low * rows + high) of a query row and a cluster member with cosine >= min_cosine."""
    n = np.int64(len(unit))
    matrix = unit[members]
    pairs = []
    for start in range(0, len(queries), QUERY_BLOCK):
        block = queries[start : start + QUERY_BLOCK]
        q, m = np.nonzero(unit[block] @ matrix.T >= min_cosine)
        a, b = block[q].astype(np.int64), members[m].astype(np.int64)
        distinct = a != b
        pairs.append(np.minimum(a, b)[distinct] * n + np.maximum(a, b)[distinct])
    return np.concatenate(pairs) if pairs else np.zeros(0, dtype=np.int64)


def pair_rows(pair_keys: list[np.ndarray], rows: int) -> tuple[np.ndarray, np.ndarray]:
    """(left, right) rows of the distinct pairs among the keys."""
    keys = np.unique(np.concatenate(pair_keys)) if pair_keys else np.zeros(0, dtype=np.int64)
    return keys // np.int64(rows), keys % np.int64(rows)


def _clusters(unit: np.ndarray, k: int, delta: float) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """(centroids, each row's cluster, for each cluster the rows compared with its members)."""
    centroids = spherical_kmeans(unit, k)
    distance = np.sqrt(np.maximum(_squared_distances(unit, centroids), 0))
    visits_per_row = min(MAX_VISITS, k)
    order = np.argsort(distance, axis=1)[:, :visits_per_row]
    nearest = np.take_along_axis(distance, order, axis=1)
    admitted = nearest <= nearest[:, :1] + 2 * delta
    rows = np.repeat(np.arange(len(unit)), visits_per_row)[admitted.ravel()]
    visited = order.ravel()[admitted.ravel()]
    by_cluster = np.argsort(visited, kind="stable")
    bounds = np.searchsorted(visited[by_cluster], np.arange(k + 1))
    visits = [rows[by_cluster[bounds[c] : bounds[c + 1]]] for c in range(k)]
    return centroids, order[:, 0], visits


def spherical_kmeans(unit: np.ndarray, k: int, iterations: int = KMEANS_ITERATIONS) -> np.ndarray:
    """k unit centroids by Lloyd's algorithm on cosine similarity (as SemDeDup clusters with faiss), fit on a sample."""
    rng = np.random.default_rng(SEED)
    sample = unit[rng.choice(len(unit), min(len(unit), KMEANS_SAMPLE_PER_CLUSTER * k), replace=False)]
    centroids = sample[rng.choice(len(sample), k, replace=False)].copy()
    for _ in range(iterations):
        assignment = np.argmax(sample @ centroids.T, axis=1)
        sums = np.zeros_like(centroids)
        np.add.at(sums, assignment, sample)
        norms = np.linalg.norm(sums, axis=1)
        empty = norms == 0
        sums[empty] = sample[rng.choice(len(sample), int(empty.sum()))]  # an empty cluster restarts at a random row
        centroids = sums / np.maximum(np.linalg.norm(sums, axis=1), 1e-12)[:, None]
    return centroids


def _squared_distances(rows: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    return (rows**2).sum(1)[:, None] - 2 * rows @ centroids.T + (centroids**2).sum(1)[None, :]


def embedding_matrix(column: pa.Array, operator_name: str, argument: str) -> np.ndarray:
    """A batch's embeddings as float32 rows; NULL embeddings become zero rows (in no pair)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    width = column.type.list_size if pa.types.is_fixed_size_list(column.type) else None
    if width is None:
        lengths = column.value_lengths().fill_null(0).to_numpy(zero_copy_only=False)
        present = lengths[~column.is_null().to_numpy(zero_copy_only=False)]
        if len(present) and (present != present[0]).any():
            raise DataError(f"{operator_name}(): argument {argument}: embeddings of different lengths")
        width = int(present[0]) if len(present) else 1
    filled = column.fill_null(pa.scalar([0.0] * width, type=column.type)) if column.null_count else column
    values = filled.flatten().to_numpy(zero_copy_only=False).astype(np.float32, copy=False)
    return values.reshape(len(column), width)


def spherical_cluster_count(rows: int) -> int:
    """The k of clusters := 'auto'."""
    return max(1, math.ceil(rows / ROWS_PER_CLUSTER))


def _cluster_count(value: Any, rows: int, operator_name: str) -> int:
    if value == "auto":
        return spherical_cluster_count(rows)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ProgrammingError(f"{operator_name}(): argument clusters must be 'auto' or a positive integer, got {value!r}")
    return value
