"""Run pylance ANN searches of Lance tables, as a DuckDB function that returns the top-k rows.

The vector search rewrite turns a top-k query over an indexed Lance table into
`unnest(__aidb_ann_<sig>(query_vector, '<search JSON>'), max_depth := 2)` (aidb/sql/search_calls.py). The
function runs the search with pylance on a dataset kept open for the session, so the index stays cached between
queries: DuckDB's `lance_vector_search` answers 21.5 q/s where pylance on an open dataset answers 49.7 q/s on the
same 1M index, and pylance re-opening the dataset for every query answers 13 q/s (bench/RESULTS.md, "vector search").

One function is registered per result type (`<sig>` hashes it); the JSON (aidb/ann_search.py) carries the rest of
the search: dataset, columns, k, metric, the filter in Lance SQL and the search parameters.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

import duckdb
import numpy as np
import pyarrow as pa

from aidb.ann_search import DISTANCE_COLUMN, AnnSearch
from aidb.errors import DataError, Error, OperationalError, ProgrammingError


class OpenDatasets:
    """One pylance dataset per path, kept open (with its index cache) and moved to the latest version per search.

    Checking the latest version reads the dataset's version listing: ~10-20 us on a local disk.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, Any] = {}
        self._vectors: dict[tuple[str, str], ExactVectors] = {}  # (path, column) -> the latest version's vectors

    def latest(self, path: str) -> Any:
        import lance

        with self._lock:
            dataset = self._open.get(path)
            try:
                if dataset is None:
                    dataset = lance.dataset(path)
                else:
                    latest = dataset.latest_version
                    if latest != dataset.version:
                        dataset = dataset.checkout_version(latest)
            except (OSError, ValueError) as error:
                self._open.pop(path, None)
                raise OperationalError(f"cannot open the Lance dataset {path}: {error}") from error
            self._open[path] = dataset
            return dataset

    def vectors(self, path: str, column: str, dimension: int) -> ExactVectors:
        """The vectors of `column` at the dataset's latest version, read once per version (for exact batch search)."""
        dataset = self.latest(path)
        with self._lock:
            cached = self._vectors.get((path, column))
            if cached is None or cached.version != dataset.version:
                cached = ExactVectors.read(dataset, column, dimension)
                self._vectors[(path, column)] = cached
            return cached

    def clear(self) -> None:
        """Forget open datasets (a table dropped and made again restarts its version numbers)."""
        with self._lock:
            self._open.clear()
            self._vectors.clear()


