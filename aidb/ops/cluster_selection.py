"""Selection by embedding -> k-means -> per-cluster sampling, and a diversity report to compare selections.

The recipe of cluster-based data selection for instruction tuning (e.g. the "embed, cluster, sample"
baselines of Chen et al. 2023, "Maybe Only 0.5% Data is Needed"; Zhou et al. 2023, LIMA, for the aim of
diverse, few examples): cluster the embeddings with k-means (scikit-learn's MiniBatchKMeans, Sculley 2010)
and keep the `per_cluster` best rows of every cluster, so the selection covers every region of the data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from aidb.errors import DataError, ProgrammingError
from aidb.ops.operator_registry import OperatorInput, OperatorParam, OperatorResult, input_column, operator, quote_identifier

ADDED_COLUMNS = ("cluster_id", "distance_to_centroid", "rank_in_cluster")
DEFAULT_K = 100
DEFAULT_PER_CLUSTER = 10
# Pairs sampled to estimate the mean pairwise distance of a large selection.
_PAIR_SAMPLE = 200_000


def embedding_matrix(table: pa.Table, emb_col: str, operator: str) -> tuple[np.ndarray, np.ndarray]:
    """(rows with an embedding, float32 matrix of them) from a FLOAT[n] / FLOAT[] column; NULL rows are skipped."""
    if emb_col not in table.column_names:
        raise ProgrammingError(f"{operator}(): argument emb_col: {emb_col!r} is not a column of the table ({', '.join(table.column_names)})")
    column = table.column(emb_col).combine_chunks() if table.num_rows else pa.array([], table.schema.field(emb_col).type)
    kind = column.type
    if not (pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind)) or not (
        pa.types.is_floating(kind.value_type) or pa.types.is_integer(kind.value_type)
    ):
        raise ProgrammingError(f"{operator}(): argument emb_col: column {emb_col!r} must be a FLOAT[n] array column, not {kind}")
    rows = np.flatnonzero(~np.asarray(pc.is_null(column).to_numpy(zero_copy_only=False), dtype=bool))
    present = column.take(pa.array(rows))
    lengths = set(pc.list_value_length(present).to_pylist()) if len(present) else set()
    if len(lengths) > 1:
        raise DataError(f"{operator}(): embedding column {emb_col!r} has vectors of different lengths ({', '.join(map(str, sorted(lengths)))})")
    width = lengths.pop() if lengths else 0
    values = np.asarray(pc.list_flatten(present).to_numpy(zero_copy_only=False), dtype=np.float32)
    matrix = values.reshape(len(rows), width)
    if not np.all(np.isfinite(matrix)):
        raise DataError(f"{operator}(): embedding column {emb_col!r} has NaN or infinite values")
    return rows, matrix


def _positive_int(value: object, name: str, operator: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ProgrammingError(f"{operator}(): {name} must be a positive integer, got {value!r}")
    return value


def kmeans(matrix: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(cluster label of each row, Euclidean distance to its centroid) by MiniBatchKMeans with k-means++ seeding."""
    from sklearn.cluster import MiniBatchKMeans

    model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=max(1024, 3 * k))
    labels = model.fit_predict(matrix)
    distances = np.linalg.norm(matrix - model.cluster_centers_[labels], axis=1)
    return labels.astype(np.int64), distances.astype(np.float64)


def cluster_sample(
    table: pa.Table,
    emb_col: str,
    k: int = DEFAULT_K,
    per_cluster: int = DEFAULT_PER_CLUSTER,
    *,
    order_by: str | None = None,
    seed: int = 0,
) -> pa.Table:
    """Up to `per_cluster` rows from each of `k` k-means clusters of `emb_col`, with the three cluster columns added.

    Within a cluster, rows are ranked by `order_by` (a numeric column, highest first: a quality score) when
    given, else by distance to the centroid (nearest first: the cluster's most typical rows); ties keep table
    order. Adds cluster_id, distance_to_centroid and rank_in_cluster (1 = best); rows with a NULL embedding
    are not clustered. The result is ordered by cluster, then rank.
    """
    operator = "cluster_sample"
    k = _positive_int(k, "k", operator)
    per_cluster = _positive_int(per_cluster, "per_cluster", operator)
    clash = [c for c in ADDED_COLUMNS if c in table.column_names]
    if clash:
        raise ProgrammingError(f"{operator}(): the table already has column {clash[0]!r}, which cluster_sample adds")
    rows, matrix = embedding_matrix(table, emb_col, operator)
    if k > len(rows):
        raise ProgrammingError(f"{operator}(): k := {k} is larger than the {len(rows)} rows with an embedding")
    scores = _scores(table, order_by, rows, operator) if order_by is not None else None
    labels, distances = kmeans(matrix, k, seed)
    # rank key within a cluster: higher score first, else nearer first
    key = -scores if scores is not None else distances
    order = np.lexsort((np.arange(len(rows)), key, labels))
    sorted_labels = labels[order]
    starts = np.searchsorted(sorted_labels, sorted_labels, side="left")
    ranks = np.arange(len(order)) - starts + 1
    keep = ranks <= per_cluster
    chosen = order[keep]
    result = table.take(pa.array(rows[chosen]))
    result = result.append_column("cluster_id", pa.array(labels[chosen], pa.int64()))
    result = result.append_column("distance_to_centroid", pa.array(distances[chosen], pa.float64()))
    return result.append_column("rank_in_cluster", pa.array(ranks[keep], pa.int64()))


