"""Pass: name Lance tables the way DuckDB sees them: `docs` becomes `aidb_lance.main.docs` (the attached Lance folder)."""

from __future__ import annotations

from sqlglot import exp

from aidb.catalog_records import LANCE_CATALOG
from aidb.sql.catalog_view import CatalogView


def rewrite_vector_tables(tree: exp.Expression, catalog: CatalogView) -> exp.Expression:
    lance = {name for name, info in catalog.vector_tables.items() if info.is_lance}
    if not lance:
        return tree
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}

    def qualify(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Table) or not isinstance(node.this, exp.Identifier) or node.args.get("catalog"):
            return node
        if node.db and node.db.lower() != "main":
            return node
        if node.name.lower() not in lance or node.name.lower() in ctes:
            return node
        qualified = node.copy()
        qualified.set("db", exp.to_identifier("main"))
        qualified.set("catalog", exp.to_identifier(LANCE_CATALOG))
        if not qualified.alias and not isinstance(node.parent, (exp.Insert, exp.Update, exp.Delete, exp.Schema, exp.Drop, exp.Create)):
            # keep `docs.col` references working after the rename
            qualified.set("alias", exp.TableAlias(this=exp.to_identifier(node.name)))
        return qualified

    return tree.transform(qualify)
