"""Selection operators vs the libraries a user would otherwise call, end to end, side by side.

- DSIR: `dsir_sample` through SQL against the authors' `data-selection` package (`HashedNgramDSIR`: fit the
  importance estimator, compute the weights, resample), on real paragraphs of this machine; both draw with the
  same seed, so both must select exactly the same rows (asserted).
  Beyond the ~31,000 short paragraphs this machine's documentation has (`--dsir-docs` above that), the pool is two
  real sources: the documentation paragraphs but the last `--dsir-target`, which become the target, and docstring
  paragraphs filling the pool up; each side's share of picks from the documentation source (the target-like one)
  is reported.
- k-means selection: `cluster_sample` through SQL against scikit-learn's MiniBatchKMeans called directly (same
  settings: k-means++, 3 inits, the seed) plus numpy for the per-cluster nearest rows, on n x 384 float32
  embeddings with planted clusters; both must select the same rows (asserted). The target is <= 10% overhead.

    python -m bench.selection --dsir-docs 20000 --kmeans-rows 100000
    python -m bench.selection --dsir-docs 100000 --dsir-sample 10000 --kmeans-rows 0 --repeat 1 --results-name selection_dsir_100k
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa

import aidb
from bench.corpus import doc_texts, docstring_paragraphs
from bench.measure import alternate, ratio, summarise, write_results

SEED = 11


def _connect() -> aidb.dbapi.Connection:
    return aidb.connect(":memory:", autocommit=True, progress=False)


def bench_dsir(docs: int, target_docs: int, sample: int, repeat: int) -> dict:
    """docs real paragraphs as the raw pool, docstring paragraphs as the target; `sample` rows drawn.

    Where the machine has fewer than `docs` documentation paragraphs: its documentation paragraphs as the target
    (the last target_docs) and the raw pool's first source (the others), docstring paragraphs as its second."""
    raw = doc_texts(docs, "short", allow_fewer=True)
    target_like = None
    if len(raw) < docs:
        raw, target = raw[:-target_docs], raw[-target_docs:]
        target_like = len(raw)  # rows below this id are documentation paragraphs
        raw += docstring_paragraphs(docs - len(raw))
    else:
        target = docstring_paragraphs(target_docs)
    folder = Path(tempfile.mkdtemp(prefix="bench_dsir_"))
    (folder / "raw.jsonl").write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(raw)))
    (folder / "target.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in target))
    con = _connect()
    con.session.duck.register("raw_rows", pa.table({"id": list(range(len(raw))), "text": raw}))
    con.session.duck.register("target_rows", pa.table({"text": target}))
    con.execute("CREATE TABLE raw AS SELECT * FROM raw_rows")
    con.execute("CREATE TABLE target AS SELECT * FROM target_rows")
    rounds = iter(range(1_000_000))

    def data_selection() -> set[int]:
        from data_selection import HashedNgramDSIR

        run = folder / f"run{next(rounds)}"
        dsir = HashedNgramDSIR(
            [str(folder / "raw.jsonl")], [str(folder / "target.jsonl")], cache_dir=str(run / "cache"), num_proc=1, min_example_length=0,
        )
        dsir.fit_importance_estimator(num_tokens_to_fit="all")
        dsir.compute_importance_weights()
        np.random.seed(SEED)  # the package draws its Gumbel noise from numpy's global generator
        dsir.resample(out_dir=str(run / "out"), num_to_sample=sample, cache_dir=str(run / "resample"))
        return {json.loads(line)["id"] for path in (run / "out").glob("*.jsonl") for line in path.read_text().splitlines()}

    def aidb_sql() -> set[int]:
        rows = con.execute(f"SELECT id FROM dsir_sample(raw, text, target := target, n := {sample}, seed := {SEED})").fetchall()
        return {row[0] for row in rows}

    runs = alternate({"data-selection": data_selection, "aidb": aidb_sql}, repeat=repeat)
    theirs, ours = runs["data-selection"].result, runs["aidb"].result
    overlap = len(theirs & ours) / len(theirs | ours)
    assert len(ours) == len(theirs) == sample and overlap >= 0.8, overlap
    shares = {}
    if target_like is not None:
        shares = {"target_like_rows": target_like, "target_like_share_of_pool": round(target_like / docs, 4),
                  "target_like_share_of_picks": {name: round(sum(i < target_like for i in picked) / sample, 4)
                                                 for name, picked in (("data-selection", theirs), ("aidb", ours))}}
    return {
        "docs": docs, "target_docs": target_docs, "sample": sample, "selection_jaccard": round(overlap, 4), **shares,
        "sides": summarise(runs, items=docs), "aidb_vs_data_selection": ratio(runs, "data-selection", "aidb"),
    }


def planted_embeddings(rows: int, width: int = 384, clusters: int = 100, seed: int = 0) -> np.ndarray:
    """Unit vectors around `clusters` random centres (cosine ~0.9 to their centre), float32."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, width)).astype(np.float32)
    points = centres[rng.integers(0, clusters, size=rows)] + 0.35 * rng.normal(size=(rows, width)).astype(np.float32)
    return points / np.linalg.norm(points, axis=1, keepdims=True)


def bench_kmeans(rows: int, k: int, per_cluster: int, repeat: int) -> dict:
    from sklearn.cluster import MiniBatchKMeans  # imported before timing: both sides use it

    matrix = planted_embeddings(rows)
    con = _connect()
    flat = pa.FixedSizeListArray.from_arrays(pa.array(matrix.ravel()), matrix.shape[1])
    con.session.duck.register("vectors", pa.table({"id": np.arange(rows), "emb": flat}))
    con.execute(f"CREATE TABLE embs AS SELECT id, emb::FLOAT[{matrix.shape[1]}] AS emb FROM vectors")

    def sklearn_direct() -> set[int]:
        model = MiniBatchKMeans(n_clusters=k, random_state=0, n_init=3, batch_size=max(1024, 3 * k))
        labels = model.fit_predict(matrix)
        distances = np.linalg.norm(matrix - model.cluster_centers_[labels], axis=1)
        order = np.lexsort((np.arange(rows), distances, labels))
        sorted_labels = labels[order]
        ranks = np.arange(rows) - np.searchsorted(sorted_labels, sorted_labels, side="left") + 1
        return set(order[ranks <= per_cluster].tolist())

    def aidb_sql() -> set[int]:
        selected = con.execute(f"SELECT id FROM cluster_sample(embs, emb, k := {k}, per_cluster := {per_cluster}, seed := 0)").fetchall()
        return {row[0] for row in selected}

    # no untimed warm-up: nothing to compile or load, and a k-means fit at 100k rows takes a minute on this machine
    runs = alternate({"scikit-learn": sklearn_direct, "aidb": aidb_sql}, repeat=repeat, warm_up=False)
    assert runs["scikit-learn"].result == runs["aidb"].result, "different selections"
    return {
        "rows": rows, "width": int(matrix.shape[1]), "k": k, "per_cluster": per_cluster,
        "sides": summarise(runs, items=rows), "aidb_vs_scikit_learn": ratio(runs, "scikit-learn", "aidb"),
        "overhead_wall": round(runs["aidb"].best_wall / runs["scikit-learn"].best_wall - 1, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsir-docs", type=int, default=20000)
    parser.add_argument("--dsir-target", type=int, default=2000)
    parser.add_argument("--dsir-sample", type=int, default=2000)
    parser.add_argument("--kmeans-rows", type=int, default=100000)
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--per-cluster", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--results-name", default="selection", help="bench/results/<name>.json (default: selection)")
    args = parser.parse_args()
    figures = {}
    if args.dsir_docs:
        figures["dsir"] = bench_dsir(args.dsir_docs, args.dsir_target, args.dsir_sample, args.repeat)
        print("dsir:", json.dumps(figures["dsir"]["aidb_vs_data_selection"]), "selection Jaccard", figures["dsir"]["selection_jaccard"],
              json.dumps(figures["dsir"].get("target_like_share_of_picks")), flush=True)
    if args.kmeans_rows:
        figures["kmeans"] = bench_kmeans(args.kmeans_rows, args.k, args.per_cluster, args.repeat)
        print("kmeans:", json.dumps(figures["kmeans"]["aidb_vs_scikit_learn"]), "overhead", figures["kmeans"]["overhead_wall"], flush=True)
    print(write_results(args.results_name, figures))


if __name__ == "__main__":
    main()
