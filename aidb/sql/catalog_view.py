"""What the rewrite passes may know about the database, handed to them as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aidb.storage.catalog import ModelRecord


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


@dataclass(frozen=True)
class CatalogView:
    functions: dict[str, FunctionInfo] = field(default_factory=dict)
    models: dict[str, ModelRecord] = field(default_factory=dict)

    def default_model(self, kind: str) -> ModelRecord | None:
        for model in self.models.values():
            if model.kind == kind and model.is_default:
                return model
        return None
