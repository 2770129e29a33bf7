"""Domain weights that change online with the training loss: DoReMi's exponentiated gradient and online data mixing.

Both take per-domain mean losses after a step and return the new weights (summing to 1). A domain missing from
one update's losses contributes nothing to it (no excess loss, no reward).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from aidb.errors import ProgrammingError

METHODS = ("doremi", "odm")


class StaticWeights:
    """Weights that stay as given (no feedback method)."""

    method = None

    def __init__(self, domains: list[str], weights: np.ndarray) -> None:
        self.domains, self.weights = domains, weights

    def update(self, losses: dict[str, float]) -> np.ndarray:
        return self.weights

    def state(self) -> dict[str, Any]:
        return {"weights": self.weights.tolist()}

    def load_state(self, state: dict[str, Any]) -> None:
        self.weights = np.asarray(state["weights"], dtype=np.float64)


class DoReMiWeights(StaticWeights):
    """DoReMi (Xie et al. 2023, Algorithm 1): alpha <- softmax(log alpha + eta * excess), then smoothed with uniform.

    The excess loss of a domain is max(loss - reference loss, 0): how much worse the model does than a reference
    model on it. Domains the model already fits as well as the reference (or that no model can learn, like noise)
    lose weight; the paper's step size eta = 1 and smoothing c = 1e-3 are the defaults. `average` is the paper's
    output, the mean of the weights over all updates.
    """

    method = "doremi"

    def __init__(self, domains: list[str], weights: np.ndarray, reference: dict[str, float], step_size: float = 1.0, smoothing: float = 1e-3) -> None:
        super().__init__(domains, weights)
        missing = [d for d in domains if d not in reference]
        if missing:
            raise ProgrammingError(
                f"QueryDataset: method='doremi' needs a reference loss for every domain (reference_losses=...), missing: {', '.join(missing)}"
            )
        self.reference = np.array([float(reference[d]) for d in domains])
        self.step_size, self.smoothing = float(step_size), float(smoothing)
        self.updates, self.total = 0, np.zeros(len(domains))

    def update(self, losses: dict[str, float]) -> np.ndarray:
        excess = np.zeros(len(self.domains))
        for i, domain in enumerate(self.domains):
            if domain in losses:
                excess[i] = max(float(losses[domain]) - self.reference[i], 0.0)
        logits = np.log(np.maximum(self.weights, 1e-300)) + self.step_size * excess
        proposed = np.exp(logits - logits.max())
        proposed /= proposed.sum()
        self.weights = (1 - self.smoothing) * proposed + self.smoothing / len(self.domains)
        self.updates += 1
        self.total += self.weights
        return self.weights

    @property
    def average(self) -> np.ndarray:
        return self.total / self.updates if self.updates else self.weights

    def state(self) -> dict[str, Any]:
        return {"weights": self.weights.tolist(), "updates": self.updates, "total": self.total.tolist()}

    def load_state(self, state: dict[str, Any]) -> None:
        super().load_state(state)
        self.updates, self.total = int(state["updates"]), np.asarray(state["total"], dtype=np.float64)


class OnlineMixingWeights(StaticWeights):
    """Online data mixing (Albalak et al. 2023, Algorithm 1): an EXP3 bandit whose reward is a domain's training loss.

    pi_i = (1 - K eps_t) softmax(eps_{t-1} R)_i + eps_t with eps_t = min(1/K, sqrt(ln K / (K t))); after a step the
    estimated reward of each domain seen is smoothed with its importance-weighted loss, R_i <- a R_i + (1 - a) L_i / pi_i
    (a = `smoothing`, 0.9). Domains with a high loss are sampled more: it explores what the model has not learnt yet,
    so a domain no model can learn (noise) keeps a high weight; DoReMi's reference model is what tells the two apart.
    """

    method = "odm"

    def __init__(self, domains: list[str], weights: np.ndarray, smoothing: float = 0.9) -> None:
        super().__init__(domains, weights)
        self.smoothing = float(smoothing)
        self.rewards = np.zeros(len(domains))
        self.t = 1

    def _epsilon(self, t: int) -> float:
        k = len(self.domains)
        return min(1.0 / k, math.sqrt(math.log(k) / (k * t))) if k > 1 else 0.0

    def update(self, losses: dict[str, float]) -> np.ndarray:
        previous = self.weights
        for i, domain in enumerate(self.domains):
            if domain in losses:
                reward = float(losses[domain]) / max(previous[i], 1e-12)
                self.rewards[i] = self.smoothing * self.rewards[i] + (1 - self.smoothing) * reward
        self.t += 1
        k = len(self.domains)
        eps_now, eps_before = self._epsilon(self.t), self._epsilon(self.t - 1)
        logits = eps_before * self.rewards
        soft = np.exp(logits - logits.max())
        soft /= soft.sum()
        self.weights = (1 - k * eps_now) * soft + eps_now
        return self.weights

    def state(self) -> dict[str, Any]:
        return {"weights": self.weights.tolist(), "rewards": self.rewards.tolist(), "t": self.t}

    def load_state(self, state: dict[str, Any]) -> None:
        super().load_state(state)
        self.rewards, self.t = np.asarray(state["rewards"], dtype=np.float64), int(state["t"])


def weight_method(
    method: str | None, domains: list[str], weights: np.ndarray, reference: dict[str, float] | None, options: dict[str, float]
) -> StaticWeights:
    """The weight schedule for `method` (None: fixed weights)."""
    if method is None:
        return StaticWeights(domains, weights)
    if method == "doremi":
        return DoReMiWeights(domains, weights, reference or {}, **options)
    if method == "odm":
        return OnlineMixingWeights(domains, weights, **options)
    raise ProgrammingError(f"QueryDataset: argument method must be one of {', '.join(METHODS)} or None, got {method!r}")
