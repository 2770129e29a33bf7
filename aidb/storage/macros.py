"""Load the SQL macro files (`sql_functions/*.sql`) onto a connection and describe what they define."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from aidb.errors import OperationalError
from aidb.storage.resources import resource_dir

_MACRO_HEAD = re.compile(r"^\s*CREATE\s+OR\s+REPLACE\s+TEMP\s+MACRO\s+(\w+)", re.IGNORECASE)


@dataclass(frozen=True)
class MacroDoc:
    name: str
    file: str
    doc: str


def macro_files(folder: Path | None = None) -> list[Path]:
    return sorted((folder or resource_dir("sql_functions")).glob("*.sql"))


def load_macros(con: duckdb.DuckDBPyConnection, folder: Path | None = None) -> None:
    """Create the macros of every file (as TEMP macros: nothing is written to the database file)."""
    for path in macro_files(folder):
        try:
            con.execute(path.read_text(encoding="utf-8"))
        except duckdb.Error as error:
            raise OperationalError(f"SQL function file {path.name} failed to load: {error}") from error


def macro_docs(folder: Path | None = None) -> dict[str, MacroDoc]:
    """name -> doc line: the `--` comment block right above each CREATE MACRO in our own files."""
    docs: dict[str, MacroDoc] = {}
    for path in macro_files(folder):
        comment: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("--"):
                comment.append(stripped.lstrip("-").strip())
                continue
            match = _MACRO_HEAD.match(line)
            if match:
                docs[match.group(1).lower()] = MacroDoc(match.group(1).lower(), path.name, " ".join(comment))
            comment = []  # a blank line or any statement ends a comment block
    return docs