def _scores(table: pa.Table, order_by: str, rows: np.ndarray, operator: str) -> np.ndarray:
    if order_by not in table.column_names:
        raise ProgrammingError(f"{operator}(): order_by column {order_by!r} is not a column of the table")
    column = table.column(order_by)
    if not (pa.types.is_integer(column.type) or pa.types.is_floating(column.type) or pa.types.is_boolean(column.type)):
        raise ProgrammingError(f"{operator}(): order_by column {order_by!r} must be numeric (a score), not {column.type}")
    values = np.asarray(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)[rows]
    return np.where(np.isnan(values), -np.inf, values)  # NULL scores rank last


def diversity_report(
    selection: pa.Table,
    emb_col: str,
    *,
    reference: pa.Table | None = None,
    k: int = 50,
    seed: int = 0,
) -> pa.Table:
    """One row describing how diverse `selection`'s embeddings are, comparable between selections of one reference.

    k-means (k clusters, seeded) is fit on `reference` (default: the selection itself) and the selection's rows
    assigned to the nearest centroid. Columns: rows, k, clusters_covered, coverage (= clusters_covered / k),
    cluster_entropy (normalised Shannon entropy of the selection over the clusters, 1 = even spread) and
    mean_pairwise_distance (mean cosine distance between distinct rows; sampled pairs above 200,000).
    Two selections compared against the same reference and k get comparable coverage numbers.
    """
    operator = "diversity_report"
    k = _positive_int(k, "k", operator)
    _, matrix = embedding_matrix(selection, emb_col, operator)
    if len(matrix) == 0:
        raise DataError(f"{operator}(): the selection has no rows with an embedding")
    _, fit_on = embedding_matrix(reference, emb_col, operator) if reference is not None else (None, matrix)
    if k > len(fit_on):
        raise ProgrammingError(f"{operator}(): k := {k} is larger than the {len(fit_on)} rows it clusters")
    if fit_on.shape[1] != matrix.shape[1]:
        raise DataError(f"{operator}(): the reference's vectors have {fit_on.shape[1]} dimensions, the selection's {matrix.shape[1]}")
    from sklearn.cluster import MiniBatchKMeans

    model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=max(1024, 3 * k)).fit(fit_on)
    labels = model.predict(matrix)
    counts = np.bincount(labels, minlength=k)
    shares = counts[counts > 0] / len(labels)
    entropy = float(-(shares * np.log(shares)).sum() / np.log(k)) if k > 1 else 1.0
    covered = int(np.count_nonzero(counts))
    return pa.table({
        "rows": pa.array([len(matrix)], pa.int64()),
        "k": pa.array([k], pa.int64()),
        "clusters_covered": pa.array([covered], pa.int64()),
        "coverage": pa.array([covered / k], pa.float64()),
        "cluster_entropy": pa.array([entropy], pa.float64()),
        "mean_pairwise_distance": pa.array([mean_pairwise_cosine_distance(matrix, seed)], pa.float64()),
    })


def mean_pairwise_cosine_distance(matrix: np.ndarray, seed: int = 0) -> float | None:
    """Mean cosine distance over all pairs of distinct rows (a seeded sample of pairs for large inputs)."""
    if len(matrix) < 2:
        return None
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit = matrix / np.where(norms == 0, 1, norms)
    n = len(unit)
    if n * (n - 1) // 2 <= _PAIR_SAMPLE:
        sums = unit.sum(axis=0)
        # sum over i != j of cos = |sum|^2 - sum |u_i|^2
        total = float(sums @ sums - (unit * unit).sum())
        return 1.0 - total / (n * (n - 1))
    rng = np.random.default_rng(seed)
    left, right = rng.integers(0, n, _PAIR_SAMPLE), rng.integers(0, n - 1, _PAIR_SAMPLE)
    right = right + (right >= left)  # distinct rows
    return float(1.0 - np.mean(np.einsum("ij,ij->i", unit[left], unit[right])))


@operator(
    name="cluster_sample",
    params=[
        OperatorParam("t", "table"),
        OperatorParam("emb_col", "column"),
        OperatorParam("k", "integer", DEFAULT_K),
        OperatorParam("per_cluster", "integer", DEFAULT_PER_CLUSTER),
        OperatorParam("order_by", "expression", None),
        OperatorParam("seed", "integer", 0),
    ],
)
def cluster_sample_operator(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """Up to per_cluster rows of each of k k-means clusters (MiniBatchKMeans) with cluster_id, distance_to_centroid, rank_in_cluster."""
    emb_col = input_column(source, "cluster_sample", "emb_col", args["emb_col"])
    order_by = args["order_by"]
    sample = cluster_sample(source.query(["*"]), emb_col, args["k"], args["per_cluster"], order_by=order_by, seed=args["seed"])
    return OperatorResult(sample.drop_columns([order_by]) if order_by else sample)


@operator(
    name="diversity_report",
    params=[
        OperatorParam("t", "table"),
        OperatorParam("emb_col", "column"),
        OperatorParam("reference", "table", None),
        OperatorParam("k", "integer", 50),
        OperatorParam("seed", "integer", 0),
    ],
)
def diversity_report_operator(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """Clusters covered, coverage, cluster entropy and mean pairwise cosine distance of a selection's embeddings."""
    emb_col = input_column(source, "diversity_report", "emb_col", args["emb_col"])
    selection = source.query([quote_identifier(emb_col)])
    reference_input = args["reference"]
    reference = None
    if reference_input is not None:
        reference_col = input_column(reference_input, "diversity_report", "reference", emb_col)
        reference = reference_input.query([f"{quote_identifier(reference_col)} AS {quote_identifier(emb_col)}"])
    return OperatorResult(diversity_report(selection, emb_col, reference=reference, k=args["k"], seed=args["seed"]))
