"""Pass: `why_dropped('clean', 4711)` in FROM becomes a query of the removal tables recorded for table `clean`.

A statement that wrote `clean` with an operator that removes rows (`dedup()`) recorded its removal table in
`aidb.removal_tables` (migration 0006); the catalog view carries those records. The call becomes a UNION ALL over
the removal tables of the latest run that wrote `clean`, one row per step that removed the row:
(table_name, id, step, method, rule, duplicate_of, kept_id, similarity, run_id, input_table, removal_table).
A row that was kept gives no rows. The answer follows the chain of inputs: when `clean` was made by `dedup(filtered)`
and `filtered` by `quality_filter(corpus)`, a row the quality filter removed is answered from `filtered`'s removal
table (each table's latest run; the step nearest the original input first).
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from aidb.errors import ProgrammingError, did_you_mean
from aidb.sql.catalog_view import CatalogView
from aidb.sql.dialect import declare_functions
from aidb.sql.transform import transform_bottom_up
from aidb.catalog_records import RemovalTableRecord

FUNCTION = "why_dropped"
COLUMNS = ("table_name", "id", "step", "method", "rule", "duplicate_of", "kept_id", "similarity", "run_id", "input_table", "removal_table")

declare_functions((FUNCTION,))


def rewrite_why_dropped(tree: exp.Expression, catalog: CatalogView) -> exp.Expression:
    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous) and node.this.name.lower() == FUNCTION:
            query = why_dropped_query(node.this, catalog.removal_tables)
            return exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier(node.alias or FUNCTION)))
        return node

    return transform_bottom_up(tree, replace)


def why_dropped_query(call: exp.Anonymous, records: tuple[RemovalTableRecord, ...]) -> exp.Expression:
    if len(call.expressions) != 2 or any(isinstance(a, (exp.PropertyEQ, exp.Kwarg)) for a in call.expressions):
        raise ProgrammingError("why_dropped(): expected why_dropped('table', id)")
    table_node, row_id = call.expressions
    if isinstance(table_node, exp.Literal) and table_node.is_string:
        table = table_node.this
    elif isinstance(table_node, (exp.Column, exp.Identifier, exp.Table)):
        table = table_node.name
    else:
        raise ProgrammingError(f"why_dropped(): argument table must be a table name, got {table_node.sql(dialect='duckdb')}")
    mine = [r for r in records if r.output_table.lower() == table.lower()]
    if not mine:
        known = sorted({r.output_table for r in records})
        raise ProgrammingError(
            f"why_dropped(): argument table: no removals are recorded for {table!r}.{did_you_mean(table, known)} "
            "Tables written by CREATE TABLE ... AS SELECT ... FROM dedup(...) or quality_filter(...) (or INSERT ... SELECT) record them"
        )
    wanted = exp.Cast(this=row_id.copy(), to=exp.DataType.build("VARCHAR")).sql(dialect="duckdb")
    parts = []
    for record in _chain(table, records):
        values = {
            "table_name": _string(record.output_table), "step": _string(record.step), "run_id": str(record.run_id),
            "input_table": _string(record.input_table), "removal_table": _string(record.removal_table),
        }
        source = exp.to_table(record.removal_table, dialect="duckdb").sql(dialect="duckdb")
        parts.append(
            f"SELECT {values['table_name']} AS table_name, CAST(r.id AS VARCHAR) AS id, {values['step']} AS step, r.method, r.rule, "
            f"CAST(r.cluster_id AS VARCHAR) AS duplicate_of, CAST(r.kept_id AS VARCHAR) AS kept_id, r.similarity, "
            f"{values['run_id']} AS run_id, {values['input_table']} AS input_table, {values['removal_table']} AS removal_table "
            f"FROM {source} AS r"
        )
    # the id appears once, so a bound parameter (`why_dropped('clean', ?)`) binds once however long the chain
    union = " UNION ALL ".join(parts)
    return sqlglot.parse_one(f"SELECT * FROM ({union}) AS removals WHERE removals.id = {wanted} ORDER BY removals.run_id", read="duckdb")


def _chain(table: str, records: tuple[RemovalTableRecord, ...]) -> list[RemovalTableRecord]:
    """The removal records of `table`'s latest run, then of its inputs' latest runs, and so on; the earliest step first."""
    found: list[RemovalTableRecord] = []
    seen: set[str] = set()
    pending = [table.lower()]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        mine = [r for r in records if r.output_table.lower() == name]
        if not mine:
            continue
        latest = max(r.run_id for r in mine)
        for record in (r for r in mine if r.run_id == latest):
            found.append(record)
            pending.append(record.input_table.lower())
    return sorted(found, key=lambda r: (r.run_id, r.removal_table))


def _string(text: str) -> str:
    return exp.Literal.string(text).sql(dialect="duckdb")
