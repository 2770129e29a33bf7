"""What the SQL functions and the training model loaders of one session may use of it: narrow objects, not the Session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from aidb.catalog_records import ModelRecord
from aidb.errors import translate_duckdb_error
from aidb.models.loaders import load_model
from aidb.progress_reporter import ProgressReporter
from aidb.storage.layout import DatabaseLayout


class SessionTraining:
    """What a model loader that trains may use of one session (models.loaders.TrainingContext)."""

    def __init__(self, duck: duckdb.DuckDBPyConnection, model_files_dir: Callable[[], Path]) -> None:
        self._duck = duck
        self._model_files_dir = model_files_dir

    def read_query(self, sql: str) -> pa.RecordBatchReader:
        try:
            return self._duck.execute(sql).to_arrow_reader()
        except duckdb.Error as error:
            raise translate_duckdb_error(error, sql) from error

    def model_files_dir(self) -> Path:
        return self._model_files_dir()


class SessionFunctionContext:
    """What the SQL functions of one session may ask for: models from its catalog, progress reporting."""

    def __init__(
        self,
        resolve_model: Callable[[str, str | None], ModelRecord],
        progress: Callable[[], ProgressReporter],
        check_trusted: Callable[[ModelRecord], None],
    ) -> None:
        self._resolve_model = resolve_model
        self._progress = progress  # asked each time: a surface may swap the session's reporter (the REPL does)
        self._check_trusted = check_trusted

    def model(self, kind: str, name: str | None) -> Any:
        record = self._resolve_model(kind, name)
        self._check_trusted(record)
        return load_model(record)

    def model_record(self, kind: str, name: str | None) -> ModelRecord:
        return self._resolve_model(kind, name)

    def progress(self, rows: int) -> None:
        self._progress().advance(rows)


class SessionOperatorContext:
    """What the operator table functions of one session may ask for: models, the database's folder, planning of extra inputs."""

    def __init__(
        self,
        layout: DatabaseLayout,
        model: Callable[[str, str | None], Any],
        plan_sql: Callable[[str], str],
        progress: Callable[[], ProgressReporter],
        distributed_run: Callable[[str], Callable[..., Any] | None],
    ) -> None:
        self._layout = layout
        self._model = model
        self._plan_sql = plan_sql
        self._progress = progress
        self._distributed_run = distributed_run

    @property
    def database_folder(self) -> Path:
        return Path.cwd() if self._layout.in_memory else Path(self._layout.duckdb_path).parent

    def model(self, kind: str, name: str | None) -> Any:
        return self._model(kind, name)

    def progress(self, stage: str, completed: int, total: int) -> None:
        self._progress().update(stage, completed, total)

    def plan_sql(self, sql: str) -> str:
        return self._plan_sql(sql)

    def distributed_run(self, operator: str) -> Callable[..., Any] | None:
        """The Ray version of `operator` when the session's engine is 'ray' and it has one (engine/ray_statements.py)."""
        return self._distributed_run(operator)
