"""Synthetic quality-filter training data: encyclopedic 'reference' sentences versus spammy 'crawl' text."""

from __future__ import annotations

import random

_SUBJECTS = ["the river", "the committee", "the theory", "the empire", "the enzyme", "the poet", "the treaty", "the galaxy"]
_VERBS = ["describes", "influenced", "regulates", "established", "examined", "preceded", "documented", "explains"]
_OBJECTS = ["the regional economy", "later scholarship", "cellular metabolism", "the northern provinces", "its orbit", "the reform movement"]
_SPAM = ["buy now", "click here", "free shipping", "best price", "limited offer", "subscribe", "win cash", "hot deals", "lol", "!!!"]
_ITEMS = ["pills", "shoes", "crypto", "casino", "phones", "watches", "loans"]


def reference_text(rng: random.Random) -> str:
    sentences = [
        f"{rng.choice(_SUBJECTS).capitalize()} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}." for _ in range(rng.randint(2, 4))
    ]
    return " ".join(sentences)


def crawl_text(rng: random.Random) -> str:
    words = [rng.choice(_SPAM + _ITEMS) for _ in range(rng.randint(5, 12))]
    # Some crawl rows borrow a reference phrase, so the task is not separable by one word.
    if rng.random() < 0.3:
        words.insert(rng.randint(0, len(words)), rng.choice(_SUBJECTS))
    return " ".join(words)


def labelled_rows(n: int, seed: int = 0) -> list[tuple[str, int]]:
    """`n` rows of (text, label), label 1 for reference text and 0 for crawl, alternating."""
    rng = random.Random(seed)
    return [(reference_text(rng), 1) if i % 2 else (crawl_text(rng), 0) for i in range(n)]
