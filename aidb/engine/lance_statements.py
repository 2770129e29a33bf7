"""Run the SQL statements that write Lance tables: CREATE TABLE ... WITH (storage = 'lance'), DROP TABLE, DML.

DuckDB lets one transaction write one attached database only, and Lance commits each change by
itself; so creating or dropping a Lance table commits the open implicit transaction first (as DDL
does in MySQL or Oracle) and records the catalog row in its own transaction afterwards. A crash
between the two is repaired on the next open by `lance_tables.reconcile`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
from sqlglot import exp

from aidb.catalog_records import LANCE_CATALOG
from aidb.version import __version__
from aidb.engine.lance_staging import write_staged
from aidb.engine.outcome import NO_ROWS, Outcome, outcome_of
from aidb.engine.statement_context import StatementContext
from aidb.errors import ProgrammingError
from aidb.sql.frontend import ParsedStatement
from aidb.sql.lineage import lineage_of
from aidb.storage.catalog import record_removal_tables, record_run
from aidb.storage.lance_commits import apply_pending_commits
from aidb.storage.lance_tables import attach_lance_folder, forget_lance_table, reattach_lance_folder, reconcile, record_lance_table

STORAGE_OPTION = "storage"


def open_lance_tables(duck: duckdb.DuckDBPyConnection, folder: Path | None, read_only: bool) -> None:
    """On connect: attach the Lance folder when it exists and make the catalog agree with it."""
    if folder is None or not folder.is_dir():
        if not read_only:
            reconcile(duck, None)
        return
    attach_lance_folder(duck, folder, read_only)
    if not read_only:
        apply_pending_commits(duck, folder, recovering=True)  # a commit a crash interrupted: roll forward
        reconcile(duck, folder)


def run_lance_statement(session: StatementContext, statement: ParsedStatement, parameters: object) -> Outcome | None:
    """Execute `statement` if it writes a Lance table; None when it is not such a statement."""
    tree = statement.tree
    if isinstance(tree, exp.Create) and (tree.args.get("kind") or "").upper() == "TABLE" and _storage(tree) is not None:
        return _create_lance_table(session, tree, parameters)
    if isinstance(tree, (exp.Create, exp.Drop, exp.Insert, exp.Update, exp.Delete)):
        name = _target_name(tree)
        staged = session.lance_staging.get(name)
        info = session.catalog().vector_tables.get(name.lower()) if name else None
        if info is None or not (info.is_lance or staged is not None):
            return None
        if session.read_only:
            raise ProgrammingError(f"cannot change the Lance table {info.name}: the database is open read-only")
        if isinstance(tree, exp.Drop) and (tree.args.get("kind") or "").upper() == "TABLE":
            return _drop_lance_table(session, info.name)
        if isinstance(tree, exp.Insert) and not session.in_transaction and not tree.args.get("returning"):
            return _write_lance_table(session, statement, parameters)  # autocommit: one Lance commit, as fast as before
        if isinstance(tree, (exp.Insert, exp.Update, exp.Delete)):
            return _write_in_transaction(session, statement, parameters, info.name)
    return None


def _write_in_transaction(session: StatementContext, statement: ParsedStatement, parameters: object, name: str) -> Outcome:
    """Stage the write in the open transaction; in autocommit mode, in one of its own, committed at once."""
    started = datetime.now()
    if session.in_transaction:
        outcome = write_staged(session, statement, parameters, name)
        if not outcome.has_rows:
            _record_lineage(session, statement, started)  # staged in DuckDB: the rows commit with the write
        return outcome
    session.begin()
    outcome = write_staged(session, statement, parameters, name)
    returned = session.duck.to_arrow_table() if outcome.has_rows else None  # COMMIT replaces the pending result
    _record_lineage(session, statement, started)
    session.commit()
    if returned is not None:
        session.duck.register(_RETURNED_ROWS, returned)
        session.duck.execute(f"SELECT * FROM {_RETURNED_ROWS}")
    return outcome


_RETURNED_ROWS = "aidb_returned_rows"


def _create_lance_table(session: StatementContext, tree: exp.Create, parameters: object) -> Outcome:
    storage = _storage(tree)
    if storage != "lance":
        raise ProgrammingError(f"unknown table storage {storage!r}; expected storage = 'lance' (or leave it out for a DuckDB table)")
    if session.read_only:
        raise ProgrammingError("cannot create a Lance table: the database is open read-only")
    target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    name = target.name
    exists = session.duck.execute(
        "SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND lower(table_name) = lower(?)",
        [name],
    ).fetchone()
    if exists:
        raise ProgrammingError(f"cannot create Lance table {name!r}: a DuckDB table of that name exists; drop it or pick another name")
    session.leave_transaction(f"CREATE TABLE {name} ... WITH (storage = 'lance')")
    attach_lance_folder(session.duck, session.lance_folder())
    node = tree.copy()
    properties = node.args.get("properties")
    if properties is not None:
        kept = [p for p in properties.expressions if not _is_storage_property(p)]
        node.set("properties", exp.Properties(expressions=kept) if kept else None)
    new_target = exp.table_(name, db="main", catalog=LANCE_CATALOG)
    if isinstance(node.this, exp.Schema):
        node.this.set("this", new_target)
    else:
        node.set("this", new_target)
    session.run_planned(session.prepare(ParsedStatement(statement_text(node), node)), parameters)
    reattach_lance_folder(session.duck, session.lance_folder())
    record_lance_table(session.duck, name)
    session.invalidate_catalog()
    return NO_ROWS


def _drop_lance_table(session: StatementContext, name: str) -> Outcome:
    session.leave_transaction(f"DROP TABLE {name}")
    session.duck.execute(f"DROP TABLE {LANCE_CATALOG}.main.{exp.to_identifier(name).sql(dialect='duckdb')}")
    forget_lance_table(session.duck, name)
    session.invalidate_catalog()
    return NO_ROWS


def _write_lance_table(session: StatementContext, statement: ParsedStatement, parameters: object) -> Outcome:
    """INSERT on a Lance table in autocommit mode; its run and lineage are recorded after Lance committed it.

    (DuckDB lets one transaction write one attached database, so the catalog rows cannot share the Lance write's.)
    """
    started = datetime.now()
    plan = session.prepare(statement)
    session.run_planned(plan, session.run_operators(plan, parameters))  # INSERT INTO <lance table> SELECT * FROM dedup(...)
    outcome = outcome_of(session.duck, statement)
    _record_lineage(session, statement, started)
    session.invalidate_catalog()  # row counts feed the planner
    return outcome


def _record_lineage(session: StatementContext, statement: ParsedStatement, started: datetime) -> None:
    """The run and lineage rows of an INSERT ... SELECT into a Lance table, as for a DuckDB table."""
    lineage = lineage_of(statement.tree)
    if lineage is not None and not statement.tree.args.get("returning"):
        run_id = record_run(session.duck, statement.text, lineage.kind, started, lineage.output_table, list(lineage.input_tables), __version__)
        record_removal_tables(session.duck, run_id, lineage.output_table, session.operator_relations.written)


def _storage(tree: exp.Create) -> str | None:
    properties = tree.args.get("properties")
    for prop in properties.expressions if properties is not None else []:
        if _is_storage_property(prop):
            value = prop.args.get("value")
            return str(value.name if isinstance(value, (exp.Literal, exp.Identifier, exp.Var, exp.Column)) else value).lower()
    return None


def _is_storage_property(prop: exp.Expression) -> bool:
    return isinstance(prop, exp.Property) and prop.name.lower() == STORAGE_OPTION


def _target_name(tree: exp.Expression) -> str | None:
    target = tree.this if not isinstance(tree, exp.Drop) else (tree.args.get("tables") or [None])[0]
    if isinstance(target, exp.Schema):
        target = target.this
    if not isinstance(target, exp.Table) or target.args.get("catalog") or (target.db and target.db.lower() != "main"):
        return None
    return target.name


def statement_text(node: exp.Expression) -> str:
    return node.sql(dialect="duckdb")
