"""Which table a statement writes and which tables it reads, for the runs/lineage catalog."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp


@dataclass(frozen=True)
class Lineage:
    kind: str  # create_table_as | create_view | insert | copy_to (output_table is then the file written)
    output_table: str
    input_tables: tuple[str, ...]


def lineage_of(tree: exp.Expression | None) -> Lineage | None:
    """The lineage of a CREATE TABLE/VIEW AS, INSERT ... SELECT or COPY ... TO; None for anything else or temporary objects."""
    if isinstance(tree, exp.Create) and isinstance(tree.expression, exp.Query):
        kind = (tree.args.get("kind") or "").upper()
        if kind not in ("TABLE", "VIEW") or _is_temporary(tree):
            return None
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        return Lineage(f"create_{kind.lower()}" + ("_as" if kind == "TABLE" else ""), _name(target), _inputs(tree.expression))
    if isinstance(tree, exp.Insert) and isinstance(tree.expression, exp.Query):
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        return Lineage("insert", _name(target), _inputs(tree.expression))
    if isinstance(tree, exp.Copy) and not tree.args.get("kind") and tree.args.get("files"):
        # COPY <table or query> TO 'file': the output is the file, named as written
        source = tree.this.this if isinstance(tree.this, exp.Subquery) else tree.this
        inputs = (_name(source),) if isinstance(source, exp.Table) else _inputs(source)
        target = tree.args["files"][0]
        return Lineage("copy_to", target.name if isinstance(target, exp.Literal) else target.sql(dialect="duckdb"), inputs)
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
