"""Which statements the Ray engine runs: a CREATE TABLE ... AS / INSERT ... SELECT whose SELECT is row-wise over one
table and calls a model function. Pure: reads the sqlglot tree and catalog facts, runs nothing.

Row-wise means each output row depends on one input row only (no joins, grouping, ordering, limits, windows,
DISTINCT or subqueries), so any split of the table into blocks gives the same rows: exactly what Ray Data's
`map_batches` may do. Anything else runs in DuckDB as usual, and EXPLAIN AIDB says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from aidb.sql.catalog_view import CatalogView

BATCH_TABLE = "aidb_batch"
# Clauses that make rows depend on other rows (or on order): such a SELECT is not split into blocks.
_NOT_ROW_WISE = {
    "joins": "it joins tables",
    "laterals": "it has a LATERAL",
    "group": "it groups rows",
    "having": "it has HAVING",
    "order": "it orders rows",
    "limit": "it has LIMIT",
    "offset": "it has OFFSET",
    "distinct": "it is DISTINCT",
    "qualify": "it has QUALIFY",
    "with": "it has a WITH clause",
    "windows": "it has a WINDOW clause",
}


@dataclass(frozen=True)
class RayTarget:
    """A statement the Ray engine runs: its SELECT over blocks, the table it reads and the table it writes."""

    kind: str  # 'create_table_as' or 'insert'
    output: exp.Table
    source: exp.Table
    batch_select: exp.Select  # the SELECT with its source replaced by the block table `aidb_batch`
    model_calls: tuple[str, ...]  # names of the model functions it calls
    model_kinds: tuple[str, ...]  # the model kinds they load

    @property
    def output_name(self) -> str:
        return self.output.name


def ray_target(tree: exp.Expression | None, catalog: CatalogView) -> RayTarget | str | None:
    """The Ray plan of `tree`; a reason (str) when it writes a table from model functions but cannot run on Ray;
    None when it is no statement for the Ray engine at all (DuckDB runs it without comment)."""
    if isinstance(tree, exp.Create) and (tree.args.get("kind") or "").upper() == "TABLE" and isinstance(tree.expression, exp.Select):
        kind, target, select = "create_table_as", tree.this, tree.expression
    elif isinstance(tree, exp.Insert) and isinstance(tree.expression, exp.Select):
        kind, target, select = "insert", tree.this, tree.expression
    else:
        return None
    calls = model_function_calls(select, catalog)
    if not calls:
        return None
    reason = _not_row_wise(tree, select, catalog)
    if reason is not None:
        return f"runs in DuckDB: {reason}"
    if isinstance(target, exp.Schema):
        return "runs in DuckDB: the target names its columns"
    source = select.args["from_"].this.copy()
    batch_select = select.copy()
    batch_select.args["from_"].set("this", exp.Table(this=exp.to_identifier(BATCH_TABLE), alias=source.args.get("alias")))
    if source.args.get("alias") is None:  # columns qualified with the table's name still resolve
        batch_select.args["from_"].this.set("alias", exp.TableAlias(this=exp.to_identifier(source.name)))
    kinds = tuple(dict.fromkeys(catalog.functions[c].model_kind for c in calls if catalog.functions[c].model_kind))
    return RayTarget(kind, target, source, batch_select, tuple(calls), kinds)


def model_function_calls(select: exp.Expression, catalog: CatalogView) -> list[str]:
    """The heavy functions a SELECT calls: aidb's one-thread UDFs (every model function, minhash)."""
    heavy = {name for name, f in catalog.functions.items() if f.kind == "udf" and f.one_thread}
    return [call.name.lower() for call in select.find_all(exp.Anonymous) if call.name.lower() in heavy]


def _not_row_wise(tree: exp.Expression, select: exp.Select, catalog: CatalogView) -> str | None:
    if tree.args.get("with") or (isinstance(tree, exp.Create) and tree.args.get("replace")):
        return "CREATE OR REPLACE / WITH around the statement" if tree.args.get("replace") else "it has a WITH clause"
    for clause, reason in _NOT_ROW_WISE.items():
        if select.args.get(clause):
            return reason
    source = select.args.get("from_")
    if source is None or not isinstance(source.this, exp.Table) or not isinstance(source.this.this, exp.Identifier):
        return "it does not read one table"
    if source.this.args.get("catalog") or (source.this.db and source.this.db.lower() != "main"):
        return "its table is outside the main schema"
    if select.find(exp.Window):
        return "it has a window function"
    if select.find(exp.AggFunc):
        return "it aggregates"
    if any(select.find(kind) for kind in (exp.Subquery, exp.Exists)) or any(
        isinstance(node, exp.Select) and node is not select for node in select.find_all(exp.Select)
    ):
        return "it has a subquery"
    if select.find(exp.Placeholder) or select.find(exp.Parameter):
        return "it binds parameters"
    return None
