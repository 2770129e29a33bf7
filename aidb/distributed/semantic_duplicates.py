"""`semantic_duplicates` on Ray: the local operator's k-means on the driver, each cluster's pairwise cosines in Ray tasks.

SemDeDup's expensive step is embarrassingly parallel: every k-means cluster compares the rows it admits (its own
members and the near rows of other clusters, `semantic_duplicates.cluster_comparisons`) with its members, one
matrix product per block of rows. The driver reads the embeddings, fits the centroids and assigns the rows (the
local code, so the clusters are the same), puts the unit vectors into Ray's object store once (workers on this
node read them without a copy), and Ray tasks run `cluster_pair_keys` — the local kernel — over groups of
clusters of about equal pair work. The driver joins the pairs into groups as locally, so the table is equal row
for row. The embeddings must fit the driver's memory (dim x 4 bytes a row): see docs/scale.md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from aidb.distributed.ray_runtime import cluster_cpus
from aidb.ops.duplicate_clusters import cluster_table, components, kept_rows, rank_by_id
from aidb.ops.operator_registry import OperatorInput, OperatorResult
from aidb.ops.semantic_duplicates import cluster_comparisons, cluster_pair_keys, pair_rows, semantic_input

OPERATOR = "semantic_duplicates"
TASKS_PER_CPU = 4  # groups of clusters per CPU: enough to even out clusters of unequal size

Progress = Callable[[str, int, int], None]


def semantic_duplicates_on_ray(source: OperatorInput, args: dict[str, Any], staging: Path, progress: Progress) -> OperatorResult:
    """semantic_duplicates() with the per-cluster comparisons on Ray; (id, cluster_id, keep) as the local operator."""
    ids, vectors, min_cosine, k = semantic_input(source, OPERATOR, args)
    progress("semantic_duplicates on ray: k-means", 0, 2)
    unit, comparisons = cluster_comparisons(vectors, min_cosine, k)
    progress("semantic_duplicates on ray: pairs within clusters", 1, 2)
    left, right = pair_rows(ray_pair_keys(unit, comparisons, min_cosine), len(vectors))
    labels = components(len(ids), left, right)
    progress("semantic_duplicates on ray: done", 2, 2)
    return OperatorResult(cluster_table(ids, kept_rows(labels, rank_by_id(ids))))


def ray_pair_keys(unit: np.ndarray, comparisons: list[tuple[np.ndarray, np.ndarray]], min_cosine: float) -> list[np.ndarray]:
    """The pair keys of every cluster's comparisons, computed by Ray tasks over groups of clusters."""
    if not comparisons:
        return []
    import ray

    shared = ray.put(unit)
    pairs_of = ray.remote(num_cpus=1)(_group_pair_keys)
    groups = work_groups([len(queries) * len(members) for queries, members in comparisons], TASKS_PER_CPU * cluster_cpus())
    pending = [pairs_of.remote(shared, [comparisons[c] for c in group], min_cosine) for group in groups]
    return ray.get(pending)


def _group_pair_keys(unit: np.ndarray, comparisons: list[tuple[np.ndarray, np.ndarray]], min_cosine: float) -> np.ndarray:
    keys = [cluster_pair_keys(unit, queries, members, min_cosine) for queries, members in comparisons]
    return np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)


def work_groups(costs: list[int], groups: int) -> list[list[int]]:
    """Cluster indexes split into at most `groups` groups of about equal total cost (largest first, to the lightest)."""
    loads = [0] * max(1, min(groups, len(costs)))
    members: list[list[int]] = [[] for _ in loads]
    for index in sorted(range(len(costs)), key=lambda i: -costs[i]):
        lightest = loads.index(min(loads))
        loads[lightest] += costs[index]
        members[lightest].append(index)
    return [sorted(group) for group in members if group]
