"""Benchmark: `SELECT minhash(text) FROM t` through aidb vs datasketch and rensa used as their docs recommend for bulk work.

Texts: real English from this machine (bench/corpus.py): short (~240 characters) and long (~4,000 characters).
All sides build the same word 5-gram shingles (aidb's documented normalisation); the peers get them from
Python (`re`, counted in their time), aidb computes its own inside the UDF. 128 permutations, seed 1.

Peers:
- datasketch `MinHash.bulk` (one MinHash initialised, its permutations shared by copies; the docs' bulk API), each
  turned into a `LeanMinHash` (datasketch's compact form for storage and LSH);
- datasketch with shared `permutations=` passed to each new MinHash (the docs' other recommendation);
- datasketch with a new `MinHash(num_perm=128)` per document (regenerating permutations every time: the naive
  form the earlier version of this benchmark timed, kept to show the difference);
- rensa `RMinHash.digest_matrix_from_token_sets` (its bulk API), rows read out with `to_rows()`.
`python_shingling_only` times the peers' shared first step alone (building the shingle lists in Python), so the
table shows how much of each peer's time that is.

Checked, not printed: the three datasketch forms give bit-identical signatures; aidb, datasketch and rensa use
different hash functions, so their signatures differ, and each is checked to estimate the exact Jaccard
similarity of pairs of texts with known overlap within the error MinHash theory allows (sqrt(J(1-J)/128)).
Sides alternate run by run; best of `--repeat`. Figures go to bench/results/minhash.json.

    python -m bench.minhash                        # 20,000 short and 2,000 long texts, 3 rounds
    python -m bench.minhash --short 5000 --long 500 --repeat 2
"""

from __future__ import annotations

import argparse
import re
import sys

import numpy as np
import pyarrow as pa

import aidb
from bench.corpus import doc_texts
from bench.measure import alternate, ratio, summarise, write_results

NUM_PERM = 128
NGRAM = 5
SEED = 1
PAIRS = 300
# aidb's word separators (aidb/ops/minhash_kernel.py): ASCII other than a-z0-9, U+00A0, U+2000-U+206F.
_SEPARATORS = re.compile(r"[^a-z0-9\u0080-\u009f\u00a1-\u1fff\u2070-\U0010ffff]+")


def python_shingles(text: str, ngram: int = NGRAM) -> list[str]:
    """aidb's shingles of `text`, built in plain Python for the peers."""
    words = [w for w in _SEPARATORS.split(text.lower()) if w]
    if len(words) < ngram:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + ngram]) for i in range(len(words) - ngram + 1)]


def aidb_side(texts: list[str]):
    con = aidb.connect(":memory:", autocommit=True)
    con.execute("CREATE TABLE t AS SELECT unnest(?) AS text", [texts])
    con.execute("SELECT minhash(text) FROM t LIMIT 10").fetchall()  # one-time: numba import, kernel compile or cache load
    return con, lambda: con.execute("SELECT minhash(text) AS sig FROM t").arrow()


def datasketch_bulk(texts: list[str]) -> list:
    from datasketch import LeanMinHash, MinHash

    shingles = ([s.encode("utf-8") for s in python_shingles(text)] for text in texts)
    return [LeanMinHash(m) for m in MinHash.bulk(shingles, num_perm=NUM_PERM, seed=SEED)]


def datasketch_shared_permutations(texts: list[str]) -> list:
    from datasketch import MinHash

    permutations = MinHash(num_perm=NUM_PERM, seed=SEED).permutations
    sketches = []
    for text in texts:
        sketch = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=permutations, scheme="affine32")
        sketch.update_batch([s.encode("utf-8") for s in python_shingles(text)])
        sketches.append(sketch)
    return sketches


def datasketch_per_document(texts: list[str]) -> list:
    from datasketch import MinHash

    sketches = []
    for text in texts:
        sketch = MinHash(num_perm=NUM_PERM, seed=SEED)  # regenerates its 128 permutations every time
        sketch.update_batch([s.encode("utf-8") for s in python_shingles(text)])
        sketches.append(sketch)
    return sketches


def rensa_bulk(texts: list[str]) -> list[list[int]]:
    from rensa import RMinHash

    return RMinHash.digest_matrix_from_token_sets([python_shingles(t) for t in texts], NUM_PERM, SEED).to_rows()


def overlapping_pairs(texts: list[str], count: int) -> list[tuple[str, str]]:
    """(text, variant) pairs whose shingle sets overlap by varying amounts: the variant replaces every k-th word."""
    pairs = []
    for i, text in enumerate(t for t in texts if len(t.split()) >= 20):
        words = text.split()
        step = 3 + i % 40  # from heavy edits (low Jaccard) to light ones (high Jaccard)
        pairs.append((text, " ".join(f"x{j}" if j % step == 0 else w for j, w in enumerate(words))))
        if len(pairs) == count:
            break
    return pairs


def exact_jaccard(a: str, b: str) -> float:
    sa, sb = set(python_shingles(a)), set(python_shingles(b))
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def check_estimates(name: str, signatures: np.ndarray, exact: np.ndarray) -> float:
    """Mean absolute error of the slot-agreement estimate on the pairs (rows 2i, 2i+1); asserted within theory."""
    estimates = np.mean(signatures[0::2] == signatures[1::2], axis=1)
    error = float(np.mean(np.abs(estimates - exact)))
    # E|X - J| for a binomial estimate is about sqrt(2/pi) * sqrt(J(1-J)/n); allow 1.5x that plus rounding.
    bound = 1.5 * float(np.mean(np.sqrt(2 / np.pi * exact * (1 - exact) / NUM_PERM))) + 0.01
    assert error <= bound, f"{name}: mean |estimate - exact Jaccard| {error:.4f} above {bound:.4f}"
    return error


