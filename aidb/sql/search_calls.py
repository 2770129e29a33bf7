"""Build and read the SQL of pylance ANN searches: the search function's call, and filters in Lance's SQL.

The vector search rewrite turns a top-k query over a table with a pylance-built index into
`(SELECT unnest(__aidb_ann_<sig>(query_vector, '<search JSON>'), max_depth := 2))`; the engine finds those
calls again (`searches_in`) to register their functions, and storage/lance_search.py runs them.
"""

from __future__ import annotations

import itertools
import re

from sqlglot import exp

from aidb.ann_search import ANN_FUNCTION_PREFIX, DISTANCE_COLUMN, AnnSearch, function_name
from aidb.catalog_records import VectorIndexInfo, VectorTableInfo


def search_of(
    table: VectorTableInfo, index: VectorIndexInfo, columns: tuple[str, ...], k: int, metric: str, options: dict, filter: str | None = None
) -> AnnSearch:
    """The search of `index` that returns `columns` of `table`; `options` may set nprobes and refine_factor."""
    dimension = table.vector_columns[index.column.lower()]
    return AnnSearch(
        dataset=table.dataset,
        column=index.column,
        columns=columns,
        k=k,
        metric=metric,
        dimension=dimension,
        returns=result_type(columns, table.column_types),
        filter=filter,
        nprobes=int(options["nprobes"]) if "nprobes" in options else None,
        refine_factor=int(options["refine_factor"]) if "refine_factor" in options else None,
    )


def result_type(columns: tuple[str, ...], column_types: dict[str, str]) -> str:
    fields = [f"{_quoted(c)} {column_types[c]}" for c in columns] + [f"{DISTANCE_COLUMN} FLOAT"]
    return f"STRUCT({', '.join(fields)})[]"


def search_call(search: AnnSearch, vector: exp.Expression) -> exp.Expression:
    """`(SELECT unnest(__aidb_ann_<sig>(vector, '<json>'), max_depth := 2))`: the top-k rows as a subquery.

    Depth 2 unnests the list of rows and then each row into its columns, and no further: a STRUCT or LIST
    column of the table stays one column (`recursive := true` would unnest it too).
    """
    call = exp.Anonymous(this=function_name(search.dimension, search.returns), expressions=[vector, exp.Literal.string(search.to_json())])
    depth = exp.PropertyEQ(this=exp.to_identifier("max_depth"), expression=exp.Literal.number(2))
    return exp.Subquery(this=exp.select(exp.Anonymous(this="unnest", expressions=[call, depth])))


def vector_parameter(vector: exp.Expression) -> exp.Placeholder | None:
    """The statement parameter a search's query vector argument is (bare or cast to FLOAT[n]), else None."""
    if isinstance(vector, exp.Cast):
        vector = vector.this
    return vector if isinstance(vector, exp.Placeholder) else None


def searches_in(tree: exp.Expression) -> dict[str, AnnSearch]:
    """The pylance searches a rewritten statement calls, by function name (one search per name is enough)."""
    found = {}
    for call in tree.find_all(exp.Anonymous):
        name = call.name.lower()  # DuckDB's function names are case-insensitive; sqlglot writes them upper-case
        if name.startswith(ANN_FUNCTION_PREFIX) and name not in found:
            found[name] = AnnSearch.from_json(call.expressions[1].name)
    return found


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lance_filter(where: exp.Expression) -> str:
    """A pushable filter (`vector_plan.pushable`: the table's columns compared with constants) in Lance SQL.

    Lance parses filters as DataFusion SQL: the same operators and string literals as DuckDB, columns
    unqualified and quoted with backticks when they are not plain names.
    """
    if isinstance(where, exp.Where):
        where = where.this
    where = where.copy()
    for column in list(where.find_all(exp.Column)):
        name = column.name
        column.replace(exp.var(name if _plain_name(name) else "`" + name.replace("`", "``") + "`"))
    return where.sql(dialect="duckdb")


def duckdb_filter(where: exp.Expression) -> tuple[str, tuple[str, ...]]:
    """A pushable filter in DuckDB SQL over the table's columns alone (unqualified, quoted), and those columns."""
    if isinstance(where, exp.Where):
        where = where.this
    where = where.copy()
    names: list[str] = []
    for column in list(where.find_all(exp.Column)):
        if column.name not in names:
            names.append(column.name)
        column.replace(exp.column(exp.to_identifier(column.name, quoted=True)))
    return where.sql(dialect="duckdb"), tuple(names)


def lance_filter_template(where: exp.Expression) -> tuple[str, ...]:
    """`lance_filter` of a filter with statement parameters, split around them: text, name, text, ..., text."""
    where = (where.this if isinstance(where, exp.Where) else where).copy()
    text = lance_filter(where)
    nonce = next(f"aidbparam{i}x" for i in itertools.count() if f"aidbparam{i}x" not in text)
    for holder in list(where.find_all(exp.Placeholder)):
        holder.replace(exp.var(f"{nonce}{holder.this}{nonce}"))
    return tuple(re.split(f"{nonce}(.*?){nonce}", lance_filter(where)))


def _plain_name(name: str) -> bool:
    return name.isidentifier() and name.isascii() and name.upper() not in _RESERVED


# Names DataFusion's parser reads as keywords, quoted even when plain.
_RESERVED = {"AND", "OR", "NOT", "NULL", "TRUE", "FALSE", "IS", "IN", "LIKE", "BETWEEN", "SELECT", "FROM", "WHERE", "ORDER", "BY", "GROUP", "LIMIT", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "AS", "DATE", "TIMESTAMP", "INTERVAL"}
