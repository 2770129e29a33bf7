"""AST nodes for the statements aidb adds to DuckDB SQL."""

from __future__ import annotations

from sqlglot import exp


class AidbStatement(exp.Expression):
    """Base of aidb's own statements, executed by the engine rather than by DuckDB."""


class CreateModel(AidbStatement):
    # kind: embedding | language | clip | classifier | tokenizer; source: a string literal or a query;
    # using: trainer for classifiers; options: list of exp.Property
    arg_types = {"this": True, "kind": True, "source": True, "options": False, "using": False, "replace": False, "exists": False}


class DropModel(AidbStatement):
    arg_types = {"this": True, "exists": False}


class Show(AidbStatement):
    # this: MODELS | VECTOR INDEXES | FUNCTIONS
    arg_types = {"this": True}


class CreateVectorIndex(AidbStatement):
    arg_types = {"this": True, "table": True, "column": True, "index_type": False, "options": False, "exists": False, "replace": False}


class DropVectorIndex(AidbStatement):
    arg_types = {"this": True, "exists": False}


class OptimizeVectorIndex(AidbStatement):
    arg_types = {"this": True}


class ExplainAidb(AidbStatement):
    arg_types = {"this": True}


def options_dict(node: exp.Expression) -> dict[str, object]:
    """The WITH (key = value, ...) options of a statement as Python values."""
    result: dict[str, object] = {}
    for prop in node.args.get("options") or []:
        result[prop.name.lower()] = literal_value(prop.args["value"])
    return result


def literal_value(node: exp.Expression) -> object:
    if isinstance(node, exp.Literal):
        if node.is_string:
            return node.this
        text = node.this
        return float(text) if any(c in text for c in ".eE") else int(text)
    if isinstance(node, exp.Boolean):
        return node.this
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Neg):
        return -literal_value(node.this)  # type: ignore[operator]
    if isinstance(node, (exp.Identifier, exp.Var, exp.Column)):
        return node.name
    return node.sql(dialect="duckdb")
