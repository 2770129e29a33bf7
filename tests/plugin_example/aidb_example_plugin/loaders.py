"""Entry point `aidb.model_loaders`: the example plugin's model TYPE `affix` (FROM 'prefix|suffix')."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from aidb.storage.catalog import ModelRecord
from aidb.errors import ProgrammingError
from aidb.models.loaders import ModelDescription, model_loader


@dataclass(frozen=True)
class Affix:
    prefix: str
    suffix: str

    def apply(self, text: str) -> str:
        return f"{self.prefix}{text}{self.suffix}"


@model_loader("affix")
class AffixLoader:
    def describe(self, source: str, options: dict[str, object]) -> ModelDescription:
        if source.count("|") != 1:
            raise ProgrammingError(f"an affix model is FROM 'prefix|suffix', not {source!r}")
        return ModelDescription(fingerprint=hashlib.sha256(source.encode()).hexdigest()[:16])

    def load(self, record: ModelRecord) -> Affix:
        prefix, suffix = record.source.split("|")
        return Affix(prefix, suffix)
