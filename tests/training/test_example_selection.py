"""Per-example selection: the gradient-norm proxy is the norm autograd computes, top-k keeps the highest scores."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aidb.errors import DataError
from aidb.training.example_selection import gradnorm_proxy, selection_scores, top_k


def test_gradnorm_proxy_is_the_norm_of_the_loss_gradient_for_the_logits() -> None:
    torch.manual_seed(0)
    logits = torch.randn(5, 3, 7, requires_grad=True)
    targets = torch.randint(0, 7, (5, 3))
    targets[0, 2] = -100  # padding: not counted
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 7), targets.reshape(-1), reduction="sum")
    loss.backward()
    norms = logits.grad.norm(dim=-1)
    mask = targets != -100
    expected = ((norms * mask).sum(dim=1) / mask.sum(dim=1)).numpy()
    assert gradnorm_proxy(logits.detach(), targets) == pytest.approx(expected, rel=1e-5)


def test_top_k_keeps_the_highest_scores_first_and_checks_their_count() -> None:
    assert top_k(np.array([0.1, 0.9, 0.5, 0.9]), 3).tolist() == [1, 3, 2]
    with pytest.raises(DataError, match="got 3 scores for a candidate batch of 4"):
        selection_scores("loss_topk", 4, losses=[1.0, 2.0, 3.0])
