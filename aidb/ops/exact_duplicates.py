"""`exact_duplicates(t, col [, normalize := true])`: rows whose (CCNet-normalised) text is identical.

CCNet (Wenzek et al. 2020) hashes each paragraph after normalising it (lower case, accents stripped, digits to 0,
punctuation dropped, spaces collapsed), so trivially different copies count as one text. The normalisation and
hashing run in DuckDB (`hash(normalize_text(col))`, 64-bit: a collision among a million distinct texts has
probability ~3e-8); grouping and labelling run in numpy. NULL texts, and texts empty after normalisation, are
nobody's duplicate: each is its own cluster and kept.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from aidb.ops.dedup_input import TEXT_TYPES, checked_ids
from aidb.ops.duplicate_clusters import cluster_table, kept_rows, rank_by_id
from aidb.ops.operator_registry import OperatorInput, OperatorParam, OperatorResult, id_column, input_column, operator, quote_identifier


@operator(
    params=[
        OperatorParam("t", "table"),
        OperatorParam("col", "column"),
        OperatorParam("normalize", "boolean", True),
        OperatorParam("id_col", "column", "id"),
    ]
)
def exact_duplicates(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """Exact duplicates of CCNet-normalised text (Wenzek et al. 2020): (id, cluster_id, keep), the smallest id kept."""
    ids, labels = exact_labels(source, "exact_duplicates", args)
    return OperatorResult(cluster_table(ids, kept_rows(labels, rank_by_id(ids))))


def exact_labels(source: OperatorInput, operator_name: str, args: dict[str, Any], column_argument: str = "col") -> tuple[pa.Array, np.ndarray]:
    """(ids, a label per row): equal labels for equal (normalised) non-empty texts, a label of its own otherwise."""
    id_name = id_column(source, operator_name, args)
    column = input_column(source, operator_name, column_argument, args[column_argument], TEXT_TYPES)
    quoted = quote_identifier(column)
    value = f"normalize_text({quoted})" if args.get("normalize", True) else quoted
    hashed = source.query([quote_identifier(id_name), f"CASE WHEN {value} <> '' THEN hash({value}) END AS h"])
    ids = checked_ids(hashed.column(0), operator_name, id_name)
    hashes = hashed.column(1).to_numpy(zero_copy_only=False)
    labels = np.arange(len(ids), dtype=np.int64) + (1 << 62)  # NULL / empty rows: labels of their own
    present = ~hashed.column(1).is_null().to_numpy(zero_copy_only=False)
    _, inverse = np.unique(hashes[present].astype(np.uint64), return_inverse=True)
    labels[present] = inverse
    _, dense = np.unique(labels, return_inverse=True)
    return ids, dense
