"""Pass: MyScale-style vector search in SQL, rewritten to Lance ANN searches or exact DuckDB array functions.

An ANN search on an index pylance built is a call of aidb's pylance search function (sql/search_calls.py builds it, storage/lance_search.py runs it);
on an index the DuckDB extension built, the extension's `lance_vector_search` table function.

- `SELECT ..., distance(emb, v) AS d FROM t WHERE f ORDER BY d LIMIT k`: planned by `vector_plan.choose_plan`
  (exact scan, ANN with the filter applied first, or ANN over-fetch + post-filter); EXPLAIN AIDB shows the
  choice as a comment on the query.
- `vector_search(t, emb, v, k := 10 [, metric, nprobes, refine_factor])`, `batch_vector_search(t, emb, (SELECT id, vec ...), k)`,
  `text_search(t, col, 'query', k)` (BM25, Lance inverted index), `hybrid_search(t, text, emb, 'query', k, fusion := 'rrf'|'rsf')`.
- any other `distance(a, b [, metric])`: the exact DuckDB function of the metric.
"""

from __future__ import annotations

import re
from dataclasses import replace

from sqlglot import exp

from aidb.errors import ProgrammingError
from aidb.settings import Settings
from aidb.sql.catalog_view import CatalogView
from aidb.sql.dialect import declare_functions
from aidb.sql.vector_metrics import DEFAULT_METRIC, METRIC_FUNCTIONS, PYLANCE, lance_distance, metric_argument
from aidb.sql.vector_plan import ANN_POSTFILTER, ANN_PREFILTER, EXACT, choose_plan, probes_for, pushable
from aidb.sql.vector_table_functions import TABLE_FUNCTIONS, columns_read, rewrite_table_function
from aidb.ann_search import DISTANCE_COLUMN, AnnSearch
from aidb.sql.search_calls import duckdb_filter, lance_filter, lance_filter_template, result_type, search_call, search_of, vector_parameter
from aidb.catalog_records import VectorIndexInfo, VectorTableInfo

DISTANCE = "distance"

declare_functions((DISTANCE, *TABLE_FUNCTIONS))


def rewrite_vector_search(tree: exp.Expression, catalog: CatalogView) -> exp.Expression:
    if not any(isinstance(n, exp.Anonymous) and n.name.lower() in (DISTANCE, *TABLE_FUNCTIONS) for n in tree.walk()):
        return tree
    tree = tree.copy()
    number_placeholders(tree)
    tables = catalog.vector_tables
    read = columns_read(tree)
    for node in list(tree.find_all(exp.Table)):
        if isinstance(node.this, exp.Anonymous) and node.this.name.lower() in TABLE_FUNCTIONS:
            node.replace(rewrite_table_function(node, tables, read, catalog.settings))
    for select in reversed(list(tree.find_all(exp.Select))):
        plan_top_k(select, tables, catalog.settings)
    return tree.transform(lambda n: _exact_distance(n, tables) if _is_distance(n) else n)


def number_placeholders(tree: exp.Expression) -> None:
    """Turn positional `?` parameters into `$1`, `$2`, ... in the order they are written.

    An ANN plan moves the query vector from the select list or ORDER BY into FROM, ahead of the WHERE
    clause: a `?` there would take the value meant for a `?` written before it.
    """
    holders = [p for p in tree.find_all(exp.Placeholder) if p.this is None]
    if not holders:
        return
    for i, holder in enumerate(holders):
        holder.set("this", f"aidb_parameter_{i}")
    written = [int(m.group(1)) for m in re.finditer(r"\$aidb_parameter_(\d+)\b", tree.sql(dialect="duckdb"))]
    for number, i in enumerate(written, start=1):
        holders[i].set("this", str(number))


