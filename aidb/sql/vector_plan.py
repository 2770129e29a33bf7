"""Choose how a top-k vector query runs: exact scan, ANN with the filter applied first, or ANN over-fetch + post-filter.

Pure: the table's size, distinct-value counts and indexes arrive as data (`VectorTableInfo`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlglot import exp

from aidb.catalog_records import VectorIndexInfo, VectorTableInfo
from aidb.settings import Settings

EXACT = "exact"
ANN_PREFILTER = "ann_prefilter"
ANN_POSTFILTER = "ann_postfilter"

# The default of the aidb_exact_scan_max_rows setting (aidb/settings.py); choose_plan takes the connection's value.
EXACT_SCAN_MAX_ROWS = Settings().exact_scan_max_rows
# Textbook selectivities when no statistics apply (Selinger et al. 1979, "Access Path Selection in a RDBMS").
EQUALITY_SELECTIVITY = 0.1
RANGE_SELECTIVITY = 1 / 3
OTHER_SELECTIVITY = 0.25
# A prefiltered IVF search should see this many matching candidates per wanted row in its probed partitions.
CANDIDATES_PER_RESULT = 20
MAX_PROBED_FRACTION = 0.5
# A post-filter ANN fetches k / selectivity rows times this margin (the estimate is rough).
OVERFETCH_MARGIN = 2.0


@dataclass(frozen=True)
class VectorPlan:
    strategy: str
    reason: str
    fetch_k: int
    selectivity: float
    nprobes: int | None = None  # IVF partitions to probe, raised for selective filters

    def comment(self) -> str:
        return f"aidb vector plan: {self.strategy} (k={self.fetch_k}, est. selectivity {self.selectivity:.3g}): {self.reason}"


def choose_plan(
    table: VectorTableInfo,
    column: str,
    where: exp.Expression | None,
    k: int,
    constant_query: bool,
    metric: str,
    exact_scan_max_rows: int = EXACT_SCAN_MAX_ROWS,
) -> VectorPlan:
    """The plan of a top-k query; below `exact_scan_max_rows` candidate rows an exact scan is both exact and about
    as fast as probing an index, unless Lance can prefilter them in a larger table."""
    selectivity = estimate_selectivity(where, table) if where is not None else 1.0
    matching = table.row_count * selectivity
    index = table.indexes.get(column.lower())
    if index is None:
        return VectorPlan(EXACT, f"no vector index on {table.name}.{column}", k, selectivity)
    if index.metric != metric:
        return VectorPlan(EXACT, f"index {index.name} ranks by {index.metric}, the query asks for {metric}", k, selectivity)
    if not constant_query:
        return VectorPlan(EXACT, "the query vector is not a constant (ANN needs a literal, a parameter or embed('...'))", k, selectivity)
    prefilter_probes = probes_for(index.options, matching, k) if where is not None and pushable(where, table) else None
    if prefilter_probes is not None and _costly_probes(index, prefilter_probes) and matching <= exact_scan_max_rows:
        reason = f"about {int(matching)} rows match: cheaper to scan exactly than {prefilter_probes} HNSW partitions of {index.name}"
        return VectorPlan(EXACT, reason, k, selectivity)
    if prefilter_probes is not None and table.row_count > exact_scan_max_rows:
        # Even when few rows match, an exact scan reads the Lance table through DuckDB: 2.8x slower than
        # Lance's own prefiltered search at 10k of 100k rows (bench/RESULTS.md, "vector search"). Lance
        # ranks the matching rows of the probed partitions; probes_for keeps enough of them for recall.
        reason = f"index {index.name}; the filter runs inside Lance before ranking, probing {prefilter_probes} partitions"
        return VectorPlan(ANN_PREFILTER, reason, k, selectivity, prefilter_probes)
    if matching <= exact_scan_max_rows:
        return VectorPlan(EXACT, f"about {int(matching)} rows match the filter: scanning them exactly is cheap", k, selectivity)
    if where is None:
        return VectorPlan(ANN_PREFILTER, f"index {index.name}, no filter", k, selectivity)
    if pushable(where, table):  # and probes_for found no workable probe count
        return VectorPlan(EXACT, f"too few matching rows per IVF partition of {index.name} to rank by the index", k, selectivity)
    fetch = min(table.row_count, math.ceil(k / max(selectivity, 1e-9) * OVERFETCH_MARGIN))
    if fetch > exact_scan_max_rows * 5:
        return VectorPlan(EXACT, "the filter cannot run inside Lance and is too selective to over-fetch", k, selectivity)
    return VectorPlan(ANN_POSTFILTER, f"index {index.name}; the filter cannot run inside Lance, so fetch {fetch} and filter after", fetch, selectivity)


def _costly_probes(index: VectorIndexInfo, probes: int) -> bool:
    """Whether probing more partitions than the index's default costs more than an exact scan of few rows.

    Each IVF_HNSW_SQ probe walks a filtered HNSW graph. On 1M x 384 (bench/RESULTS.md, "vector search") with
    1,000 matching rows: 49 HNSW probes 5.1 q/s, 49 IVF_PQ probes 66 q/s, exact scan of the Lance table 53 q/s.
    """
    return index.index_type == "IVF_HNSW_SQ" and probes > int(index.options.get("nprobes", 1))


def probes_for(options: dict, matching: float, k: int) -> int | None:
    """Partitions to probe so that the probed ones hold about CANDIDATES_PER_RESULT * k matching rows.

    A prefiltered IVF search only sees matching rows inside the probed partitions; with a selective filter
    the default probe count finds too few of them. None: more than half the partitions would be needed.
    """
    partitions = int(options.get("num_partitions", 1))
    default = int(options.get("nprobes", 1))
    needed = math.ceil(partitions * CANDIDATES_PER_RESULT * k / max(matching, 1.0))
    if needed > partitions * MAX_PROBED_FRACTION:
        return None
    return max(default, needed)


def estimate_selectivity(where: exp.Expression, table: VectorTableInfo) -> float:
    """Fraction of rows a predicate keeps: 1/ndv for equality when known, textbook constants otherwise."""
    if isinstance(where, exp.Where):
        where = where.this
    if isinstance(where, exp.Paren):
        return estimate_selectivity(where.this, table)
    if isinstance(where, exp.And):
        return estimate_selectivity(where.left, table) * estimate_selectivity(where.right, table)
    if isinstance(where, exp.Or):
        a, b = estimate_selectivity(where.left, table), estimate_selectivity(where.right, table)
        return min(1.0, a + b - a * b)
    if isinstance(where, exp.Not):
        return 1.0 - estimate_selectivity(where.this, table)
    if isinstance(where, exp.EQ):
        return _equality(where, table)
    if isinstance(where, exp.In):
        return min(1.0, len(where.expressions) * _equality(where, table)) if where.expressions else OTHER_SELECTIVITY
    if isinstance(where, (exp.GT, exp.GTE, exp.LT, exp.LTE)):
        return _range(where, table)
    if isinstance(where, exp.Between):
        return RANGE_SELECTIVITY / 2
    return OTHER_SELECTIVITY


def _range(node: exp.Expression, table: VectorTableInfo) -> float:
    """Uniform interpolation between the column's min and max (Selinger et al. 1979), else 1/3."""
    column, value, flipped = node.this, node.expression, False
    if not isinstance(column, exp.Column):
        column, value, flipped = node.expression, node.this, True
    bounds = table.ranges.get(column.name.lower()) if isinstance(column, exp.Column) else None
    if bounds is None or not isinstance(value, exp.Literal) or value.is_string or bounds[1] <= bounds[0]:
        return RANGE_SELECTIVITY
    low, high = bounds
    below = (float(value.this) - low) / (high - low)
    keeps_below = isinstance(node, (exp.LT, exp.LTE)) != flipped
    fraction = below if keeps_below else 1.0 - below
    return min(1.0, max(fraction, 1.0 / max(table.row_count, 1)))


