"""Pass: complete calls to aidb functions — named arguments placed, optional ones filled with defaults.

DuckDB binds a Python function to one fixed signature, so `minhash(text, ngram := 3)` becomes
`minhash(text, 128, 3, 1)` before DuckDB sees it.
"""

from __future__ import annotations

from sqlglot import exp

from aidb.errors import ProgrammingError, did_you_mean
from aidb.sql.catalog_view import CatalogView, FunctionInfo, ParamInfo
from aidb.sql.transform import transform_bottom_up


def rewrite_function_arguments(tree: exp.Expression, catalog: CatalogView) -> exp.Expression:
    udfs = {name: f for name, f in catalog.functions.items() if f.kind == "udf"}

    def complete(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and node.name.lower() in udfs:
            return _complete_call(node, udfs[node.name.lower()])
        return node

    return transform_bottom_up(tree, complete)


def split_arguments(call: exp.Anonymous, function: FunctionInfo) -> tuple[list[exp.Expression], dict[str, exp.Expression]]:
    """(positional arguments, named ones by lower-cased name) of a call; a positional one after a named one is an error."""
    positional: list[exp.Expression] = []
    named: dict[str, exp.Expression] = {}
    for arg in call.expressions:
        if isinstance(arg, (exp.PropertyEQ, exp.Kwarg)):
            named[arg.this.name.lower()] = arg.expression
        elif named:
            raise ProgrammingError(f"{function.name}(): a positional argument follows a named one; {_usage(function)}")
        else:
            positional.append(arg)
    return positional, named


def _complete_call(call: exp.Anonymous, function: FunctionInfo) -> exp.Expression:
    positional, named = split_arguments(call, function)
    if not named and len(positional) == len(function.params):
        return call
    if len(positional) > len(function.params):
        raise ProgrammingError(
            f"{function.name}() takes at most {len(function.params)} arguments, got {len(positional)}; {_usage(function)}"
        )
    names = [p.name for p in function.params]
    for key in named:
        if key not in names:
            raise ProgrammingError(
                f"{function.name}() has no parameter {key!r}.{did_you_mean(key, names)} {_usage(function)}"
            )
    args: list[exp.Expression] = []
    for index, param in enumerate(function.params):
        if index < len(positional):
            if param.name in named:
                raise ProgrammingError(f"{function.name}(): {param.name} given twice; {_usage(function)}")
            args.append(positional[index])
        elif param.name in named:
            args.append(named[param.name])
        elif param.required:
            raise ProgrammingError(f"{function.name}(): missing argument {param.name}; {_usage(function)}")
        else:
            args.append(_default_literal(param))
    return exp.Anonymous(this=call.this, expressions=args)


def _default_literal(param: ParamInfo) -> exp.Expression:
    value = param.default
    if value is None:
        return exp.Cast(this=exp.Null(), to=exp.DataType.build(param.type, dialect="duckdb"))
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def _usage(function: FunctionInfo) -> str:
    return f"usage: {function.signature}"
