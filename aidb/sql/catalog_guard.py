"""Which statements would write aidb's catalog (the `aidb` schema) behind aidb's back.

The catalog changes only through aidb's own statements (CREATE/DROP MODEL, CREATE VECTOR INDEX,
...), which keep it consistent with the files it describes: plain SQL may read `aidb.*` but not
INSERT, UPDATE, DELETE, DROP, ALTER, TRUNCATE, COPY ... FROM, CREATE or COMMENT there, nor make
`aidb` the default schema for unqualified writes (USE aidb, SET schema / search_path).
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import TokenError

from aidb.sql.dialect import AIDB

CATALOG_SCHEMA = "aidb"
_WRITES = (exp.Insert, exp.Update, exp.Delete, exp.Drop, exp.Alter, exp.Create, exp.TruncateTable, exp.Merge, exp.Comment)
_WRITE_WORDS = frozenset({"INSERT", "UPDATE", "DELETE", "DROP", "ALTER", "CREATE", "TRUNCATE", "MERGE", "COPY", "COMMENT", "USE", "SET"})


def catalog_write(tree: exp.Expression | None, text: str) -> str | None:
    """The catalog object `tree` (or, when sqlglot could not parse it, `text`) would write; None when it writes none."""
    if tree is None:
        return _catalog_write_in_text(text)
    if isinstance(tree, exp.Use):
        return CATALOG_SCHEMA if _names_catalog_schema(tree.this) else None
    if isinstance(tree, exp.Set):
        return CATALOG_SCHEMA if _sets_catalog_schema(tree) else None
    if isinstance(tree, exp.Copy):
        return _catalog_table(tree.this) if tree.args.get("kind") else None  # COPY t FROM ... writes t
    if not isinstance(tree, _WRITES):
        return None
    for target in _targets(tree):
        name = _catalog_table(target)
        if name is not None:
            return name
    return None


def _targets(tree: exp.Expression) -> list[exp.Expression]:
    if isinstance(tree, exp.Drop):
        return list(tree.args.get("tables") or []) or [tree.this]
    if isinstance(tree, exp.TruncateTable):
        return list(tree.expressions)
    target = tree.this
    if isinstance(target, (exp.Schema, exp.UserDefinedFunction)):
        target = target.this
    return [target]


def _catalog_table(node: exp.Expression | None) -> str | None:
    if isinstance(node, exp.Table) and node.db.lower() == CATALOG_SCHEMA:
        return f"{CATALOG_SCHEMA}.{node.name}" if node.name else CATALOG_SCHEMA
    return None


def _names_catalog_schema(node: exp.Expression | None) -> bool:
    if isinstance(node, exp.Table):
        return (node.db or node.name).lower() == CATALOG_SCHEMA
    return node is not None and node.name.lower() == CATALOG_SCHEMA


def _sets_catalog_schema(tree: exp.Set) -> bool:
    for item in tree.expressions:
        assignment = item.this if isinstance(item, exp.SetItem) else item
        if isinstance(assignment, exp.EQ) and assignment.this.name.lower() in ("schema", "search_path"):
            value = assignment.expression
            parts = str(value.name if isinstance(value, exp.Literal) else value.sql()).split(",")
            if any(part.strip().strip('"').split(".")[-1].lower() == CATALOG_SCHEMA for part in parts):
                return True
    return False


def _catalog_write_in_text(text: str) -> str | None:
    try:
        tokens = [token.text for token in AIDB().tokenize(text)]
    except TokenError:
        return None
    if not tokens or tokens[0].upper() not in _WRITE_WORDS:
        return None
    for index, token in enumerate(tokens[:-1]):
        if token.lower() == CATALOG_SCHEMA and tokens[index + 1] == ".":
            return CATALOG_SCHEMA
    return None
