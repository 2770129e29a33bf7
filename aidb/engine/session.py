"""One open aidb database: its DuckDB connection, catalog view, functions, transactions and statement execution."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

import duckdb
from sqlglot import exp

from aidb import __version__
from aidb.engine.inputs import check_text
from aidb.engine.json_errors import located_json_error
from aidb.engine.lance_staging import LanceStaging
from aidb.engine.lance_statements import lance_folder, open_lance_tables, run_lance_statement
from aidb.engine.model_trust_policy import TRUST_MODELS_ENV, check_model_trusted
from aidb.engine.operator_runs import OperatorRelations
from aidb.engine.plan_cache import CachedPlan, LruCache
from aidb.engine.ray_statements import check_engine, ray_operator, run_engine_setting, run_ray_statement
from aidb.engine.progress import Progress
from aidb.engine.python_scans import PythonObjects
from aidb.engine.search_first import search_first_plan
from aidb.engine.shared_database import open_database
from aidb.distributed.select_jobs import JobSummary
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
from aidb.models.loaders import BUILTIN_DEFAULTS, LOADERS, load_loader_modules, load_model
from aidb.ops.operator_registry import load_operator_modules
from aidb.sql.catalog_view import CatalogView, FunctionInfo, ParamInfo
from aidb.sql.catalog_guard import catalog_write
from aidb.sql.dialect import declare_functions, declare_model_kinds
from aidb.sql.frontend import ParsedStatement, parse_script, parse_statement, plan_statement, transaction_control
from aidb.sql.model_arguments import runs_on_one_thread
from aidb.sql.lineage import lineage_of
from aidb.sql.provenance import model_columns
from aidb.sql.rewrite_persisted_macros import MACRO_SCHEMA
from aidb.sql.rewrite_operator_calls import operator_calls
from aidb.sql.table_references import single_scanned_table
from aidb.storage.catalog import ModelRecord, read_models, read_removal_tables, record_removal_tables, record_run
from aidb.storage.column_provenance import record_column_provenance
from aidb.storage.extensions import load_extension
from aidb.storage.lance_commits import apply_pending_commits
from aidb.storage.lance_search import searches_in
from aidb.storage.layout import DatabaseLayout, layout_for
from aidb.storage.macros import load_macros, macro_docs, persist_macros
from aidb.storage.model_files import ModelFileChanges, is_model_file, model_files_dir
from aidb.storage.migrations import discover_migrations, migrate
from aidb.storage.resources import resource_dir
from aidb.storage.vector_tables import read_vector_tables


@dataclass(frozen=True)
class Outcome:
    """What one statement left behind: rows to fetch from the DuckDB connection, or a row count."""

    has_rows: bool
    rowcount: int = -1


NO_ROWS = Outcome(has_rows=False)


class Session:
    """An open database. Not thread-safe: use one Session per thread (as with one DuckDB connection)."""

    def __init__(
        self,
        path: str | Path = ":memory:",
        read_only: bool = False,
        autocommit: bool = False,
        progress: Progress | None = None,
        trust_models: bool = False,
        engine: str = "duckdb",
        ray_address: str | None = None,
    ) -> None:
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self.layout: DatabaseLayout = layout_for(path)
        self.read_only = read_only
        self.autocommit = autocommit
        # load models whose catalog rows this machine did not sign (engine/model_trust_policy.py)
        self.trust_models = trust_models or os.environ.get(TRUST_MODELS_ENV) == "1"
        self.progress = progress or Progress()
        self.engine = check_engine(engine)  # 'ray': model-function statements run on Ray Data (engine/ray_statements.py)
        self.ray_address = ray_address
        self.last_ray_job: JobSummary | None = None
        self.in_transaction = False
        self._catalog: CatalogView | None = None
        self._statement_running = False
        self._parsed: LruCache[list[ParsedStatement]] = LruCache()  # by script text
        self._plans: LruCache[CachedPlan] = LruCache()  # by statement text, for the current catalog view
        self._loaded_extensions: set[str] = set()
        self._saved_threads: int | None = None  # DuckDB's threads setting while one-thread statements run
        self._ran_sql: str | None = None  # the rewritten SQL of the statement running, for its error message
        self._udf_calls: LruCache[bool] = LruCache()  # by statement text: whether it calls aidb's Python functions
        self.lance_staging = LanceStaging()  # Lance writes of the open transaction, published at commit
        self.model_file_changes = ModelFileChanges()  # trained/obsolete model files, removed when the transaction ends
        # Sessions on one file share its DuckDB instance, the functions registered on it and its open Lance datasets.
        self._database = open_database(self.layout, read_only, lambda: _open_duckdb(self.layout, read_only))
        self.lance_datasets = self._database.lance_datasets
        self.errors = self._database.errors
        self._functions = SessionFunctionContext(self)
        self.duck = self._database.connect()
        self.python_objects = PythonObjects(self.duck)  # pandas/Arrow/polars objects read as tables
        self.operator_relations = OperatorRelations(self.duck, SessionOperatorContext(self))  # results of operator table functions
        try:
            # The lance extension loads when the database has Lance tables (open_lance_tables) or a
            # statement uses it (_execute_sql): loading costs ~0.6 s, too much for every connect.
            migrate(self.duck, discover_migrations(resource_dir("migrations")), read_only)
            open_lance_tables(self)
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
            load_loader_modules()
            self._catalog = CatalogView(
                functions=self._function_infos(),
                models={m.name: m for m in read_models(self.duck)},
                builtin_models=dict(BUILTIN_DEFAULTS),
                vector_tables=self.lance_staging.shadow(read_vector_tables(self.duck, lance_folder(self))),
                removal_tables=tuple(read_removal_tables(self.duck)),
            )
        return self._catalog

    def shadow_staged_tables(self) -> None:
        """A Lance table was just staged: reads go through its view from now on (no need to re-read the catalog)."""
        if self._catalog is not None:
            self._catalog = replace(self._catalog, vector_tables=self.lance_staging.shadow(self._catalog.vector_tables))
        self._plans.clear()

    def invalidate_catalog(self) -> None:
        self._catalog = None
        self._plans.clear()
        self._udf_calls.clear()
        self.lance_datasets.clear()

    def _function_infos(self) -> dict[str, FunctionInfo]:
        infos = {
            f.name: FunctionInfo(
                name=f.name,
                kind="udf",
                family=f.family,
                params=tuple(ParamInfo(p.name, p.type, p.required, None if p.required else p.default) for p in f.params),
                returns=f.returns,
                doc=f.doc,
                signature=f.signature,
                model_kind=f.model_kind,
                one_thread=f.one_thread,
            )
            for f in load_function_modules().values()
        }
        for op in load_operator_modules().values():
            infos[op.name] = FunctionInfo(
                name=op.name,
                kind="operator",
                family=op.run.__module__.rsplit(".", 1)[-1],
                params=tuple(ParamInfo(p.name, p.kind, p.required, None if p.required else p.default) for p in op.params),
                returns="TABLE",
                doc=op.doc,
                signature=op.signature,
            )
        docs = macro_docs()
        rows = self.duck.execute(
            "SELECT function_name, parameters, function_type FROM duckdb_functions() "
            "WHERE function_type IN ('macro', 'table_macro') AND database_name = 'temp' AND list_contains(?, function_name)",
            [list(docs)],
        ).fetchall()
        for name, parameters, function_type in rows:
            params = tuple(ParamInfo(p, "ANY", True) for p in parameters)
            returns = "TABLE" if function_type == "table_macro" else "ANY"
            infos[name] = FunctionInfo(
                name=name,
                kind="macro",
                family=docs[name].file.removesuffix(".sql"),
                params=params,
                returns=returns,
                doc=docs[name].doc,
                signature=f"{name}({', '.join(parameters)}) -> {returns}",
            )
        return infos

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
        plan = self._plan(statement, self.catalog())
        if any("lance" in sql.lower() for sql in (plan.planned.sql, *plan.operator_inputs)):  # lance_* functions or ATTACH (TYPE LANCE)
            self._load_extension("lance")
        for name, search in plan.searches.items():
            self._database.register_search(name, search)
        return plan

    def _plan(self, statement: ParsedStatement, catalog: CatalogView) -> CachedPlan:
        cached = self._plans.get(statement.text)
        if cached is None:
            planned = plan_statement(statement, catalog)
            searches = searches_in(planned.rewritten.tree) if planned.rewritten is not None else {}
            # a pylance search, like a model function, runs on the statement's thread (see _run_planned)
            one_thread = bool(searches) or (planned.rewritten is not None and runs_on_one_thread(planned.rewritten.tree, catalog))
            first = search_first_plan(planned.rewritten.tree) if searches else None
            # parsed once by DuckDB: a search's statement is short, and its parse is ~0.1 ms of ~1 ms DuckDB work
            parsed = self.duck.extract_statements(first.sql)[0] if first is not None else None
            calls = operator_calls(planned.rewritten.tree if planned.rewritten is not None else None)
            # an operator's input is planned like any query (a Lance table, embed() in a subquery)
            inputs = tuple(self.prepare(parse_statement(c.input_sql)).planned.sql if c.input_sql else "" for c in calls)
            cached = CachedPlan(planned, one_thread, searches, first, parsed, calls, inputs)
            self._plans.put(statement.text, cached)
        return cached

    def _load_extension(self, name: str) -> None:
        # an extension stays loaded for the connection's life; asking duckdb_extensions() costs ~1 ms a statement
        if name not in self._loaded_extensions:
            load_extension(self.duck, name)
            self._loaded_extensions.add(name)

    def _execute_one(self, statement: ParsedStatement, parameters: Any) -> Outcome:
        tree = statement.tree
        control = transaction_control(statement)
        if control == "begin":
            return self._begin_explicit()
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
        setting = run_engine_setting(self, statement)
        if setting is not None:
            return setting
        if not self.autocommit and not self.in_transaction:
            self._duck_execute("BEGIN TRANSACTION")
            self.in_transaction = True
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
                from aidb.engine.commands import READ_ONLY_COMMANDS, run_command

                self._hold_one_thread(False)
                # A read-only command's rows would be replaced by the result of its own COMMIT.
                owns_transaction = owns_transaction and not isinstance(statement.tree, READ_ONLY_COMMANDS)
                with self._statement_transaction(owns_transaction):
                    return run_command(self, statement)
            if isinstance(tree, (exp.Create, exp.Drop, exp.Insert, exp.Update, exp.Delete)):
                self._hold_one_thread(False)  # a Lance table write may run DuckDB work outside _run_planned
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
        catalog = self.catalog()  # built before DuckDB runs: functions must not query while a query runs
        plan = self.prepare(statement)
        planned = plan.planned
        self.operator_relations.release()
        if not plan.searches and planned.rewritten is not None and self._reports_progress(statement.text, planned.rewritten.tree, catalog):
            self.progress.expect(self._input_rows(planned.rewritten.tree))
        lineage = None if self.read_only else lineage_of(statement.tree)
        if lineage is None:
            if plan.operators:
                # operators (and tables they write) commit first: a COMMIT after the query would drop its rows
                with self._statement_transaction(owns_transaction):
                    parameters = self._run_operators(plan, parameters)
            self._run_planned(plan, parameters)
            outcome = self._outcome(statement)
        else:
            started = datetime.now()
            # one transaction: what operators write (a removal table) commits with the statement or not at all
            with self._statement_transaction(owns_transaction):
                self._run_planned(plan, self._run_operators(plan, parameters))
                outcome = self._outcome(statement)
                run_id = record_run(self.duck, statement.text, lineage.kind, started, lineage.output_table, list(lineage.input_tables), __version__)
                record_removal_tables(self.duck, run_id, lineage.output_table, self.operator_relations.written)
                if lineage.kind == "create_table_as" and planned.rewritten is not None:
                    columns = model_columns(planned.rewritten.tree, catalog)
                    record_column_provenance(self.duck, lineage.output_table, columns, run_id)
        if _changes_schema(statement):
            # The catalog view knows tables' vector columns: plans made before this DDL are stale.
            # Only after the statement: its functions read the view while DuckDB runs it, and
            # rebuilding the view then would query DuckDB from inside its own query.
            self.invalidate_catalog()
        return outcome

    def _run_planned(self, plan: CachedPlan, parameters: Any) -> None:
        self._hold_one_thread(plan.one_thread)
        sql = plan.planned.sql
        if plan.search_first is not None and parameters is not None:
            found = plan.search_first.parameters(parameters, self.lance_datasets)
            if found is not None:
                sql, parameters = plan.search_first_statement, found
        self._ran_sql = sql
        with self._running():
            self.duck.execute(sql, parameters)
        self._ran_sql = None

    def _run_operators(self, plan: CachedPlan, parameters: Any) -> Any:
        """Run the statement's operator table functions; the parameters left for the statement itself."""
        if not plan.operators:
            return parameters
        self._hold_one_thread(False)
        return self.operator_relations.run(plan.operators, plan.operator_inputs, parameters)

    def _reports_progress(self, text: str, tree: exp.Expression, catalog: CatalogView) -> bool:
        """Whether the statement calls aidb's Python functions, which report the rows they process."""
        calls = self._udf_calls.get(text)
        if calls is None:
            calls = any(catalog.functions.get(f.name.lower(), _NOT_A_FUNCTION).kind == "udf" for f in tree.find_all(exp.Anonymous))
            self._udf_calls.put(text, calls)
        return calls

    def _input_rows(self, tree: exp.Expression) -> int | None:
        """Rows of the one table a model-function statement scans: the total its progress shows (None if unknown)."""
        table = single_scanned_table(tree)
        if table is None:
            return None
        table = table.copy()
        table.set("alias", None)
        try:
            return int(self.duck.execute(f"SELECT count(*) FROM {table.sql(dialect='duckdb')}").fetchone()[0])
        except duckdb.Error:
            return None  # not countable on its own (a CTE's name, say): the statement runs without a total

    def _hold_one_thread(self, one: bool) -> None:
        """Run the next statements on one DuckDB thread (`one`) or on the threads setting it had before.

        DuckDB's Python client busy-spins the calling thread while a worker thread runs a task
        (duckdb/duckdb#22178): during a model function, minhash or a Lance search that spin takes a core from
        the Python work. With one thread the calling thread runs the function itself. The setting changes
        only when a statement of the other kind comes: switching costs ~0.5 ms (DuckDB restarts its
        workers), as much as 5% of a 100k-row ANN search, and a program often repeats one kind of statement.
        """
        if one and self._saved_threads is None:
            self._saved_threads = int(self.duck.execute("SELECT current_setting('threads')").fetchone()[0])
            self.duck.execute("SET threads = 1")
        elif not one and self._saved_threads is not None:
            self.duck.execute(f"SET threads = {self._saved_threads}")
            self._saved_threads = None

    @contextlib.contextmanager
    def _running(self) -> Iterator[None]:
        self._statement_running = True
        try:
            yield
        finally:
            self._statement_running = False

    def _outcome(self, statement: ParsedStatement) -> Outcome:
        if _is_dml_count(statement):
            row = self.duck.fetchone()
            return Outcome(has_rows=False, rowcount=int(row[0]) if row else 0)
        description = self.duck.description
        return Outcome(has_rows=description is not None and not _is_status_only(statement, description))

    def _fail(self, error: Error) -> Error:
        """Undo what the failed statement's transaction did and return the error to raise."""
        self.lance_staging.discard()
        if self.in_transaction:
            try:
                self.duck.execute("ROLLBACK")
            except duckdb.Error:
                pass  # DuckDB may already have ended the aborted transaction
            self.in_transaction = False
            self.python_objects.restore()
            self.after_transaction(committed=False)
            if error.args and "transaction was rolled back" not in str(error.args[0]):
                error.args = (f"{error.args[0]}\n(the open transaction was rolled back)", *error.args[1:])
        self.invalidate_catalog()
        return error

    def _statement_transaction(self, owns: bool):
        return _StatementTransaction(self, owns)

    # -- transactions ----------------------------------------------------------------------------

    def _begin_explicit(self) -> Outcome:
        if self.in_transaction:
            if self.autocommit:
                raise ProgrammingError("a transaction is already open; COMMIT or ROLLBACK it first")
            return NO_ROWS  # PEP 249 mode already opened one implicitly
        self.begin()
        return NO_ROWS

    def begin(self) -> None:
        self._duck_execute("BEGIN TRANSACTION")
        self.in_transaction = True

    def commit(self) -> None:
        """Commit DuckDB and the Lance writes staged in the transaction together (engine/lance_staging.py)."""
        if not self.in_transaction:
            return
        staged = bool(self.lance_staging)
        try:
            commits = self.lance_staging.prepare_commit(self.duck, lance_folder(self)) if staged else []
            self._duck_execute("COMMIT")
        except BaseException:
            self.lance_staging.discard()
            if self.in_transaction:
                with contextlib.suppress(duckdb.Error):
                    self.duck.execute("ROLLBACK")
                self.in_transaction = False
                self.after_transaction(committed=False)
                self.invalidate_catalog()
            raise
        self.in_transaction = False
        self.after_transaction(committed=True)
        if staged:
            self.invalidate_catalog()  # the staged tables' views are gone
        if commits:
            try:
                apply_pending_commits(self.duck, lance_folder(self), recovering=False)
            except (Error, duckdb.Error, OSError) as error:
                raise OperationalError(
                    f"the transaction committed, but applying its Lance changes failed ({error}); "
                    "they are applied when the database is next opened"
                ) from error

    def rollback(self) -> None:
        self.lance_staging.discard()
        if self.in_transaction:
            self._duck_execute("ROLLBACK")
            self.in_transaction = False
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

    def _duck_execute(self, sql: str) -> None:
        try:
            self.duck.execute(sql)
        except duckdb.Error as error:
            raise translate_duckdb_error(error, sql) from error

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
            with self._statement_transaction(not self.in_transaction):
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


