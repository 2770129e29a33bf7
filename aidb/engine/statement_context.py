"""What a handler of an aidb statement (or of a Lance table write) may use of the session that runs it.

Handlers get this narrow Protocol, not the Session: they run SQL on the connection, read and invalidate the
catalog view, plan statements through the session's one planning path, and ask for the few services below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import duckdb

from aidb.engine.lance_staging import LanceStaging
from aidb.engine.operator_runs import OperatorRelations
from aidb.engine.plan_cache import CachedPlan
from aidb.models.loaders import TrainingContext
from aidb.progress_reporter import ProgressReporter
from aidb.sql.catalog_view import CatalogView
from aidb.sql.frontend import ParsedStatement


class StatementContext(Protocol):
    duck: duckdb.DuckDBPyConnection
    read_only: bool
    progress: ProgressReporter
    lance_staging: LanceStaging  # Lance writes of the open transaction, published at commit
    operator_relations: OperatorRelations  # what the statement's operator table functions returned and wrote

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open (implicit in PEP 249 mode, or BEGIN)."""

    def begin(self) -> None:
        """Open a transaction (a one-statement one, in autocommit mode)."""

    def commit(self) -> None:
        """Commit DuckDB and the Lance writes staged in the transaction together."""

    def catalog(self) -> CatalogView:
        """The catalog as data (built before DuckDB runs anything that reads it)."""

    def invalidate_catalog(self) -> None:
        """The statement changed models, tables or indexes: plans and open datasets are stale."""

    def prepare(self, statement: ParsedStatement) -> CachedPlan:
        """Plan `statement` (through the plan cache) and register what it calls (search functions, extensions)."""

    def run_planned(self, plan: CachedPlan, parameters: Any) -> None:
        """Run a prepared statement on `duck` (on one thread when it calls a model function or a search)."""

    def run_operators(self, plan: CachedPlan, parameters: Any) -> Any:
        """Run the operator table functions a prepared statement calls; the parameters left for the statement."""

    def shadow_staged_tables(self) -> None:
        """A Lance table was just staged in the transaction: reads go through its staging view from now on."""

    def lance_folder(self) -> Path:
        """The folder of the database's Lance datasets (a temporary one for an in-memory database)."""

    def leave_transaction(self, what: str) -> None:
        """Commit the implicit transaction before `what`, which Lance commits by itself (refused in an explicit one)."""

    def forget_open_datasets(self) -> None:
        """Close the Lance datasets kept open for searches (an index was built or dropped)."""

    def note_model_file(self, source: str, created: bool) -> None:
        """A statement trained (`created`) or replaced/dropped the model stored at `source` (removed at commit)."""

    def training(self) -> TrainingContext:
        """What a model loader that trains (CREATE CLASSIFIER, CREATE LANGUAGE MODEL ... FROM (SELECT ...)) may use."""
