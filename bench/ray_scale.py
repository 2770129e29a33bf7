"""Benchmark: the same CREATE TABLE ... AS over model functions on the local engine and on the Ray engine (one machine).

For each of minhash, perplexity (KenLM, the built-in pydoc_en model) and embed (MiniLM, torch), over real English
paragraphs (bench/corpus.py, ~240 characters; the 31k distinct ones repeated for 100k rows — only embed caches
results, and it gets distinct texts):

- local: `CREATE TABLE out AS SELECT id, f(text) FROM docs` on aidb's default engine (DuckDB, one thread for
  model functions), after a warm-up call that loads the model / compiles the kernel (timed as `local_first_call_s`);
  Run twice, before and after the Ray job (alternated; embed once: its result cache would answer the second run),
  and the faster run is the one Ray is held against;
- ray: the same statement with `engine='ray'`: the table exported to Lance, blocks of <= 32,768 rows, one actor
  per CPU, fragments committed once. Start-up is timed apart: `ray_init_s` (starting the local Ray cluster, once),
  `ray_first_job_startup_s` (a first job over 100 rows, which also pays Ray Data's one-time set-up) and
  `ray_first_block_s` (until the big job's first block is back). A second, smaller job over a tenth of the rows
  (at least one block per CPU, so that it starts as many actors) gives the rest: `ray_rows_per_s_past_startup`
  is (rows - small rows) / (big job - small job), the marginal rate with the export to Lance and the commit in
  it, and `ray_job_startup_s` what the small job took beyond its rows at that rate (actor processes, aidb's
  imports, the model loads: paid by every job). (Timing blocks as they come back to the driver overstates the
  rate: Ray Data hands results over in bursts.)
- checked, not printed: the Ray table equals the local one, compared in DuckDB (minhash bit for bit, perplexity to
  1e-9 relative, embeddings to 1e-5 per component).
- peak RSS: the driver (this process, ru_maxrss) and the largest Ray worker process (VmRSS sampled every 0.2 s).

    python -m bench.ray_scale                              # 100,000 rows minhash/perplexity, 2,000 embed
    python -m bench.ray_scale --rows 20000 --embed-rows 500
    python -m bench.ray_scale --functions embed --embed-rows 1000    # one function: bench/results/ray_scale_embed.json
    python -m bench.ray_scale --rows 1000000 --functions minhash,perplexity
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

import aidb
from bench.corpus import doc_texts
from aidb.distributed.ray_runtime import cluster_cpus
from aidb.distributed.select_jobs import MIN_BLOCK_ROWS
from bench.measure import write_results

FUNCTIONS = {"minhash": "minhash(text)", "perplexity": "perplexity(text)", "embed": "embed(text)"}


class WorkerMemory:
    """Peak resident memory of Ray worker processes (`ray::` in their command line), sampled while a job runs."""

    def __init__(self) -> None:
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            for proc in Path("/proc").iterdir():
                if not proc.name.isdigit():
                    continue
                try:
                    if b"ray::" not in (proc / "cmdline").read_bytes():
                        continue
                    for line in (proc / "status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            self.peak_bytes = max(self.peak_bytes, int(line.split()[1]) * 1024)
                except OSError:
                    continue


def timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def mismatches(con, function: str) -> int:
    """Rows where the Ray table differs from the local one (a missing or extra id counts), compared in DuckDB:
    fetching 1M signatures into Python would take more memory than the jobs themselves."""
    differs = {
        "minhash": "l.v IS DISTINCT FROM r.v",  # bit for bit
        "perplexity": "(l.v IS NULL) <> (r.v IS NULL) OR abs(l.v - r.v) > 1e-9 * abs(l.v)",
        "embed": "(l.v IS NULL) <> (r.v IS NULL) OR list_max(list_transform(list_zip(l.v::FLOAT[], r.v::FLOAT[]), p -> abs(p[1] - p[2]))) > 1e-5",
    }[function]
    return con.execute(f"SELECT count(*) FROM out_local l FULL JOIN out_ray r USING (id) WHERE l.id IS NULL OR r.id IS NULL OR {differs}").fetchone()[0]


def run_local(con, call: str) -> float:
    con.execute("DROP TABLE IF EXISTS out_local")
    return timed(lambda: con.execute(f"CREATE TABLE out_local AS SELECT id, {call} AS v FROM docs"))


def measure(function: str, rows: int, texts: list[str], folder: Path, ray_init_s: float) -> dict:
    path = str(folder / f"{function}.aidb")
    local = aidb.connect(path, autocommit=True)
    on_ray = aidb.connect(path, autocommit=True, engine="ray")
    table = pa.table({"id": np.arange(rows, dtype=np.int64), "text": [texts[i % len(texts)] for i in range(rows)]})
    local.session.duck.register("input_rows", table)
    local.execute("CREATE TABLE docs AS SELECT * FROM input_rows")
    local.session.duck.unregister("input_rows")
    del table
    call = FUNCTIONS[function]
    warm_text = [f"warm-up text {i} about python lists" for i in range(100)]  # not in docs: embed's cache stays cold
    local.session.duck.register("warm_rows", pa.table({"id": np.arange(100), "text": warm_text}))
    local.execute("CREATE TABLE warm AS SELECT * FROM warm_rows")
    local_first = timed(lambda: local.execute(f"SELECT {call} FROM warm").fetchall())
    # alternated: local, Ray, local again; the faster local run is the one Ray is held against
    local_runs = [run_local(local, call)]
    # the first Ray Data job of a process also pays Ray Data's own one-time set-up
    first_job = timed(lambda: on_ray.execute(f"CREATE TABLE warm_ray AS SELECT id, {call} AS v FROM warm"))
    # a smaller job with as many actors: the difference of the two jobs is what the extra rows cost past start-up
    small_rows = max(rows // 10, MIN_BLOCK_ROWS * cluster_cpus())
    local.execute(f"CREATE TABLE docs_small AS SELECT * FROM docs WHERE id < {small_rows}")
    small_s = timed(lambda: on_ray.execute(f"CREATE TABLE out_small AS SELECT id, {call} AS v FROM docs_small"))
    with WorkerMemory() as workers:
        ray_s = timed(lambda: on_ray.execute(f"CREATE TABLE out_ray AS SELECT id, {call} AS v FROM docs"))
    job = on_ray.session.last_ray_job
    if function != "embed":  # embed caches its results: a second local run would be measuring the cache
        local_runs.append(run_local(local, call))
    assert mismatches(on_ray, function) == 0, f"{function}: the Ray table differs from the local one"
    on_ray.close()
    local.close()
    local_s = min(local_runs)
    # past start-up: the marginal rate between the two jobs (export and commit included); start-up: what the small
    # job took beyond its rows at that rate (actor processes, imports, model loads)
    steady = (rows - small_rows) / (ray_s - small_s) if ray_s > small_s else None
    job_startup = small_s - small_rows / steady if steady else small_s
    figures = {
        "rows": rows,
        "local_first_call_s": round(local_first, 3),
        "local_runs_s": [round(t, 3) for t in local_runs],
        "local_s": round(local_s, 3),
        "local_rows_per_s": round(rows / local_s, 1),
        "ray_init_s": round(ray_init_s, 3),
        "ray_first_job_startup_s": round(first_job, 3),
        "ray_small_job_rows": small_rows,
        "ray_small_job_s": round(small_s, 3),
        "ray_job_startup_s": round(job_startup, 3),
        "ray_s": round(ray_s, 3),
        "ray_rows_per_s": round(rows / ray_s, 1),
        "ray_first_block_s": round(job.first_block_s, 3),
        "ray_rows_per_s_past_startup": round(steady, 1) if steady else None,
        "ray_vs_local_past_startup": round(steady / (rows / local_s), 3) if steady else None,
        "ray_vs_local_whole_job": round(local_s / ray_s, 3),
        "ray_blocks": job.blocks,
        "ray_actors": job.actors,
        "peak_rss_worker_mb": round(workers.peak_bytes / 2**20, 1),
        "peak_rss_driver_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(
        f"{function:<11} {rows:>7} rows | local {figures['local_rows_per_s']:>9.1f} rows/s | ray {figures['ray_rows_per_s']:>9.1f} rows/s"
        f" ({figures['ray_rows_per_s_past_startup']} past start-up, x{figures['ray_vs_local_past_startup']} local;"
        f" job start-up {job_startup:.1f} s)"
        f" | {job.blocks} blocks, {job.actors} actors | peak RSS worker {figures['peak_rss_worker_mb']} MB",
        flush=True,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows for minhash and perplexity")
    parser.add_argument("--embed-rows", type=int, default=2_000, help="rows for embed (distinct texts)")
    parser.add_argument("--functions", default="minhash,perplexity,embed")
    args = parser.parse_args()
    import ray

    ray_init_s = timed(lambda: ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False))
    from aidb.distributed.ray_runtime import quiet_ray_data

    quiet_ray_data()
    folder = Path(tempfile.mkdtemp(prefix="aidb-ray-bench-"))
    results = {"cpus": os.cpu_count(), "ray_init_s": round(ray_init_s, 3)}
    try:
        for function in args.functions.split(","):
            rows = args.embed_rows if function == "embed" else args.rows
            texts = doc_texts(min(rows, 31_000), "short")
            results[function] = measure(function, rows, texts, folder, ray_init_s)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        ray.shutdown()
    name = "ray_scale" if args.functions == "minhash,perplexity,embed" else "ray_scale_" + args.functions.replace(",", "_")
    name += f"_{args.rows // 1000}k" if args.functions != "embed" else f"_{args.embed_rows}"
    print(f"wrote {write_results(name, results)}")


if __name__ == "__main__":
    main()