@dataclass(frozen=True)
class ExactVectors:
    """One version of a dataset's vector column as a numpy matrix, for exact top-k by matrix products."""

    dataset: Any
    version: int
    matrix: np.ndarray  # (rows, dimension) float32; rows with a NULL vector are zeros and never returned
    valid: np.ndarray  # bool per row
    squared_norms: np.ndarray  # float32 per row
    filters: FilterColumns = field(default_factory=lambda: FilterColumns())

    def search(self, queries: np.ndarray, search: AnnSearch) -> tuple[np.ndarray, np.ndarray]:
        """`top_k` of an exact search: among the rows its filter keeps, when it has one."""
        among = self.matching(search.exact_filter, search.exact_filter_columns) if search.exact_filter is not None else None
        return self.top_k(queries, search.k, search.metric, among)

    def matching(self, filter_sql: str, columns: tuple[str, ...]) -> np.ndarray:
        """Positions (sorted) of the rows whose `columns` satisfy `filter_sql` (DuckDB SQL over those columns)."""
        return self.filters.matching(self.dataset, filter_sql, columns)

    def rows(self, positions: np.ndarray, columns: tuple[str, ...]) -> pa.Table:
        """`columns` of the rows at `positions` (sorted, distinct). Fixed-width columns come from a copy held per
        version (microseconds); the others from Lance's take (~1.2 ms for ten rows of 1M, scratch timing)."""
        others = [c for c in columns if not self.filters.holds(self.dataset, c)]
        taken = self.dataset.take(positions, columns=others) if others else None
        return pa.table({c: taken.column(c) if c in others else self.filters.column(c).take(pa.array(positions)) for c in columns})

    @staticmethod
    def read(dataset: Any, column: str, dimension: int) -> ExactVectors:
        array = dataset.to_table(columns=[column]).column(column).combine_chunks()
        if len(array) == 0:
            matrix, valid = np.zeros((0, dimension), dtype=np.float32), np.zeros(0, dtype=bool)
        else:
            valid = array.is_valid().to_numpy(zero_copy_only=False)
            values = array.values.to_numpy(zero_copy_only=False)[array.offset * dimension : (array.offset + len(array)) * dimension]
            matrix = np.nan_to_num(np.asarray(values, dtype=np.float32)).reshape(len(array), dimension).copy()
            matrix[~valid] = 0
        return ExactVectors(dataset, dataset.version, matrix, valid, np.einsum("ij,ij->i", matrix, matrix))

    def top_k(self, queries: np.ndarray, k: int, metric: str, among: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Row positions and distances (DuckDB's units) of each query's k nearest rows, nearest first; -1 pads.

        `among`: rank only these positions (a filter's rows, sorted). One query reads them in place with the
        compiled kernel (storage/exact_kernel.py); a batch of queries gathers them once for its matrix products.
        """
        positions = np.full((len(queries), k), -1, dtype=np.int64)
        distances = np.full((len(queries), k), np.inf, dtype=np.float32)
        rows = np.arange(len(self.matrix)) if among is None else among
        if len(rows) == 0:
            return positions, distances
        matrix, squared_norms, valid = self.matrix, self.squared_norms, self.valid
        if among is not None:
            squared_norms, valid = squared_norms[among], valid[among]
            if len(queries) != 1:
                matrix = matrix[among]
        block = max(1, (1 << 24) // len(rows))  # ~64 MB of distances at a time
        for start in range(0, len(queries), block):
            q = queries[start : start + block]
            if among is not None and len(queries) == 1:
                from aidb.storage.exact_kernel import products_at

                products = products_at(self.matrix, among, np.ascontiguousarray(q[0]))[None, :]
            else:
                products = q @ matrix.T
            d = _distances(q, products, squared_norms, valid, metric)
            take = min(k, len(rows))
            nearest = np.argpartition(d, take - 1, axis=1)[:, :take] if take < len(rows) else np.tile(np.arange(len(rows)), (len(q), 1))
            nearest_d = np.take_along_axis(d, nearest, axis=1)
            nearest = rows[nearest]
            if metric == "l2":  # the expanded form loses digits near 0: measure the chosen rows directly
                exact = np.linalg.norm(q[:, None, :] - self.matrix[nearest], axis=2).astype(np.float32)
                nearest_d = np.where(np.isfinite(nearest_d), exact, np.inf)
            order = np.argsort(nearest_d, axis=1, kind="stable")
            nearest, nearest_d = np.take_along_axis(nearest, order, axis=1), np.take_along_axis(nearest_d, order, axis=1)
            found = np.isfinite(nearest_d)
            positions[start : start + len(q), :take] = np.where(found, nearest, -1)
            distances[start : start + len(q), :take] = nearest_d
        return positions, distances

def _distances(queries: np.ndarray, products: np.ndarray, squared_norms: np.ndarray, valid: np.ndarray, metric: str) -> np.ndarray:
    """Distances in DuckDB's units from the queries' dot products with rows; inf for rows without a vector."""
    if metric == "cosine":
        with np.errstate(divide="ignore", invalid="ignore"):
            d = 1 - products / (np.linalg.norm(queries, axis=1)[:, None] * np.sqrt(squared_norms)[None, :])
    elif metric == "l2":
        d = np.sqrt(np.maximum(np.einsum("ij,ij->i", queries, queries)[:, None] + squared_norms[None, :] - 2 * products, 0))
    else:  # dot
        d = -products
    return np.where(valid[None, :] & np.isfinite(d), d, np.inf).astype(np.float32)


class FilterColumns:
    """Columns of one dataset version that exact searches filter on, in a private in-memory DuckDB database.

    Each column set is read from Lance once, in the same (fragment) order as the vectors, beside a position
    column; a filter then costs what it costs DuckDB on an in-memory table (0.5 ms for `id < 1000` of 1M rows,
    zone maps skipping the rest; pylance's own filter scan took 6 ms, scratch timing).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._tables: dict[tuple[str, ...], str] = {}
        self._columns: dict[str, pa.Array | None] = {}  # fixed-width columns held as Arrow (None: not fixed-width)

    def holds(self, dataset: Any, column: str) -> bool:
        """Whether `column` is fixed-width (numbers, booleans, dates, times), so it is held here once read."""
        with self._lock:
            if column not in self._columns:
                kind = dataset.schema.field(column).type
                fixed = pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind) or pa.types.is_temporal(kind)
                self._columns[column] = dataset.to_table(columns=[column]).column(column).combine_chunks() if fixed else None
            return self._columns[column] is not None

    def column(self, column: str) -> pa.Array:
        return self._columns[column]

    def matching(self, dataset: Any, filter_sql: str, columns: tuple[str, ...]) -> np.ndarray:
        with self._lock:
            if self._con is None:
                self._con = duckdb.connect()
            table = self._tables.get(columns)
            if table is None:
                table = self._tables[columns] = f"rows_{len(self._tables)}"
                read = dataset.to_table(columns=list(columns))
                read = read.append_column("__aidb_pos", pa.array(np.arange(read.num_rows, dtype=np.int64)))
                self._con.register("__aidb_read", read)
                self._con.execute(f"CREATE TABLE {table} AS SELECT * FROM __aidb_read")
                self._con.unregister("__aidb_read")
            try:
                found = self._con.execute(f"SELECT __aidb_pos FROM {table} WHERE {filter_sql}").fetchnumpy()
            except duckdb.Error as error:
                raise ProgrammingError(f"the filter {filter_sql} of an exact vector search failed: {error}") from error
            positions = np.asarray(found["__aidb_pos"], dtype=np.int64)
            return positions if np.all(positions[1:] > positions[:-1]) else np.sort(positions)  # a parallel scan may mix them


def register_search_function(
    con: duckdb.DuckDBPyConnection, name: str, search: AnnSearch, datasets: OpenDatasets, report: Callable[[Error], None]
) -> None:
    """Register the function `name` (result type `search.returns`) on `con`."""
    arrow_type = con.execute(f"SELECT CAST(NULL AS {search.returns}) AS r").to_arrow_table().schema.field("r").type

    def run(vectors: pa.Array, searches: pa.Array) -> pa.Array:
        try:
            return _run_searches(vectors, searches, arrow_type, datasets)
        except Error as error:
            report(error)
            raise

    con.create_function(
        name,
        run,
        [duckdb.sqltype(f"FLOAT[{search.dimension}]"), duckdb.sqltype("VARCHAR")],
        duckdb.sqltype(search.returns),
        type="arrow",
        null_handling="special",
        side_effects=True,  # the dataset may change between calls with the same arguments
    )


def _run_searches(vectors: pa.Array, searches: pa.Array, arrow_type: pa.ListType, datasets: OpenDatasets) -> pa.Array:
    if isinstance(vectors, pa.ChunkedArray):
        vectors = vectors.combine_chunks()
    if isinstance(searches, pa.ChunkedArray):
        searches = searches.combine_chunks()
    texts = searches.unique().drop_null()
    if len(texts) == 1 and _parsed(texts[0].as_py()).exact:
        return _run_exact(vectors, searches.is_valid(), _parsed(texts[0].as_py()), arrow_type, datasets)
    struct_type: pa.StructType = arrow_type.value_type
    parts, offsets, valid = [], [0], []
    for i in range(len(vectors)):
        if not vectors[i].is_valid or not searches[i].is_valid:
            valid.append(False)
            offsets.append(offsets[-1])
            continue
        search = _parsed(searches[i].as_py())
        query = np.asarray(vectors[i].values.to_numpy(zero_copy_only=False), dtype=np.float32)
        rows = run_search(datasets.latest(search.dataset), search, query)
        parts.append(pa.StructArray.from_arrays([rows.column(f.name).combine_chunks().cast(f.type) for f in struct_type], fields=list(struct_type)))
        valid.append(True)
        offsets.append(offsets[-1] + rows.num_rows)
    values = pa.concat_arrays(parts) if parts else pa.array([], type=struct_type)
    mask = None if all(valid) else pa.array([not v for v in valid])
    return pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), values, type=arrow_type, mask=mask)


def _run_exact(vectors: pa.Array, searched: pa.Array, search: AnnSearch, arrow_type: pa.ListType, datasets: OpenDatasets) -> pa.Array:
    """Exact top-k for a whole chunk of query vectors: one matrix product per block of queries, then one `take`."""
    valid = (vectors.is_valid().to_numpy(zero_copy_only=False) & searched.to_numpy(zero_copy_only=False)).astype(bool)
    count = len(vectors)
    values = vectors.values.to_numpy(zero_copy_only=False)[vectors.offset * search.dimension : (vectors.offset + count) * search.dimension]
    queries = np.asarray(values, dtype=np.float32).reshape(count, search.dimension)[valid]
    if not np.isfinite(queries).all():
        raise DataError(f"vector search of {search.column}: a query vector has a NaN or infinite value")
    table = datasets.vectors(search.dataset, search.column, search.dimension)
    positions, distances = table.search(queries, search)
    found = positions >= 0
    wanted = np.unique(positions[found])
    rows = table.rows(wanted, search.columns) if search.columns else pa.table({"_": pa.nulls(len(wanted))})
    struct_type: pa.StructType = arrow_type.value_type
    picks = pa.array(np.searchsorted(wanted, positions[found]))
    columns = [rows.column(f.name).take(picks).combine_chunks().cast(f.type) for f in struct_type if f.name != DISTANCE_COLUMN]
    columns.append(pa.array(distances[found], type=pa.float32()).cast(struct_type.field(DISTANCE_COLUMN).type))
    values = pa.StructArray.from_arrays(columns, fields=list(struct_type))
    lengths = np.zeros(count, dtype=np.int32)
    lengths[valid] = found.sum(axis=1)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    mask = None if valid.all() else pa.array(~valid)
    return pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), values, type=arrow_type, mask=mask)


