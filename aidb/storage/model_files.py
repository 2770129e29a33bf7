"""Where the files of models trained inside a database live, and how they are named and fingerprinted.

A database file `corpus.aidb` keeps its trained models (classifiers, n-gram language models) in
`corpus.aidb.models/`; an in-memory database keeps them in a scratch folder its session owns.
Files are named after the model and their content hash, so replacing a model never overwrites
the file an older catalog row (or a rolled-back transaction) still points at.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from aidb.storage.layout import DatabaseLayout

MODELS_SUFFIX = ".models"
_UNSAFE_CHARACTERS = re.compile(r"[^A-Za-z0-9_-]")


def model_files_dir(layout: DatabaseLayout, scratch_dir: Callable[[], Path]) -> Path:
    """The folder for trained model files of this database (created on first use).

    `scratch_dir` is asked only for in-memory databases, whose models live as long as the session.
    """
    if layout.in_memory:
        directory = scratch_dir() / "models"
    else:
        directory = Path(layout.duckdb_path + MODELS_SUFFIX)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def fingerprint_files(paths: Iterable[Path], include_names: bool = True) -> str:
    """sha256 over the contents (and, by default, the file names) of `paths` in the given order, as hex."""
    digest = hashlib.sha256()
    for path in paths:
        if include_names:
            digest.update(Path(path).name.encode() + b"\0")
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def file_stem(name: str) -> str:
    """The part of a model's file name that comes from the model's name: a name, never a path.

    Only letters, digits, '_' and '-' are kept (at most 64), so `"/../x"` or `"a/b"` cannot leave the folder.
    """
    return _UNSAFE_CHARACTERS.sub("_", name)[:64] or "model"


def store_model_file(directory: Path, name: str, suffix: str, write: Callable[[Path], None]) -> tuple[Path, str]:
    """Let `write` create the file, then give it its final name `<stem>.<hash16><suffix>`; returns (path, fingerprint)."""
    stem = file_stem(name)
    handle, temporary = tempfile.mkstemp(prefix=f".{stem}.", suffix=suffix, dir=directory)
    os.close(handle)
    temporary_path = Path(temporary)
    try:
        write(temporary_path)
        fingerprint = fingerprint_files([temporary_path], include_names=False)
        final = directory / f"{stem}.{fingerprint[:16]}{suffix}"
        os.replace(temporary_path, final)
    finally:
        temporary_path.unlink(missing_ok=True)
    return final, fingerprint


class ModelFileChanges:
    """Model files one transaction made (trained) and made obsolete (replaced, dropped), removed when it ends.

    A replaced or dropped model's file stays while the transaction might still roll back, and goes at
    COMMIT; a file trained in a transaction that rolls back goes at ROLLBACK. A file some committed
    catalog row still names is never removed.
    """

    def __init__(self) -> None:
        self.created: list[Path] = []
        self.obsolete: list[Path] = []

    def __bool__(self) -> bool:
        return bool(self.created or self.obsolete)

    def committed(self, referenced: set[str]) -> list[Path]:
        return self._remove(self.obsolete, referenced)

    def rolled_back(self, referenced: set[str]) -> list[Path]:
        return self._remove(self.created, referenced)

    def _remove(self, paths: list[Path], referenced: set[str]) -> list[Path]:
        removed = [p for p in paths if str(p) not in referenced and p.is_file()]
        for path in removed:
            path.unlink(missing_ok=True)
        self.created, self.obsolete = [], []
        return removed


def is_model_file(path: Path, directory: Path) -> bool:
    """Whether `path` is a file aidb trained into `directory` (and so may remove)."""
    return path.parent == directory