def plan_top_k(select: exp.Select, tables: dict[str, VectorTableInfo], settings: Settings = Settings()) -> None:
    """Rewrite `... ORDER BY distance(col, v) LIMIT k` over one vector table in place."""
    call, k, source = _top_k_shape(select, tables)
    if call is None:
        return
    info = tables[source.name.lower()]
    column, vector, metric = distance_arguments(call, info)
    index = info.indexes.get(column.lower())
    if metric is None:
        metric = index.metric if index is not None else DEFAULT_METRIC
    options = {**(index.options if index is not None else {}), **select.meta.get("aidb_search_options", {})}
    plan = choose_plan(info, column, select.args.get("where"), k, _is_constant(vector), metric, settings.exact_scan_max_rows)
    select.add_comments([plan.comment()], prepend=True)
    if plan.nprobes is not None and "nprobes" not in select.meta.get("aidb_search_options", {}):
        options["nprobes"] = plan.nprobes
    calls = [c for c in select.find_all(exp.Anonymous) if _is_distance(c) and _same_call(c, call)]
    if plan.strategy == EXACT:
        search = _exact_search(select, source.alias_or_name, info, column, calls, k, metric, _is_constant(vector))
        if search is not None and info.row_count >= settings.numpy_exact_min_rows:
            _search_instead_of(source, calls, search, _as_vector(vector, search.dimension))
            return
        select.where(exp.column(column, table=source.alias_or_name).is_(exp.null()).not_(), copy=False)
        for c in calls:
            c.replace(_metric_call(metric, exp.column(column, table=source.alias_or_name), vector, info.vector_columns[column.lower()]))
        return
    alias = source.alias_or_name
    for c in calls:
        c.replace(lance_distance(metric, exp.column(DISTANCE_COLUMN, table=alias)))
    dimension = info.vector_columns[column.lower()]
    if index.options.get("built_with") == PYLANCE:
        where = select.args.get("where")
        pushed = lance_filter(where) if plan.strategy == ANN_PREFILTER and where is not None else None
        search = search_of(info, index, _needed_columns(select, alias, info), plan.fetch_k, metric, options, pushed)
        query = _as_vector(vector, dimension)
        if plan.strategy == ANN_POSTFILTER and vector_parameter(query) is not None:  # engine/search_first.py binds it
            search = _with_bound_filter(search, where, info, index, k, plan.selectivity)
            if search.bound_filter is not None:
                select.add_comments(["once the parameters are bound, the filter runs inside Lance (search first)"])
        rows = search_call(search, query)
        rows.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
        source.replace(rows)
        return
    # An index built by the DuckDB extension's Lance (pylance 14 cannot read it): its table function.
    args = [
        exp.Literal.string(info.dataset),
        exp.Literal.string(column),
        _as_vector(vector, dimension),
        _named("k", exp.Literal.number(plan.fetch_k)),
        _named("prefilter", exp.Boolean(this=plan.strategy == ANN_PREFILTER)),
    ]
    if "nprobes" in options:
        args.append(_named("nprobs", exp.Literal.number(int(options["nprobes"]))))
    if "refine_factor" in options:
        args.append(_named("refine_factor", exp.Literal.number(int(options["refine_factor"]))))
    search = exp.Table(this=exp.Anonymous(this="lance_vector_search", expressions=args), alias=exp.TableAlias(this=exp.to_identifier(alias)))
    source.replace(search)


def _exact_search(
    select: exp.Select, alias: str, info: VectorTableInfo, column: str, calls: list[exp.Anonymous], k: int, metric: str,
    constant_query: bool,
) -> AnnSearch | None:
    """The exact top-k in numpy over the Lance table's vectors (storage/lance_search.py), or None where DuckDB
    scans the table instead: a query vector that is not a constant, a filter DuckDB alone can evaluate (other
    tables, functions, parameters), or rows the open transaction wrote (not in the dataset until COMMIT).

    DuckDB's scan of a Lance table through the extension ran 4-8x slower than its brute force over an in-memory
    table at 1M x 384 (bench/RESULTS.md, "exact top-k"); the numpy search reads the vectors once per dataset
    version and ranks only the rows the filter keeps. Tables under `aidb_numpy_exact_min_rows` rows are scanned
    by DuckDB: cheap at that size, and a table written between searches is not read again whole.
    """
    where = select.args.get("where")
    if info.dataset is None or info.staged or not constant_query or metric not in METRIC_FUNCTIONS:
        return None
    if where is not None and not pushable(where, info):
        return None
    names = {c.lower(): c for c in info.columns}
    text, referenced = duckdb_filter(where) if where is not None else (None, ())
    dimension = info.vector_columns[column.lower()]
    ranked = select.copy()  # the columns the query reads besides the ranking calls (their vectors are not returned)
    for c in [c for c in ranked.find_all(exp.Anonymous) if any(c == ranking for ranking in calls)]:
        c.replace(exp.null())
    columns = _needed_columns(ranked, alias, info)
    if any(c not in info.column_types for c in columns):
        return None  # a column of a type the catalog does not know cannot be declared in the search's result
    return AnnSearch(
        dataset=info.dataset, column=names[column.lower()], columns=columns, k=k, metric=metric, dimension=dimension,
        returns=result_type(columns, info.column_types), exact=True,
        exact_filter=text, exact_filter_columns=tuple(names[c.lower()] for c in referenced),
    )


def _search_instead_of(source: exp.Table, calls: list[exp.Anonymous], search: AnnSearch, query: exp.Expression) -> None:
    """Read `source` from the search's rows; its distance calls become their `_distance` (DuckDB's units)."""
    alias = source.alias_or_name
    for c in calls:
        c.replace(exp.column(DISTANCE_COLUMN, table=alias))
    rows = search_call(search, query)
    rows.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
    source.replace(rows)


def _with_bound_filter(
    search: AnnSearch, where: exp.Expression, info: VectorTableInfo, index: VectorIndexInfo, k: int, selectivity: float
) -> AnnSearch:
    """`search` plus the prefiltered search to run when the filter's parameters are bound (AnnSearch.bound)."""
    if not pushable(where, info, parameters=True):
        return search
    probes = probes_for(index.options, info.row_count * selectivity, k)
    if probes is None:
        return search  # too few matching rows per partition for a prefiltered IVF search: over-fetch
    return replace(search, bound_filter=lance_filter_template(where), bound_k=k, bound_nprobes=max(probes, search.nprobes or 0))


