"""cluster_sample (k-means, per-cluster ranking) and diversity_report on embeddings with planted clusters."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from aidb.errors import DataError, ProgrammingError
from aidb.ops.cluster_selection import cluster_sample, diversity_report, mean_pairwise_cosine_distance


def planted(clusters: int = 12, dims: int = 16, seed: int = 0, sizes: list[int] | None = None) -> pa.Table:
    """Points around `clusters` well separated centres; cluster sizes are very uneven so random sampling misses some."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dims)) * 10
    sizes = sizes or [400 if c < 2 else 12 for c in range(clusters)]
    truth = np.repeat(np.arange(clusters), sizes)
    points = centres[truth] + rng.normal(size=(len(truth), dims))
    vectors = pa.FixedSizeListArray.from_arrays(pa.array(points.astype(np.float32).ravel()), dims)
    return pa.table({"id": np.arange(len(truth)), "truth": truth, "quality": rng.random(len(truth)), "emb": vectors})


def test_cluster_sample_takes_per_cluster_rows_from_every_cluster() -> None:
    table = planted()
    sample = cluster_sample(table, "emb", k=12, per_cluster=3, seed=1)
    assert sample.num_rows == 36
    assert sorted(set(sample.column("truth").to_pylist())) == list(range(12))
    by_cluster: dict[int, list[int]] = {}
    for cluster, rank in zip(sample.column("cluster_id").to_pylist(), sample.column("rank_in_cluster").to_pylist()):
        by_cluster.setdefault(cluster, []).append(rank)
    assert all(sorted(ranks) == [1, 2, 3] for ranks in by_cluster.values())
    # each found cluster is one planted cluster
    pairs = set(zip(sample.column("cluster_id").to_pylist(), sample.column("truth").to_pylist()))
    assert len(pairs) == 12


def test_default_rank_is_nearest_to_centroid_first() -> None:
    sample = cluster_sample(planted(), "emb", k=12, per_cluster=5)
    for cluster in set(sample.column("cluster_id").to_pylist()):
        rows = [r for r in sample.to_pylist() if r["cluster_id"] == cluster]
        rows.sort(key=lambda r: r["rank_in_cluster"])
        distances = [r["distance_to_centroid"] for r in rows]
        assert distances == sorted(distances)


def test_order_by_a_score_keeps_the_best_rows() -> None:
    table = planted()
    sample = cluster_sample(table, "emb", k=12, per_cluster=2, order_by="quality")
    quality = dict(zip(table.column("id").to_pylist(), table.column("quality").to_pylist()))
    truth = dict(zip(table.column("id").to_pylist(), table.column("truth").to_pylist()))
    for row in sample.to_pylist():
        same_cluster = sorted((quality[i] for i in quality if truth[i] == row["truth"]), reverse=True)
        assert quality[row["id"]] == same_cluster[row["rank_in_cluster"] - 1]


def test_cluster_sampling_covers_more_planted_clusters_than_random() -> None:
    table = planted(clusters=30, sizes=[1000] + [10] * 29)
    selected = cluster_sample(table, "emb", k=30, per_cluster=2, seed=0)
    random_rows = np.random.default_rng(0).choice(table.num_rows, selected.num_rows, replace=False)
    random_sample = table.take(pa.array(random_rows))
    assert len(set(selected.column("truth").to_pylist())) > len(set(random_sample.column("truth").to_pylist()))
    ours = diversity_report(selected, "emb", reference=table, k=30).to_pylist()[0]
    theirs = diversity_report(random_sample, "emb", reference=table, k=30).to_pylist()[0]
    assert ours["coverage"] > theirs["coverage"] and ours["cluster_entropy"] > theirs["cluster_entropy"]
    assert ours["rows"] == theirs["rows"] == selected.num_rows


def test_same_seed_same_selection_on_list_columns() -> None:
    table = planted()
    as_list = table.set_column(3, "emb", table.column("emb").cast(pa.list_(pa.float32())))
    first = cluster_sample(as_list, "emb", k=8, per_cluster=2, seed=3).column("id").to_pylist()
    assert first == cluster_sample(as_list, "emb", k=8, per_cluster=2, seed=3).column("id").to_pylist()