class _StatementTransaction:
    """Makes a multi-step statement atomic when no transaction is open around it."""

    def __init__(self, session: Session, owns: bool) -> None:
        self.session, self.owns = session, owns

    def __enter__(self) -> None:
        if self.owns:
            self.session.duck.execute("BEGIN TRANSACTION")
            self.session.in_transaction = True

    def __exit__(self, kind, value, traceback) -> None:
        if self.owns and value is None:
            self.session.duck.execute("COMMIT")
            self.session.in_transaction = False
            self.session.after_transaction(committed=True)
        # on error, Session._fail rolls back


class SessionFunctionContext:
    """What the SQL functions of one session may ask for: models from its catalog, progress reporting."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def model(self, kind: str, name: str | None) -> Any:
        record = self._session.resolve_model(kind, name)
        check_model_trusted(record, self._session.model_files_dir(), self._session.trust_models)
        return load_model(record)

    def model_record(self, kind: str, name: str | None) -> ModelRecord:
        return self._session.resolve_model(kind, name)

    def progress(self, rows: int) -> None:
        self._session.progress.advance(rows)


class SessionOperatorContext:
    """What the operator table functions of one session may ask for: models, the database's folder, planning of extra inputs."""

    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def database_folder(self) -> Path:
        layout = self._session.layout
        return Path.cwd() if layout.in_memory else Path(layout.duckdb_path).parent

    def model(self, kind: str, name: str | None) -> Any:
        return load_model(self._session.resolve_model(kind, name))

    def progress(self, stage: str, completed: int, total: int) -> None:
        self._session.progress.update(stage, completed, total)

    def plan_sql(self, sql: str) -> str:
        return plan_statement(parse_statement(sql), self._session.catalog()).sql

    def distributed_run(self, operator: str) -> Callable[..., Any] | None:
        """The Ray version of `operator` when the session's engine is 'ray' and it has one (engine/ray_statements.py)."""
        return ray_operator(self._session, operator)