def agreement(texts: list[str]) -> dict[str, float]:
    """Every side's signatures of the overlapping pairs; asserts the datasketch forms agree bit for bit."""
    pairs = overlapping_pairs(texts, PAIRS)
    flat = [t for pair in pairs for t in pair]
    exact = np.array([exact_jaccard(a, b) for a, b in pairs])
    con, run = aidb_side(flat)
    ours = np.stack(run().column("sig").to_numpy(zero_copy_only=False))
    con.close()
    bulk = np.stack([m.hashvalues for m in datasketch_bulk(flat)])
    for form in (datasketch_shared_permutations, datasketch_per_document):
        assert np.array_equal(bulk, np.stack([m.hashvalues for m in form(flat)])), f"{form.__name__} differs from MinHash.bulk"
    errors = {
        "aidb": check_estimates("aidb", ours, exact),
        "datasketch": check_estimates("datasketch", bulk, exact),
        "rensa": check_estimates("rensa", np.array(rensa_bulk(flat), dtype=np.uint64), exact),
    }
    errors["mean_exact_jaccard"] = float(exact.mean())
    return errors


def kernels(texts: list[str], repeat: int) -> dict:
    """aidb's kernel on an Arrow array vs rensa's on prebuilt shingle lists (no SQL, no Python shingling, no read-out)."""
    from rensa import RMinHash

    from aidb.ops.minhash_kernel import signature_matrix

    array, shingles = pa.array(texts), [python_shingles(t) for t in texts]
    runs = alternate(
        {
            "aidb_kernel": lambda: signature_matrix(array, NUM_PERM, NGRAM, SEED),
            "rensa_kernel": lambda: RMinHash.digest_matrix_from_token_sets(shingles, NUM_PERM, SEED),
        },
        repeat,
        verbose=False,
    )
    return {"sides": summarise(runs, len(texts)), "aidb_vs_rensa": ratio(runs, "rensa_kernel", "aidb_kernel")}


def measure(label: str, texts: list[str], repeat: int) -> dict:
    chars = sum(map(len, texts)) / len(texts)
    print(f"\n{label}: {len(texts)} texts, {chars:.0f} characters on average, num_perm={NUM_PERM}, ngram={NGRAM}")
    errors = agreement(texts)
    con, run_aidb = aidb_side(texts)
    sides = {
        "aidb": run_aidb,
        "datasketch_bulk": lambda: datasketch_bulk(texts),
        "datasketch_shared_permutations": lambda: datasketch_shared_permutations(texts),
        "datasketch_per_document": lambda: datasketch_per_document(texts),
        "rensa": lambda: rensa_bulk(texts),
        # not a peer: the part of every peer's time that is Python building shingles, which aidb does inside its kernel
        "python_shingling_only": lambda: [python_shingles(t) for t in texts],
    }
    runs = alternate(sides, repeat, warm_up=False)
    con.close()
    assert runs["aidb"].result.num_rows == len(texts) == len(runs["rensa"].result) == len(runs["datasketch_bulk"].result)
    print(f"{'(best of ' + str(repeat) + ')':<36}{'wall s':>9}{'docs/s':>10}{'cpu s':>9}{'aidb x (wall)':>15}{'aidb x (cpu)':>14}")
    for name, side in runs.items():
        print(
            f"{name:<36}{side.best_wall:>9.3f}{len(texts) / side.best_wall:>10,.0f}{side.best_cpu:>9.3f}"
            f"{side.best_wall / runs['aidb'].best_wall:>14.2f}x{side.best_cpu / runs['aidb'].best_cpu:>13.2f}x"
        )
    print("aidb x = that side's time / aidb's (above 1: aidb is faster); mean |estimate - exact Jaccard| on "
          f"{PAIRS} pairs (mean J {errors['mean_exact_jaccard']:.2f}): "
          + ", ".join(f"{k} {v:.4f}" for k, v in errors.items() if k != "mean_exact_jaccard"))
    kernel = kernels(texts, repeat)
    print(f"kernels only: aidb {kernel['sides']['aidb_kernel']['best_wall_s']:.3f}s, rensa {kernel['sides']['rensa_kernel']['best_wall_s']:.3f}s wall "
          f"(aidb x {kernel['aidb_vs_rensa']['wall']:.2f} wall, {kernel['aidb_vs_rensa']['cpu']:.2f} cpu)")
    return {
        "texts": len(texts),
        "mean_chars": round(chars, 1),
        "sides": summarise(runs, len(texts)),
        "aidb_vs": {peer: ratio(runs, peer, "aidb") for peer in sides if peer != "aidb"},
        "jaccard_mean_abs_error": {k: round(v, 5) for k, v in errors.items()},
        "kernels": kernel,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", type=int, default=20_000, help="short texts (~240 characters); 0 to skip")
    parser.add_argument("--long", type=int, default=2_000, help="long texts (~4,000 characters); 0 to skip")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds per side (best reported)")
    args = parser.parse_args()
    figures = {}
    for length, count in (("short", args.short), ("long", args.long)):
        if count:
            figures[length] = measure(length, doc_texts(count, length), args.repeat)
    write_results("minhash", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
