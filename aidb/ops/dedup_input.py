"""Reading what a dedup operator needs from its input: the row ids (checked unique, non-NULL) and one column; and
the input rows it keeps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from aidb.errors import DataError
from aidb.ops.operator_registry import OperatorInput, id_column, input_column

TEXT_TYPES = ("VARCHAR",)


def text_batches(source: OperatorInput, operator: str, args: dict[str, Any], column_argument: str, types: tuple[str, ...] = TEXT_TYPES) -> tuple[str, str, Iterator[pa.RecordBatch]]:
    """(id column, value column, batches of (id, value)); the columns checked before any row is read."""
    ids = id_column(source, operator, args)
    column = input_column(source, operator, column_argument, args[column_argument], types)
    return ids, column, source.batches([ids, column])


def checked_ids(ids: pa.ChunkedArray | pa.Array, operator: str, column: str) -> pa.Array:
    """The id column as one array, after checking it identifies rows: no NULLs, no repeats."""
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks() if ids.num_chunks else pa.array([], type=ids.type)
    if ids.null_count:
        raise DataError(f"{operator}(): argument id_col: column {column!r} has NULLs; every row needs an id")
    if len(ids) and pc.count_distinct(ids).as_py() != len(ids):
        raise DataError(f"{operator}(): argument id_col: column {column!r} has repeated values; ids must be unique")
    return ids


def rows_with_ids(source: OperatorInput, id_name: str, kept_ids: pa.Array) -> pa.Table:
    """Every column of the input rows whose id is in `kept_ids`, in input order."""
    kept = [batch.filter(pc.is_in(batch.column(id_name), value_set=kept_ids)) for batch in source.batches(list(source.columns))]
    if not kept:  # an empty input: no batch to take the schema from
        return source.query(["*"])
    return pa.Table.from_batches(kept, schema=kept[0].schema)
