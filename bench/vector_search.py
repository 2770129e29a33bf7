"""Vector search: DuckDB brute force vs DuckDB VSS (HNSW) vs Lance called directly vs aidb SQL, side by side.

"Lance called directly" is measured twice on aidb's own dataset and index: pylance (`to_table(nearest=...)` on a
dataset held open, what aidb runs inside its search function) and the DuckDB extension's `lance_vector_search`.

    python -m bench.vector_search --quick      # 100k x 384
    python -m bench.vector_search              # 1M x 384
    python -m bench.vector_search --exact      # 1M x 384, no index: aidb's exact plan vs DuckDB brute force

Prints queries/s and recall@10 (against exact numpy search) of every system at 100%, 10%, 1% and 0.1% filter
selectivity. All systems are timed query by query in turn, the order rotating, so the machine's load hits them alike;
the query vector is bound as a parameter wherever the system accepts one. Figures go to bench/results/vector_search.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import duckdb
import lance
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import aidb
from aidb.storage.extensions import load_extension
from bench.measure import write_results

DIM, K = 384, 10
FILTERS = {"100%": "", "10%": "WHERE bucket < 10", "1%": "WHERE bucket = 0", "0.1%": "WHERE id < {n}"}  # bucket = id % 100


def make_data(rows: int, seed: int = 0) -> np.ndarray:
    """Clustered vectors (a Gaussian mixture), closer to real embeddings than uniform noise."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(256, DIM)).astype(np.float32)
    out = np.empty((rows, DIM), dtype=np.float32)
    for start in range(0, rows, 100_000):
        n = min(100_000, rows - start)
        out[start : start + n] = centers[rng.integers(0, 256, n)] + 0.7 * rng.normal(size=(n, DIM)).astype(np.float32)
    return out


def exact_top_k(data: np.ndarray, norms: np.ndarray, query: np.ndarray, mask: np.ndarray | None) -> set[int]:
    cos = 1 - (data @ query) / (norms * np.linalg.norm(query))
    if mask is not None:
        cos = np.where(mask, cos, np.inf)
    return set(np.argpartition(cos, K)[:K].tolist())


def literal(query: np.ndarray) -> str:
    return "[" + ",".join(f"{v:.6f}" for v in query) + f"]::FLOAT[{DIM}]"


def run_alternating(systems: list[tuple[str, str, object]], queries: list[np.ndarray], truth: list[set[int]]) -> dict:
    """Time several systems query by query in turn (the order rotating), so that the machine's load hits all alike."""
    for _, _, execute in systems:
        execute(queries[0])  # warm caches
    seconds = {key: 0.0 for key, _, _ in systems}
    recalls: dict[str, list[float]] = {key: [] for key, _, _ in systems}
    short = {key: 0 for key, _, _ in systems}
    for i, (query, expected) in enumerate(zip(queries, truth)):
        for key, _, execute in systems[i % len(systems) :] + systems[: i % len(systems)]:
            started = time.perf_counter()
            ids = execute(query)
            seconds[key] += time.perf_counter() - started
            short[key] += len(ids) < K
            recalls[key].append(len(set(ids) & expected) / K)
    results = {}
    for key, name, _ in systems:
        results[key] = (len(queries) / seconds[key], float(np.mean(recalls[key])), short[key])
        print(f"  {name:<34} {results[key][0]:9.1f} q/s   recall@10 {results[key][1]:.3f}   short results {short[key]}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100k rows instead of 1M")
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--rows", type=int, help="table size (overrides --quick; small sizes for a smoke run)")
    parser.add_argument("--no-vss", action="store_true", help="skip the DuckDB VSS HNSW build (slow at 1M)")
    parser.add_argument("--index", default="IVF_PQ", choices=("IVF_PQ", "IVF_HNSW_SQ"), help="aidb's index type (default parameters)")
    parser.add_argument(
        "--tuned", metavar="NPROBES,REFINE",
        help="also run Lance direct and aidb vector_search(..., nprobes, refine_factor) with these search parameters",
    )
    parser.add_argument(
        "--batch", type=int, metavar="QUERIES",
        help="instead: batch_vector_search of QUERIES query rows (exact on an unindexed table, then ANN) vs DuckDB's exact join",
    )
    parser.add_argument("--exact", action="store_true", help="instead: no index; aidb's exact plan vs DuckDB's brute force")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aidb-bench-") as folder:  # ~3 GB at 1M rows
        (compare_batch if args.batch else compare_exact if args.exact else compare)(args, Path(folder))


