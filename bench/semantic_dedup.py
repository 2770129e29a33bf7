"""semantic_duplicates (SemDeDup) vs brute force: every pair's cosine by blocked numpy matrix products.

Embeddings: n x 384 float32 unit vectors around random centres, with a fifth of the rows planted as near copies
(cosine ~0.97-0.99 to a row). Both sides report the pairs at cosine >= 1 - eps; aidb's are the pairs inside its
clusters (connected components), the brute force's every pair above the bound. Recall and precision of aidb's pairs
against the brute force's are asserted >= 0.95 (the issue's bar), with the time of each side.

    python -m bench.semantic_dedup --rows 50000
"""

from __future__ import annotations

import argparse

import numpy as np
import pyarrow as pa

import aidb
from bench.measure import alternate, ratio, summarise, write_results

EPS = 0.05
BLOCK = 1024  # rows per block: a 1024 x n float32 similarity block (400 MB at n = 100k)


def planted_vectors(rows: int, width: int = 384, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    originals = rows - rows // 5
    centres = rng.normal(size=(max(1, rows // 50), width)).astype(np.float32)
    base = centres[rng.integers(0, len(centres), size=originals)] + 1.2 * rng.normal(size=(originals, width)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    sources = rng.integers(0, originals, size=rows - originals)
    noise = rng.normal(size=(len(sources), width)).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    copies = base[sources] + rng.uniform(0.1, 0.22, size=(len(sources), 1)).astype(np.float32) * noise
    vectors = np.concatenate([base, copies / np.linalg.norm(copies, axis=1, keepdims=True)])
    return vectors.astype(np.float32)


def brute_force_pairs(vectors: np.ndarray, min_cosine: float) -> set[tuple[int, int]]:
    """Every pair (i < j) at cosine >= min_cosine, one block of rows against all later rows at a time."""
    pairs: set[tuple[int, int]] = set()
    for start in range(0, len(vectors), BLOCK):
        block = vectors[start : start + BLOCK] @ vectors[start:].T
        i, j = np.nonzero(block >= min_cosine)
        keep = start + i < start + j
        pairs.update(zip((start + i[keep]).tolist(), (start + j[keep]).tolist()))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    vectors = planted_vectors(args.rows)
    con = aidb.connect(":memory:", autocommit=True, progress=False)
    flat = pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), vectors.shape[1])
    con.session.duck.register("vectors", pa.table({"id": np.arange(len(vectors)), "emb": flat}))
    con.execute(f"CREATE TABLE embs AS SELECT id, emb::FLOAT[{vectors.shape[1]}] AS emb FROM vectors")

    def aidb_sql() -> dict[int, int]:
        return dict(con.execute(f"SELECT id, cluster_id FROM semantic_duplicates(embs, emb, eps := {EPS})").fetchall())

    runs = alternate({"numpy brute force": lambda: brute_force_pairs(vectors, 1 - EPS), "aidb": aidb_sql}, repeat=args.repeat, warm_up=False)
    truth = runs["numpy brute force"].result
    clusters: dict[int, list[int]] = {}
    for row, cluster in runs["aidb"].result.items():
        clusters.setdefault(cluster, []).append(row)
    found = {(a, b) for members in clusters.values() if len(members) > 1 for a in members for b in members if a < b}
    true_found = len(found & truth)
    recall = true_found / len(truth) if truth else 1.0
    precision = true_found / len(found) if found else 1.0
    print(f"pairs: brute force {len(truth)}, aidb {len(found)}; recall {recall:.4f} precision {precision:.4f}")
    assert recall >= 0.95 and precision >= 0.95, (recall, precision)
    print(write_results("semantic_dedup", {
        "rows": args.rows, "width": int(vectors.shape[1]), "eps": EPS, "pairs_brute_force": len(truth), "pairs_aidb": len(found),
        "recall": round(recall, 4), "precision": round(precision, 4),
        "sides": summarise(runs, items=args.rows), "aidb_vs_brute_force": ratio(runs, "numpy brute force", "aidb"),
    }))


if __name__ == "__main__":
    main()
