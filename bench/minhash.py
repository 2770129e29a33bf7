"""Benchmark: `SELECT minhash(text) FROM t` through an aidb connection vs datasketch and rensa, 128 permutations.

Real paragraphs: docstrings of the installed Python packages, split at blank lines, whitespace collapsed,
at least 8 words, exact duplicates dropped, files in sorted order (deterministic on one machine).
All three build the same word 5-gram shingles (aidb's documented normalisation); the peers get them from
Python (`re`), aidb computes its own inside the UDF. One run each, figures printed side by side.

    .venv/bin/python -m bench.minhash            # 100k paragraphs
    .venv/bin/python -m bench.minhash --quick    # 20k paragraphs
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa

import aidb
from bench.measure import Timer

NUM_PERM = 128
NGRAM = 5
SEED = 1
_DOCSTRING = re.compile(r'"""(.*?)"""', re.S)
# aidb's word separators (aidb/ops/minhash_kernel.py): ASCII other than a-z0-9, U+00A0, U+2000-U+206F.
_SEPARATORS = re.compile(r"[^a-z0-9\u0080-\u009f\u00a1-\u1fff\u2070-\U0010ffff]+")


def real_paragraphs(count: int) -> list[str]:
    """The first `count` distinct docstring paragraphs (>= 8 words) of the installed packages' .py files."""
    site_packages = Path(np.__file__).resolve().parents[1]
    seen: set[str] = set()
    paragraphs: list[str] = []
    for path in sorted(site_packages.rglob("*.py")):
        try:
            source = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for match in _DOCSTRING.finditer(source):
            for block in re.split(r"\n\s*\n", match.group(1)):
                paragraph = " ".join(block.split())
                if len(paragraph.split()) >= 8 and paragraph not in seen:
                    seen.add(paragraph)
                    paragraphs.append(paragraph)
                    if len(paragraphs) == count:
                        return paragraphs
    raise SystemExit(f"only {len(paragraphs)} paragraphs found under {site_packages}, wanted {count}")


def python_shingles(text: str, ngram: int = NGRAM) -> list[str]:
    """aidb's shingles of `text`, built in plain Python for the peers."""
    words = _SEPARATORS.split(text.lower())
    words = [w for w in words if w]
    if len(words) < ngram:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + ngram]) for i in range(len(words) - ngram + 1)]


def run_aidb(paragraphs: list[str]) -> tuple[Timer, pa.Table]:
    con = aidb.connect(":memory:", autocommit=True)
    con.session.duck.register("bench_paragraphs", pa.table({"text": paragraphs}))
    con.execute("CREATE TABLE t AS SELECT * FROM bench_paragraphs")
    con.execute("SELECT minhash(text) FROM t LIMIT 10").fetchall()  # one-time: numba import, kernel compile or cache load
    with Timer() as timer:
        result = con.execute("SELECT minhash(text) AS sig FROM t").arrow()
    con.close()
    return timer, result


def run_aidb_kernel(paragraphs: list[str]) -> Timer:
    """aidb's kernel without SQL: lower-casing, shingling, hashing and minima over one Arrow array, one thread."""
    from aidb.ops.minhash_kernel import signature_matrix

    texts = pa.array(paragraphs)
    signature_matrix(texts, NUM_PERM, NGRAM, SEED)  # warm-up at full size: first-touch page faults of the output
    with Timer() as timer:
        signature_matrix(texts, NUM_PERM, NGRAM, SEED)
    return timer


def run_datasketch(paragraphs: list[str]) -> Timer:
    from datasketch import MinHash

    with Timer() as timer:
        for text in paragraphs:
            sketch = MinHash(num_perm=NUM_PERM, seed=SEED)
            sketch.update_batch([s.encode("utf-8") for s in python_shingles(text)])
            sketch.digest()
    return timer


def run_rensa(paragraphs: list[str]) -> tuple[Timer, Timer]:
    """(end to end: Python shingling + digest matrix + rows out, kernel only: digest matrix of prebuilt shingles)."""
    from rensa import RMinHash

    with Timer() as end_to_end:
        shingle_lists = [python_shingles(text) for text in paragraphs]
        RMinHash.digest_matrix_from_token_sets(shingle_lists, NUM_PERM, SEED).to_rows()
    with Timer() as kernel:
        RMinHash.digest_matrix_from_token_sets(shingle_lists, NUM_PERM, SEED)
    return end_to_end, kernel


def duckdb_threads() -> int:
    con = aidb.connect(":memory:", autocommit=True)
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.close()
    return threads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20k paragraphs instead of 100k")
    parser.add_argument("--rows", type=int, help="number of paragraphs (overrides --quick)")
    args = parser.parse_args()
    rows = args.rows or (20_000 if args.quick else 100_000)
    paragraphs = real_paragraphs(rows)
    words = sum(len(p.split()) for p in paragraphs) / rows
    print(f"{rows} paragraphs, {words:.1f} words on average, num_perm={NUM_PERM}, ngram={NGRAM}")

    aidb_t, result = run_aidb(paragraphs)
    assert result.num_rows == rows and len(result.column("sig")[0]) == NUM_PERM
    aidb_kernel_t = run_aidb_kernel(paragraphs)
    datasketch_t = run_datasketch(paragraphs)
    rensa_t, rensa_kernel_t = run_rensa(paragraphs)

    print(f"DuckDB threads by default: {duckdb_threads()} (statements calling minhash() run on one)")
    print(f"{'system':<64}{'wall s':>8}{'docs/s':>10}{'aidb x':>8}{'cpu s':>8}{'docs/cpu-s':>11}{'aidb x':>8}")
    for name, timer in [
        ("aidb: SELECT minhash(text) FROM t (SQL, shingling, Arrow out)", aidb_t),
        ("aidb kernel only (Arrow array in, shingling included, no SQL)", aidb_kernel_t),
        ("datasketch MinHash.update_batch (+ Python shingling)", datasketch_t),
        ("rensa digest_matrix_from_token_sets (+ shingling, to_rows)", rensa_t),
        ("rensa kernel only (prebuilt shingles, matrix not read out)", rensa_kernel_t),
    ]:
        print(
            f"{name:<64}{timer.wall:>8.3f}{rows / timer.wall:>10,.0f}{timer.wall / aidb_t.wall:>7.2f}x"
            f"{timer.cpu:>8.3f}{rows / timer.cpu:>11,.0f}{timer.cpu / aidb_t.cpu:>7.2f}x"
        )
    print("aidb x = that system's time / aidb's time (above 1: aidb is faster)")


if __name__ == "__main__":
    sys.exit(main())
