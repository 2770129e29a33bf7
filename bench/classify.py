"""Benchmark: `SELECT classify(text, 'quality') FROM t` through aidb vs the trained model called through its own library.

The classifier is trained once with CREATE CLASSIFIER ... USING 'logreg' (or --trainer fasttext) on 2,000 labelled
rows of tests/quality_corpus.py (reference vs crawl). The texts scored are real English from this machine
(bench/corpus.py, short ~240 characters, and long ~4,000). The peer loads the very model file aidb wrote with the
library's own loader and scores the whole list in one call, as each library's docs show for batches:
scikit-learn `joblib.load(path).predict_proba(texts)`; fastText `load_model(path).predict(lines, k=1)` on one-line
texts (a list is fastText's batch form; k=1 because fasttext 0.9.2 under NumPy 2 returns only the top label's
probability intact, the other being its complement). Asserted: aidb's probabilities equal the peer's (1e-9).
Sides alternate run by run, best of `--repeat`. Figures go to bench/results/classify_<trainer>.json.

    python -m bench.classify                       # 20,000 short and 2,000 long texts, logreg
    python -m bench.classify --trainer fasttext
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import aidb
from bench.corpus import doc_texts
from bench.measure import alternate, ratio, summarise, write_results

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from quality_corpus import labelled_rows  # noqa: E402

TRAINING_ROWS = 2000


def logreg_peer(path: Path):
    import joblib

    pipeline = joblib.load(path)
    positive = list(pipeline.classes_).index(1)
    return lambda texts: pipeline.predict_proba(texts)[:, positive]


def fasttext_peer(path: Path):
    import fasttext

    model = fasttext.load_model(str(path))

    def predict(texts: list[str]) -> np.ndarray:
        labels, probabilities = model.predict([" ".join(t.split()) for t in texts], k=1)
        top = np.array([float(p[0]) for p in probabilities])
        return np.where([names[0] == "__label__1" for names in labels], top, 1.0 - top)

    return predict


def measure(label: str, texts: list[str], repeat: int, cur, peer) -> dict:
    cur.execute("CREATE OR REPLACE TABLE t AS SELECT unnest(?) AS text, generate_subscripts(?, 1) AS id", [texts, texts])

    def ours() -> np.ndarray:
        return cur.execute("SELECT classify(text, 'quality') AS p FROM t ORDER BY id").arrow().column("p").to_numpy()

    runs = alternate({"peer": lambda: peer(texts), "aidb": ours}, repeat)
    difference = float(np.max(np.abs(runs["aidb"].result - runs["peer"].result)))
    assert difference <= 1e-9, f"{label}: aidb and the peer disagree by {difference:.2e}"
    speed = ratio(runs, "peer", "aidb")
    chars = sum(map(len, texts)) / len(texts)
    print(f"{label}: {len(texts)} texts ({chars:.0f} characters): peer {runs['peer'].best_wall:.3f}s, aidb {runs['aidb'].best_wall:.3f}s wall; "
          f"aidb / peer speed {speed['wall']:.2f}x wall, {speed['cpu']:.2f}x cpu (above 1: aidb faster); max |difference| {difference:.1e}")
    return {"texts": len(texts), "mean_chars": round(chars, 1), "sides": summarise(runs, len(texts)), "aidb_vs_peer": speed, "max_abs_difference": difference}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", type=int, default=20_000, help="short texts (~240 characters); 0 to skip")
    parser.add_argument("--long", type=int, default=2_000, help="long texts (~4,000 characters); 0 to skip")
    parser.add_argument("--trainer", choices=["logreg", "fasttext"], default="logreg")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    rows = labelled_rows(TRAINING_ROWS, seed=1)
    figures: dict = {"trainer": args.trainer}
    with aidb.connect(":memory:", autocommit=True) as con:
        cur = con.cursor()
        cur.execute("CREATE TABLE corpus AS SELECT unnest(?) AS text, unnest(?) AS label", [[t for t, _ in rows], [y for _, y in rows]])
        cur.execute(f"CREATE CLASSIFIER quality FROM (SELECT text, label FROM corpus) USING '{args.trainer}'")
        path = Path(cur.execute("SELECT source FROM aidb.models WHERE name = 'quality'").fetchone()[0])
        peer = (fasttext_peer if args.trainer == "fasttext" else logreg_peer)(path)
        for length, count in (("short", args.short), ("long", args.long)):
            if count:
                figures[length] = measure(length, doc_texts(count, length), args.repeat, cur, peer)
    write_results(f"classify_{args.trainer}", figures)


if __name__ == "__main__":
    main()
