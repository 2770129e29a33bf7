"""What the rewrite passes may know about the database, handed to them as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aidb.catalog_records import ModelRecord, RemovalTableRecord, VectorTableInfo
from aidb.settings import Settings


@dataclass(frozen=True)
class ParamInfo:
    name: str
    type: str
    required: bool
    default: Any = None


@dataclass(frozen=True)
class FunctionInfo:
    name: str
    kind: str  # 'udf' (Python, registered by aidb) or 'macro' (sql_functions/*.sql)
    family: str
    params: tuple[ParamInfo, ...]
    returns: str
    doc: str
    signature: str
    model_kind: str | None = None
    one_thread: bool = False  # statements calling it run on one DuckDB thread


@dataclass(frozen=True)
class CatalogView:
    functions: dict[str, FunctionInfo] = field(default_factory=dict)
    models: dict[str, ModelRecord] = field(default_factory=dict)
    # kind -> the model aidb ships for it (e.g. all-MiniLM-L6-v2), used when the catalog names no default.
    builtin_models: dict[str, ModelRecord] = field(default_factory=dict)
    # lower-cased table name -> its vector columns, Lance dataset, indexes and size (for the vector search rewrite)
    vector_tables: dict[str, VectorTableInfo] = field(default_factory=dict)
    # removal tables written by operators (dedup()), oldest run first, for why_dropped()
    removal_tables: tuple[RemovalTableRecord, ...] = ()
    # the connection's aidb settings (SET aidb_...): thresholds the passes read as data
    settings: Settings = field(default_factory=Settings)

    def default_model(self, kind: str) -> ModelRecord | None:
        for model in self.models.values():
            if model.kind == kind and model.is_default:
                return model
        return None

    def effective_default(self, kind: str) -> ModelRecord | None:
        """The model a function of `kind` uses when none is named: the catalog's default, else the built-in one."""
        return self.default_model(kind) or self.builtin_models.get(kind)

    def find_model(self, name: str) -> ModelRecord | None:
        """A model by name: the catalog's, else a built-in one of that name."""
        if name in self.models:
            return self.models[name]
        return next((m for m in self.builtin_models.values() if m.name == name), None)

    def model_names(self) -> list[str]:
        return [*self.models, *(m.name for m in self.builtin_models.values() if m.name not in self.models)]
