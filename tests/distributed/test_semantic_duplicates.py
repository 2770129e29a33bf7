"""semantic_duplicates() on the Ray engine (aidb/distributed/semantic_duplicates.py): the local operator's table, row for row."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import aidb
from aidb.distributed.semantic_duplicates import work_groups
from ops.test_semantic_duplicates import DIM, planted_embeddings


@pytest.fixture(scope="module")
def databases(ray_cluster, tmp_path_factory):
    """One database file opened twice: on the local engine and on the Ray engine; 1,500 embeddings, 300 planted copies."""
    path = str(tmp_path_factory.mktemp("semantic") / "vectors.aidb")
    vectors = planted_embeddings(1200, 300, seed=2)
    local = aidb.connect(path, autocommit=True)
    ids = pa.array([(i * 7919) % 100_003 for i in range(len(vectors))], pa.int64())  # the kept row is the smallest id
    local.session.duck.register("vectors", pa.table({"id": ids, "emb": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), DIM)}))
    local.execute(f"CREATE TABLE docs AS SELECT id, emb::FLOAT[{DIM}] AS emb, id % 3 AS quality FROM vectors")
    local.execute("INSERT INTO docs VALUES (-1, NULL, 0)")  # in no pair
    on_ray = aidb.connect(path, autocommit=True, engine="ray")
    yield local, on_ray
    on_ray.close()
    local.close()


@pytest.mark.parametrize("arguments", ["eps := 0.05", "eps := 0.1, clusters := 5"])
def test_ray_semantic_duplicates_equal_the_local_operator(databases, arguments, monkeypatch):
    local, on_ray = databases
    sql = f"SELECT id, cluster_id, keep FROM semantic_duplicates(docs, emb, {arguments}) ORDER BY id"
    expected = local.execute(sql).fetchall()
    stages: list[str] = []
    monkeypatch.setattr(on_ray.session.progress, "update", lambda stage, done, total: stages.append(stage))
    found = on_ray.execute(sql).fetchall()
    assert "semantic_duplicates on ray: pairs within clusters" in stages  # the pairs were computed by Ray tasks
    assert sum(not keep for _, _, keep in expected) > 150  # most planted copies
    assert found == expected


def test_explain_says_where_each_operator_runs(databases):
    _, on_ray = databases
    steps = dict(on_ray.execute("EXPLAIN AIDB SELECT * FROM semantic_duplicates(docs, emb, eps := 0.05)").fetchall())
    assert "pairwise cosines within clusters in Ray tasks" in steps["ray operator semantic_duplicates"]
    steps = dict(on_ray.execute("EXPLAIN AIDB SELECT * FROM cluster_sample(docs, emb, k := 4, per_cluster := 2)").fetchall())
    assert steps["operator cluster_sample"].startswith("runs in this process on the driver, not on Ray")


def test_work_groups_balance_the_pair_work():
    costs = [100, 1, 50, 50, 3, 98]
    groups = work_groups(costs, 2)
    assert sorted(i for g in groups for i in g) == list(range(6))
    assert sorted(sum(costs[i] for i in g) for g in groups) == [151, 151]
    assert work_groups([5], 8) == [[0]] and work_groups([], 4) == []
    assert np.all([g == sorted(g) for g in groups])
