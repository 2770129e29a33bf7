"""How shingle size, threshold and edit rate relate: the table in docs/dedup.md.

4,000 real paragraphs (tests/dedup_corpus.py) plus 800 copies with 1, 5, 10 or 20% of their words replaced; for
each (ngram, threshold): the share of copies found in their source's cluster, per edit rate, and the pair
precision (pairs in a common cluster that are source and copy, or already near-duplicates at 3-gram Jaccard >= 0.5).

    python -m bench.dedup_defaults        # from the repository root, ~1 minute
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from dedup_corpus import cluster_pairs, edit_words, jaccard_pairs, real_paragraphs  # noqa: E402

from aidb.ops.duplicate_clusters import components  # noqa: E402
from aidb.ops.lsh_bands import optimal_bands  # noqa: E402
from aidb.ops.near_duplicates import LshSettings, similar_text_pairs  # noqa: E402

EDIT_RATES = (0.01, 0.05, 0.10, 0.20)


def planted(originals: int = 4000, copies: int = 800, seed: int = 1) -> tuple[list[str], np.ndarray, list[float]]:
    """(texts, family: the source row of each row, the edit rate of each copy)."""
    rng = random.Random(seed)
    base = real_paragraphs(originals)
    sources = rng.sample(range(len(base)), copies)
    texts, family, rates = list(base), list(range(len(base))), []
    for k, source in enumerate(sources):
        rate = EDIT_RATES[k % len(EDIT_RATES)]
        texts.append(edit_words(base[source], rate, rng))
        family.append(source)
        rates.append(rate)
    return texts, np.array(family), rates


def measure(texts: list[str], family: np.ndarray, rates: list[float], ngram: int, threshold: float, natural: set) -> dict:
    bands, rows = optimal_bands(threshold, 128)
    settings = LshSettings(threshold, 128, ngram, bands, rows, "exact")
    array = pa.array(texts)
    _, left, right, _ = similar_text_pairs([array], settings, lambda positions: array.take(pa.array(positions)))
    labels = components(len(texts), left, right)
    first_copy = len(texts) - len(rates)
    recall = {}
    for rate in EDIT_RATES:
        copies = [first_copy + k for k, r in enumerate(rates) if r == rate]
        recall[rate] = float(np.mean([labels[i] == labels[family[i]] for i in copies]))
    pairs = cluster_pairs(labels.tolist())
    good = sum(1 for a, b in pairs if family[a] == family[b] or (a, b) in natural)
    return {"ngram": ngram, "threshold": threshold, "bands": bands, "rows": rows, "recall": recall, "precision": good / max(1, len(pairs))}


def table(ngrams=(1, 2, 3, 5), thresholds=(0.5, 0.6, 0.7, 0.8)) -> list[dict]:
    texts, family, rates = planted()
    natural = jaccard_pairs(texts, 0.5, 3)
    return [measure(texts, family, rates, n, t, natural) for n in ngrams for t in thresholds]


def main() -> None:
    print("| ngram | threshold | bands x rows | " + " | ".join(f"recall {r:.0%}" for r in EDIT_RATES) + " | pair precision |")
    for row in table():
        recall = " | ".join(f"{row['recall'][r]:.3f}" for r in EDIT_RATES)
        print(f"| {row['ngram']} | {row['threshold']} | {row['bands']} x {row['rows']} | {recall} | {row['precision']:.3f} |")


if __name__ == "__main__":
    main()
