"""Run a statement's pylance searches before DuckDB when their query vectors are statement parameters.

Called from inside DuckDB (lance_search.register_search_function), a search costs ~3 ms of DuckDB work around
it: binding the 384-float parameter, the Arrow hand-over in and out, unnest. That is 60% of a 5 ms search of
a 1M index. When the query vector is a parameter the session holds it before DuckDB runs, so it searches
first and gives DuckDB the k rows as list parameters of a variant statement, in which the search call
becomes `(SELECT unnest($r1::BIGINT[]) AS id, ..., unnest($rn::FLOAT[]) AS _distance)`. Binding ten rows of
scalar lists costs ~0.3 ms (bench/RESULTS.md, "vector search").

Everything around the search (filters, joins, ORDER BY, LIMIT) is still planned and run by DuckDB, on the
same rows the function would have returned. One thing changes for the better: a filter with parameters
(`WHERE lang = ?`), for which a search inside DuckDB can only over-fetch and filter after (and may come back
short), runs inside Lance with its values bound, so k rows come back whenever k rows match. Parameters that do
not suit (a NULL or non-numeric vector, a count DuckDB would refuse) run the statement as planned, so DuckDB
reports them as it always has.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from aidb.ann_search import DISTANCE_COLUMN, AnnSearch
from aidb.errors import ProgrammingError
from aidb.sql.search_first import SearchFirstPlan
from aidb.storage.lance_search import OpenDatasets, run_exact_search, run_search


def search_first_parameters(plan: SearchFirstPlan, parameters: Any, datasets: OpenDatasets) -> list[Any] | dict[str, Any] | None:
    """Run `plan`'s searches; the variant's parameters, or None when `parameters` do not suit it."""
    if plan.named:
        if not isinstance(parameters, Mapping) or len(parameters) != plan.expected:
            return None
        value_of = parameters.get
    else:
        if isinstance(parameters, (str, bytes, Mapping)) or not isinstance(parameters, Sequence) or len(parameters) != plan.expected:
            return None
        value_of = lambda name: parameters[int(name) - 1]  # noqa: E731
    vectors = [_query_vector(value_of(first.vector)) for first in plan.searches]
    if any(v is None for v in vectors):
        return None
    results = {}
    for first, vector in zip(plan.searches, vectors):
        rows = _run(first.search, vector, value_of, datasets)
        for name, column in zip(first.results, (*first.search.columns, DISTANCE_COLUMN)):
            results[name] = rows.column(column).to_pylist()
    if plan.named:
        return {**{name: parameters[name] for name in plan.kept}, **results}
    return [value_of(name) for name in plan.kept] + list(results.values())


def _run(search: AnnSearch, vector: np.ndarray, value_of: Callable[[str], Any], datasets: OpenDatasets) -> pa.Table:
    """The search's rows; with its filter's parameters bound and run inside Lance when it has such a filter."""
    if search.exact:
        return run_exact_search(datasets, search, vector)
    dataset = datasets.latest(search.dataset)
    bound = search.bound(value_of)
    if bound is not None:
        try:
            return run_search(dataset, bound, vector)
        except ProgrammingError:
            pass  # Lance refused the bound filter (a type DuckDB would cast, say): over-fetch and let DuckDB filter
    return run_search(dataset, search, vector)


def _query_vector(value: Any) -> np.ndarray | None:
    """`value` as a float32 vector, or None when it is not a sequence of numbers (DuckDB then casts or refuses it)."""
    if value is None or isinstance(value, (str, bytes, Mapping)):
        return None
    try:
        vector = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError):
        return None
    return vector if vector.ndim == 1 else None
