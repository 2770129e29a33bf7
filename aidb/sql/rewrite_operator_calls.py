"""Pass: operator table functions in FROM (`near_duplicates(docs, text)`, ...) become placeholder relations.

DuckDB cannot run an operator such as MinHash-LSH clustering, so each call is replaced by a reference to a
relation named `aidb_operator_<n>` and recorded as an `OperatorCall` on the statement's tree
(`operator_calls(tree)`): the input (a table name or a subquery's SQL), the arguments as Python literals or
references to the statement's parameters. The engine runs the calls, innermost first, registers each result
under its placeholder's name, then runs the rewritten statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from aidb.errors import NotSupportedError, ProgrammingError, did_you_mean
from aidb.sql.catalog_view import CatalogView, FunctionInfo
from aidb.sql.rewrite_function_arguments import split_arguments
from aidb.sql.statements import literal_value

PLACEHOLDER_PREFIX = "aidb_operator_"
_META_KEY = "aidb_operator_calls"


@dataclass(frozen=True)
class ParameterRef:
    """An argument bound at execution: the statement's `?` number `position` (0-based) or its `$name`."""

    position: int | None = None
    name: str | None = None


@dataclass(frozen=True)
class RelationArgument:
    """A table argument after the first (dsir_sample's target := (SELECT ...)): planned and read like the input."""

    name: str  # the table name or '(subquery)', for messages
    sql: str  # SELECT * FROM <table> or the subquery, DuckDB SQL, not yet planned


EXPRESSION_PREFIX = "aidb_expression_"


@dataclass(frozen=True)
class OperatorCall:
    operator: str
    relation: str  # the placeholder relation's name in the rewritten statement
    input_name: str  # the input table's name, or '(subquery)'
    input_sql: str  # SELECT * FROM <table> or the subquery, DuckDB SQL (may name earlier calls' relations)
    arguments: tuple[tuple[str, Any], ...]  # (parameter, value or ParameterRef), every parameter, defaults filled

    def argument(self, name: str) -> Any:
        return dict(self.arguments)[name]

    def describe(self, input_sql: str | None = None) -> str:
        """The call as EXPLAIN AIDB shows it, over its input query (`input_sql`: as planned, when given)."""
        shown = ", ".join(f"{k} := {_show(v)}" for k, v in self.arguments)
        return f"{self.relation} := {self.operator}({shown}) over {input_sql or self.input_sql}"


def rewrite_operator_calls(tree: exp.Expression, catalog: CatalogView) -> exp.Expression:
    operators = {name: f for name, f in catalog.functions.items() if f.kind == "operator"}
    found = [t for t in tree.find_all(exp.Table) if isinstance(t.this, exp.Anonymous) and t.this.name.lower() in operators]
    if not found:
        return tree
    tree = tree.copy()
    question_marks = [p for p in tree.find_all(exp.Placeholder) if p.this is None]
    ordinal = {id(p): i for i, p in enumerate(_in_written_order(tree, question_marks))}
    calls: list[OperatorCall] = list(tree.meta.get(_META_KEY, ()))
    # innermost first: an operator whose input is a subquery calling another runs after it
    tables = [t for t in tree.find_all(exp.Table) if isinstance(t.this, exp.Anonymous) and t.this.name.lower() in operators]
    for node in sorted(tables, key=_depth, reverse=True):
        function = operators[node.this.name.lower()]
        relation = f"{PLACEHOLDER_PREFIX}{len(calls)}"
        calls.append(_record_call(node.this, function, relation, ordinal))
        alias = node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(function.name))
        node.replace(exp.Table(this=exp.to_identifier(relation), alias=alias))
    tree.meta[_META_KEY] = tuple(calls)
    return tree


def operator_calls(tree: exp.Expression | None) -> tuple[OperatorCall, ...]:
    """The operator calls a rewritten statement depends on, in the order they must run."""
    return tuple(tree.meta.get(_META_KEY, ())) if tree is not None else ()


def bound_positions(calls: tuple[OperatorCall, ...]) -> set[int]:
    """The `?` parameters (0-based) the calls take, which the rewritten statement no longer has."""
    return {v.position for call in calls for _, v in call.arguments if isinstance(v, ParameterRef) and v.position is not None}


def _record_call(call: exp.Anonymous, function: FunctionInfo, relation: str, ordinal: dict[int, int]) -> OperatorCall:
    positional, named = split_arguments(call, function)
    names = [p.name for p in function.params]
    if len(positional) > len(names):
        raise ProgrammingError(f"{function.name}() takes at most {len(names)} arguments, got {len(positional)}; usage: {function.signature}")
    for key in named:
        if key not in names:
            raise ProgrammingError(f"{function.name}() has no parameter {key!r}.{did_you_mean(key, names)} usage: {function.signature}")
    values: list[tuple[str, Any]] = []
    input_name = input_sql = ""
    expressions: list[tuple[str, str]] = []  # (column alias, SQL) computed alongside the input
    for index, param in enumerate(function.params):
        given = positional[index] if index < len(positional) else named.get(param.name)
        if index < len(positional) and param.name in named:
            raise ProgrammingError(f"{function.name}(): argument {param.name} given twice; usage: {function.signature}")
        if given is None:
            if param.required:
                raise ProgrammingError(f"{function.name}(): missing argument {param.name}; usage: {function.signature}")
            values.append((param.name, param.default))
        elif param.type == "table" and input_sql:
            values.append((param.name, RelationArgument(*_input(given, function, param.name))))
        elif param.type == "table":
            input_name, input_sql = _input(given, function, param.name)
            values.append((param.name, input_name))
        elif param.type == "expression" and not isinstance(given, exp.Placeholder):
            alias = f"{EXPRESSION_PREFIX}{param.name}"
            expressions.append((alias, given.sql(dialect="duckdb")))
            values.append((param.name, alias))
        else:
            values.append((param.name, _value(given, function, param.name, param.type, ordinal)))
    if expressions:
        if not input_sql:
            raise ProgrammingError(f"{function.name}(): an expression argument needs the table it is computed over")
        computed = ", ".join(f'({sql}) AS "{alias}"' for alias, sql in expressions)
        input_sql = f"SELECT *, {computed} FROM ({input_sql}) AS aidb_input"
    return OperatorCall(function.name, relation, input_name, input_sql, tuple(values))


