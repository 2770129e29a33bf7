"""One open aidb database: its DuckDB connection, catalog view, functions, and the execution of its statements."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

import duckdb
from sqlglot import exp

from aidb.version import __version__
from aidb.catalog_records import ModelRecord
from aidb.engine.catalog_build import build_catalog
from aidb.engine.commands import READ_ONLY_COMMANDS, run_command
from aidb.engine.inputs import check_text
from aidb.engine.json_errors import located_json_error
from aidb.engine.lance_staging import LanceStaging
from aidb.engine.lance_statements import open_lance_tables, run_lance_statement
from aidb.engine.model_trust_policy import TRUST_MODELS_ENV, check_model_trusted
from aidb.engine.outcome import NO_ROWS, Outcome, changes_schema, outcome_of
from aidb.engine.operator_runs import OperatorRelations
from aidb.engine.plan_cache import CachedPlan, LruCache
from aidb.engine.ray_statements import check_engine, ray_operator, run_ray_statement
from aidb.engine.progress import Progress
from aidb.engine.progress_totals import ProgressTotals
from aidb.engine.python_scans import PythonObjects
from aidb.engine.search_first import search_first_parameters
from aidb.engine.session_contexts import SessionFunctionContext, SessionOperatorContext, SessionTraining
from aidb.engine.shared_database import open_database
from aidb.distributed.select_jobs import JobSummary
from aidb.engine.thread_hold import ThreadHold
from aidb.engine.transactions import Transactions
from aidb.errors import (
    Error,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    did_you_mean,
    translate_duckdb_error,
    translate_exception,
)
from aidb.functions.registry import load_function_modules
from aidb.models.loaders import LOADERS, TrainingContext, load_loader_modules
from aidb.progress_reporter import ProgressReporter
from aidb.settings import PREFIX, Settings, with_value
from aidb.sql.catalog_guard import catalog_write
from aidb.sql.catalog_view import CatalogView
from aidb.sql.dialect import declare_functions, declare_model_kinds
from aidb.sql.frontend import ParsedStatement, parse_script, parse_statement, plan_statement, transaction_control
from aidb.sql.lineage import lineage_of
from aidb.sql.provenance import model_columns
from aidb.sql.rewrite_operator_calls import operator_calls
from aidb.sql.setting_statements import setting_change
from aidb.sql.rewrite_persisted_macros import MACRO_SCHEMA
from aidb.storage.catalog import record_removal_tables, record_run
from aidb.storage.column_provenance import record_column_provenance
from aidb.storage.extensions import load_extension
from aidb.storage.database_file import open_database_file
from aidb.storage.lance_commits import apply_pending_commits
from aidb.storage.layout import DatabaseLayout, layout_for
from aidb.storage.macros import load_macros, persist_macros
from aidb.storage.model_files import ModelFileChanges, is_model_file, model_files_dir
from aidb.storage.migrations import discover_migrations, migrate
from aidb.storage.resources import resource_dir


class Session:
    """An open database. Not thread-safe: use one Session per thread (as with one DuckDB connection)."""

    def __init__(
        self,
        path: str | Path = ":memory:",
        read_only: bool = False,
        autocommit: bool = False,
        progress: ProgressReporter | None = None,
        trust_models: bool = False,
        engine: str = "duckdb",
        ray_address: str | None = None,
    ) -> None:
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self.layout: DatabaseLayout = layout_for(path)
        self.read_only = read_only
        # load models whose catalog rows this machine did not sign (engine/model_trust_policy.py)
        self.trust_models = trust_models or os.environ.get(TRUST_MODELS_ENV) == "1"
        self.progress: ProgressReporter = progress or Progress()
        self.last_ray_job: JobSummary | None = None
        self._catalog: CatalogView | None = None
        # SET aidb_... (aidb/settings.py); engine 'ray': model-function statements run on Ray Data (engine/ray_statements.py)
        self.settings = with_value(with_value(Settings(), "aidb_engine", check_engine(engine)), "aidb_ray_address", ray_address or "")
        self._statement_running = False
        self._parsed: LruCache[list[ParsedStatement]] = LruCache()  # by script text
        self._plans: LruCache[CachedPlan] = LruCache()  # by statement text, for the current catalog view
        self._loaded_extensions: set[str] = set()
        self._ran_sql: str | None = None  # the rewritten SQL of the statement running, for its error message
        self.lance_staging = LanceStaging()  # Lance writes of the open transaction, published at commit
        self.model_file_changes = ModelFileChanges()  # trained/obsolete model files, removed when the transaction ends
        # Sessions on one file share its DuckDB instance, the functions registered on it and its open Lance datasets.
        # an in-memory database spills into this session's temporary folder; a file's spills go beside it (no folder made)
        spill_dir = (lambda: self.scratch_dir() / "spill") if self.layout.in_memory else (lambda: None)
        self._database = open_database(self.layout, read_only, lambda: open_database_file(self.layout, read_only, spill_dir()))
        self.lance_datasets = self._database.lance_datasets
        self.errors = self._database.errors
        self._functions = SessionFunctionContext(self.resolve_model, lambda: self.progress, self.check_model_trusted)
        self.duck = self._database.connect()
        self.python_objects = PythonObjects(self.duck)  # pandas/Arrow/polars objects read as tables
        operators = SessionOperatorContext(
            self.layout, self._functions.model, self._plan_sql, lambda: self.progress, lambda operator: ray_operator(self, operator)
        )
        self.operator_relations = OperatorRelations(self.duck, operators)  # results of operator table functions
        self.progress_totals = ProgressTotals(self.duck)
        self.transactions = Transactions(self.duck, autocommit, lambda: self.after_transaction(committed=True))
        self.threads = ThreadHold(self.duck)  # one DuckDB thread while Python functions run (engine/thread_hold.py)
        try:
            # The lance extension loads when the database has Lance tables (open_lance_tables) or a
            # statement uses it (_execute_sql): loading costs ~0.6 s, too much for every connect.
            migrate(self.duck, discover_migrations(resource_dir("migrations")), read_only)
            open_lance_tables(self.duck, self.layout.lance_dir, read_only)
            functions = load_function_modules()
            declare_functions(functions)
            load_loader_modules()
            declare_model_kinds(LOADERS)  # plugins' model TYPEs parse too
            self._database.register_functions()
            # after the functions: some macros (text_stats.sql's Gopher statistics) call them
            load_macros(self.duck)
            if not read_only:
                persist_macros(self.duck, MACRO_SCHEMA)  # stored views name these copies (stock DuckDB reads them)
        except BaseException:
            self._database.release(self.duck, self._functions)
            raise

    # -- catalog ---------------------------------------------------------------------------------

    def catalog(self) -> CatalogView:
        """The catalog as data for the rewriter and the functions; rebuilt after statements that change it."""
        if self._catalog is None:
            if self._statement_running:
                # Querying DuckDB from a function of the statement it is running would deadlock.
                raise InternalError("the catalog view was invalidated while a statement was running")
            catalog = build_catalog(self.duck, self.lance_folder(), self.settings)
            self._catalog = replace(catalog, vector_tables=self.lance_staging.shadow(catalog.vector_tables))
        return self._catalog

    def shadow_staged_tables(self) -> None:
        """A Lance table was just staged: reads go through its view from now on (no need to re-read the catalog)."""
        if self._catalog is not None:
            self._catalog = replace(self._catalog, vector_tables=self.lance_staging.shadow(self._catalog.vector_tables))
        self._plans.clear()

    def invalidate_catalog(self) -> None:
        self._catalog = None
        self._plans.clear()
        self.progress_totals.clear()
        self.lance_datasets.clear()

    @property
    def engine(self) -> str:
        return self.settings.engine

    @property
    def ray_address(self) -> str | None:
        return self.settings.ray_address

    def _set(self, name: str, value: object | None) -> None:
        """SET / RESET an aidb setting; mirrored as a DuckDB variable, so `getvariable('aidb_...')` reads it."""
        if name.lower() == "aidb_engine" and isinstance(value, str):
            check_engine(value)  # 'ray' without the aidb[ray] extra: say what to install, change nothing
        self.settings = with_value(self.settings, name, value)
        if self._catalog is not None:
            self._catalog = replace(self._catalog, settings=self.settings)
        self._plans.clear()  # plans were made under the old value
        variable = name.lower()
        current = getattr(self.settings, variable.removeprefix(PREFIX))
        if value is None or current is None:
            self.duck.execute(f"RESET VARIABLE {variable}")
        else:
            self.duck.execute(f"SET VARIABLE {variable} = ?", [current])

    def lance_folder(self) -> Path:
        """The folder of this database's Lance datasets; a temporary one for an in-memory database."""
        return self.layout.lance_dir or self.scratch_dir() / "lance"

    def forget_open_datasets(self) -> None:
        self.lance_datasets.clear()

    @property
    def autocommit(self) -> bool:
        return self.transactions.autocommit

    @autocommit.setter
    def autocommit(self, value: bool) -> None:
        self.transactions.autocommit = value

    @property
    def in_transaction(self) -> bool:
        return self.transactions.active

    # -- statements ------------------------------------------------------------------------------

    def execute(self, sql: str, parameters: Any = None, frame: FrameType | None = None) -> Outcome:
        """Run every statement of `sql`; the result of the last one stays on `self.duck` to be fetched.

        `frame` is the caller's: its pandas, Arrow and polars variables can be read as tables (`FROM df`).
        """
        if not isinstance(sql, str):
            raise ProgrammingError(f"a statement must be a str, not {type(sql).__name__}")
        self._database.dispatch.activate(self._functions)
        try:
            check_text(sql, parameters)
            statements = self._parse(sql)
            if parameters is not None and len(statements) > 1:
                raise ProgrammingError(
                    f"parameters can be bound to one statement only, but the text holds {len(statements)} statements"
                )
            outcome = NO_ROWS
            for statement in statements:
                self.python_objects.scan_for(statement.text, statement.tree, frame, lambda: self.catalog().vector_tables)
                outcome = self._execute_one(statement, parameters)
            return outcome
        except Error as error:  # _execute_one has rolled back already; errors before it still need it
            raise self._fail(error) from error.__cause__
        except Exception as error:  # whatever a library raised: translated here, at the boundary
            raise self._fail(translate_exception(error, sql)) from error

    def _parse(self, sql: str) -> list[ParsedStatement]:
        statements = self._parsed.get(sql)
        if statements is None:
            statements = parse_script(sql)
            # aidb statements are rare and their handlers own their trees; plain SQL trees are only read
            if not any(s.is_aidb for s in statements):
                self._parsed.put(sql, statements)
        return statements

    def prepare(self, statement: ParsedStatement) -> CachedPlan:
        """Plan a statement (through the plan cache) and make what it calls exist: the one path every statement
        DuckDB runs takes, including those inside aidb's statements (a Lance INSERT ... SELECT, a training query)."""
        catalog = self.catalog()  # built before DuckDB runs: functions must not query while a query runs
        plan = self._plans.get(statement.text)
        if plan is None:
            planned = plan_statement(statement, catalog)
            first = planned.search_first
            # parsed once by DuckDB: a search's statement is short, and its parse is ~0.1 ms of ~1 ms DuckDB work
            parsed = self.duck.extract_statements(first.sql)[0] if first is not None else None
            calls = operator_calls(planned.rewritten.tree if planned.rewritten is not None else None)
            # an operator's input is planned like any query (a Lance table, embed() in a subquery)
            inputs = tuple(self.prepare(parse_statement(c.input_sql)).planned.sql if c.input_sql else "" for c in calls)
            plan = CachedPlan(planned, parsed, calls, inputs)
            self._plans.put(statement.text, plan)
        if any("lance" in sql.lower() for sql in (plan.planned.sql, *plan.operator_inputs)):  # lance_* functions or ATTACH (TYPE LANCE)
            self._load_extension("lance")
        for name, search in plan.planned.searches.items():
            self._database.register_search(name, search)
        return plan

    def _plan_sql(self, sql: str) -> str:
        """The DuckDB SQL of one more query an operator runs (it is planned like any statement)."""
        return self.prepare(parse_statement(sql)).planned.sql

    def _load_extension(self, name: str) -> None:
        # an extension stays loaded for the connection's life; asking duckdb_extensions() costs ~1 ms a statement
        if name not in self._loaded_extensions:
            load_extension(self.duck, name)
            self._loaded_extensions.add(name)

    def _execute_one(self, statement: ParsedStatement, parameters: Any) -> Outcome:
        tree = statement.tree
        control = transaction_control(statement)
        if control == "begin":
            self.transactions.begin_explicit()
            return NO_ROWS
        if control == "begin with options":
            raise NotSupportedError(
                f"{statement.text.strip()}: aidb opens transactions without options; for a read-only one, "
                "open the connection with aidb.connect(path, read_only=True)"
            )
        if control == "commit":
            self.commit()
            return NO_ROWS
        if control == "rollback":
            self.rollback()
            return NO_ROWS
        change = setting_change(tree, statement.text)
        if change is not None:
            self._set(*change)
            return NO_ROWS
        self.transactions.begin_implicit()
        owns_transaction = not self.in_transaction
        self.progress.start(statement.text.strip().splitlines()[0] if statement.text.strip() else "")
        try:
            if not statement.is_aidb:
                _refuse_catalog_write(statement)
            elif parameters:  # never silently ignored: aidb's statements bind no values
                raise ProgrammingError(
                    f"aidb's statement {' '.join(statement.text.split()[:3])} ... takes no parameters, but {len(parameters)} were given; "
                    "write the values into the statement (a model name or path is a name, quoted in SQL)"
                )
            if statement.is_aidb:
                self.threads.hold(False)
                # A read-only command's rows would be replaced by the result of its own COMMIT.
                owns_transaction = owns_transaction and not isinstance(statement.tree, READ_ONLY_COMMANDS)
                with self.transactions.statement(owns_transaction):
                    return run_command(self, statement)
            if isinstance(tree, (exp.Create, exp.Drop, exp.Insert, exp.Update, exp.Delete)):
                self.threads.hold(False)  # a Lance table write may run DuckDB work outside run_planned
            self.operator_relations.release()  # the previous statement's operator results and writes
            ray_outcome = run_ray_statement(self, statement, parameters)
            if ray_outcome is not None:
                return ray_outcome
            lance_outcome = run_lance_statement(self, statement, parameters)
            if lance_outcome is not None:
                return lance_outcome
            return self._execute_sql(statement, parameters, owns_transaction)
        except duckdb.Error as error:
            ran, self._ran_sql = self._ran_sql, None
            raise self._fail(translate_duckdb_error(self.errors.take() or located_json_error(error) or error, statement.text, ran)) from error
        except Error as error:
            raise self._fail(error) from error.__cause__
        except Exception as error:  # whatever a library raised: translated here, at the boundary
            raise self._fail(translate_exception(error, statement.text)) from error
        except BaseException:  # KeyboardInterrupt, SystemExit: leave no transaction half-done, then let it go
            self._fail(OperationalError("interrupted"))
            raise
        finally:
            self.progress.finish()

    def _execute_sql(self, statement: ParsedStatement, parameters: Any, owns_transaction: bool) -> Outcome:
        plan = self.prepare(statement)
        planned = plan.planned
        self.operator_relations.release()
        tree = planned.rewritten.tree if planned.rewritten is not None else None
        if not planned.searches and tree is not None and self.progress_totals.reports_progress(statement.text, tree, self.catalog()):
            self.progress.expect(self.progress_totals.input_rows(tree))
        lineage = None if self.read_only else lineage_of(statement.tree)
        if lineage is None:
            if plan.operators:
                # operators (and tables they write) commit first: a COMMIT after the query would drop its rows
                with self.transactions.statement(owns_transaction):
                    parameters = self.run_operators(plan, parameters)
            self.run_planned(plan, parameters)
            outcome = outcome_of(self.duck, statement)
        else:
            started = datetime.now()
            # one transaction: what operators write (a removal table) commits with the statement or not at all
            with self.transactions.statement(owns_transaction):
                self.run_planned(plan, self.run_operators(plan, parameters))
                outcome = outcome_of(self.duck, statement)
                run_id = record_run(self.duck, statement.text, lineage.kind, started, lineage.output_table, list(lineage.input_tables), __version__)
                record_removal_tables(self.duck, run_id, lineage.output_table, self.operator_relations.written)
                if lineage.kind == "create_table_as" and planned.rewritten is not None:
                    columns = model_columns(planned.rewritten.tree, self.catalog())
                    record_column_provenance(self.duck, lineage.output_table, columns, run_id)
        if changes_schema(statement):
            # The catalog view knows tables' vector columns: plans made before this DDL are stale.
            # Only after the statement: its functions read the view while DuckDB runs it, and
            # rebuilding the view then would query DuckDB from inside its own query.
            self.invalidate_catalog()
        return outcome

    def run_planned(self, plan: CachedPlan, parameters: Any) -> None:
        """Run a prepared statement; its result stays on `self.duck`."""
        self.threads.hold(plan.planned.one_thread)
        sql = plan.planned.sql
        if plan.planned.search_first is not None and parameters is not None:
            found = search_first_parameters(plan.planned.search_first, parameters, self.lance_datasets)
            if found is not None:
                sql, parameters = plan.search_first_statement, found
        self._ran_sql = sql
        with self._running():
            self.duck.execute(sql, parameters)
        self._ran_sql = None

    def run_operators(self, plan: CachedPlan, parameters: Any) -> Any:
        """Run the statement's operator table functions; the parameters left for the statement itself."""
        if not plan.operators:
            return parameters
        self.threads.hold(False)
        return self.operator_relations.run(plan.operators, plan.operator_inputs, parameters)

    @contextlib.contextmanager
    def _running(self) -> Iterator[None]:
        self._statement_running = True
        try:
            yield
        finally:
            self._statement_running = False

    def _fail(self, error: Error) -> Error:
        """Undo what the failed statement's transaction did and return the error to raise."""
        self.lance_staging.discard()
        if self.in_transaction:
            error = self.transactions.abort(error)
            self.python_objects.restore()
            self.after_transaction(committed=False)
        self.invalidate_catalog()
        return error

    # -- transactions ----------------------------------------------------------------------------

    def begin(self) -> None:
        self.transactions.begin()

    def commit(self) -> None:
        """Commit DuckDB and the Lance writes staged in the transaction together (engine/lance_staging.py)."""
        if not self.in_transaction:
            return
        staged = bool(self.lance_staging)
        try:
            commits = self.lance_staging.prepare_commit(self.duck, self.lance_folder()) if staged else []
            self.transactions.commit()
        except BaseException:
            self.lance_staging.discard()
            if self.transactions.abandon():
                self.after_transaction(committed=False)
                self.invalidate_catalog()
            raise
        self.after_transaction(committed=True)
        if staged:
            self.invalidate_catalog()  # the staged tables' views are gone
        if commits:
            try:
                apply_pending_commits(self.duck, self.lance_folder(), recovering=False)
            except (Error, duckdb.Error, OSError) as error:
                raise OperationalError(
                    f"the transaction committed, but applying its Lance changes failed ({error}); "
                    "they are applied when the database is next opened"
                ) from error

    def rollback(self) -> None:
        self.lance_staging.discard()
        if self.transactions.rollback():
            self.python_objects.restore()
            self.after_transaction(committed=False)
            self.invalidate_catalog()

    def note_model_file(self, source: str, created: bool) -> None:
        """A statement trained (`created`) or replaced/dropped the model stored at `source`."""
        path = Path(source)
        if not is_model_file(path, self.model_files_dir()):
            return  # not a file this database trained: a user's model folder is never removed
        (self.model_file_changes.created if created else self.model_file_changes.obsolete).append(path)

    def after_transaction(self, committed: bool) -> None:
        """Remove the model files the transaction that just ended made unneeded (see ModelFileChanges)."""
        if not self.model_file_changes:
            return
        referenced = {row[0] for row in self.duck.execute("SELECT source FROM aidb.models").fetchall()}
        if committed:
            self.model_file_changes.committed(referenced)
        else:
            self.model_file_changes.rolled_back(referenced)

    def leave_transaction(self, what: str) -> None:
        self.transactions.leave(what, self.commit)

    def interrupt(self) -> None:
        self.duck.interrupt()

    def close(self) -> None:
        try:
            if self.in_transaction:
                self.rollback()
        finally:
            self._database.release(self.duck, self._functions)
            if self._scratch is not None:
                self._scratch.cleanup()

    def write_catalog(self, write: Callable[[duckdb.DuckDBPyConnection], None], what: str) -> None:
        """One of aidb's own writes to the catalog's log tables from outside a statement (aidb.training's log), made as a
        statement makes it: in the open transaction (PEP 249 mode opens one), committed at once in autocommit mode."""
        if self.read_only:
            raise OperationalError(f"{what}: the connection is read-only, so the catalog cannot be written; log through a writable connection")
        if not self.autocommit and not self.in_transaction:
            self.begin()
        try:
            with self.transactions.statement(not self.in_transaction):
                write(self.duck)
        except duckdb.Error as error:
            raise self._fail(translate_duckdb_error(error, what)) from error

    # -- models ----------------------------------------------------------------------------------

    def scratch_dir(self) -> Path:
        """A temporary folder that lives as long as this session (removed on close)."""
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="aidb-")
        return Path(self._scratch.name)

    def model_files_dir(self) -> Path:
        """Where models trained in this database (CREATE CLASSIFIER, ...) keep their files."""
        return model_files_dir(self.layout, self.scratch_dir)

    def training(self) -> TrainingContext:
        return SessionTraining(self.duck, self.model_files_dir)

    def check_model_trusted(self, record: ModelRecord) -> None:
        """Refuse to load a model whose catalog row this machine did not sign, unless trusted (engine/model_trust_policy.py)."""
        check_model_trusted(record, self.model_files_dir(), self.trust_models)

    def resolve_model(self, kind: str, name: str | None) -> ModelRecord:
        catalog = self.catalog()
        if name is None:
            record = catalog.effective_default(kind)
            if record is None:
                raise ProgrammingError(f"no default {kind} model; create one with CREATE MODEL ... TYPE {kind} ... WITH (default = true)")
            return record
        record = catalog.find_model(name)
        if record is None:
            raise ProgrammingError(f"unknown model {name!r}.{did_you_mean(name, catalog.model_names())}")
        if record.kind != kind:
            raise ProgrammingError(f"model {name!r} is a {record.kind} model, but a {kind} model is needed here")
        return record


def _refuse_catalog_write(statement: ParsedStatement) -> None:
    written = catalog_write(statement.tree, statement.text)
    if written is not None:
        raise ProgrammingError(
            f"cannot change {written} with plain SQL: the aidb schema is aidb's catalog, changed only through aidb's "
            f"statements (CREATE/DROP MODEL, CREATE/DROP VECTOR INDEX, ...); reading it with SELECT is fine"
        )
