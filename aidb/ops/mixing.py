"""Mixture sampling: draw rows from domains in requested proportions (documents or tokens), and report the result.

`mix_sample` gives each domain exactly its share of `n` by largest-remainder rounding (Hamilton's method),
samples within a domain without replacement in an order fixed by the seed, and, when `replace` allows it,
up-samples a domain that is too small by repeating it in whole counted epochs (the `epoch` column), as
multi-epoch pre-training mixtures do (e.g. The Pile's per-component epochs, Gao et al. 2020).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from aidb.errors import DataError, ProgrammingError
from aidb.ops.operator_registry import OperatorInput, OperatorParam, OperatorResult, input_column, operator, quote_identifier

EPOCH_COLUMN = "epoch"
BY_CHOICES = ("docs", "tokens")


@dataclass(frozen=True)
class MixWeights:
    """Requested weights, checked against the domains present and normalised to sum to 1."""

    shares: dict[str, float]
    normalised_from: float  # the sum the user gave (1.0 when nothing was normalised)

    @property
    def was_normalised(self) -> bool:
        return not math.isclose(self.normalised_from, 1.0, rel_tol=1e-9, abs_tol=1e-12)


def check_weights(weights: Mapping[str, object], domains: list[str], operator: str = "mix_sample") -> MixWeights:
    """Validate `weights` (domain -> non-negative number) against the domains present; normalise them."""
    if not isinstance(weights, Mapping) or not weights:
        raise ProgrammingError(f"{operator}(): weights must map each domain to a number, e.g. {{'web': 0.7, 'code': 0.3}}")
    present = set(domains)
    shares: dict[str, float] = {}
    for domain, weight in weights.items():
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight):
            raise ProgrammingError(f"{operator}(): weights: the weight of domain {domain!r} must be a finite number, got {weight!r}")
        if weight < 0:
            raise ProgrammingError(f"{operator}(): weights: the weight of domain {domain!r} is negative ({weight})")
        if str(domain) not in present:
            known = ", ".join(repr(d) for d in sorted(present)[:10])
            raise ProgrammingError(f"{operator}(): weights: unknown domain {domain!r}; the table's domains are {known}")
        shares[str(domain)] = float(weight)
    total = sum(shares.values())
    if total <= 0:
        raise ProgrammingError(f"{operator}(): weights: all weights are 0; give at least one domain a positive weight")
    return MixWeights({d: w / total for d, w in shares.items()}, total)


def largest_remainder(total: int, shares: Mapping[str, float]) -> dict[str, int]:
    """Integer counts summing to `total` in proportion to `shares` (which sum to 1), by largest remainders.

    Ties between equal remainders go to the domain named first, so the split is deterministic.
    """
    quotas = {d: total * s for d, s in shares.items()}
    counts = {d: int(math.floor(q)) for d, q in quotas.items()}
    left = total - sum(counts.values())
    order = sorted(quotas, key=lambda d: (-(quotas[d] - counts[d]), list(shares).index(d)))
    for domain in order[:left]:
        counts[domain] += 1
    return counts


def mix_sample(
    table: pa.Table,
    domain_col: str,
    weights: Mapping[str, object],
    n: int,
    *,
    seed: int = 0,
    replace: bool = False,
    by: str = "docs",
    token_col: str | None = None,
    weight_col: str | None = None,
) -> pa.Table:
    """Rows of `table` mixed by domain: domain d gets round(n * w_d) rows (or tokens, `by='tokens'`) exactly.

    Within a domain rows are drawn without replacement in a seeded random order (weighted by `weight_col`
    when given: Efraimidis-Spirakis keys u^(1/w)). A domain needing more rows than it has is an error,
    unless `replace`: then every row is used once per whole epoch and the remainder is drawn for the last,
    partial epoch; the output's `epoch` column counts the repeat (0 = first use). With `by='tokens'`, `n` is a
    token budget and `token_col` holds each row's token count; a domain takes rows until its budget is met
    (the last row may cross it). Weights not summing to 1 are normalised (mixture_report says so).
    The result is shuffled (seeded), so the mixture interleaves domains.
    """
    if domain_col not in table.column_names:
        raise ProgrammingError(f"mix_sample(): domain column {domain_col!r} is not a column of the table ({', '.join(table.column_names)})")
    if EPOCH_COLUMN in table.column_names:
        raise ProgrammingError(f"mix_sample(): the table already has a column named {EPOCH_COLUMN!r}, which mix_sample adds")
    if by not in BY_CHOICES:
        raise ProgrammingError(f"mix_sample(): by must be one of {', '.join(map(repr, BY_CHOICES))}, got {by!r}")
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise ProgrammingError(f"mix_sample(): n must be a positive integer, got {n!r}")
    domains = _domain_strings(table, domain_col)
    mix = check_weights(weights, sorted({d for d in domains if d is not None}))
    tokens = _token_counts(table, token_col) if by == "tokens" else None
    row_weights = _row_weights(table, weight_col) if weight_col is not None else None
    rng = np.random.default_rng(seed)
    budgets = largest_remainder(n, mix.shares)
    picked_rows: list[np.ndarray] = []
    picked_epochs: list[np.ndarray] = []
    domain_array = np.array(domains, dtype=object)
    for domain, budget in budgets.items():
        if budget == 0:
            continue
        rows = np.flatnonzero(domain_array == domain)
        order = rows[_draw_order(rng, row_weights[rows] if row_weights is not None else None, len(rows))]
        chosen, epochs = _fill(domain, order, budget, tokens, replace)
        picked_rows.append(chosen)
        picked_epochs.append(epochs)
    rows = np.concatenate(picked_rows)
    epochs = np.concatenate(picked_epochs)
    shuffle = rng.permutation(len(rows))
    result = table.take(pa.array(rows[shuffle]))
    return result.append_column(EPOCH_COLUMN, pa.array(epochs[shuffle], pa.int32()))


def _domain_strings(table: pa.Table, domain_col: str) -> list[str | None]:
    column = table.column(domain_col)
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type) or pa.types.is_integer(column.type)
            or pa.types.is_dictionary(column.type) or pa.types.is_boolean(column.type)):
        raise ProgrammingError(f"mix_sample(): domain column {domain_col!r} must be text or an integer, not {column.type}")
    return [None if v is None else str(v) for v in column.to_pylist()]


def _token_counts(table: pa.Table, token_col: str | None) -> np.ndarray:
    if token_col is None:
        raise ProgrammingError("mix_sample(): by := 'tokens' needs tokens := '<column of token counts>' (e.g. token_count(text))")
    if token_col not in table.column_names:
        raise ProgrammingError(f"mix_sample(): tokens column {token_col!r} is not a column of the table")
    column = table.column(token_col)
    if not pa.types.is_integer(column.type) and not pa.types.is_floating(column.type):
        raise ProgrammingError(f"mix_sample(): tokens column {token_col!r} must be numeric, not {column.type}")
    values = column.to_numpy(zero_copy_only=False)
    if column.null_count or np.any(np.asarray(values) < 0):
        raise DataError(f"mix_sample(): tokens column {token_col!r} has NULL or negative counts")
    return np.asarray(values, dtype=np.float64)


def _row_weights(table: pa.Table, weight_col: str) -> np.ndarray:
    if weight_col not in table.column_names:
        raise ProgrammingError(f"mix_sample(): weight column {weight_col!r} is not a column of the table")
    column = table.column(weight_col)
    if not pa.types.is_integer(column.type) and not pa.types.is_floating(column.type):
        raise ProgrammingError(f"mix_sample(): weight column {weight_col!r} must be numeric, not {column.type}")
    values = np.asarray(pc.fill_null(column, 0).to_numpy(zero_copy_only=False), dtype=np.float64)
    if np.any(values < 0) or not np.all(np.isfinite(values)):
        raise DataError(f"mix_sample(): weight column {weight_col!r} has negative or non-finite values")
    return values


def _draw_order(rng: np.random.Generator, weights: np.ndarray | None, size: int) -> np.ndarray:
    """A random order of `size` rows; with weights, weighted sampling without replacement (Efraimidis-Spirakis)."""
    if weights is None:
        return rng.permutation(size)
    uniforms = rng.random(size)
    with np.errstate(divide="ignore"):
        keys = np.where(weights > 0, np.log(uniforms) / np.where(weights > 0, weights, 1.0), -np.inf)
    return np.argsort(-keys, kind="stable")


def _fill(domain: str, order: np.ndarray, budget: int, tokens: np.ndarray | None, replace: bool) -> tuple[np.ndarray, np.ndarray]:
    """The rows (and their epoch) that fill `budget` documents or tokens from `order`, repeating it when allowed."""
    available = len(order) if tokens is None else float(tokens[order].sum())
    if available <= 0:
        raise DataError(f"mix_sample(): domain {domain!r} has no {'tokens' if tokens is not None else 'rows'} to sample")
    if budget > available and not replace:
        unit = "rows" if tokens is None else "tokens"
        raise DataError(
            f"mix_sample(): domain {domain!r} has {available:g} {unit} but its share needs {budget}; "
            "pass replace := true to up-sample it in repeated epochs, or lower n or its weight"
        )
    if tokens is None:
        full, rest = divmod(budget, len(order))
        rows = np.concatenate([np.tile(order, full), order[:rest]])
        epochs = np.repeat(np.arange(full + 1, dtype=np.int32), [len(order)] * full + [rest])
        return rows, epochs
    full = int(budget // available)
    remaining = budget - full * available
    cumulative = np.cumsum(tokens[order])
    take = int(np.searchsorted(cumulative, remaining, side="left")) + 1 if remaining > 0 else 0
    rows = np.concatenate([np.tile(order, full), order[:take]])
    epochs = np.repeat(np.arange(full + 1, dtype=np.int32), [len(order)] * full + [take])
    return rows, epochs


def mixture_report(
    sample: pa.Table,
    domain_col: str,
    weights: Mapping[str, object] | None = None,
    *,
    token_col: str | None = None,
) -> pa.Table:
    """Per domain: rows and share achieved, the requested (normalised) share, and tokens when `token_col` is given.

    Columns: domain, requested_share, rows, row_share, tokens, token_share, normalised (whether the
    requested weights were rescaled to sum to 1). Domains in the sample but not in `weights` have requested_share 0.
    """
    if domain_col not in sample.column_names:
        raise ProgrammingError(f"mixture_report(): domain column {domain_col!r} is not a column of the sample")
    domains = [None if v is None else str(v) for v in sample.column(domain_col).to_pylist()]
    present = sorted({d for d in domains if d is not None})
    mix = check_weights(weights, sorted(set(present) | {str(k) for k in weights}), "mixture_report") if weights else None
    tokens = _token_counts(sample, token_col) if token_col is not None else None
    names = sorted(set(present) | set(mix.shares if mix else ()))
    domain_array = np.array(domains, dtype=object)
    rows = np.array([int(np.sum(domain_array == d)) for d in names], dtype=np.int64)
    total_rows = max(int(rows.sum()), 1)
    token_sums = [float(tokens[domain_array == d].sum()) for d in names] if tokens is not None else None
    total_tokens = sum(token_sums) if token_sums else 0.0
    return pa.table({
        "domain": pa.array(names, pa.string()),
        "requested_share": pa.array([mix.shares.get(d, 0.0) if mix else None for d in names], pa.float64()),
        "rows": pa.array(rows, pa.int64()),
        "row_share": pa.array(rows / total_rows, pa.float64()),
        "tokens": pa.array(token_sums, pa.float64()) if token_sums is not None else pa.nulls(len(names), pa.float64()),
        "token_share": pa.array([t / total_tokens if total_tokens else 0.0 for t in token_sums], pa.float64())
        if token_sums is not None else pa.nulls(len(names), pa.float64()),
        "normalised": pa.array([bool(mix and mix.was_normalised)] * len(names), pa.bool_()),
    })


@operator(
    name="mix_sample",
    params=[
        OperatorParam("t", "table"),
        OperatorParam("domain_col", "column"),
        OperatorParam("weights", "map", None),
        OperatorParam("n", "integer"),
        OperatorParam("seed", "integer", 0),
        OperatorParam("replace", "boolean", False),
        OperatorParam("by", "string", "docs"),
        OperatorParam("tokens", "expression", None),
        OperatorParam("weight_col", "expression", None),
        OperatorParam("weights_from", "table", None),
    ]
)
def mix_sample_operator(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """Rows mixed by domain in exact proportions (largest remainder) of n rows or tokens, seeded; epoch counts repeats."""
    domain = input_column(source, "mix_sample", "domain_col", args["domain_col"])
    computed = [args[k] for k in ("tokens", "weight_col") if args[k] is not None]
    weights = _requested_weights(args["weights"], args["weights_from"])
    table = source.query(["*"])
    sample = mix_sample(
        table, domain, weights, args["n"], seed=args["seed"], replace=args["replace"], by=args["by"],
        token_col=args["tokens"], weight_col=args["weight_col"],
    )
    return OperatorResult(sample.drop_columns(computed))


def _requested_weights(weights: Mapping[str, object] | None, weights_from: OperatorInput | None) -> Mapping[str, object]:
    """The weights given as a map, or read from a (domain, weight) table such as domain_weights() returns."""
    if (weights is None) == (weights_from is None):
        raise ProgrammingError("mix_sample(): give the weights either as weights := {'web': 0.5, ...} or as weights_from := (SELECT domain, weight FROM ...), not both")
    if weights_from is None:
        return weights
    by_lower = {c.lower(): c for c in weights_from.columns}
    columns = [by_lower.get("domain"), by_lower.get("weight")]
    if None in columns:
        if len(weights_from.columns) != 2:
            raise ProgrammingError(f"mix_sample(): argument weights_from: {weights_from.name} has columns {', '.join(weights_from.columns)}; it needs domain and weight (or exactly two columns)")
        columns = list(weights_from.columns)
    rows = weights_from.query([f"CAST({quote_identifier(columns[0])} AS VARCHAR)", f"CAST({quote_identifier(columns[1])} AS DOUBLE)"])
    domains, values = rows.column(0).to_pylist(), rows.column(1).to_pylist()
    if None in domains or None in values or len(set(domains)) != len(domains):
        raise DataError(f"mix_sample(): argument weights_from: {weights_from.name} must give one non-NULL weight per domain")
    return dict(zip(domains, values))


@operator(
    name="mixture_report",
    params=[
        OperatorParam("t", "table"),
        OperatorParam("domain_col", "column"),
        OperatorParam("weights", "map", None),
        OperatorParam("tokens", "expression", None),
    ]
)
def mixture_report_operator(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """Per domain: requested (normalised) share vs rows and tokens achieved in a sample."""
    domain = input_column(source, "mixture_report", "domain_col", args["domain_col"])
    columns = [domain] + ([args["tokens"]] if args["tokens"] else [])
    table = source.query([quote_identifier(c) for c in columns])
    return OperatorResult(mixture_report(table, domain, args["weights"], token_col=args["tokens"]))
