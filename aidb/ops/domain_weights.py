"""Domain weights by DoReMi (Xie et al. 2023, "DoReMi: optimizing data mixtures speeds up language model pretraining"),
scaled down to run in seconds on a CPU: `domain_weights(t, domain_col, text_col)`.

DoReMi trains a reference model on the data at reference weights (uniform by default), then a proxy model with
group DRO: at each step it measures each domain's excess loss (proxy loss minus reference loss, clipped at 0,
per token), raises the weights of the domains with more excess loss by an exponentiated-gradient step
(alpha <- alpha * exp(eta * excess), normalised, smoothed toward uniform by c), and trains the proxy on the
mixture at those weights. The returned weights are the average over the steps, and `mix_sample` takes them.

The simplification: the paper's models are 280M-parameter transformers trained for 200k steps. Here both are
interpolated bigram language models over lower-cased word and punctuation tokens (counts, Jelinek-Mercer
interpolation), "trained" by adding a step's minibatch counts scaled by its domain weight (the weighted
maximum-likelihood update a gradient step approximates). Because count models memorise what they saw, the excess
loss is measured on held-out rows of each domain (a fifth), never on rows either model trained on. The intuition
survives: a domain whose held-out text the reference predicts much better than the still-young proxy is learnable
and gains weight; pure noise, which no model predicts, has no excess loss and loses weight.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from aidb.errors import DataError, ProgrammingError
from aidb.ops.operator_registry import OperatorInput, OperatorParam, OperatorResult, input_column, operator, quote_identifier

METHODS = ("doremi",)
STEP_SIZE = 1.0  # eta, the paper's value
SMOOTHING = 1e-3  # c, the paper's value
HELD_OUT = 0.2
UNIGRAM_FLOOR = 0.1  # l1: the uniform share of the unigram model
BIGRAM_BACKOFF = 0.3  # l2: the unigram share of the bigram model
_TOKEN = re.compile(r"\w+|[^\w\s]+")


@dataclass
class _Rows:
    """Token ids of the rows of one domain split: concatenated, with row offsets."""

    ids: np.ndarray
    offsets: np.ndarray

    def take(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(token ids, previous token ids or -1 at a row's start) of `rows`, concatenated."""
        pieces = [self.ids[self.offsets[r] : self.offsets[r + 1]] for r in rows]
        if not pieces:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        ids = np.concatenate(pieces)
        prev = np.concatenate([np.r_[-1, p[:-1]] if len(p) else p for p in pieces])
        return ids, prev


