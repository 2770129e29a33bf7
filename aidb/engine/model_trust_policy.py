"""Whether a model catalog row may be loaded: the trust model of DESIGN.md ("names, never paths; nothing
unpickled because a catalog row says so without the user's opt-in").

A row loads when aidb on this machine signed it (storage/model_trust.py), when the user trusts the
database (`aidb.connect(..., trust_models=True)`, or AIDB_TRUST_MODELS=1 in the environment), or when it names no file (a built-in or an
allow-listed model package) or a non-pickle file inside the database's own model folder.
"""

from __future__ import annotations

from pathlib import Path

from aidb.errors import OperationalError
from aidb.storage.catalog import ModelRecord
from aidb.storage.model_trust import signature_valid

TRUST_MODELS_ENV = "AIDB_TRUST_MODELS"
# Sources resolved by name, not read from a path the row names: the loaders allow-list them.
NAMED_SOURCE_PREFIXES = ("package:", "builtin:", "hf:")
# Formats whose loading runs code (Python pickles, e.g. the logreg classifier's joblib file).
PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle")


def check_model_trusted(record: ModelRecord, model_folder: Path, trust_models: bool) -> None:
    """Raise OperationalError when `record` may not be loaded in this session."""
    if trust_models or record.source.startswith(NAMED_SOURCE_PREFIXES):
        return
    if signature_valid(record.name, record.kind, record.source, record.fingerprint, record.signature):
        return
    path = Path(record.source)
    is_pickle = path.suffix.lower() in PICKLE_SUFFIXES
    if not is_pickle and path.resolve().is_relative_to(model_folder.resolve()):
        return
    what = "a Python pickle, whose loading runs code" if is_pickle else f"a file outside the database's model folder {model_folder}"
    raise OperationalError(
        f"model {record.name!r} was not created by aidb on this machine (or its catalog row was changed since), "
        f"and its source is {what}: {record.source}. If you trust this database, open it with "
        f"aidb.connect(path, trust_models=True) (in the shell: AIDB_TRUST_MODELS=1 aidb PATH); otherwise re-create the model"
    )
