"""Per-example selection from an over-sampled candidate batch: keep the k examples the model learns most from.

`loss_topk` keeps the highest current losses (online batch selection, Loshchilov & Hutter 2015; Selective-Backprop,
Jiang et al. 2019). `gradnorm_proxy` keeps the largest norm of the loss's gradient with respect to the output
logits, ||softmax(z) - onehot(y)||_2 averaged over an example's tokens, the cheap upper-bound proxy of the
per-example gradient norm in Katharopoulos & Fleuret 2018 (importance sampling, section 3.3).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aidb.errors import DataError, ProgrammingError

SELECTIONS = ("loss_topk", "gradnorm_proxy")
IGNORE_INDEX = -100  # torch.nn.functional.cross_entropy's default: padding targets are not counted


def gradnorm_proxy(logits: Any, targets: Any) -> np.ndarray:
    """Per example: the mean over its (non-padding) tokens of ||softmax(logits) - onehot(target)||_2.

    `logits` is (batch, vocab) or (batch, tokens, vocab), `targets` (batch,) or (batch, tokens), torch or numpy.
    """
    import torch

    z = torch.as_tensor(logits).detach().float()
    y = torch.as_tensor(targets).detach().long()
    if z.dim() == 2:
        z, y = z.unsqueeze(1), y.unsqueeze(1)
    if z.dim() != 3 or y.shape != z.shape[:2]:
        raise DataError(f"gradnorm_proxy: logits {tuple(z.shape)} and targets {tuple(y.shape)} do not match ((batch, [tokens,] vocab) and (batch, [tokens]))")
    mask = y != IGNORE_INDEX
    probs = torch.softmax(z, dim=-1)
    probs.scatter_add_(-1, y.clamp(min=0).unsqueeze(-1), -mask.unsqueeze(-1).float())
    norms = probs.norm(dim=-1) * mask
    return (norms.sum(dim=1) / mask.sum(dim=1).clamp(min=1)).numpy().astype(np.float64)


def selection_scores(method: str, batch_rows: int, losses: Any = None, logits: Any = None, targets: Any = None) -> np.ndarray:
    """One score per candidate for `method`, checked to have one value per candidate row."""
    if method == "loss_topk":
        if losses is None:
            raise ProgrammingError("QueryDataset.select: select='loss_topk' needs the per-example losses (losses=...)")
        scores = np.asarray(losses.detach().cpu().numpy() if hasattr(losses, "detach") else losses, dtype=np.float64).reshape(-1)
    elif method == "gradnorm_proxy":
        if logits is None or targets is None:
            raise ProgrammingError("QueryDataset.select: select='gradnorm_proxy' needs the candidates' logits and targets (logits=..., targets=...)")
        scores = gradnorm_proxy(logits, targets)
    else:
        raise ProgrammingError(f"QueryDataset: argument select must be one of {', '.join(SELECTIONS)} or None, got {method!r}")
    if len(scores) != batch_rows:
        raise DataError(f"QueryDataset.select: got {len(scores)} scores for a candidate batch of {batch_rows} rows")
    if np.isnan(scores).any():
        raise DataError("QueryDataset.select: the scores contain NaN")
    return scores


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the `k` highest scores, highest first (ties: the earlier candidate)."""
    order = np.argsort(-scores, kind="stable")
    return order[:k]
