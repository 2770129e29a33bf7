"""The weight schedules against their papers' update rules, computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aidb.errors import ProgrammingError
from aidb.training.mixture_weights import DoReMiWeights, OnlineMixingWeights, weight_method

DOMAINS = ["a", "b", "c"]
UNIFORM = np.full(3, 1 / 3)


def test_doremi_is_exponentiated_gradient_on_clipped_excess_loss_smoothed_with_uniform() -> None:
    schedule = DoReMiWeights(DOMAINS, UNIFORM.copy(), {"a": 2.0, "b": 2.0, "c": 5.0}, step_size=1.0, smoothing=0.1)
    weights = schedule.update({"a": 3.0, "b": 2.5, "c": 4.0})  # excess 1, 0.5 and 0 (clipped from -1)
    proposed = np.exp([1.0, 0.5, 0.0]) / np.exp([1.0, 0.5, 0.0]).sum()
    assert weights == pytest.approx(0.9 * proposed + 0.1 / 3)
    again = schedule.update({"a": 3.0})  # b and c absent: no excess for them
    logits = np.log(weights) + [1.0, 0.0, 0.0]
    assert again == pytest.approx(0.9 * np.exp(logits) / np.exp(logits).sum() + 0.1 / 3)
    assert schedule.average == pytest.approx((weights + again) / 2)


def test_odm_is_exp3_with_importance_weighted_smoothed_loss_rewards() -> None:
    schedule = OnlineMixingWeights(DOMAINS, UNIFORM.copy(), smoothing=0.9)
    eps = lambda t: min(1 / 3, math.sqrt(math.log(3) / (3 * t)))  # noqa: E731 - the paper's exploration rate
    losses = np.array([3.0, 1.0, 0.0])
    weights, rewards = UNIFORM.copy(), np.zeros(3)
    for t in range(2, 8):
        got = schedule.update({"a": 3.0, "b": 1.0})  # c is not seen: its reward stays
        rewards[:2] = 0.9 * rewards[:2] + 0.1 * losses[:2] / weights[:2]
        soft = np.exp(eps(t - 1) * rewards) / np.exp(eps(t - 1) * rewards).sum()
        weights = (1 - 3 * eps(t)) * soft + eps(t)
        assert got == pytest.approx(weights)
    assert weights[0] > weights[1] > weights[2] and weights.sum() == pytest.approx(1)  # the higher loss is sampled more


def test_state_round_trips() -> None:
    schedule = OnlineMixingWeights(DOMAINS, UNIFORM.copy())
    schedule.update({"a": 1.0})
    copy = OnlineMixingWeights(DOMAINS, UNIFORM.copy())
    copy.load_state(schedule.state())
    assert copy.update({"b": 2.0}) == pytest.approx(schedule.update({"b": 2.0}))


def test_unknown_method_is_an_error() -> None:
    with pytest.raises(ProgrammingError, match="method must be one of doremi, odm"):
        weight_method("dro", DOMAINS, UNIFORM, None, {})