def _equality(node: exp.Expression, table: VectorTableInfo) -> float:
    column = node.this if isinstance(node.this, exp.Column) else None
    if column is not None and column.name.lower() in table.ndv and table.ndv[column.name.lower()] > 0:
        return 1.0 / table.ndv[column.name.lower()]
    return EQUALITY_SELECTIVITY


def pushable(where: exp.Expression, table: VectorTableInfo, parameters: bool = False) -> bool:
    """Whether Lance evaluates the filter itself: comparisons of the table's own columns with constants only.

    `parameters`: statement parameters count as constants (for a search that runs after they are bound).
    """
    columns = {c.lower() for c in table.columns}
    for node in where.walk():
        if not isinstance(node, _PUSHABLE_NODES) and not (parameters and isinstance(node, exp.Placeholder)):
            return False
        if isinstance(node, exp.Column) and (node.name.lower() not in columns):
            return False
        # A VARCHAR IN (...) with two or more values fails when Lance must prefilter (extension limitation).
        if isinstance(node, exp.In) and len(node.expressions) > 1 and any(e.is_string for e in node.expressions):
            return False
    return True


_PUSHABLE_NODES = (
    exp.Where, exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null, exp.Neg, exp.Paren,
    exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.And, exp.Or, exp.Not, exp.In, exp.Between, exp.Is, exp.Like,
)
