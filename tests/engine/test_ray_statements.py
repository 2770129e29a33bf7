"""The Ray engine (engine/ray_statements.py): CREATE TABLE ... AS over model functions on Ray Data, equal to the local run."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import aidb
from aidb.distributed import select_jobs
from dedup_corpus import real_paragraphs

# embed() on 48 rows only: MiniLM is the slow one (NULL text gives NULL, unencoded)
SCORED = (
    "SELECT id, minhash(text) AS sig, perplexity(text) AS ppl, classify(text, 'quality') AS q,"
    " embed(CASE WHEN id % 25 = 0 THEN text END) AS emb FROM docs WHERE id % 5 <> 3"
)


@pytest.fixture(scope="module")
def ray_db(ray_cluster, tmp_path_factory) -> aidb.dbapi.Connection:
    """A database file with 1,200 real paragraphs (one NULL), a trained classifier, on the Ray engine."""
    path = tmp_path_factory.mktemp("ray") / "corpus.aidb"
    con = aidb.connect(str(path), autocommit=True, engine="ray")
    texts = real_paragraphs(1200)
    texts[7] = None
    con.session.duck.register("paragraphs", pa.table({"id": list(range(len(texts))), "text": texts}))
    con.execute("CREATE TABLE docs AS SELECT * FROM paragraphs")
    con.execute("CREATE CLASSIFIER quality FROM (SELECT text, (id % 2 = 0) AS label FROM docs WHERE text IS NOT NULL)")
    yield con
    con.close()


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(select_jobs, "BATCH_ROWS", 300)  # 1,200 rows -> 4 blocks over the 2 actors
    monkeypatch.setattr(select_jobs, "MIN_BLOCK_ROWS", 300)


def test_model_functions_on_ray_equal_the_local_engine(ray_db, small_blocks):
    ray_db.execute(f"CREATE TABLE scored AS {SCORED}")
    job = ray_db.session.last_ray_job
    assert (job.blocks, job.actors, job.rows_read, job.rows_written) == (4, 2, 1200, 960)
    on_ray = ray_db.execute("SELECT id, sig, ppl, q, emb FROM scored ORDER BY id").fetchall()
    local = ray_db.execute(f"SELECT * FROM ({SCORED}) ORDER BY id").fetchall()  # a SELECT runs in DuckDB
    assert [r[0] for r in on_ray] == [r[0] for r in local]
    assert [r[1] for r in on_ray] == [r[1] for r in local]  # minhash: bit-equal
    assert [r[3] for r in on_ray] == [r[3] for r in local]  # classify: bit-equal
    for ray_row, local_row in zip(on_ray, local):
        if local_row[2] is None:
            assert ray_row[2] is None and ray_row[4] is None
            continue
        assert math.isclose(ray_row[2], local_row[2], rel_tol=1e-9)
        assert (ray_row[4] is None) == (local_row[4] is None) == (ray_row[0] % 25 != 0)
        assert ray_row[4] is None or np.allclose(ray_row[4], local_row[4], atol=1e-5)
    # a Lance table, in the catalog, with its run and the models that made its columns
    assert ray_db.execute("SELECT count(*) FROM scored WHERE id = 7").fetchone() == (1,)
    assert "scored" in {r[0] for r in ray_db.execute("SELECT name FROM aidb.lance_tables").fetchall()}
    provenance = dict(ray_db.execute("SELECT column_name, model_name FROM aidb.column_provenance WHERE table_name = 'scored'").fetchall())
    assert provenance == {"ppl": "pydoc_en", "q": "quality", "emb": "all-MiniLM-L6-v2"}
    run = ray_db.execute("SELECT kind FROM aidb.runs WHERE statement LIKE 'CREATE TABLE scored%'").fetchall()
    assert run == [("create_table_as",)]


def test_explain_shows_what_runs_on_ray(ray_db, small_blocks):
    steps = dict(ray_db.execute(f"EXPLAIN AIDB CREATE TABLE planned AS {SCORED}").fetchall())
    assert "FROM aidb_batch AS docs WHERE id % 5 <> 3" in steps["ray map_batches"]
    assert "4 blocks of <= 300 rows, 2 actors" in steps["ray map_batches"]
    assert "minhash, perplexity, classify, embed" in steps["ray map_batches"]
    assert steps["ray read"] == "docs as Lance fragments (exported from DuckDB first)"
    assert steps["ray write"] == "Lance table planned, committed once"
    grouped = dict(ray_db.execute("EXPLAIN AIDB CREATE TABLE g AS SELECT id % 2 AS k, max(perplexity(text)) FROM docs GROUP BY k").fetchall())
    assert grouped["ray"] == "runs in DuckDB: it groups rows"


def test_a_failed_job_leaves_nothing_and_a_rerun_survives_a_dying_actor(ray_db, small_blocks, tmp_path, monkeypatch):
    lance_dir = Path(ray_db.session.layout.lance_dir)
    # the blocks before the last succeed, the last one names a model that does not exist
    with pytest.raises(aidb.ProgrammingError, match="unknown model 'nope'"):
        ray_db.execute("CREATE TABLE sigs AS SELECT id, classify(text, CASE WHEN id < 900 THEN 'quality' ELSE 'nope' END) AS p FROM docs")
    assert not (lance_dir / "sigs.lance").exists()
    assert list((lance_dir / "_aidb_staging").iterdir()) == []  # the staged output and the exported input are gone
    assert ray_db.execute("SELECT count(*) FROM aidb.runs WHERE statement LIKE '%sigs%'").fetchone() == (0,)
    # the rerun: one actor process dies on its first block (as a killed worker would); Ray restarts it
    marker = tmp_path / "crashed"
    monkeypatch.setenv("AIDB_RAY_CRASH_FIRST_BATCH", str(marker))
    ray_db.execute("CREATE TABLE sigs AS SELECT id, minhash(text) AS sig FROM docs")
    assert marker.exists()
    assert ray_db.execute("SELECT count(*), count(DISTINCT id) FROM sigs").fetchone() == (1200, 1200)
    local = ray_db.execute("SELECT id, minhash(text) FROM docs ORDER BY id").fetchall()
    assert ray_db.execute("SELECT id, sig FROM sigs ORDER BY id").fetchall() == local


def test_existing_table_is_an_error_before_any_work(ray_db):
    ray_db.execute("CREATE TABLE taken (x INTEGER)")
    with pytest.raises(aidb.ProgrammingError, match="'taken': a table of that name exists"):
        ray_db.execute("CREATE TABLE taken AS SELECT id, minhash(text) FROM docs")
    ray_db.execute("CREATE TABLE IF NOT EXISTS taken AS SELECT id, minhash(text) FROM docs")
    assert ray_db.session.duck.execute("SELECT count(*) FROM taken").fetchone() == (0,)


def test_unknown_engine_is_a_programming_error():
    with pytest.raises(aidb.ProgrammingError, match="unknown aidb_engine 'spark'"):
        aidb.connect(":memory:", engine="spark")


def test_without_ray_the_engine_says_what_to_install(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name.split(".")[0] == "ray" else real(name, *a))
    with pytest.raises(aidb.NotSupportedError, match=r'pip install "aidb\[ray\]"'):
        aidb.connect(":memory:", engine="ray")
    con = aidb.connect(":memory:", autocommit=True)
    with pytest.raises(aidb.NotSupportedError, match=r"aidb_engine = 'ray' needs Ray Data.*pip install \"aidb\[ray\]\""):
        con.execute("SET aidb_engine = 'ray'")
    assert con.session.engine == "duckdb"
    con.close()


def test_insert_select_on_ray_into_duckdb_and_lance_tables(ray_db, small_blocks):
    ray_db.execute("CREATE TABLE sig_rows (id BIGINT, sig UINTEGER[])")
    ray_db.execute("CREATE TABLE lance_rows (id BIGINT, ppl DOUBLE) WITH (storage = 'lance')")
    ray_db.execute("INSERT INTO lance_rows VALUES (-1, 0.5)")
    assert ray_db.execute("INSERT INTO sig_rows SELECT id, minhash(text) FROM docs WHERE id < 700").rowcount == 700
    assert ray_db.session.last_ray_job.blocks == 4
    local = ray_db.execute("SELECT id, minhash(text) FROM docs WHERE id < 700 ORDER BY id").fetchall()
    assert ray_db.execute("SELECT * FROM sig_rows ORDER BY id").fetchall() == local
    # a Lance source is read in place: its fragments are the job's input, nothing is exported
    ray_db.execute("CREATE TABLE lance_docs (id BIGINT, text VARCHAR) WITH (storage = 'lance')")
    ray_db.execute("INSERT INTO lance_docs SELECT id, text FROM docs WHERE id BETWEEN 100 AND 199")  # no model function: DuckDB
    statement = "INSERT INTO lance_rows SELECT id, perplexity(text) FROM lance_docs"
    assert dict(ray_db.execute(f"EXPLAIN AIDB {statement}").fetchall())["ray read"] == "lance_docs as Lance fragments"
    ray_db.execute(statement)
    expected = [(-1, 0.5)] + ray_db.execute("SELECT id, perplexity(text) FROM docs WHERE id BETWEEN 100 AND 199 ORDER BY id").fetchall()
    assert ray_db.execute("SELECT id, ppl FROM lance_rows ORDER BY id").fetchall() == expected
    inputs = ray_db.execute("SELECT input_table FROM aidb.lineage l JOIN aidb.runs r USING (run_id) WHERE r.statement LIKE 'INSERT INTO lance_rows SELECT%'").fetchall()
    assert inputs == [("lance_docs",)]
    with pytest.raises(aidb.ProgrammingError, match="INSERT INTO lance_rows: the SELECT gives 1 columns, but the table has 2"):
        ray_db.execute("INSERT INTO lance_rows SELECT perplexity(text) FROM docs")


def test_progress_counts_blocks_and_an_interrupt_leaves_nothing(ray_db, small_blocks, monkeypatch):
    seen: list[tuple[str, int, int]] = []

    def update(stage: str, completed: int, total: int) -> None:
        seen.append((stage, completed, total))
        if completed == 2:
            raise KeyboardInterrupt  # what Ctrl-C raises in the driver while it waits for blocks

    monkeypatch.setattr(ray_db.session.progress, "update", update)
    with pytest.raises(KeyboardInterrupt):
        ray_db.execute("CREATE TABLE cancelled AS SELECT id, minhash(text) AS sig FROM docs")
    assert seen[0] == ("ray: cancelled blocks", 0, 4) and seen[-1][1:] == (2, 4)
    lance_dir = Path(ray_db.session.layout.lance_dir)
    assert not (lance_dir / "cancelled.lance").exists() and list((lance_dir / "_aidb_staging").iterdir()) == []
    assert ray_db.execute("SELECT count(*) FROM aidb.runs WHERE statement LIKE '%cancelled%'").fetchone() == (0,)


def test_set_and_reset_aidb_engine():
    con = aidb.connect(":memory:", autocommit=True)
    con.execute("CREATE TABLE docs AS SELECT 1 AS id, 'some text' AS text")
    explain = "EXPLAIN AIDB CREATE TABLE o AS SELECT id, minhash(text) FROM docs"
    assert not any(step.startswith("ray") for step, _ in con.execute(explain).fetchall())
    con.execute("SET aidb_engine = 'ray'")
    con.execute("SET aidb_ray_address = 'ray://head:10001'")
    steps = dict(con.execute(explain).fetchall())
    assert steps["ray where"] == "Ray cluster at ray://head:10001" and "ray map_batches" in steps
    assert con.execute("SELECT getvariable('aidb_engine'), getvariable('aidb_ray_address')").fetchone() == ("ray", "ray://head:10001")
    con.execute("RESET aidb_ray_address")
    con.execute("RESET aidb_engine")
    assert con.session.engine == "duckdb" and con.session.ray_address is None
    with pytest.raises(aidb.ProgrammingError, match="unknown aidb_engine 'spark'; expected one of 'duckdb', 'ray'"):
        con.execute("SET aidb_engine = 'spark'")
    con.execute("SET threads = 2")  # DuckDB's own settings still go to DuckDB
    con.close()