class BigramCounts:
    """An interpolated bigram language model kept as (weighted) counts (Jelinek & Mercer 1980):
    p(w | u) = (1 - l2) c(u, w) / c(u) + l2 p1(w), p1(w) = (1 - l1) c(w) / N + l1 / V over a closed vocabulary of V
    tokens. A token neither model saw gets l1 / V from both, so the excess loss measures what was learnt."""

    def __init__(self, vocabulary: int) -> None:
        self.vocabulary = vocabulary
        self.unigrams = np.zeros(vocabulary)
        self.contexts = np.zeros(vocabulary)
        self._pairs = np.zeros(0, np.int64)
        self._pair_counts = np.zeros(0)

    def add(self, ids: np.ndarray, prev: np.ndarray, weight: float) -> None:
        np.add.at(self.unigrams, ids, weight)
        has_prev = prev >= 0
        np.add.at(self.contexts, prev[has_prev], weight)
        pairs, counts = np.unique(prev[has_prev] * self.vocabulary + ids[has_prev], return_counts=True)
        merged = np.concatenate([self._pairs, pairs])
        totals = np.concatenate([self._pair_counts, counts * weight])
        self._pairs, inverse = np.unique(merged, return_inverse=True)
        self._pair_counts = np.bincount(inverse, weights=totals, minlength=len(self._pairs))

    def token_losses(self, ids: np.ndarray, prev: np.ndarray) -> np.ndarray:
        """Negative log-likelihood (nats) of each token given the one before it (the unigram model at a row's start)."""
        total = self.unigrams.sum()
        if total > 0:
            unigram = (1 - UNIGRAM_FLOOR) * self.unigrams[ids] / total + UNIGRAM_FLOOR / self.vocabulary
        else:
            unigram = np.full(len(ids), 1.0 / self.vocabulary)
        has_prev = prev >= 0
        pair_count = np.zeros(len(ids))
        if len(self._pairs):
            codes = prev[has_prev] * self.vocabulary + ids[has_prev]
            where = np.clip(np.searchsorted(self._pairs, codes), 0, len(self._pairs) - 1)
            pair_count[has_prev] = np.where(self._pairs[where] == codes, self._pair_counts[where], 0.0)
        context = np.where(has_prev, self.contexts[np.maximum(prev, 0)], 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            bigram = np.where(context > 0, pair_count / np.where(context > 0, context, 1.0), 0.0)
        probability = np.where(context > 0, (1 - BIGRAM_BACKOFF) * bigram + BIGRAM_BACKOFF * unigram, unigram)
        return -np.log(probability)


def doremi_weights(
    texts: list[str | None], domains: list[str], *, steps: int = 100, batch_rows: int = 8,
    reference_weights: Mapping[str, float] | None = None, seed: int = 0,
) -> pa.Table:
    """Per domain: the DoReMi weight (average over steps), the reference weight, the mean excess loss, rows, tokens."""
    names = sorted(set(domains))
    reference = _reference_weights(reference_weights, names)
    vocabulary: dict[str, int] = {}
    tokenised = [[vocabulary.setdefault(t, len(vocabulary)) for t in _TOKEN.findall(text.lower())] if text else [] for text in texts]
    rng = np.random.default_rng(seed)
    train: list[_Rows] = []
    held: list[_Rows] = []
    token_totals = []
    for name in names:
        rows = [tokenised[i] for i, d in enumerate(domains) if d == name and tokenised[i]]
        if len(rows) < 2:
            raise DataError(f"domain_weights(): domain {name!r} has {len(rows)} rows with text; each domain needs at least 2 (one is held out)")
        order = rng.permutation(len(rows))
        cut = max(1, int(round(HELD_OUT * len(rows))))
        held.append(_pack([rows[i] for i in order[:cut]]))
        train.append(_pack([rows[i] for i in order[cut:]]))
        token_totals.append(sum(len(r) for r in rows))
    k = len(names)
    reference_model = BigramCounts(len(vocabulary))
    for i, split in enumerate(train):
        ids, prev = split.take(np.arange(len(split.offsets) - 1))
        reference_model.add(ids, prev, reference[i] * _total(train) / max(len(ids), 1))  # domain i: reference[i] of the tokens
    proxy = BigramCounts(len(vocabulary))
    alpha = np.full(k, 1.0 / k)
    history = np.zeros((steps, k))
    excess_history = np.zeros((steps, k))
    for step in range(steps):
        excess = np.zeros(k)
        for i in range(k):
            rows = rng.integers(0, len(held[i].offsets) - 1, size=batch_rows)
            ids, prev = held[i].take(rows)
            gap = proxy.token_losses(ids, prev) - reference_model.token_losses(ids, prev)
            excess[i] = np.maximum(gap, 0.0).sum() / max(len(ids), 1)
        alpha = alpha * np.exp(STEP_SIZE * excess)
        alpha = alpha / alpha.sum()
        alpha = (1 - SMOOTHING) * alpha + SMOOTHING / k
        history[step], excess_history[step] = alpha, excess
        for i in range(k):  # the proxy's update: the minibatch of each domain at the domain's weight
            rows = rng.integers(0, len(train[i].offsets) - 1, size=batch_rows)
            ids, prev = train[i].take(rows)
            proxy.add(ids, prev, alpha[i] * k)
    return pa.table({
        "domain": pa.array(names, pa.string()),
        "weight": pa.array(history.mean(axis=0)),
        "reference_weight": pa.array(reference),
        "mean_excess_loss": pa.array(excess_history.mean(axis=0)),
        "rows": pa.array([sum(1 for d in domains if d == name) for name in names], pa.int64()),
        "tokens": pa.array(token_totals, pa.int64()),
    })


def _pack(rows: list[list[int]]) -> _Rows:
    offsets = np.r_[0, np.cumsum([len(r) for r in rows])].astype(np.int64)
    return _Rows(np.array([t for r in rows for t in r], dtype=np.int64), offsets)


def _total(splits: list[_Rows]) -> int:
    return int(sum(s.offsets[-1] for s in splits))


def _reference_weights(value: Mapping[str, float] | None, names: list[str]) -> np.ndarray:
    if value is None:
        return np.full(len(names), 1.0 / len(names))
    if not isinstance(value, Mapping):
        raise ProgrammingError("domain_weights(): argument reference_weights must map each domain to a number, e.g. {'web': 0.5, 'code': 0.5}")
    unknown = [d for d in value if d not in names]
    missing = [d for d in names if d not in value]
    if unknown or missing:
        raise ProgrammingError(f"domain_weights(): argument reference_weights must name every domain once: {'unknown ' + str(unknown) if unknown else 'missing ' + str(missing)}; the domains are {names}")
    weights = np.array([value[d] for d in names], dtype=np.float64) if all(isinstance(value[d], (int, float)) and not isinstance(value[d], bool) for d in names) else None
    if weights is None or (weights < 0).any() or weights.sum() <= 0:
        raise ProgrammingError(f"domain_weights(): argument reference_weights must be non-negative numbers, not all 0, got {dict(value)}")
    return weights / weights.sum()


@operator(
    params=[
        OperatorParam("t", "table"),
        OperatorParam("domain_col", "column"),
        OperatorParam("text_col", "column"),
        OperatorParam("method", "string", "doremi"),
        OperatorParam("steps", "integer", 100),
        OperatorParam("batch_rows", "integer", 8),
        OperatorParam("reference_weights", "map", None),
        OperatorParam("seed", "integer", 0),
    ]
)
def domain_weights(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """DoReMi domain weights (Xie et al. 2023) from bigram proxy and reference models: (domain, weight, ...) for mix_sample."""
    if args["method"] not in METHODS:
        raise ProgrammingError(f"domain_weights(): argument method must be one of {list(METHODS)}, got {args['method']!r}")
    for name in ("steps", "batch_rows"):
        if args[name] < 1:
            raise ProgrammingError(f"domain_weights(): argument {name} must be a positive integer, got {args[name]}")
    domain = input_column(source, "domain_weights", "domain_col", args["domain_col"])
    text = input_column(source, "domain_weights", "text_col", args["text_col"], ("VARCHAR",))
    rows = source.query([f"CAST({quote_identifier(domain)} AS VARCHAR)", quote_identifier(text)])
    domains = rows.column(0).to_pylist()
    if None in domains:
        raise DataError(f"domain_weights(): argument domain_col: {domains.count(None)} rows have a NULL {domain!r}; filter or coalesce them")
    if len(set(domains)) < 2:
        raise DataError(f"domain_weights(): {source.name} has {len(set(domains))} domain(s); weighting needs at least 2")
    texts = pc.cast(rows.column(1), pa.string()).to_pylist()
    return OperatorResult(doremi_weights(
        texts, domains, steps=args["steps"], batch_rows=args["batch_rows"], reference_weights=args["reference_weights"], seed=args["seed"],
    ))
