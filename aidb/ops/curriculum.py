"""Curriculum scheduling: difficulty stages and a stable global training order (Bengio et al. 2009, "Curriculum learning").

Rows are cut into `stages` equal-count stages by a difficulty score (ties always share a stage); within a stage
the order is a seeded shuffle, as baby-steps curricula train on each stage's examples in random order
(Spitkovsky et al. 2010). `easy_first` trains stage 1 to the last, `hard_first` the reverse (anti-curriculum),
and `interleaved` takes one row of each stage in turn, so every part of training sees every difficulty.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from aidb.errors import DataError, ProgrammingError
from aidb.ops.operator_registry import OperatorInput, OperatorParam, OperatorResult, operator

ORDERS = ("easy_first", "hard_first", "interleaved")
ADDED_COLUMNS = ("stage", "train_order")


def difficulty_stages(difficulty: np.ndarray, stages: int) -> np.ndarray:
    """1-based stage of each row: equal-count quantile bins of ascending difficulty, equal scores in one stage."""
    n = len(difficulty)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(difficulty, kind="stable")
    sorted_values = difficulty[order]
    # ties take the rank of their first occurrence, so equal difficulties never straddle two stages
    starts = np.r_[0, np.flatnonzero(sorted_values[1:] != sorted_values[:-1]) + 1]
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.repeat(starts, np.diff(np.r_[starts, n]))
    return (ranks * stages // n).astype(np.int64) + 1


def curriculum(
    table: pa.Table,
    difficulty: np.ndarray | pa.Array,
    *,
    stages: int = 4,
    order: str = "easy_first",
    seed: int = 0,
) -> pa.Table:
    """`table` with `stage` (1 = easiest) and `train_order` (1..n, the order to train in), sorted by train_order."""
    if isinstance(stages, bool) or not isinstance(stages, int) or stages < 1:
        raise ProgrammingError(f"curriculum(): stages must be a positive integer, got {stages!r}")
    if order not in ORDERS:
        raise ProgrammingError(f"curriculum(): order must be one of {', '.join(map(repr, ORDERS))}, got {order!r}")
    clash = [c for c in ADDED_COLUMNS if c in table.column_names]
    if clash:
        raise ProgrammingError(f"curriculum(): the table already has a column named {clash[0]!r}, which curriculum adds")
    values = _numeric(difficulty)
    if len(values) != table.num_rows:
        raise ProgrammingError(f"curriculum(): difficulty has {len(values)} values for {table.num_rows} rows")
    missing = np.isnan(values)
    if missing.any():
        raise DataError(f"curriculum(): difficulty is NULL (or NaN) for {int(missing.sum())} rows, e.g. row {int(np.flatnonzero(missing)[0]) + 1}; filter or coalesce them")
    stage = difficulty_stages(values, stages)
    shuffle = np.random.default_rng(seed).permutation(len(values))
    position_in_stage = np.empty(len(values), dtype=np.int64)
    for s in np.unique(stage):
        members = shuffle[stage[shuffle] == s]  # the stage's rows in shuffled order
        position_in_stage[members] = np.arange(len(members))
    if order == "interleaved":
        sequence = np.lexsort((stage, position_in_stage))
    else:
        direction = stage if order == "easy_first" else -stage
        sequence = np.lexsort((position_in_stage, direction))
    result = table.take(pa.array(sequence))
    result = result.append_column("stage", pa.array(stage[sequence], pa.int32()))
    return result.append_column("train_order", pa.array(np.arange(1, len(sequence) + 1), pa.int64()))


def _numeric(difficulty: np.ndarray | pa.Array | pa.ChunkedArray) -> np.ndarray:
    if isinstance(difficulty, (pa.Array, pa.ChunkedArray)):
        if not (pa.types.is_integer(difficulty.type) or pa.types.is_floating(difficulty.type) or pa.types.is_decimal(difficulty.type)):
            raise ProgrammingError(f"curriculum(): difficulty must be numeric, not {difficulty.type}")
        return np.asarray(difficulty.cast(pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False), dtype=np.float64)
    return np.asarray(difficulty, dtype=np.float64)


@operator(
    name="curriculum",
    params=[
        OperatorParam("t", "table"),
        OperatorParam("difficulty", "expression"),
        OperatorParam("stages", "integer", 4),
        OperatorParam("order", "string", "easy_first"),
        OperatorParam("seed", "integer", 0),
    ],
)
def curriculum_operator(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """Rows with a difficulty stage (equal-count quantiles, 1 = easiest) and train_order (easy_first, hard_first, interleaved)."""
    table = source.query(["*"])
    column = args["difficulty"]
    result = curriculum(table.drop_columns([column]), table.column(column), stages=args["stages"], order=args["order"], seed=args["seed"])
    return OperatorResult(result)
