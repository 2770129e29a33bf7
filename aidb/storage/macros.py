"""Load the SQL macro files (`sql_functions/*.sql`) onto a connection and describe what they define."""

from __future__ import annotations

import hashlib
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


def persist_macros(con: duckdb.DuckDBPyConnection, schema: str, folder: Path | None = None) -> None:
    """Keep copies of the macros in `schema` of the database file, for stored views that stock DuckDB reads.

    The schema is aidb's own (a user's macros elsewhere are never touched). The view `<schema>.macros_version`
    holds a fingerprint of the macro files, so an unchanged database is not written to on open (and the check
    costs one small query: listing duckdb_functions() takes ~80 ms).
    """
    files = macro_files(folder)
    texts = [path.read_text(encoding="utf-8") for path in files]
    stamp = hashlib.sha256(chr(0).join(texts).encode()).hexdigest()[:16]
    try:
        if con.execute(f"SELECT fingerprint FROM {schema}.macros_version").fetchone() == (stamp,):
            return
    except duckdb.CatalogException:
        pass  # a database from before persisted macros, or a new one
    docs = macro_docs(folder)
    names = "|".join(sorted(docs, key=len, reverse=True))
    calls = re.compile(rf"(?<![\w.])({names})(?=\s*\()", re.IGNORECASE)
    head = re.compile(r"CREATE\s+OR\s+REPLACE\s+TEMP\s+MACRO\s+", re.IGNORECASE)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        for path, text in zip(files, texts):
            try:
                con.execute(calls.sub(rf"{schema}.\1", head.sub("CREATE OR REPLACE MACRO ", text)))
            except duckdb.Error as error:
                raise OperationalError(f"SQL function file {path.name} failed to load into schema {schema}: {error}") from error
        table_macros = {
            row[0]
            for row in con.execute(
                "SELECT function_name FROM duckdb_functions() WHERE schema_name = ? AND function_type = 'table_macro'", [schema]
            ).fetchall()
        }
        for doc in docs.values():  # the doc line, shown by BI tools' function browsers
            kind = "MACRO TABLE" if doc.name in table_macros else "MACRO"
            con.execute(f"COMMENT ON {kind} {schema}.{doc.name} IS '{doc.doc.replace(chr(39), chr(39) * 2)}'")
        con.execute(f"CREATE OR REPLACE VIEW {schema}.macros_version AS SELECT '{stamp}' AS fingerprint")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


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
