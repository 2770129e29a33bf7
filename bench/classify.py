"""Benchmark: `SELECT classify(text, 'quality') FROM t` through aidb vs the same scikit-learn pipeline called directly.

Data: synthetic reference vs crawl texts (tests/quality_corpus.py). The classifier is trained once with
CREATE CLASSIFIER ... USING 'logreg' (or --trainer fasttext); the peer loads the very model file aidb wrote
and calls it on a Python list of the texts (`predict_proba` for logreg, fastText's predict for fasttext).
Values are checked equal; each side runs `--repeat` times alternately and the best time is reported.

    .venv/bin/python -m bench.classify                       # 100k texts, logreg
    .venv/bin/python -m bench.classify --trainer fasttext
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import aidb
from aidb.models.classifier import FastTextClassifier, LogRegClassifier

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from quality_corpus import labelled_rows  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--trainer", choices=["logreg", "fasttext"], default="logreg")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    rows = labelled_rows(args.n, seed=1)
    texts = [text for text, _ in rows]
    with aidb.connect(":memory:", autocommit=True) as con:
        cur = con.cursor()
        cur.execute("CREATE TABLE corpus (text VARCHAR, label INTEGER)")
        cur.execute("INSERT INTO corpus SELECT unnest(?), unnest(?)", [texts, [y for _, y in rows]])
        started = time.perf_counter()
        cur.execute(f"CREATE CLASSIFIER quality FROM (SELECT * FROM corpus LIMIT 2000) USING '{args.trainer}'")
        train_s = time.perf_counter() - started
        cur.execute("SELECT source FROM aidb.models WHERE name = 'quality'")
        path = Path(cur.fetchone()[0])
        peer_model = (FastTextClassifier if args.trainer == "fasttext" else LogRegClassifier)(path)

        aidb_best = peer_best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            cur.execute("SELECT classify(text, 'quality') FROM corpus")
            ours = np.array([r[0] for r in cur.fetchall()])
            aidb_best = min(aidb_best, time.perf_counter() - started)
            started = time.perf_counter()
            theirs = peer_model.positive_probability(texts)
            peer_best = min(peer_best, time.perf_counter() - started)
        assert np.allclose(ours, theirs, atol=1e-9), "aidb and the peer disagree"

    print(f"classify, trainer={args.trainer}, {args.n} texts (training on 2000 rows took {train_s:.2f} s)")
    print(f"{'peer (model called directly)':32s} {peer_best:8.3f} s  {args.n / peer_best:10.0f} texts/s")
    print(f"{'aidb classify()':32s} {aidb_best:8.3f} s  {args.n / aidb_best:10.0f} texts/s  ratio {aidb_best / peer_best:.2f}x")


if __name__ == "__main__":
    main()
