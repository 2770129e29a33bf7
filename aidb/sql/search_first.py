"""Plan the variant of a statement whose pylance searches run before DuckDB, when their query vectors are parameters.

A planning step after the rewrite passes (frontend.plan_statement): pure, tree in, variant SQL out. The engine
(engine/search_first.py) runs the searches and binds their rows as the variant's list parameters; why it pays
is told there. In the variant each search subquery becomes
`(SELECT unnest($r1::BIGINT[]) AS id, ..., unnest($rn::FLOAT[]) AS _distance)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from aidb.ann_search import ANN_FUNCTION_PREFIX, DISTANCE_COLUMN, AnnSearch
from aidb.sql.search_calls import vector_parameter

# Result column types whose values survive the trip through Python objects unchanged. Others (STRUCT, MAP,
# TIMESTAMPTZ, INTERVAL, UUID, ...) keep the search inside DuckDB.
_LIST_SAFE = {
    exp.DataType.Type.BOOLEAN, exp.DataType.Type.TINYINT, exp.DataType.Type.SMALLINT, exp.DataType.Type.INT,
    exp.DataType.Type.BIGINT, exp.DataType.Type.UTINYINT, exp.DataType.Type.USMALLINT, exp.DataType.Type.UINT,
    exp.DataType.Type.UBIGINT, exp.DataType.Type.FLOAT, exp.DataType.Type.DOUBLE, exp.DataType.Type.TEXT,
    exp.DataType.Type.VARCHAR, exp.DataType.Type.BLOB, exp.DataType.Type.VARBINARY, exp.DataType.Type.DATE,
}
_RESULT_PARAMETER = "aidb_search_{}_{}"


@dataclass(frozen=True)
class FirstSearch:
    """One search of the variant statement: its query vector's parameter and the parameters of its rows."""

    search: AnnSearch
    vector: str  # the statement's parameter: its number ('1') or its name
    results: tuple[str, ...]  # the variant's parameters that take the result columns, `_distance` last


@dataclass(frozen=True)
class SearchFirstPlan:
    """The variant statement and how to make its parameters from the statement's own."""

    sql: str
    searches: tuple[FirstSearch, ...]
    named: bool  # the statement's parameters are named ($name, a mapping) rather than numbered
    expected: int  # how many parameters the statement takes
    kept: tuple[str, ...]  # the statement's parameters the variant still reads; numbered ones in their new order


def search_first_plan(tree: exp.Expression | None) -> SearchFirstPlan | None:
    """The variant of a rewritten statement whose searches run first, or None when no search can."""
    if tree is None or not any(c.name.lower().startswith(ANN_FUNCTION_PREFIX) for c in tree.find_all(exp.Anonymous)):
        return None
    tree = tree.copy()
    holders = list(tree.find_all(exp.Placeholder))
    own = {str(h.this) for h in holders}
    named = any(not n.isdigit() for n in own)
    if any(h.this is None for h in holders) or (named and any(n.isdigit() for n in own)):
        return None  # `?` or mixed styles: DuckDB refuses them anyway
    firsts = _replace_searches(tree)
    if not firsts or (named and any(r in own for f in firsts for r in f.results)):
        return None
    kept = sorted({str(h.this) for h in tree.find_all(exp.Placeholder)} & own, key=str if named else int)
    if not named:  # DuckDB wants $1..$n, each bound: renumber what the variant still reads, then the rows
        numbers = {old: str(new) for new, old in enumerate(kept, start=1)}
        numbers.update({r: str(len(numbers) + 1 + i) for i, r in enumerate(r for f in firsts for r in f.results)})
        for holder in tree.find_all(exp.Placeholder):
            holder.set("this", numbers[str(holder.this)])
    return SearchFirstPlan(tree.sql(dialect="duckdb"), tuple(firsts), named, len(own), tuple(kept))


def _replace_searches(tree: exp.Expression) -> list[FirstSearch]:
    """Replace, in place, each search subquery whose vector is a parameter by rows read from list parameters."""
    firsts: list[FirstSearch] = []
    for call in list(tree.find_all(exp.Anonymous)):
        if not call.name.lower().startswith(ANN_FUNCTION_PREFIX):
            continue
        vector = vector_parameter(call.expressions[0])
        select = call.parent.parent if call.parent is not None else None  # (SELECT unnest(call, ...)), as search_call builds it
        if vector is None or not isinstance(select, exp.Select) or not isinstance(select.parent, exp.Subquery):
            continue
        if len(select.expressions) != 1 or select.args.get("from_") is not None:
            continue  # batch_vector_search: one search per query row, inside DuckDB
        search = AnnSearch.from_json(call.expressions[1].name)  # calls of one function differ in their JSON
        types = _result_types(search)
        if types is None:
            continue
        results = tuple(_RESULT_PARAMETER.format(len(firsts), j) for j in range(len(types)))
        firsts.append(FirstSearch(search, str(vector.this), results))
        select.replace(_rows_from_parameters(firsts[-1], types))
    return firsts


def _result_types(search: AnnSearch) -> list[exp.DataType] | None:
    struct = exp.DataType.build(search.returns, dialect="duckdb").expressions[0]
    types = [field.args["kind"] for field in struct.expressions]
    return types if all(_list_safe(t) for t in types) else None


def _list_safe(kind: exp.DataType) -> bool:
    if kind.this in (exp.DataType.Type.ARRAY, exp.DataType.Type.LIST):
        return all(_list_safe(e) for e in kind.expressions)
    return kind.this in _LIST_SAFE


def _rows_from_parameters(first: FirstSearch, types: list[exp.DataType]) -> exp.Select:
    names = (*first.search.columns, DISTANCE_COLUMN)
    columns = []
    for name, kind, parameter in zip(names, types, first.results):
        listed = exp.DataType.build(f"{kind.sql(dialect='duckdb')}[]", dialect="duckdb")
        unnest = exp.Anonymous(this="unnest", expressions=[exp.Cast(this=exp.Placeholder(this=parameter), to=listed)])
        columns.append(exp.alias_(unnest, exp.to_identifier(name, quoted=True)))
    return exp.select(*columns)
