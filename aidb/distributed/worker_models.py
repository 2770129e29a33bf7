"""The models a distributed statement may load, resolved and trust-checked on the driver and shipped to Ray workers.

A worker cannot read the database's catalog (the driver holds the DuckDB file), so the driver hands it the
catalog rows of the model kinds the statement's functions use; the worker resolves names among them the way
the session does, and loads each model once per process (`aidb.models.loaders.load_model`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aidb.errors import OperationalError, ProgrammingError, did_you_mean
from aidb.models.loaders import load_loader_modules, load_model
from aidb.storage.catalog import ModelRecord


@dataclass(frozen=True)
class WorkerModels:
    """Catalog rows by name, the default per kind, and why a row may not be loaded (an untrusted pickle, say)."""

    records: dict[str, ModelRecord] = field(default_factory=dict)
    defaults: dict[str, ModelRecord] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # model name -> the trust error's message

    def resolve(self, kind: str, name: str | None) -> ModelRecord:
        """The record `kind`/`name` names, with the session's errors for unknown names and wrong kinds."""
        if name is None:
            record = self.defaults.get(kind)
            if record is None:
                raise ProgrammingError(f"no default {kind} model; create one with CREATE MODEL ... TYPE {kind} ... WITH (default = true)")
        else:
            record = self.records.get(name)
            if record is None:
                raise ProgrammingError(f"unknown model {name!r}.{did_you_mean(name, list(self.records))}")
            if record.kind != kind:
                raise ProgrammingError(f"model {name!r} is a {record.kind} model, but a {kind} model is needed here")
        if record.name in self.refused:
            raise OperationalError(self.refused[record.name])
        return record


class WorkerFunctionContext:
    """The FunctionContext of aidb's SQL functions inside a Ray worker: models from WorkerModels, no progress bar
    (the driver counts finished blocks instead)."""

    def __init__(self, models: WorkerModels) -> None:
        self._models = models
        load_loader_modules()

    def model(self, kind: str, name: str | None) -> Any:
        return load_model(self._models.resolve(kind, name))

    def progress(self, rows: int) -> None:
        pass
