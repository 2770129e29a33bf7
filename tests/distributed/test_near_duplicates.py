"""near_duplicates() on the Ray engine (aidb/distributed/near_duplicates.py): the local operator's table, row for row."""

from __future__ import annotations

import pyarrow as pa
import pytest

import aidb
from aidb.distributed import near_duplicates as ray_near_duplicates
from dedup_corpus import planted_corpus


@pytest.fixture(scope="module")
def databases(ray_cluster, tmp_path_factory):
    """One database file opened twice: on the local engine and on the Ray engine."""
    path = str(tmp_path_factory.mktemp("dedup") / "corpus.aidb")
    texts = planted_corpus(500, 150)
    texts += ["the same boilerplate notice repeated on every page of this site, word for word"] * 90  # one group > 64 rows
    texts += [None, "", "!!!"]  # nobody's duplicate
    local = aidb.connect(path, autocommit=True)
    # ids not in row order: the kept row is the smallest id, not the first row
    local.session.duck.register("planted", pa.table({"id": [(i * 7919) % 100_003 for i in range(len(texts))], "text": texts}))
    local.execute("CREATE TABLE docs AS SELECT * FROM planted")
    on_ray = aidb.connect(path, autocommit=True, engine="ray")
    yield local, on_ray
    on_ray.close()
    local.close()


def test_ray_near_duplicates_equal_the_local_operator(databases, monkeypatch):
    monkeypatch.setattr(ray_near_duplicates, "BLOCK_ROWS", 200)  # 743 rows -> 4 signature tasks
    local, on_ray = databases
    for arguments in ("", ", threshold := 0.6, verify := 'minhash'"):
        sql = f"SELECT id, cluster_id, keep, similarity_to_kept FROM near_duplicates(docs, text{arguments}) ORDER BY id"
        expected = local.execute(sql).fetchall()
        found = on_ray.execute(sql).fetchall()
        assert sum(not keep for _, _, keep, _ in expected) > 120  # the planted copies and the repeated notice
        assert found == expected


def test_explain_names_the_ray_stages(databases):
    _, on_ray = databases
    steps = dict(on_ray.execute("EXPLAIN AIDB SELECT * FROM near_duplicates(docs, text)").fetchall())
    assert "groupby on band keys" in steps["ray operator near_duplicates"]
    assert "connected components" in steps["ray operator near_duplicates"]
