"""Which model a completed call of a model function uses, read from its SQL (for typing passes and provenance)."""

from __future__ import annotations

from sqlglot import exp

from aidb.errors import ProgrammingError, did_you_mean
from aidb.sql.catalog_view import CatalogView, FunctionInfo
from aidb.catalog_records import ModelRecord

MODEL_PARAM = "model"


def model_of_call(call: exp.Anonymous, function: FunctionInfo, catalog: CatalogView) -> ModelRecord | None:
    """The model a completed call uses, when the SQL says it literally (a name or NULL for the default); None otherwise.

    An unknown name or a model of the wrong kind is an error here, before any row is read.
    """
    names = [p.name for p in function.params]
    if MODEL_PARAM not in names or names.index(MODEL_PARAM) >= len(call.expressions):
        return catalog.effective_default(function.model_kind or "")
    argument = call.expressions[names.index(MODEL_PARAM)]
    while isinstance(argument, exp.Cast):
        argument = argument.this
    if isinstance(argument, exp.Null):
        return catalog.effective_default(function.model_kind or "")
    if not (isinstance(argument, exp.Literal) and argument.is_string):
        return None  # chosen per row (a column or a parameter): unknown until run time
    name = argument.this
    record = catalog.find_model(name)
    if record is None:
        raise ProgrammingError(f"{function.name}(): unknown model {name!r}.{did_you_mean(name, catalog.model_names())}")
    if record.kind != function.model_kind:
        raise ProgrammingError(
            f"{function.name}(): model {name!r} is a {record.kind} model, but a {function.model_kind} model is needed here"
        )
    return record



def runs_on_one_thread(tree: exp.Expression, catalog: CatalogView) -> bool:
    """Whether the statement calls a function declared `one_thread` (every model function: embed, perplexity, ...)."""
    one_thread = {name for name, f in catalog.functions.items() if f.kind == "udf" and f.one_thread}
    return any(call.name.lower() in one_thread for call in tree.find_all(exp.Anonymous))
