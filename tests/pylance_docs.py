"""A small Lance table with a pylance-built index that the ANN path searches (tests of lance_search and search_first)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import aidb

DIM, ROWS = 8, 3000


def open_pylance_docs(folder: Path) -> aidb.dbapi.Cursor:
    """A cursor on `docs (id, lang, "Year Made", emb FLOAT[8])`: 3,000 rows, an IVF_FLAT l2 index searched by ANN."""
    con = aidb.connect(str(folder / "p.aidb"), autocommit=True)
    cur = con.cursor()
    # At 3,000 rows every query would be scanned exactly; lower the bar so the pylance path runs.
    cur.execute("SET aidb_exact_scan_max_rows = 10")
    cur.execute(f'CREATE TABLE docs (id BIGINT, lang VARCHAR, "Year Made" INTEGER, emb FLOAT[{DIM}]) WITH (storage = \'lance\')')
    cur.execute(
        f"INSERT INTO docs SELECT range, CASE WHEN range % 3 = 0 THEN 'fr' ELSE 'en' END, 2000 + range % 20, "
        f"[sin(range * (i + 1)) FOR i IN range({DIM})]::FLOAT[{DIM}] FROM range({ROWS})"
    )
    cur.execute("CREATE VECTOR INDEX docs_emb ON docs (emb) USING IVF_FLAT WITH (metric = 'l2', num_partitions = 4, nprobes = 4)")
    return cur


def vectors(cur: aidb.dbapi.Cursor) -> np.ndarray:
    rows = cur.execute("SELECT emb FROM docs ORDER BY id").fetchall()
    return np.array([r[0] for r in rows], dtype=np.float32)


def plan_of(cur: aidb.dbapi.Cursor, sql: str, step: str = "duckdb") -> str:
    return dict(cur.execute("EXPLAIN AIDB " + sql).fetchall())[step].lower()
