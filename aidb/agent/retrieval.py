"""Rank aidb's operators for a goal in words: embedding similarity (MiniLM by default) plus keyword overlap.

score = cosine(goal, entry) + KEYWORD_WEIGHT * (share of the goal's content words found in the entry's name, doc and
keywords, matched on a crude stem). The embedding carries paraphrases ("copies" ~ "duplicates"); the keywords keep
an exact operator name or term in the goal from being outvoted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from aidb.agent.operator_catalog import OperatorEntry, operator_entries

KEYWORD_WEIGHT = 0.3
# Below this score nothing in aidb matches the goal well enough to plan with (measured: unrelated goals score < 0.35).
MATCH_THRESHOLD = 0.35
_STOP_WORDS = frozenset(
    "a an the and or of to in on for from with by is are be it its this that these those my our your i we want "
    "need keep make get all any each only into out over than then them they which who what how do does should "
    "using use table rows data dataset corpus text texts documents document docs".split()
)
Encoder = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Suggestion:
    entry: OperatorEntry
    score: float
    similarity: float
    keyword_match: float


def stem(word: str) -> str:
    """A crude English stem: enough that 'duplicates', 'duplicated' and 'duplicate' meet."""
    for suffix in ("ations", "ation", "ities", "ness", "ings", "ing", "ies", "ied", "es", "ed", "s", "e", "y"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    return {stem(w) for w in re.findall(r"[a-z][a-z0-9]+", text.lower().replace("_", " ")) if w not in _STOP_WORDS}


class OperatorIndex:
    """The entries with their embeddings, computed once per encoder."""

    def __init__(self, entries: Sequence[OperatorEntry], encode: Encoder) -> None:
        self.entries, self.encode = list(entries), encode
        self.vectors = _normalised(encode([e.search_text for e in self.entries]))
        self.words = [content_words(e.search_text) for e in self.entries]

    def rank(self, goal: str, k: int | None = None, kinds: Sequence[str] | None = None) -> list[Suggestion]:
        goal_vector = _normalised(self.encode([goal]))[0]
        similarities = self.vectors @ goal_vector
        goal_words = content_words(goal)
        ranked = []
        for entry, similarity, words in zip(self.entries, similarities, self.words):
            if kinds is not None and entry.kind not in kinds:
                continue
            match = len(goal_words & words) / len(goal_words) if goal_words else 0.0
            ranked.append(Suggestion(entry, float(similarity) + KEYWORD_WEIGHT * match, float(similarity), match))
        ranked.sort(key=lambda s: (-s.score, s.entry.name))
        return ranked[:k] if k is not None else ranked


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


_indexes: dict[object, OperatorIndex] = {}


def operator_index(encode: Encoder, key: object) -> OperatorIndex:
    """The index of every operator for `encode`, built once per `key` (the embedding model) in this process."""
    index = _indexes.get(key)
    if index is None:
        index = _indexes[key] = OperatorIndex(operator_entries(), encode)
    index.encode = encode  # the same model, through the caller's connection (an earlier one may be closed)
    return index
