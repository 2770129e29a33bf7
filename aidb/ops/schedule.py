"""Multi-domain training schedules: `schedule(t, domain_col, strategy := 'multitask' | 'sequential' | 'mixed_sequential')`.

The strategies of Dong et al. 2023 ("How abilities in large language models are affected by supervised fine-tuning
data composition"), for data from several domains (e.g. math, code, general chat):

- `multitask`: every domain mixed, one seeded shuffle of all rows (one phase);
- `sequential`: one phase per domain, in `order`, each shuffled within;
- `mixed_sequential`: the domains but the last mixed in phase 1, the last domain alone in phase 2; with
  `replay := k` > 0 phase 2 also replays a seeded fraction k of phase 1's rows (their DMT, dual-stage mixed
  fine-tuning, which keeps specialised abilities while the general data comes last), marked `replayed`.

Returns the rows (replayed ones twice) plus `phase` (1, 2, ...), `replayed` and `train_order` (1..n), sorted by it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from aidb.errors import ProgrammingError
from aidb.ops.operator_registry import OperatorInput, OperatorParam, OperatorResult, input_column, operator

STRATEGIES = ("multitask", "sequential", "mixed_sequential")
ADDED_COLUMNS = ("phase", "replayed", "train_order")


def training_schedule(domains: list[str | None], strategy: str, order: list[str], replay: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row positions in training order, phase of each, replayed flag of each) for rows of the given domains."""
    rng = np.random.default_rng(seed)
    domain_rank = {d: i for i, d in enumerate(order)}
    rank = np.array([domain_rank[d] for d in domains], dtype=np.int64)
    if strategy == "multitask":
        phase = np.ones(len(rank), dtype=np.int64)
    elif strategy == "sequential":
        phase = rank + 1
    else:
        phase = np.where(rank == len(order) - 1, 2, 1) if len(order) > 1 else np.ones(len(rank), dtype=np.int64)
    shuffled = rng.permutation(len(rank))
    sequence = shuffled[np.argsort(phase[shuffled], kind="stable")]  # by phase, shuffled within
    phases = phase[sequence]
    replayed = np.zeros(len(sequence), dtype=bool)
    if strategy == "mixed_sequential" and replay > 0 and len(order) > 1:
        first = sequence[phases == 1]
        chosen = np.sort(rng.permutation(len(first))[: int(round(replay * len(first)))])
        second = np.concatenate([sequence[phases == 2], first[chosen]])
        flags = np.r_[np.zeros(len(second) - len(chosen), dtype=bool), np.ones(len(chosen), dtype=bool)]
        mix = rng.permutation(len(second))  # the replayed rows spread through phase 2
        sequence = np.concatenate([first, second[mix]])
        phases = np.r_[np.ones(len(first), dtype=np.int64), np.full(len(second), 2, dtype=np.int64)]
        replayed = np.r_[np.zeros(len(first), dtype=bool), flags[mix]]
    return sequence, phases, replayed


@operator(
    params=[
        OperatorParam("t", "table"),
        OperatorParam("domain_col", "column"),
        OperatorParam("strategy", "string", "multitask"),
        OperatorParam("order", "list", None),
        OperatorParam("replay", "number", 0.0),
        OperatorParam("seed", "integer", 0),
    ]
)
def schedule(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """Multi-domain training order (Dong et al. 2023): multitask, sequential, or mixed_sequential (replay := k for DMT)."""
    strategy = args["strategy"]
    if strategy not in STRATEGIES:
        raise ProgrammingError(f"schedule(): argument strategy must be one of {', '.join(map(repr, STRATEGIES))}, got {strategy!r}")
    replay = args["replay"]
    if isinstance(replay, bool) or not isinstance(replay, (int, float)) or not 0 <= replay <= 1:
        raise ProgrammingError(f"schedule(): argument replay must be a fraction in [0, 1], got {replay!r}")
    if replay and strategy != "mixed_sequential":
        raise ProgrammingError("schedule(): argument replay applies to strategy := 'mixed_sequential' only")
    domain_name = input_column(source, "schedule", "domain_col", args["domain_col"])
    clash = [c for c in ADDED_COLUMNS if c in source.columns]
    if clash:
        raise ProgrammingError(f"schedule(): {source.name} already has a column named {clash[0]!r}, which schedule adds")
    table = source.query(["*"])
    domains = pc.cast(table.column(domain_name), pa.string()).to_pylist()
    if None in domains:
        raise ProgrammingError(f"schedule(): argument domain_col: {domains.count(None)} rows have a NULL {domain_name!r}; filter or coalesce them")
    order = _order(args["order"], sorted(set(domains)))
    sequence, phases, replayed = training_schedule(domains, strategy, order, float(replay), args["seed"])
    result = table.take(pa.array(sequence, pa.int64()))
    result = result.append_column("phase", pa.array(phases, pa.int32()))
    result = result.append_column("replayed", pa.array(replayed))
    return OperatorResult(result.append_column("train_order", pa.array(np.arange(1, len(sequence) + 1), pa.int64())))


def _order(value: Any, present: list[str]) -> list[str]:
    """The domains in phase order: `order` as given (every present domain named once), else alphabetical."""
    if value is None:
        return present
    order = [value] if isinstance(value, str) else [str(v) for v in value]
    missing = [d for d in present if d not in order]
    unknown = [d for d in order if d not in present]
    if unknown or missing or len(set(order)) != len(order):
        detail = f"unknown domains {unknown}" if unknown else f"missing domains {missing}" if missing else "a domain named twice"
        raise ProgrammingError(f"schedule(): argument order must name each domain of the table once ({detail}); the table's domains are {present}")
    return order
