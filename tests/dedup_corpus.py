"""Real paragraphs from this machine with planted near-copies, and brute-force ground truth for dedup tests.

Paragraphs come from `pydoc_data.topics` (shipped with CPython) and the text files under /usr/share/doc
(READMEs, changelogs, copyright files; gzip ones decompressed), split at blank lines, whitespace collapsed,
exact repeats dropped, in a fixed order. Copies are planted with word substitutions, insertions and deletions
at a given rate, reordered sentences, or boilerplate added. Ground truth is exact Jaccard over all pairs.
"""

from __future__ import annotations

import gzip
import random
import re
from pathlib import Path

import numpy as np

from aidb.ops.minhash_kernel import reference_shingles

_BOILERPLATE = "Share this page. Subscribe to our newsletter for updates. All rights reserved."
_FILLER = "data model value system table record field index query result page section note".split()


def real_paragraphs(count: int, min_words: int = 20) -> list[str]:
    """Up to `count` distinct paragraphs of at least `min_words` words, pydoc topics first, then /usr/share/doc."""
    from pydoc_data.topics import topics

    seen: set[str] = set()
    out: list[str] = []

    def take(text: str) -> bool:
        for block in re.split(r"\n\s*\n", text):
            paragraph = " ".join(block.split())
            if len(paragraph.split()) >= min_words and paragraph not in seen:
                seen.add(paragraph)
                out.append(paragraph)
                if len(out) >= count:
                    return True
        return False

    for key in sorted(topics):
        if take(topics[key]):
            return out
    for path in sorted(Path("/usr/share/doc").rglob("*")):
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        try:
            raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile):
            continue
        if take(text):
            return out
    return out


def edit_words(text: str, rate: float, rng: random.Random) -> str:
    """`text` with round(rate * words) words substituted (at least one when rate > 0)."""
    words = text.split()
    changes = max(1, round(rate * len(words))) if rate > 0 else 0
    for position in rng.sample(range(len(words)), min(changes, len(words))):
        words[position] = rng.choice(_FILLER) + str(rng.randrange(1000))
    return " ".join(words)


def plant_copy(text: str, kind: str, rate: float, rng: random.Random) -> str:
    """A near-copy of `text`: 'substitute' / 'insert' / 'delete' words at `rate`, 'reorder' sentences, 'boilerplate'."""
    words = text.split()
    changes = max(1, round(rate * len(words)))
    if kind == "substitute":
        return edit_words(text, rate, rng)
    if kind == "insert":
        for _ in range(changes):
            words.insert(rng.randrange(len(words) + 1), rng.choice(_FILLER))
        return " ".join(words)
    if kind == "delete":
        for _ in range(min(changes, len(words) - 1)):
            words.pop(rng.randrange(len(words)))
        return " ".join(words)
    if kind == "reorder":
        sentences = re.split(r"(?<=[.!?])\s+", text)
        if len(sentences) > 1:
            i = rng.randrange(len(sentences) - 1)
            sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
        return " ".join(sentences)
    if kind == "boilerplate":
        return text + " " + _BOILERPLATE
    raise ValueError(kind)


def planted_corpus(originals: int, copies: int, seed: int = 0) -> list[str]:
    """`originals` real paragraphs followed by `copies` planted near-copies of some of them (edits of every kind)."""
    rng = random.Random(seed)
    base = real_paragraphs(originals)
    kinds = [("substitute", r) for r in (0.01, 0.02, 0.03, 0.05, 0.1, 0.2)] + [
        ("insert", 0.03), ("delete", 0.03), ("reorder", 0.0), ("boilerplate", 0.0)
    ]
    planted = []
    for i in range(copies):
        kind, rate = kinds[i % len(kinds)]
        planted.append(plant_copy(base[rng.randrange(len(base))], kind, rate, rng))
    return base + planted


def jaccard_pairs(texts: list[str], threshold: float, ngram: int = 5) -> set[tuple[int, int]]:
    """All pairs (i < j) whose exact Jaccard similarity of word `ngram` shingle sets is >= threshold (brute force)."""
    from scipy.sparse import csr_matrix

    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for i, text in enumerate(texts):
        for shingle in {" ".join(s) for s in reference_shingles(text, ngram)}:
            rows.append(i)
            cols.append(vocabulary.setdefault(shingle, len(vocabulary)))
    matrix = csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(texts), len(vocabulary)))
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    shared = (matrix @ matrix.T).tocoo()
    i, j, inter = shared.row, shared.col, shared.data
    upper = i < j
    i, j, inter = i[upper], j[upper], inter[upper]
    similarity = inter / (sizes[i] + sizes[j] - inter)
    chosen = similarity >= threshold
    return set(zip(i[chosen].tolist(), j[chosen].tolist()))


def cluster_pairs(cluster_of: list[int]) -> set[tuple[int, int]]:
    """All pairs (i < j) of row positions that share a cluster."""
    members: dict[int, list[int]] = {}
    for row, cluster in enumerate(cluster_of):
        members.setdefault(cluster, []).append(row)
    return {(a, b) for group in members.values() for x, a in enumerate(group) for b in group[x + 1 :]}


def precision_recall(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, float]:
    hits = len(found & truth)
    return (hits / len(found) if found else 1.0), (hits / len(truth) if truth else 1.0)
