"""Which output columns of a CREATE TABLE AS are computed by model functions, and with which model (pure analysis)."""

from __future__ import annotations

from sqlglot import exp

from aidb.catalog_records import ModelColumn
from aidb.sql.catalog_view import CatalogView, FunctionInfo
from aidb.sql.model_arguments import MODEL_PARAM, model_of_call


def model_columns(tree: exp.Expression | None, catalog: CatalogView) -> tuple[ModelColumn, ...]:
    """The model-derived columns of a (rewritten) CREATE TABLE ... AS SELECT; empty for anything else.

    Only the outermost SELECT list is read: a model call hidden in a CTE or subquery is not attributed.
    """
    if not (isinstance(tree, exp.Create) and isinstance(tree.expression, exp.Select)):
        return ()
    model_functions = {name: f for name, f in catalog.functions.items() if f.kind == "udf" and f.model_kind}
    found: list[ModelColumn] = []
    position: int | None = 0
    for projection in tree.expression.expressions:
        if isinstance(projection, exp.Star) or (isinstance(projection, exp.Column) and projection.is_star):
            position = None  # a * expands to an unknown number of columns
            continue
        alias = projection.alias if isinstance(projection, exp.Alias) else None
        for call in projection.find_all(exp.Anonymous):
            function = model_functions.get(call.name.lower())
            if function is None:
                continue
            record = model_of_call(call, function, catalog)
            model_name = record.name if record else _model_argument_sql(call, function)
            found.append(ModelColumn(position, alias, function.name, model_name, record.fingerprint if record else None))
        position = None if position is None else position + 1
    return tuple(found)


def _model_argument_sql(call: exp.Anonymous, function: FunctionInfo) -> str:
    names = [p.name for p in function.params]
    index = names.index(MODEL_PARAM) if MODEL_PARAM in names else -1
    return call.expressions[index].sql(dialect="duckdb") if 0 <= index < len(call.expressions) else "(unknown)"
