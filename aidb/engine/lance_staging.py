"""Lance writes inside a transaction: staged in DuckDB, read back by the transaction, published at COMMIT.

DuckDB lets one transaction write one database, and Lance commits every write by itself; so a Lance
table's INSERT, UPDATE and DELETE inside a transaction do not reach Lance. They wait in two tables of the
`aidb` schema, written in the transaction like any DuckDB table: `rows` (inserted rows, and the new
version of each updated row) and `deletes` (the Lance rowids of deleted or updated rows). A temporary
view named like the table (`docs`) shows the transaction the table as it will be —
`Lance rows not deleted UNION ALL rows` — and DuckDB resolves the table's name to it, so every read of
the transaction sees its own writes, computed by DuckDB (any SQL expression, NULL vectors included).

ROLLBACK discards the staging tables and the view with the rest of the transaction. COMMIT logs each
staged table in `aidb.lance_commits` inside the same DuckDB transaction, commits it (the one commit
point), then applies the log to Lance (storage/lance_commits.py; a crash before that is rolled forward
on the next open). Other connections read the Lance datasets, which the transaction has not touched.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import duckdb
from sqlglot import exp

from aidb.catalog_records import LANCE_CATALOG, VectorTableInfo
from aidb.engine.outcome import Outcome, outcome_of
from aidb.engine.plan_cache import CachedPlan
from aidb.errors import NotSupportedError
from aidb.sql.catalog_view import CatalogView
from aidb.sql.frontend import ParsedStatement
from aidb.storage.lance_commits import PendingCommit, dataset_version, quoted, record_commit
from aidb.storage.lance_tables import dataset_path

_HITS = "aidb_staged_hits"  # temporary table of the rows one staged UPDATE/DELETE matched in Lance


@dataclass(frozen=True)
class StagedTable:
    name: str  # the Lance table, as the catalog spells it
    rows_table: str  # aidb.<rows_table>
    deletes_table: str  # aidb.<deletes_table>, one column `rid`


class LanceStaging:
    """The Lance tables the open transaction of one session has written, and where their writes wait."""

    def __init__(self) -> None:
        self._tables: dict[str, StagedTable] = {}
        self._token = ""

    def get(self, name: str | None) -> StagedTable | None:
        return self._tables.get(name.lower()) if name else None

    def __bool__(self) -> bool:
        return bool(self._tables)

    def stage(self, duck: duckdb.DuckDBPyConnection, name: str) -> tuple[StagedTable, bool]:
        """The staging of table `name` in the open transaction, created on its first write; (staged, created now)."""
        staged = self.get(name)
        if staged is not None:
            return staged, False
        if not self._tables:
            self._token = uuid.uuid4().hex[:12]
        base = f"lance_stage_{self._token}_{len(self._tables)}"
        staged = StagedTable(name, f"{base}_rows", f"{base}_deletes")
        lance_table = f"{LANCE_CATALOG}.main.{quoted(name)}"
        duck.execute(f"CREATE TABLE aidb.{quoted(staged.rows_table)} AS SELECT * FROM {lance_table} LIMIT 0")
        duck.execute(f"CREATE TABLE aidb.{quoted(staged.deletes_table)} (rid BIGINT NOT NULL)")
        duck.execute(
            f"CREATE TEMPORARY VIEW {quoted(name)} AS SELECT * FROM {lance_table} AS t "
            f"WHERE t.rowid NOT IN (SELECT rid FROM aidb.{quoted(staged.deletes_table)}) "
            f"UNION ALL SELECT * FROM aidb.{quoted(staged.rows_table)}"
        )
        self._tables[name.lower()] = staged
        return staged, True

    def shadow(self, tables: dict[str, VectorTableInfo]) -> dict[str, VectorTableInfo]:
        """The catalog's vector tables as the transaction sees them: staged ones are read through their view.

        A staged table is searched exactly, like a DuckDB table: a Lance index knows nothing of its staged rows.
        """
        if not self._tables:
            return tables
        shadowed = dict(tables)
        for key, staged in self._tables.items():
            info = tables.get(key)
            if info is not None:
                shadowed[key] = replace(info, storage="duckdb", sql_name=quoted(staged.name), dataset=None, indexes={}, staged=True)
        return shadowed

    def prepare_commit(self, duck: duckdb.DuckDBPyConnection, folder: Path) -> list[PendingCommit]:
        """Inside the transaction, just before COMMIT: log what is to be applied to Lance; drop the views."""
        commits = []
        for staged in self._tables.values():
            duck.execute(f"DROP VIEW IF EXISTS temp.main.{quoted(staged.name)}")
            changed = duck.execute(
                f"SELECT EXISTS (SELECT 1 FROM aidb.{quoted(staged.rows_table)}) OR EXISTS (SELECT 1 FROM aidb.{quoted(staged.deletes_table)})"
            ).fetchone()[0]
            if not changed:
                duck.execute(f"DROP TABLE aidb.{quoted(staged.rows_table)}")
                duck.execute(f"DROP TABLE aidb.{quoted(staged.deletes_table)}")
                continue
            version = dataset_version(dataset_path(folder, staged.name))
            commit = PendingCommit(self._token, staged.name, version, staged.rows_table, staged.deletes_table)
            record_commit(duck, commit)
            commits.append(commit)
        self._tables.clear()
        return commits

    def discard(self) -> None:
        """After ROLLBACK: the staging tables and views went with the transaction."""
        self._tables.clear()


class StagingContext(Protocol):
    """What a staged write uses of the session (engine/statement_context.StatementContext has all of it)."""

    duck: duckdb.DuckDBPyConnection
    lance_staging: LanceStaging

    def catalog(self) -> CatalogView: ...

    def invalidate_catalog(self) -> None: ...

    def prepare(self, statement: ParsedStatement) -> CachedPlan: ...

    def run_planned(self, plan: CachedPlan, parameters: object) -> None: ...

    def run_operators(self, plan: CachedPlan, parameters: object) -> object: ...

    def shadow_staged_tables(self) -> None: ...


def write_staged(session: StagingContext, statement: ParsedStatement, parameters: object, name: str) -> Outcome:
    """Run INSERT, UPDATE or DELETE on Lance table `name` against its staging, in the open transaction."""
    tree = statement.tree
    if tree.args.get("returning") and not isinstance(tree, exp.Insert):
        raise NotSupportedError(f"{tree.key.upper()} ... RETURNING is not supported on the Lance table {name}")
    if tree.args.get("from_") or tree.args.get("using"):
        raise NotSupportedError(
            f"{tree.key.upper()} of the Lance table {name} with a FROM/USING clause is not supported; use a subquery in WHERE"
        )
    info = session.catalog().vector_tables[name.lower()]
    staged, created = session.lance_staging.stage(session.duck, name)
    if created:
        session.shadow_staged_tables()  # plans made before now name the Lance table, not the view
    if isinstance(tree, exp.Insert):
        node = tree.copy()
        _retarget(node, staged.rows_table, None)
        _run(session, node, parameters)
        return outcome_of(session.duck, statement)
    alias = tree.this.alias_or_name
    count = _staged_rows(session, tree, staged, alias, parameters)
    count += _committed_rows(session, tree, staged, alias, info, parameters)
    return Outcome(has_rows=False, rowcount=count)


def _staged_rows(session: StagingContext, tree: exp.Expression, staged: StagedTable, alias: str, parameters: object) -> int:
    """UPDATE/DELETE the rows the transaction staged itself: plain DuckDB DML on the rows table."""
    node = tree.copy()
    _retarget(node, staged.rows_table, alias)
    _run(session, node, parameters)
    row = session.duck.fetchone()
    return int(row[0]) if row else 0


def _committed_rows(
    session: StagingContext, tree: exp.Expression, staged: StagedTable, alias: str, info: VectorTableInfo, parameters: object
) -> int:
    """UPDATE/DELETE rows committed to Lance before: note their rowids as deleted, stage their new versions."""
    lance_rowid = exp.column("rowid", table=alias)
    deleted = exp.select("rid").from_(exp.table_(staged.deletes_table, db="aidb"))
    not_yet = exp.Not(this=exp.In(this=lance_rowid.copy(), query=exp.Subquery(this=deleted)))
    where = tree.args.get("where")
    condition = exp.and_(where.this.copy(), not_yet) if where is not None else not_yet
    source = exp.table_(info.name, db="main", catalog=LANCE_CATALOG, alias=alias)
    select = exp.select(lance_rowid.as_("rid")).from_(source).where(condition)
    columns: list[str] = []
    if isinstance(tree, exp.Update):
        assigned = {}
        for assignment in tree.expressions:
            column = assignment.this.name
            matching = next((c for c in info.columns if c.lower() == column.lower()), None)
            if matching is None:
                continue  # DuckDB already refused it on the rows table
            data_type = exp.DataType.build(info.column_types[matching], dialect="duckdb")
            assigned[matching] = exp.Cast(this=assignment.expression.copy(), to=data_type)
        # SET values first, in the statement's order, so `?` parameters keep their order
        columns = [*assigned, *(c for c in info.columns if c not in assigned)]
        values = [*(e.as_(f"c{i}") for i, e in enumerate(assigned.values()))]
        values += [exp.column(c, table=alias).as_(f"c{len(assigned) + i}") for i, c in enumerate(c for c in info.columns if c not in assigned)]
        select = exp.select(lance_rowid.as_("rid"), *values).from_(source).where(condition)
    hits = exp.Create(this=exp.table_(_HITS), kind="TABLE", expression=select, properties=exp.Properties(expressions=[exp.TemporaryProperty()]))
    session.duck.execute(f"DROP TABLE IF EXISTS temp.main.{_HITS}")
    _run(session, hits, parameters)
    if columns:
        column_list = ", ".join(quoted(c) for c in columns)
        value_list = ", ".join(f"c{i}" for i in range(len(columns)))
        session.duck.execute(f"INSERT INTO aidb.{quoted(staged.rows_table)} ({column_list}) SELECT {value_list} FROM temp.main.{_HITS}")
    count = session.duck.execute(f"INSERT INTO aidb.{quoted(staged.deletes_table)} SELECT rid FROM temp.main.{_HITS}").fetchone()[0]
    session.duck.execute(f"DROP TABLE temp.main.{_HITS}")
    return int(count)


def _retarget(node: exp.Expression, table: str, alias: str | None) -> None:
    target = node.this.this if isinstance(node.this, exp.Schema) else node.this
    replacement = exp.table_(table, db="aidb", alias=alias)
    target.replace(replacement)


def _run(session: StagingContext, node: exp.Expression, parameters: object) -> None:
    plan = session.prepare(ParsedStatement(node.sql(dialect="duckdb"), node))
    # INSERT INTO <lance table> SELECT * FROM dedup(...): the operators run first, as for any statement
    session.run_planned(plan, session.run_operators(plan, parameters))
