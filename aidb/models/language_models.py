"""The loader of TYPE language models: KenLM files, models trained from a query, `hf:` causal LMs, the built-in default.

Sources in the catalog: an absolute path to a KenLM ARPA or binary file (given or trained; trained files live
in `<database>.models/`, or a temporary folder kept for the session of an in-memory database), `hf:<dir>`
for a Hugging Face causal LM, or `builtin:pydoc_data.topics` for the default model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from aidb.errors import OperationalError, ProgrammingError
from aidb.models.default_language_model import BUILTIN_NAME, BUILTIN_SOURCE, builtin_fingerprint, default_model_path
from aidb.models.hf_causal_lm import HF_PREFIX, describe_hf, load_hf_causal_lm
from aidb.models.kenlm_scoring import KenLMLanguageModel, open_kenlm
from aidb.models.kenlm_training import DEFAULT_ORDER, check_order, file_fingerprint, train_arpa
from aidb.models.lm_tokens import tokenised_lines
from aidb.models.loaders import ModelDescription, TrainingContext, builtin_default, model_loader
from aidb.catalog_records import ModelRecord
from aidb.storage.model_files import store_model_file


@model_loader("language")
class LanguageModelLoader:
    """KenLM n-gram models (CCNet perplexity) and Hugging Face causal LMs."""

    def describe(self, source: str, options: dict[str, object]) -> ModelDescription:
        if source.startswith(HF_PREFIX):
            return describe_hf(source)
        path = Path(source).expanduser().resolve()
        _normalise_option(options)
        open_kenlm(path)  # a full load: the only reliable check that the file is a KenLM model
        return ModelDescription(fingerprint=file_fingerprint(path), source=str(path))

    def train(self, context: TrainingContext, name: str, query_sql: str, using: object, options: dict[str, object]) -> ModelDescription:
        if using is not None:
            raise ProgrammingError("CREATE LANGUAGE MODEL ... FROM (SELECT ...) takes no USING: it trains a Kneser-Ney n-gram model")
        order = check_order(options.setdefault("order", DEFAULT_ORDER))
        reader = context.read_query(query_sql)
        if len(reader.schema.names) != 1 or not _is_text(reader.schema.field(0).type):
            raise ProgrammingError(
                f"CREATE LANGUAGE MODEL {name} FROM (SELECT ...): the query must return one text column, got {_columns(reader.schema)}"
            )
        lines = (line for batch in reader for line in tokenised_lines(batch.column(0)))
        path, fingerprint = store_model_file(
            context.model_files_dir(), name, ".arpa", lambda target: train_arpa(lines, order, target)
        )
        return ModelDescription(fingerprint=fingerprint, source=str(path))

    def load(self, record: ModelRecord) -> Any:
        if record.source.startswith(HF_PREFIX):
            return load_hf_causal_lm(record.source, record.option_values)
        if record.source == BUILTIN_SOURCE:
            path = default_model_path()
            return KenLMLanguageModel(open_kenlm(path), path)
        path = Path(record.source)
        model = open_kenlm(path)
        if record.fingerprint is not None and file_fingerprint(path) != record.fingerprint:
            raise OperationalError(
                f"language model file {path} changed since CREATE LANGUAGE MODEL {record.name}; "
                f"run CREATE OR REPLACE LANGUAGE MODEL {record.name} FROM '{path}' to accept the new file"
            )
        return KenLMLanguageModel(model, path, _normalise_option(record.option_values))


def _normalise_option(options: dict[str, object]) -> bool:
    """WITH (normalise = false): the text is already tokenised the way the model was trained (e.g. sentencepiece)."""
    value = options.get("normalise", True)
    if not isinstance(value, bool):
        raise ProgrammingError(f"language model option normalise must be true or false, got {value!r}")
    return value


def _columns(schema: pa.Schema) -> str:
    return ", ".join(f"{field.name} {field.type}" for field in schema) or "no columns"


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)


builtin_default(
    ModelRecord(
        name=BUILTIN_NAME,
        kind="language",
        source=BUILTIN_SOURCE,
        options=f'{{"order": {DEFAULT_ORDER}}}',
        fingerprint=builtin_fingerprint(),
        is_default=True,
    )
)