def run_exact_search(datasets: OpenDatasets, search: AnnSearch, query: np.ndarray) -> pa.Table:
    """An exact search's rows for one query vector (what the search-first plan binds): its columns, then `_distance`."""
    _check_query(search, query)
    table = datasets.vectors(search.dataset, search.column, search.dimension)
    positions, distances = table.search(query[None, :].astype(np.float32), search)
    found = positions[0] >= 0
    distance = pa.array(distances[0][found], type=pa.float32())
    if not search.columns:
        return pa.table({DISTANCE_COLUMN: distance})
    order = np.argsort(positions[0][found], kind="stable")  # rows() reads sorted positions
    rows = table.rows(positions[0][found][order], search.columns).take(pa.array(np.argsort(order)))
    return rows.append_column(DISTANCE_COLUMN, distance)


def run_search(dataset: Any, search: AnnSearch, query: np.ndarray) -> pa.Table:
    """The top-k rows of `search` for `query`: the search's columns, then `_distance`."""
    _check_query(search, query)
    nearest = {"column": search.column, "q": query, "k": search.k, "metric": search.metric}
    if search.nprobes is not None:
        nearest["nprobes"] = search.nprobes
    if search.refine_factor is not None:
        nearest["refine_factor"] = search.refine_factor
    try:
        return dataset.to_table(
            columns=[*search.columns, DISTANCE_COLUMN],
            nearest=nearest,
            filter=search.filter,
            prefilter=search.filter is not None,
        )
    except (OSError, ValueError, RuntimeError) as error:
        where = f" with the filter {search.filter!r}" if search.filter else ""
        raise ProgrammingError(f"vector search of {search.column} in {search.dataset}{where} failed in Lance: {error}") from error


def _check_query(search: AnnSearch, query: np.ndarray) -> None:
    if len(query) != search.dimension or not np.isfinite(query).all():
        what = f"{len(query)} dimensions" if len(query) != search.dimension else "a NaN or infinite value"
        raise DataError(f"vector search of {search.column}: the query vector has {what} (FLOAT[{search.dimension}] expected)")


@lru_cache(maxsize=256)
def _parsed(text: str) -> AnnSearch:
    return AnnSearch.from_json(text)
