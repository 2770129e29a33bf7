"""Which table a statement writes and which tables it reads, for the runs/lineage catalog."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp


@dataclass(frozen=True)
class Lineage:
    kind: str  # create_table_as | create_view | insert
    output_table: str
    input_tables: tuple[str, ...]


def lineage_of(tree: exp.Expression | None) -> Lineage | None:
    """The lineage of a CREATE TABLE/VIEW AS or INSERT ... SELECT; None for anything else or temporary objects."""
    if isinstance(tree, exp.Create) and isinstance(tree.expression, exp.Query):
        kind = (tree.args.get("kind") or "").upper()
        if kind not in ("TABLE", "VIEW") or _is_temporary(tree):
            return None
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        return Lineage(f"create_{kind.lower()}" + ("_as" if kind == "TABLE" else ""), _name(target), _inputs(tree.expression))
    if isinstance(tree, exp.Insert) and isinstance(tree.expression, exp.Query):
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        return Lineage("insert", _name(target), _inputs(tree.expression))
    return None


def _is_temporary(tree: exp.Create) -> bool:
    properties = tree.args.get("properties")
    return bool(properties and any(isinstance(p, exp.TemporaryProperty) for p in properties.expressions))


def _inputs(query: exp.Expression) -> tuple[str, ...]:
    cte_names = {cte.alias_or_name.lower() for cte in query.find_all(exp.CTE)}
    names = []
    for table in query.find_all(exp.Table):
        if isinstance(table.this, exp.Identifier) and table.name.lower() not in cte_names:
            names.append(_name(table))
        elif isinstance(table.this, exp.Anonymous) and table.this.expressions:
            # a table function reads the table named by its first argument: near_duplicates(docs, text)
            first = table.this.expressions[0]
            if isinstance(first, exp.Column) and first.name.lower() not in cte_names:
                names.append(".".join(part.name for part in first.parts))
    return tuple(sorted(set(names)))


def _name(table: exp.Expression) -> str:
    if isinstance(table, exp.Table):
        return ".".join(part.name for part in table.parts)
    return table.sql(dialect="duckdb")
