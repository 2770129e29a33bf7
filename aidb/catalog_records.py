"""Catalog records that several layers read (the rewriter, the engine, storage, model loaders) as plain frozen data.

A leaf module: it imports nothing from aidb and nothing heavy, so `aidb.sql` can read catalog facts without
importing DuckDB. Storage fills these records from the `aidb` schema; the passes receive them in a CatalogView.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

# The catalog under which DuckDB sees the attached Lance folder: `aidb_lance.main.<table>`.
LANCE_CATALOG = "aidb_lance"


@dataclass(frozen=True)
class ModelRecord:
    """One row of `aidb.models` (or a built-in model aidb ships)."""

    name: str
    kind: str
    source: str
    options: str = "{}"
    fingerprint: str | None = None
    dimension: int | None = None
    is_default: bool = False
    signature: str | None = None  # HMAC by the machine that created the row (storage/model_trust.py)

    @property
    def option_values(self) -> dict[str, object]:
        return json.loads(self.options)


@dataclass(frozen=True)
class VectorIndexInfo:
    name: str
    column: str
    index_type: str
    metric: str
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class VectorTableInfo:
    """A table with at least one fixed-width vector column, Lance-backed or an ordinary DuckDB table."""

    name: str
    storage: str  # 'lance' | 'duckdb'
    sql_name: str  # how DuckDB SQL names it: aidb_lance.main.docs for Lance tables
    dataset: str | None  # path of the Lance dataset
    columns: tuple[str, ...]
    vector_columns: dict[str, int]  # column -> dimension
    row_count: int
    ndv: dict[str, int] = field(default_factory=dict)  # column -> distinct values, as of the last index build
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)  # numeric column -> (min, max), same moment
    indexes: dict[str, VectorIndexInfo] = field(default_factory=dict)  # column -> its vector index
    column_types: dict[str, str] = field(default_factory=dict)  # column -> DuckDB type, e.g. FLOAT[384]
    staged: bool = False  # a Lance table the open transaction wrote: read through its staging view until commit

    @property
    def is_lance(self) -> bool:
        return self.storage == "lance"


@dataclass(frozen=True)
class ModelColumn:
    """One output column of a CREATE TABLE AS produced (in part) by a model function, for `aidb.column_provenance`."""

    position: int | None  # index in the output columns; None when a * before it makes that unknown
    alias: str | None  # the name the SQL gives the column, when it gives one
    function_name: str
    model_name: str
    model_fingerprint: str | None


@dataclass(frozen=True)
class RemovalTableRecord:
    """A removal table an operator wrote while a run produced `output_table` (aidb.removal_tables)."""

    run_id: int
    output_table: str
    removal_table: str
    step: str
    input_table: str
