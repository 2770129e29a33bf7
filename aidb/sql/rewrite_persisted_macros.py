"""Pass: a view (or macro) stored in the file calls aidb's SQL macros by their persisted name, `aidb_fn.<macro>`.

aidb's macros are TEMP on each connection; a stored view that called them unqualified would fail in a stock
DuckDB (a BI tool). The session keeps copies in the schema `aidb_fn` of the file, which the stored SQL names.
"""

from __future__ import annotations

from sqlglot import exp

from aidb.sql.catalog_view import CatalogView
from aidb.sql.transform import transform_bottom_up

MACRO_SCHEMA = "aidb_fn"


def rewrite_persisted_macros(tree: exp.Expression, catalog: CatalogView) -> exp.Expression:
    if not _creates_a_stored_object(tree):
        return tree
    macros = {name for name, f in catalog.functions.items() if f.kind == "macro"}

    def qualify(node: exp.Expression) -> exp.Expression:
        if (
            isinstance(node, exp.Anonymous)
            and node.name.lower() in macros
            and not (isinstance(node.parent, exp.Dot) and node.arg_key == "expression")
        ):
            return exp.Dot(this=exp.to_identifier(MACRO_SCHEMA), expression=node.copy())
        return node

    return transform_bottom_up(tree, qualify)


def _creates_a_stored_object(tree: exp.Expression) -> bool:
    if not isinstance(tree, exp.Create) or str(tree.args.get("kind", "")).upper() not in ("VIEW", "MACRO", "FUNCTION"):
        return False
    properties = tree.args.get("properties")
    return not (properties and any(isinstance(p, exp.TemporaryProperty) for p in properties.expressions))
