"""Feeding a trainer from a query and taking its loss back: QueryDataset (domain weights that move with the loss,
per-example selection, exact resume), logged to aidb.training_log. Imports torch: import it explicitly."""

from __future__ import annotations

from aidb.training.example_selection import gradnorm_proxy
from aidb.training.query_dataset import QueryDataset

__all__ = ["QueryDataset", "gradnorm_proxy"]
