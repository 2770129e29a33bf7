"""The total a statement's progress shows: rows of the one table a statement calling aidb's Python functions scans."""

from __future__ import annotations

import duckdb
from sqlglot import exp

from aidb.engine.plan_cache import LruCache
from aidb.sql.catalog_view import CatalogView, FunctionInfo
from aidb.sql.table_references import single_scanned_table

_NOT_A_FUNCTION = FunctionInfo("", "", "", (), "", "", "")


class ProgressTotals:
    """Per session: which statements report progress (cached by text) and how many input rows they have."""

    def __init__(self, duck: duckdb.DuckDBPyConnection) -> None:
        self._duck = duck
        self._udf_calls: LruCache[bool] = LruCache()  # by statement text: whether it calls aidb's Python functions

    def clear(self) -> None:
        self._udf_calls.clear()

    def reports_progress(self, text: str, tree: exp.Expression, catalog: CatalogView) -> bool:
        """Whether the statement calls aidb's Python functions, which report the rows they process."""
        calls = self._udf_calls.get(text)
        if calls is None:
            calls = any(catalog.functions.get(f.name.lower(), _NOT_A_FUNCTION).kind == "udf" for f in tree.find_all(exp.Anonymous))
            self._udf_calls.put(text, calls)
        return calls

    def input_rows(self, tree: exp.Expression) -> int | None:
        """Rows of the one table a model-function statement scans: the total its progress shows (None if unknown)."""
        table = single_scanned_table(tree)
        if table is None:
            return None
        table = table.copy()
        table.set("alias", None)
        try:
            return int(self._duck.execute(f"SELECT count(*) FROM {table.sql(dialect='duckdb')}").fetchone()[0])
        except duckdb.Error:
            return None  # not countable on its own (a CTE's name, say): the statement runs without a total
