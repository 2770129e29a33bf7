"""Pass: `aidb_functions()` in FROM becomes an inline table of aidb's functions, from the catalog view."""

from __future__ import annotations

from sqlglot import exp

from aidb.sql.catalog_view import CatalogView
from aidb.sql.transform import transform_bottom_up

COLUMNS = ("name", "kind", "family", "signature", "returns", "model_kind", "doc")


def rewrite_catalog_functions(tree: exp.Expression, catalog: CatalogView) -> exp.Expression:
    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous) and node.this.name.lower() == "aidb_functions":
            alias = node.alias or "aidb_functions"
            return exp.Subquery(this=functions_query(catalog), alias=exp.TableAlias(this=exp.to_identifier(alias)))
        return node

    return transform_bottom_up(tree, replace)


def functions_query(catalog: CatalogView) -> exp.Select:
    rows = [
        exp.Tuple(
            expressions=[
                exp.Literal.string(f.name),
                exp.Literal.string(f.kind),
                exp.Literal.string(f.family),
                exp.Literal.string(f.signature),
                exp.Literal.string(f.returns),
                exp.Literal.string(f.model_kind) if f.model_kind else exp.Cast(this=exp.Null(), to=exp.DataType.build("VARCHAR")),
                exp.Literal.string(f.doc),
            ]
        )
        for f in sorted(catalog.functions.values(), key=lambda f: f.name)
    ]
    values = exp.Values(
        expressions=rows,
        alias=exp.TableAlias(this=exp.to_identifier("f"), columns=[exp.to_identifier(c) for c in COLUMNS]),
    )
    return exp.select(*COLUMNS).from_(values)
