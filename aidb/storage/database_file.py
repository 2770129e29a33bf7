"""Open the DuckDB file of a database, with errors that say what is wrong with it."""

from __future__ import annotations

from pathlib import Path

import duckdb

from aidb.errors import OperationalError
from aidb.storage.layout import DatabaseLayout


def open_database_file(layout: DatabaseLayout, read_only: bool) -> duckdb.DuckDBPyConnection:
    if read_only and not layout.in_memory and not Path(layout.duckdb_path).exists():
        raise OperationalError(f"cannot open {layout.duckdb_path} read-only: the file does not exist")
    try:
        return duckdb.connect(layout.duckdb_path, read_only=read_only)
    except duckdb.Error as error:
        message = str(error)
        if "lock" in message.lower():
            hint = "another process has it open for writing; close it or open this one read-only"
        elif "not a valid" in message.lower() or "corrupt" in message.lower():
            hint = "the file is not a DuckDB database or is damaged"
        else:
            hint = "check the path and its permissions"
        raise OperationalError(f"cannot open database {layout.duckdb_path}: {hint} ({message})") from error