_NOT_A_FUNCTION = FunctionInfo("", "", "", (), "", "", "")

# Statements DuckDB answers with a one-column status ('Success' or 'Count'); PEP 249 wants no result set for them.
_STATUS_ONLY_WORDS = frozenset(
    {"CREATE", "DROP", "ALTER", "SET", "RESET", "USE", "ATTACH", "DETACH", "CHECKPOINT", "LOAD", "INSTALL", "VACUUM", "COMMENT"}
)


def _is_status_only(statement: ParsedStatement, description: list) -> bool:
    words = statement.text.lstrip().split(None, 1)
    return (
        bool(words)
        and words[0].upper() in _STATUS_ONLY_WORDS
        and len(description) == 1
        and description[0][0] in ("Success", "Count")
    )


def _changes_schema(statement: ParsedStatement) -> bool:
    if statement.tree is not None:
        return isinstance(statement.tree, (exp.Create, exp.Drop, exp.Alter))
    words = statement.text.lstrip().split(None, 1)
    return bool(words) and words[0].upper() in ("CREATE", "DROP", "ALTER", "ATTACH", "DETACH")


def _refuse_catalog_write(statement: ParsedStatement) -> None:
    written = catalog_write(statement.tree, statement.text)
    if written is not None:
        raise ProgrammingError(
            f"cannot change {written} with plain SQL: the aidb schema is aidb's catalog, changed only through aidb's "
            f"statements (CREATE/DROP MODEL, CREATE/DROP VECTOR INDEX, ...); reading it with SELECT is fine"
        )


def _is_dml_count(statement: ParsedStatement) -> bool:
    tree = statement.tree
    if isinstance(tree, (exp.Insert, exp.Update, exp.Delete)):
        return not tree.args.get("returning")
    if tree is None:
        words = statement.text.lstrip().split(None, 1)
        return bool(words) and words[0].upper() in ("INSERT", "UPDATE", "DELETE") and "RETURNING" not in statement.text.upper()
    return False


def _open_duckdb(layout: DatabaseLayout, read_only: bool) -> duckdb.DuckDBPyConnection:
    if read_only and not layout.in_memory and not Path(layout.duckdb_path).exists():
        raise OperationalError(f"cannot open {layout.duckdb_path} read-only: the file does not exist")
    try:
        return duckdb.connect(layout.duckdb_path, read_only=read_only)
    except duckdb.Error as error:
        message = str(error)
        if "lock" in message.lower():
            hint = "another process has it open for writing; close it or open this one read-only"
        elif "not a valid" in message.lower() or "corrupt" in message.lower():
            hint = "the file is not a DuckDB database or is damaged"
        else:
            hint = "check the path and its permissions"
        raise OperationalError(f"cannot open database {layout.duckdb_path}: {hint} ({message})") from error
