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
