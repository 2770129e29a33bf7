"""One pylance ANN search as data: what the vector search rewrite plans and the engine's search function runs.

A leaf module (no DuckDB, no sqlglot): `aidb.sql` builds these, `aidb.storage.lance_search` runs them. The
rewritten SQL calls `__aidb_ann_<sig>(query_vector, '<search JSON>')`; one DuckDB function is registered per
result type (`<sig>` hashes it) and the JSON carries the rest of the search.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, replace
from typing import Any, Callable

ANN_FUNCTION_PREFIX = "__aidb_ann_"
DISTANCE_COLUMN = "_distance"


@dataclass(frozen=True)
class AnnSearch:
    """The constant part of one search: everything but the query vector."""

    dataset: str
    column: str
    columns: tuple[str, ...]  # table columns returned, `_distance` after them
    k: int
    metric: str
    dimension: int
    returns: str  # the DuckDB type of the result: STRUCT(<columns>, _distance FLOAT)[]
    filter: str | None = None  # Lance SQL, applied before ranking
    nprobes: int | None = None
    refine_factor: int | None = None
    # A filter with statement parameters cannot run inside Lance until they are bound. When the search runs
    # before DuckDB (sql/search_first.py plans it, engine/search_first.py runs it) it can: Lance SQL split around the parameters' names (odd
    # places), and the k and probes of that prefiltered search. Otherwise this search over-fetches.
    bound_filter: tuple[str, ...] | None = None
    bound_k: int | None = None
    bound_nprobes: int | None = None
    # Exact top-k in numpy over the dataset's vectors, a whole chunk of query vectors at once (batch_vector_search
    # without a usable index): `_distance` then comes in DuckDB's units (array_cosine_distance, array_distance,
    # array_negative_inner_product), not Lance's.
    exact: bool = False
    # An exact search's filter in DuckDB SQL over the table's own columns (`exact_filter_columns`), evaluated on a
    # copy of those columns held beside the vectors: the rows it keeps are the only ones ranked.
    exact_filter: str | None = None
    exact_filter_columns: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps({**self.__dict__, "columns": list(self.columns), "exact_filter_columns": list(self.exact_filter_columns)}, sort_keys=True)

    @staticmethod
    def from_json(text: str) -> AnnSearch:
        values = json.loads(text)
        bound = values.get("bound_filter")
        return AnnSearch(**{
            **values,
            "columns": tuple(values["columns"]),
            "bound_filter": tuple(bound) if bound else None,
            "exact_filter_columns": tuple(values.get("exact_filter_columns", ())),
        })

    def bound(self, value_of: Callable[[str], Any]) -> AnnSearch | None:
        """This search with its filter's parameters bound (`value_of(name)`), or None when a value has no Lance literal."""
        if self.bound_filter is None:
            return None
        parts = list(self.bound_filter)
        for i in range(1, len(parts), 2):
            text = lance_literal(value_of(parts[i]))
            if text is None:
                return None
            parts[i] = text
        return replace(self, filter="".join(parts), k=self.bound_k, nprobes=self.bound_nprobes, bound_filter=None, bound_k=None, bound_nprobes=None)


def function_name(dimension: int, returns: str) -> str:
    return ANN_FUNCTION_PREFIX + hashlib.sha1(f"{dimension}|{returns}".encode()).hexdigest()[:16]


def lance_literal(value: Any) -> str | None:
    """`value` as a Lance (DataFusion) SQL literal; None for types without a plain literal (dates, bytes, NULL, NaN)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return None