def test_null_embeddings_are_skipped() -> None:
    table = pa.table({"id": [1, 2, 3, 4], "emb": [[0.0, 1.0], None, [1.0, 0.0], [0.9, 0.1]]})
    sample = cluster_sample(table, "emb", k=2, per_cluster=5)
    assert sorted(sample.column("id").to_pylist()) == [1, 3, 4]


def test_mean_pairwise_cosine_distance() -> None:
    assert mean_pairwise_cosine_distance(np.array([[1, 0], [0, 1], [1, 0]], dtype=np.float32)) == pytest.approx(2 / 3)
    assert mean_pairwise_cosine_distance(np.ones((1, 3))) is None


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"k": 5000}, ProgrammingError, r"k := 5000 is larger than the 920 rows"),
        ({"per_cluster": 0}, ProgrammingError, r"per_cluster must be a positive integer, got 0"),
        ({"k": -1}, ProgrammingError, r"k must be a positive integer"),
        ({"order_by": "nope"}, ProgrammingError, r"order_by column 'nope'"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, error, message) -> None:
    with pytest.raises(error, match=message):
        cluster_sample(planted(), "emb", **{"k": 4, "per_cluster": 2, **kwargs})


def test_wrong_column_types() -> None:
    table = pa.table({"id": [1, 2], "text": ["a", "b"], "emb": [[1.0], [1.0, 2.0]]})
    with pytest.raises(ProgrammingError, match=r"argument emb_col: column 'text' must be a FLOAT\[n\] array column"):
        cluster_sample(table, "text", k=1, per_cluster=1)
    with pytest.raises(ProgrammingError, match="argument emb_col: 'vec' is not a column"):
        cluster_sample(table, "vec", k=1, per_cluster=1)
    with pytest.raises(DataError, match="vectors of different lengths"):
        cluster_sample(table, "emb", k=1, per_cluster=1)
    with pytest.raises(ProgrammingError, match="order_by column 'text' must be numeric"):
        cluster_sample(pa.table({"text": ["a"], "emb": [[1.0]]}), "emb", k=1, per_cluster=1, order_by="text")


def test_cluster_sample_in_sql_over_a_filtered_relation_and_a_lance_table(con) -> None:
    import aidb

    table = planted(clusters=6, dims=8, sizes=[30] * 6)
    con.register("points", table)
    con.execute("CREATE TABLE sft AS SELECT id, truth, quality, emb::FLOAT[8] AS emb FROM points")
    rows = con.execute(
        "SELECT truth, rank_in_cluster FROM cluster_sample((SELECT * FROM sft WHERE truth < 4), emb, k := 4, per_cluster := 2, "
        "order_by := quality, seed := 1) ORDER BY cluster_id, rank_in_cluster"
    ).fetchall()
    assert sorted({t for t, _ in rows}) == [0, 1, 2, 3] and [r for _, r in rows] == [1, 2] * 4
    con.execute("CREATE TABLE sft_lance (id BIGINT, truth BIGINT, emb FLOAT[8]) WITH (storage = 'lance')")
    con.execute("INSERT INTO sft_lance SELECT id, truth, emb FROM sft")
    picked = con.execute("SELECT count(DISTINCT truth) FROM cluster_sample(sft_lance, emb, k := 6, per_cluster := 1)").fetchone()
    assert picked == (6,)
    report = con.execute(
        "SELECT clusters_covered, coverage FROM diversity_report((SELECT * FROM sft_lance WHERE truth = 0), emb, reference := sft, k := 6)"
    ).fetchone()
    assert report == (1, 1 / 6)
    with pytest.raises(aidb.ProgrammingError, match="per_cluster must be a positive integer, got 0"):
        con.execute("SELECT * FROM cluster_sample(sft, emb, k := 2, per_cluster := 0)")
    with pytest.raises(aidb.ProgrammingError, match=r"k := 500 is larger than the 180 rows"):
        con.execute("SELECT * FROM cluster_sample(sft, emb, k := 500)")
