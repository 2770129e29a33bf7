"""Recognise `SET aidb_<name> = value` and `RESET aidb_<name>`: statements aidb answers itself (DuckDB has no such setting)."""

from __future__ import annotations

from sqlglot import exp

from aidb.errors import ProgrammingError
from aidb.settings import is_setting


def setting_change(tree: exp.Expression | None, text: str) -> tuple[str, object | None] | None:
    """(name, value) for SET aidb_x = value, (name, None) for RESET aidb_x; None for any other statement."""
    if isinstance(tree, exp.Set) and len(tree.expressions) == 1:
        item = tree.expressions[0]
        assignment = item.this if isinstance(item, exp.SetItem) else None
        if isinstance(assignment, exp.EQ) and isinstance(assignment.this, exp.Column) and is_setting(assignment.this.name):
            if item.args.get("kind"):
                raise ProgrammingError(f"aidb settings belong to the connection: SET {assignment.this.name} = ..., without {item.args['kind']}")
            return assignment.this.name, _value(assignment.this.name, assignment.expression)
        return None
    words = text.strip().rstrip(";").split()
    if tree is None and len(words) == 2 and words[0].upper() == "RESET" and is_setting(words[1]):
        return words[1], None
    return None


def _value(name: str, node: exp.Expression) -> object:
    if isinstance(node, exp.Literal) and node.is_string:
        return node.this
    if isinstance(node, exp.Literal) and not node.is_string:
        number = float(node.this)
        return int(number) if number.is_integer() else number
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal):
        return -float(node.this.this)
    raise ProgrammingError(f"SET {name}: expected a number or a quoted string, got {node.sql(dialect='duckdb')}")