def _needed_columns(select: exp.Select, alias: str, info: VectorTableInfo) -> tuple[str, ...]:
    """The table's columns the query reads (all of them for `*`), in table order."""
    if any(isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star)) for e in select.expressions):
        return info.columns
    names = {c.name.lower() for c in select.find_all(exp.Column) if not c.table or c.table.lower() == alias.lower()}
    return tuple(c for c in info.columns if c.lower() in names)


def distance_arguments(call: exp.Anonymous, info: VectorTableInfo) -> tuple[str, exp.Expression, str | None]:
    if len(call.expressions) not in (2, 3):
        raise ProgrammingError("distance() takes (vector_column, query_vector [, metric])")
    column_node, vector = call.expressions[0], call.expressions[1]
    if not isinstance(column_node, exp.Column):
        raise ProgrammingError(f"distance(): the first argument must be a vector column of {info.name}, not {column_node.sql()}")
    column = column_node.name
    if column.lower() not in info.vector_columns:
        kind = "not a fixed-width vector column (FLOAT[n])" if column.lower() in (c.lower() for c in info.columns) else "no such column"
        raise ProgrammingError(f"distance(): {info.name}.{column}: {kind}")
    check_dimension(vector, info.vector_columns[column.lower()], f"{info.name}.{column}")
    metric = metric_argument(call.expressions[2]) if len(call.expressions) == 3 else None
    return column, vector, metric


def check_dimension(vector: exp.Expression, dimension: int, where: str) -> None:
    found = vector_width(vector)
    if found is not None and found != dimension:
        raise ProgrammingError(f"dimension mismatch: {where} is FLOAT[{dimension}] but the query vector has {found} dimensions")


def vector_width(vector: exp.Expression) -> int | None:
    if isinstance(vector, exp.Array):
        return len(vector.expressions)
    if isinstance(vector, exp.Cast):
        values = vector.to.args.get("values") or []
        if vector.to.this == exp.DataType.Type.ARRAY and len(values) == 1 and isinstance(values[0], exp.Literal):
            return int(values[0].this)
        return vector_width(vector.this)
    return None


def _top_k_shape(select: exp.Select, tables: dict[str, VectorTableInfo]):
    none = (None, 0, None)
    order, limit, source = select.args.get("order"), select.args.get("limit"), select.args.get("from_")
    if order is None or limit is None or source is None or select.args.get("joins") or select.args.get("group"):
        return none
    first = order.expressions[0]
    if first.args.get("desc") or not isinstance(limit.expression, exp.Literal) or not limit.expression.is_int:
        return none
    call = first.this
    if isinstance(call, exp.Column) and not call.table:
        aliased = [e.this for e in select.expressions if isinstance(e, exp.Alias) and e.alias.lower() == call.name.lower()]
        call = aliased[0] if aliased else call
    table = source.this
    if not _is_distance(call) or not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
        return none
    if table.args.get("catalog") or table.name.lower() not in tables:
        return none
    return call, int(limit.expression.this), table


def _exact_distance(call: exp.Anonymous, tables: dict[str, VectorTableInfo]) -> exp.Expression:
    if len(call.expressions) not in (2, 3):
        raise ProgrammingError("distance() takes (vector_a, vector_b [, metric])")
    a, b = call.expressions[0], call.expressions[1]
    metric = metric_argument(call.expressions[2]) if len(call.expressions) == 3 else None
    dimension = None
    if isinstance(a, exp.Column):
        for info in tables.values():
            if a.name.lower() in info.vector_columns and (not a.table or a.table.lower() == info.name.lower()):
                dimension = info.vector_columns[a.name.lower()]
                check_dimension(b, dimension, f"{info.name}.{a.name}")
                index = info.indexes.get(a.name.lower())
                metric = metric or (index.metric if index is not None else None)
                break
    return _metric_call(metric or DEFAULT_METRIC, a, b, dimension)


def _metric_call(metric: str, a: exp.Expression, b: exp.Expression, dimension: int | None) -> exp.Expression:
    return exp.Anonymous(this=METRIC_FUNCTIONS[metric], expressions=[a, _as_vector(b, dimension) if dimension else b])


def _as_vector(vector: exp.Expression, dimension: int) -> exp.Expression:
    width = exp.DataType.build(f"FLOAT[{dimension}]", dialect="duckdb")
    if isinstance(vector, exp.Cast) and vector.to == width:
        return vector
    return exp.Cast(this=vector, to=width)


def _is_distance(node: exp.Expression) -> bool:
    return isinstance(node, exp.Anonymous) and node.name.lower() == DISTANCE


def _same_call(a: exp.Expression, b: exp.Expression) -> bool:
    return a is b or a == b


def _is_constant(vector: exp.Expression) -> bool:
    return not any(vector.find_all(exp.Column, exp.Select, exp.Subquery))


def _named(name: str, value: exp.Expression) -> exp.Expression:
    return exp.PropertyEQ(this=exp.to_identifier(name), expression=value)
