"""The unqualified table names a statement reads that it does not define itself (CTEs): replacement-scan candidates."""

from __future__ import annotations

from sqlglot import exp


def unqualified_table_names(tree: exp.Expression) -> tuple[str, ...]:
    """`FROM df` and `JOIN frame f` give ('df', 'frame'); `main.t`, table functions and CTE names are left out."""
    defined = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    names = {
        table.name
        for table in tree.find_all(exp.Table)
        if isinstance(table.this, exp.Identifier) and not table.args.get("db") and not table.args.get("catalog")
    }
    return tuple(sorted(name for name in names if name.lower() not in defined))


def single_scanned_table(tree: exp.Expression) -> exp.Table | None:
    """The one table a statement's query scans (FROM t, no joins, no subquery in FROM), else None.

    Its row count is the input size of a model function run over the scan: progress shows it as the total.
    """
    query = tree.expression if isinstance(tree, (exp.Create, exp.Insert)) else tree
    if not isinstance(query, exp.Select) or query.args.get("joins"):
        return None
    source = query.args.get("from_") or query.args.get("from")
    table = source.this if source is not None else None
    if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
        return None
    return table