def _input(node: exp.Expression, function: FunctionInfo, argument: str) -> tuple[str, str]:
    if isinstance(node, exp.Subquery):
        if any(True for _ in node.find_all(exp.Placeholder)):
            raise NotSupportedError(
                f"{function.name}(): argument {argument}: parameters inside the input subquery are not supported; "
                "bind them in a CREATE TEMP TABLE first or write the values"
            )
        return "(subquery)", node.this.sql(dialect="duckdb")
    if isinstance(node, exp.Column):
        table = exp.Table(this=node.this.copy(), db=node.args.get("table").copy() if node.args.get("table") else None)
    elif isinstance(node, (exp.Table, exp.Identifier)):
        table = exp.to_table(node.name) if isinstance(node, exp.Identifier) else node.copy()
    elif isinstance(node, exp.Literal) and node.is_string:
        table = exp.to_table(node.this, dialect="duckdb")
    else:
        raise ProgrammingError(f"{function.name}(): argument {argument} must be a table name or a subquery, got {node.sql(dialect='duckdb')}")
    name = table.sql(dialect="duckdb")
    return name, f"SELECT * FROM {name}"


def _value(node: exp.Expression, function: FunctionInfo, argument: str, kind: str, ordinal: dict[int, int]) -> Any:
    if isinstance(node, exp.Placeholder):
        if node.this is None:
            return ParameterRef(position=ordinal[id(node)])
        if str(node.this).isdigit():
            raise NotSupportedError(f"{function.name}(): argument {argument}: bind it as ? or $name, not as ${node.this}")
        return ParameterRef(name=str(node.this))
    if kind == "column":
        if isinstance(node, (exp.Column, exp.Identifier)) or (isinstance(node, exp.Literal) and node.is_string):
            return node.name
        raise ProgrammingError(f"{function.name}(): argument {argument} must be a column name, got {node.sql(dialect='duckdb')}")
    if isinstance(node, exp.Array):
        return [literal_value(e) for e in node.expressions]
    if isinstance(node, exp.Struct):
        return _struct_value(node, function, argument)
    if isinstance(node, exp.Column) and kind in ("string", "any"):
        return node.name  # keep := quality, a column name written bare
    if not isinstance(node, (exp.Literal, exp.Boolean, exp.Null, exp.Neg)):
        raise ProgrammingError(
            f"{function.name}(): argument {argument} must be a constant, got {node.sql(dialect='duckdb')}"
        )
    value = literal_value(node)
    return check_kind(value, function.name, argument, kind)


def _struct_value(node: exp.Struct, function: FunctionInfo, argument: str) -> dict[str, Any]:
    """{'web': 0.5, 'code': 0.2} as a dict; every value a constant."""
    values: dict[str, Any] = {}
    for item in node.expressions:
        if not isinstance(item, (exp.PropertyEQ, exp.Slice)) or not isinstance(item.expression, (exp.Literal, exp.Boolean, exp.Null, exp.Neg)):
            raise ProgrammingError(f"{function.name}(): argument {argument} must be a struct of constants like {{'key': 0.5}}, got {node.sql(dialect='duckdb')}")
        values[item.this.name] = literal_value(item.expression)
    return values


def check_kind(value: Any, operator: str, argument: str, kind: str) -> Any:
    """`value` if it fits the parameter kind (an int for a number is fine); a ProgrammingError naming `argument` otherwise."""
    fits = {
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "list": lambda v: isinstance(v, (list, tuple)),
        "map": lambda v: isinstance(v, dict),
        "column": lambda v: isinstance(v, str),
    }.get(kind)
    if value is not None and fits is not None and not fits(value):
        raise ProgrammingError(f"{operator}(): argument {argument} must be a{'n' if kind[0] in 'aeiou' else ''} {kind}, got {value!r}")
    return value


def _in_written_order(tree: exp.Expression, holders: list[exp.Placeholder]) -> list[exp.Placeholder]:
    """`?` placeholders in the order the SQL text has them (found by naming each and reading the generated SQL)."""
    if not holders:
        return []
    for i, holder in enumerate(holders):
        holder.set("this", f"aidb_order_{i}")
    written = [int(m.group(1)) for m in re.finditer(r"\$aidb_order_(\d+)\b", tree.sql(dialect="duckdb"))]
    for holder in holders:
        holder.set("this", None)
    return [holders[i] for i in written]


def _depth(node: exp.Expression) -> int:
    depth = 0
    while node.parent is not None:
        node, depth = node.parent, depth + 1
    return depth


def _show(value: Any) -> str:
    if isinstance(value, ParameterRef):
        return "?" if value.name is None else f"${value.name}"
    if isinstance(value, RelationArgument):
        return value.name if value.name != "(subquery)" else f"({value.sql})"
    return repr(value)