def filtered_workload(args: argparse.Namespace, work: Path):
    """The table both comparisons search: clustered vectors with `bucket = id % 100`, the queries, numpy's exact top
    10 per selectivity, the Parquet file, an in-memory DuckDB table and an aidb Lance table of the same rows."""
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    data = make_data(rows)
    norms = np.linalg.norm(data, axis=1)
    rng = np.random.default_rng(1)
    queries = [data[i] + 0.3 * rng.normal(size=DIM).astype(np.float32) for i in rng.integers(0, rows, args.queries)]
    buckets = np.arange(rows) % 100
    masks = {"100%": None, "10%": buckets < 10, "1%": buckets == 0, "0.1%": np.arange(rows) < rows // 1000}
    truth = {label: [exact_top_k(data, norms, q, m) for q in queries] for label, m in masks.items()}
    parquet = work / "docs.parquet"
    pq.write_table(pa.table({"id": np.arange(rows), "bucket": buckets, "emb": pa.FixedSizeListArray.from_arrays(pa.array(data.ravel()), DIM)}), parquet)
    duck = duckdb.connect()
    duck.execute(f"CREATE TABLE docs AS SELECT id, bucket, emb::FLOAT[{DIM}] AS emb FROM read_parquet('{parquet}')")
    con = aidb.connect(str(work / "bench.aidb"), autocommit=True)
    con.execute(f"CREATE TABLE docs (id BIGINT, bucket BIGINT, emb FLOAT[{DIM}]) WITH (storage = 'lance')")
    con.execute(f"INSERT INTO docs SELECT id, bucket, emb::FLOAT[{DIM}] FROM read_parquet('{parquet}')")
    return rows, queries, truth, parquet, duck, con


def compare(args: argparse.Namespace, work: Path) -> None:
    rows, queries, truth, parquet, duck, con = filtered_workload(args, work)
    cur = con.cursor()
    print(f"{rows} x {DIM} float32 vectors, {args.queries} queries, k={K}")
    started = time.perf_counter()
    cur.execute(f"CREATE VECTOR INDEX docs_emb ON docs (emb) USING {args.index} WITH (metric = 'cosine')")
    print(f"aidb CREATE VECTOR INDEX ({args.index}, defaults): {time.perf_counter() - started:.1f}s")
    options = cur.execute("SELECT options FROM aidb.vector_indexes").fetchone()[0]
    print(f"  index options: {options}")

    lance_direct = duckdb.connect()
    load_extension(lance_direct, "lance")
    dataset = work / "bench.aidb.lance" / "docs.lance"

    pylance_ds = lance.dataset(str(dataset))

    vss = None
    if not args.no_vss:
        vss = duckdb.connect()
        load_extension(vss, "vss")
        vss.execute("SET hnsw_enable_experimental_persistence = false")
        vss.execute(f"CREATE TABLE docs AS SELECT id, bucket, emb::FLOAT[{DIM}] AS emb FROM read_parquet('{parquet}')")
        started = time.perf_counter()
        vss.execute("CREATE INDEX docs_hnsw ON docs USING HNSW (emb) WITH (metric = 'cosine')")
        print(f"DuckDB VSS HNSW build: {time.perf_counter() - started:.1f}s")

    search = json.loads(options)
    results: dict[tuple[str, str], tuple[float, float, float]] = {}
    for label, where in FILTERS.items():
        where = where.format(n=rows // 1000)
        print(f"\nselectivity {label}")
        exact_sql = "SELECT id FROM docs {w} ORDER BY array_cosine_distance(emb, ?::FLOAT[384]) LIMIT 10"
        systems = [("brute", "DuckDB brute force", lambda q: [r[0] for r in duck.execute(exact_sql.format(w=where), [q.tolist()]).fetchall()])]
        if vss is not None:
            systems.append((
                # a literal: VSS's index scan only replaces ORDER BY distance-to-a-constant LIMIT k
                "vss", "DuckDB VSS HNSW", lambda q: [r[0] for r in vss.execute(exact_sql.replace("?::FLOAT[384]", literal(q)).format(w=where)).fetchall()],
            ))
        direct_sql = (
            "SELECT id FROM lance_vector_search('{p}', 'emb', ?::FLOAT[384], k := 10, prefilter := true, nprobs := {n}, refine_factor := {r}) {w} "
            "ORDER BY _distance LIMIT 10"
        )
        aidb_sql = "SELECT id, distance(emb, ?) AS d FROM docs {w} ORDER BY d LIMIT 10"
        # the query vector is bound as a parameter: a 384-number literal costs more to parse than to search
        systems += [
            ("lance", "Lance direct (lance_vector_search)",
             lambda q: [r[0] for r in lance_direct.execute(direct_sql.format(p=dataset, n=search["nprobes"], r=search["refine_factor"], w=where), [q.tolist()]).fetchall()]),
            ("aidb", "aidb distance() ORDER BY LIMIT", lambda q: [r[0] for r in cur.execute(aidb_sql.format(w=where), [q.tolist()]).fetchall()]),
        ]
        lance_filter = where.removeprefix("WHERE ") or None
        systems.append((
            "pylance", "pylance to_table(nearest=..., prefilter)",
            lambda q: pylance_ds.to_table(
                columns=["id", "_distance"], filter=lance_filter, prefilter=lance_filter is not None,
                nearest={"column": "emb", "q": q, "k": K, "nprobes": search["nprobes"], "refine_factor": search.get("refine_factor"), "metric": "cosine"},
            ).column("id").to_pylist(),
        ))
        results.update({(label, key): value for key, value in run_alternating(systems, queries, truth[label]).items()})
        plan = dict(cur.execute("EXPLAIN AIDB " + aidb_sql.replace("?", literal(queries[0])).format(w=where)).fetchall())["vector_search"]
        print(f"  aidb plan: {plan.split('*/')[0].removeprefix('/* ')}")
        if args.tuned and not where:  # unfiltered only: vector_search() ranks the whole table, a WHERE outside it post-filters
            nprobes, refine = (int(v) for v in args.tuned.split(","))
            tuned_sql = f"SELECT id FROM vector_search(docs, emb, ?, k := 10, nprobes := {nprobes}, refine_factor := {refine}) ORDER BY _distance"
            tuned = run_alternating([
                ("lance_tuned", f"Lance direct, nprobes {nprobes} refine {refine}",
                 lambda q: [r[0] for r in lance_direct.execute(direct_sql.format(p=dataset, n=nprobes, r=refine, w=where), [q.tolist()]).fetchall()]),
                ("pylance_tuned", f"pylance, nprobes {nprobes} refine {refine}",
                 lambda q: pylance_ds.to_table(
                     columns=["id", "_distance"],
                     nearest={"column": "emb", "q": q, "k": K, "nprobes": nprobes, "refine_factor": refine, "metric": "cosine"},
                 ).column("id").to_pylist()),
                ("aidb_tuned", f"aidb vector_search(), nprobes {nprobes} refine {refine}",
                 lambda q: [r[0] for r in cur.execute(tuned_sql, [q.tolist()]).fetchall()]),
            ], queries, truth[label])
            results.update({(label, key): value for key, value in tuned.items()})
    print("\nratios")
    unfiltered = results["100%", "aidb"][0]
    for label in FILTERS:
        a = results[label, "aidb"]
        print(
            f"  {label:>5}: aidb/brute {a[0] / results[label, 'brute'][0]:6.1f}x   aidb/lance-direct {a[0] / results[label, 'lance'][0]:5.2f}x"
            + (f"   aidb/vss {a[0] / results[label, 'vss'][0]:5.2f}x" if vss is not None else "")
            + f"   aidb/pylance {a[0] / results[label, 'pylance'][0]:5.2f}x"
            + f"   latency vs unfiltered {unfiltered / a[0]:4.2f}x"
        )
        if (label, "aidb_tuned") in results:
            t = results[label, "aidb_tuned"]
            print(
                f"  {label:>5} tuned: aidb/brute {t[0] / results[label, 'brute'][0]:6.1f}x   "
                f"aidb/lance-direct {t[0] / results[label, 'lance_tuned'][0]:5.2f}x   "
                f"aidb/pylance {t[0] / results[label, 'pylance_tuned'][0]:5.2f}x   recall {t[1]:.3f}"
            )
    con.close()
    write_results("vector_search", {
        "rows": rows, "queries": args.queries, "index": args.index, "index_options": search,
        "systems": {f"{label} {key}": {"queries_per_s": round(v[0], 2), "recall_at_10": round(v[1], 4), "short_results": v[2]} for (label, key), v in results.items()},
    })


def compare_exact(args: argparse.Namespace, work: Path) -> None:
    """The exact plan (a Lance table without an index) against DuckDB's brute force over an in-memory table, at each
    selectivity; both asserted to return the exact top 10 (recall 1.0 against numpy)."""
    rows, queries, truth, _, duck, con = filtered_workload(args, work)
    cur = con.cursor()
    print(f"{rows} x {DIM} float32 vectors, no index, {args.queries} queries, k={K}")
    results: dict[tuple[str, str], tuple[float, float, float]] = {}
    for label, where in FILTERS.items():
        where = where.format(n=rows // 1000)
        brute = f"SELECT id FROM docs {where} ORDER BY array_cosine_distance(emb, ?::FLOAT[{DIM}]) LIMIT {K}"
        ours = f"SELECT id, distance(emb, ?) AS d FROM docs {where} ORDER BY d LIMIT {K}"
        print(f"\nselectivity {label}")
        found = run_alternating([
            ("brute", "DuckDB brute force (in-memory table)", lambda q: [r[0] for r in duck.execute(brute, [q.tolist()]).fetchall()]),
            ("aidb", "aidb exact plan (Lance table)", lambda q: [r[0] for r in cur.execute(ours, [q.tolist()]).fetchall()]),
        ], queries, truth[label])
        assert found["brute"][1] == found["aidb"][1] == 1.0, "both sides return the exact top 10"
        results.update({(label, key): value for key, value in found.items()})
        print(f"  aidb / brute force {found['aidb'][0] / found['brute'][0]:.2f}x")
    con.close()
    write_results("vector_search_exact", {
        "rows": rows, "queries": args.queries,
        "systems": {f"{label} {key}": {"queries_per_s": round(v[0], 2), "recall_at_10": round(v[1], 4)} for (label, key), v in results.items()},
    })


def compare_batch(args: argparse.Namespace, work: Path) -> None:
    """batch_vector_search vs the exact DuckDB join it could have been (an in-memory DuckDB table, only ids carried).

    Two DuckDB forms of the exact join: a QUALIFY row_number() window (what the issue's user wrote) and
    min_by(id, distance, k), a top-k aggregate that keeps k rows per query instead of sorting all pairs.
    """
    from bench.measure import alternate, ratio, summarise

    rows = args.rows or (100_000 if args.quick else 1_000_000)
    data = make_data(rows)
    rng = np.random.default_rng(1)
    picked = rng.integers(0, rows, args.batch)
    queries = data[picked] + 0.3 * rng.normal(size=(args.batch, DIM)).astype(np.float32)
    parquet, query_file = work / "docs.parquet", work / "queries.parquet"
    pq.write_table(pa.table({"id": np.arange(rows), "emb": pa.FixedSizeListArray.from_arrays(pa.array(data.ravel()), DIM)}), parquet)
    pq.write_table(pa.table({"qid": np.arange(args.batch), "q": pa.FixedSizeListArray.from_arrays(pa.array(queries.ravel()), DIM)}), query_file)
    print(f"{rows} x {DIM} float32 vectors, {args.batch} query rows, k={K}")

    duck = duckdb.connect()
    duck.execute(f"CREATE TABLE docs AS SELECT id, emb::FLOAT[{DIM}] AS emb FROM read_parquet('{parquet}')")
    duck.execute(f"CREATE TABLE queries AS SELECT qid, q::FLOAT[{DIM}] AS q FROM read_parquet('{query_file}')")
    qualify = (
        "SELECT q.qid, d.id FROM queries q, docs d "
        f"QUALIFY row_number() OVER (PARTITION BY q.qid ORDER BY array_cosine_distance(d.emb, q.q)) <= {K}"
    )
    min_by = f"SELECT q.qid, unnest(min_by(d.id, array_cosine_distance(d.emb, q.q), {K})) FROM queries q, docs d GROUP BY q.qid"

    con = aidb.connect(str(work / "bench.aidb"), autocommit=True)
    con.execute(f"CREATE TABLE docs (id BIGINT, emb FLOAT[{DIM}]) WITH (storage = 'lance')")
    con.execute(f"INSERT INTO docs SELECT id, emb::FLOAT[{DIM}] FROM read_parquet('{parquet}')")
    con.execute(f"CREATE TABLE queries AS SELECT qid, q::FLOAT[{DIM}] AS q FROM read_parquet('{query_file}')")
    batch = f"SELECT query_id, id FROM batch_vector_search(docs, emb, (SELECT qid, q FROM queries), k := {K})"

    def per_query(result: list[tuple[int, int]]) -> dict[int, set[int]]:
        found: dict[int, set[int]] = {}
        for qid, rid in result:
            found.setdefault(qid, set()).add(rid)
        return found

    sides = {
        "duckdb_qualify": lambda: per_query(duck.execute(qualify).fetchall()),
        "duckdb_min_by": lambda: per_query(duck.execute(min_by).fetchall()),
        "aidb_exact": lambda: per_query(con.execute(batch).fetchall()),
    }
    exact = alternate(sides, repeat=2, warm_up=False)
    truth = exact["duckdb_qualify"].result
    assert exact["duckdb_min_by"].result == truth
    differing = [q for q in truth if exact["aidb_exact"].result[q] != truth[q]]
    assert len(differing) <= max(1, args.batch // 100), f"exact batch search disagrees with DuckDB on {len(differing)} queries"

    started = time.perf_counter()
    con.execute("CREATE VECTOR INDEX docs_emb ON docs (emb) USING IVF_PQ WITH (metric = 'cosine')")
    print(f"aidb CREATE VECTOR INDEX (IVF_PQ, defaults): {time.perf_counter() - started:.1f}s")
    ann = alternate({"aidb_ann": lambda: per_query(con.execute(batch).fetchall())}, repeat=2)
    recall = float(np.mean([len(ann["aidb_ann"].result.get(q, set()) & truth[q]) / K for q in truth]))
    con.close()
    runs = {**exact, **ann}
    for name, side in runs.items():
        print(f"  {name:<16} {side.best_wall:8.2f} s   {args.batch / side.best_wall:9.1f} queries/s")
    print(f"  aidb exact / DuckDB QUALIFY join {ratio(runs, 'duckdb_qualify', 'aidb_exact')['wall']:.1f}x, "
          f"/ DuckDB min_by join {ratio(runs, 'duckdb_min_by', 'aidb_exact')['wall']:.1f}x; "
          f"ANN {ratio(runs, 'duckdb_min_by', 'aidb_ann')['wall']:.1f}x min_by at recall@10 {recall:.3f}; "
          f"exact results differ on {len(differing)} of {args.batch} queries (ties)")
    write_results("vector_search_batch", {
        "rows": rows, "query_rows": args.batch, "k": K, "ann_recall_at_10": round(recall, 4),
        "exact_differing_queries": len(differing), "sides": summarise(runs, args.batch),
    })


if __name__ == "__main__":
    main()
