"""The search table functions (`vector_search`, `batch_vector_search`, `text_search`, `hybrid_search`) as subqueries.

`vector_search` becomes an `ORDER BY distance(...) LIMIT k` query, which the top-k planner then rewrites,
so the table function and the SQL form always run the same plan.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from aidb.errors import ProgrammingError, did_you_mean
from aidb.ann_search import DISTANCE_COLUMN, AnnSearch
from aidb.sql.search_calls import result_type, search_call, search_of
from aidb.sql.vector_metrics import METRIC_FUNCTIONS, PYLANCE, lance_distance, metric_argument
from aidb.settings import Settings
from aidb.catalog_records import VectorTableInfo

TABLE_FUNCTIONS = ("vector_search", "batch_vector_search", "text_search", "hybrid_search")
DEFAULT_K = 10
# Reciprocal rank fusion constant from Cormack, Clarke & Buettcher 2009 ("RRF outperforms Condorcet ...").
RRF_K = 60
# Candidates taken from each ranking before fusing (Lance's hybrid default oversample factor).
FUSION_OVERSAMPLE = 4


def rewrite_table_function(
    node: exp.Table, tables: dict[str, VectorTableInfo], read: set[str] | None = None, settings: Settings = Settings()
) -> exp.Expression:
    """The table function call `node` as a subquery; `read` (from `columns_read`) lets vector_search select fewer columns."""
    call: exp.Anonymous = node.this
    name = call.name.lower()
    positional, named = _arguments(call)
    if not positional:
        raise ProgrammingError(f"{name}(): the first argument is the table to search")
    info = _table(positional[0], tables, name)
    if name == "batch_vector_search":
        query = _batch(info, positional[1:], named, settings.exact_scan_max_rows)
    else:
        builder = {"vector_search": _vector_search, "text_search": _text, "hybrid_search": _hybrid}[name]
        query = builder(info, positional[1:], named)
    if name == "vector_search" and read is not None:
        # the search fetches every column selected here
        for column in [e for e in query.expressions if isinstance(e, exp.Column) and e.name.lower() not in read]:
            column.pop()
    return exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier(node.alias or name)))


def _vector_search(info: VectorTableInfo, args: list[exp.Expression], named: dict[str, exp.Expression]) -> exp.Select:
    column, vector = _need(args, 2, "vector_search(table, column, query_vector, k := 10)")[:2]
    k = _int(args[2] if len(args) > 2 else named.get("k"), DEFAULT_K)
    distance_args = [column, vector] + ([named["metric"]] if "metric" in named else [])
    select = exp.select(*[exp.column(c) for c in info.columns]).select(
        exp.alias_(exp.Anonymous(this="distance", expressions=distance_args), "_distance")
    )
    select = select.from_(exp.to_table(info.name)).order_by("_distance", dialect="duckdb").limit(k)
    select.meta["aidb_search_options"] = {o: _int(named[o], 0) for o in ("nprobes", "refine_factor") if o in named}
    return select


def columns_read(tree: exp.Expression) -> set[str] | None:
    """Lower-cased names of the columns `tree` reads outside its search table functions' arguments; None for all.

    Conservative: a column counts as read when a column of that name appears anywhere; a `*` or a whole-row
    reference (a table function's alias used as a column) reads them all. `emb` in vector_search(docs, emb, ...)
    is an argument, not a read.
    """
    calls = [t for t in tree.find_all(exp.Table) if isinstance(t.this, exp.Anonymous) and t.this.name.lower() in TABLE_FUNCTIONS]
    arguments = {id(c) for call in calls for c in call.find_all(exp.Column)}
    names = {c.name.lower() for c in tree.find_all(exp.Column) if id(c) not in arguments}
    aliases = {(call.alias or call.this.name).lower() for call in calls}
    if names & aliases or any(True for _ in tree.find_all(exp.Star)):
        return None
    return names


def _batch(info: VectorTableInfo, args: list[exp.Expression], named: dict[str, exp.Expression], exact_scan_max_rows: int) -> exp.Expression:
    """Top-k per query vector; `queries` yields (query_id, query_vector).

    A Lance table is searched by a function that gets a whole DuckDB chunk of query vectors at once: ANN through
    pylance, one search per query row, when the column has an index pylance built and the table is too large to
    scan cheaply; otherwise exact, by numpy matrix products against the dataset's vectors (read once per
    version). A DuckDB table is searched exactly in one DuckDB join.
    """
    column, queries = _need(args, 2, "batch_vector_search(table, column, (SELECT id, vector FROM ...), k := 10)")[:2]
    k = _int(args[2] if len(args) > 2 else named.get("k"), DEFAULT_K)
    dimension = info.vector_columns.get(column.name.lower())
    if dimension is None:
        raise ProgrammingError(f"batch_vector_search(): {info.name}.{column.name} is not a vector column")
    index = info.indexes.get(column.name.lower())
    metric = metric_argument(named["metric"]) if "metric" in named else (index.metric if index else "cosine")
    source = queries.this if isinstance(queries, exp.Subquery) else queries
    queries_sql = f"({source.sql(dialect='duckdb')}) AS __q(query_id, query_vector)"
    names = [exp.to_identifier(c).sql(dialect="duckdb") for c in info.columns]
    vector = f"CAST(__q.query_vector AS FLOAT[{dimension}])"
    ann = index is not None and index.options.get("built_with") == PYLANCE and index.metric == metric
    if info.is_lance and info.dataset:
        if ann and info.row_count > exact_scan_max_rows:
            options = {**index.options, **{o: _int(named[o], 0) for o in ("nprobes", "refine_factor") if o in named}}
            search = search_of(info, index, info.columns, k, metric, options)
            distance = lance_distance(metric, exp.column(DISTANCE_COLUMN, table="__r"))
        else:
            stored = next(c for c in info.columns if c.lower() == column.name.lower())
            returns = result_type(info.columns, info.column_types)
            search = AnnSearch(info.dataset, stored, info.columns, k, metric, dimension, returns, exact=True)
            distance = exp.column(DISTANCE_COLUMN, table="__r")
        ranked = search_call(search, exp.maybe_parse(vector, dialect="duckdb")).this.expressions[0]  # unnest(<search>(...))
        sql = (
            f"SELECT __r.query_id, {', '.join('__r.' + n for n in names)}, {distance.sql(dialect='duckdb')} AS _distance "
            f"FROM (SELECT __q.query_id, {ranked.sql(dialect='duckdb')} FROM {queries_sql}) AS __r"
        )
        return sqlglot.parse_one(sql, read="duckdb")
    columns = ", ".join(f"__t.{n}" for n in names)
    sql = (
        f"SELECT __q.query_id, {columns}, {METRIC_FUNCTIONS[metric]}(__t.{column.sql(dialect='duckdb')}, {vector}) AS _distance "
        f"FROM {exp.to_identifier(info.name).sql(dialect='duckdb')} AS __t, {queries_sql} "
        f"WHERE __t.{column.sql(dialect='duckdb')} IS NOT NULL "
        f"QUALIFY row_number() OVER (PARTITION BY __q.query_id ORDER BY _distance) <= {k}"
    )
    return sqlglot.parse_one(sql, read="duckdb")


def _text(info: VectorTableInfo, args: list[exp.Expression], named: dict[str, exp.Expression]) -> exp.Expression:
    column, query = _need(args, 2, "text_search(table, text_column, 'query', k := 10)")[:2]
    k = _int(args[2] if len(args) > 2 else named.get("k"), DEFAULT_K)
    _lance_only(info, "text_search")
    sql = f"SELECT * FROM lance_fts({_lit(info.dataset)}, {_lit(column.name)}, {query.sql(dialect='duckdb')}, k := {k}) ORDER BY _score DESC"
    return sqlglot.parse_one(sql, read="duckdb")


def _hybrid(info: VectorTableInfo, args: list[exp.Expression], named: dict[str, exp.Expression]) -> exp.Expression:
    """Text and vector rankings fused by RRF (rank based) or RSF (Lance's score-based hybrid search)."""
    text_col, vec_col, query = _need(args, 3, "hybrid_search(table, text_column, vector_column, 'query', k := 10, fusion := 'rrf')")[:3]
    k = _int(args[3] if len(args) > 3 else named.get("k"), DEFAULT_K)
    _lance_only(info, "hybrid_search")
    fusion = named["fusion"].name.lower() if "fusion" in named else "rrf"
    dimension = info.vector_columns.get(vec_col.name.lower())
    if dimension is None:
        raise ProgrammingError(f"hybrid_search(): {info.name}.{vec_col.name} is not a vector column")
    vector = named.get("vector") or exp.Anonymous(this="embed", expressions=[query, exp.null()])
    vec = f"CAST({vector.sql(dialect='duckdb')} AS FLOAT[{dimension}])"
    path, tcol, vcol, q = _lit(info.dataset), _lit(text_col.name), _lit(vec_col.name), query.sql(dialect="duckdb")
    if fusion == "rsf":
        sql = f"SELECT * FROM lance_hybrid_search({path}, {vcol}, {vec}, {tcol}, {q}, k := {k}) ORDER BY _hybrid_score DESC"
        return sqlglot.parse_one(sql, read="duckdb")
    if fusion != "rrf":
        raise ProgrammingError(f"hybrid_search(): unknown fusion {fusion!r}; expected 'rrf' or 'rsf'")
    key = exp.to_identifier(info.columns[0]).sql(dialect="duckdb")  # the first column identifies a row
    both = ", ".join(f"coalesce(v.{c}, f.{c}) AS {c}" for c in (exp.to_identifier(c).sql(dialect="duckdb") for c in info.columns))
    fetch = k * FUSION_OVERSAMPLE
    sql = (
        f"WITH v AS (SELECT *, row_number() OVER (ORDER BY _distance) AS _vector_rank "
        f"FROM lance_vector_search({path}, {vcol}, {vec}, k := {fetch})), "
        f"f AS (SELECT *, row_number() OVER (ORDER BY _score DESC) AS _text_rank FROM lance_fts({path}, {tcol}, {q}, k := {fetch})) "
        f"SELECT {both}, coalesce(1.0 / ({RRF_K} + v._vector_rank), 0) + coalesce(1.0 / ({RRF_K} + f._text_rank), 0) AS _rrf_score "
        f"FROM v FULL OUTER JOIN f ON v.{key} = f.{key} ORDER BY _rrf_score DESC LIMIT {k}"
    )
    return sqlglot.parse_one(sql, read="duckdb")


def _arguments(call: exp.Anonymous) -> tuple[list[exp.Expression], dict[str, exp.Expression]]:
    positional, named = [], {}
    for arg in call.expressions:
        if isinstance(arg, (exp.PropertyEQ, exp.Kwarg, exp.EQ)) and isinstance(arg.this, (exp.Column, exp.Identifier)):
            named[arg.this.name.lower()] = arg.expression
        else:
            positional.append(arg)
    return positional, named


def _table(node: exp.Expression, tables: dict[str, VectorTableInfo], function: str) -> VectorTableInfo:
    name = node.name if isinstance(node, (exp.Column, exp.Table, exp.Identifier, exp.Literal)) else node.sql()
    info = tables.get(name.lower())
    if info is None:
        raise ProgrammingError(
            f"{function}(): no table {name!r} with a vector column.{did_you_mean(name, [t.name for t in tables.values()])}"
        )
    return info


def _lance_only(info: VectorTableInfo, function: str) -> None:
    if not info.is_lance:
        if info.staged:
            raise ProgrammingError(
                f"{function}(): the Lance table {info.name} has writes staged in the open transaction, and its full-text "
                "index covers committed rows only; COMMIT first (vector_search reads the staged rows exactly)"
            )
        raise ProgrammingError(f"{function}(): {info.name} is a DuckDB table; full-text search needs a Lance table (WITH (storage = 'lance'))")


def _need(args: list[exp.Expression], count: int, usage: str) -> list[exp.Expression]:
    if len(args) < count:
        raise ProgrammingError(f"expected {usage}")
    return args


def _int(node: exp.Expression | None, default: int) -> int:
    if node is None:
        return default
    if isinstance(node, exp.Literal) and node.is_int:
        return int(node.this)
    raise ProgrammingError(f"expected an integer constant, got {node.sql()}")


def _lit(text: str | None) -> str:
    return exp.Literal.string(text or "").sql(dialect="duckdb")
