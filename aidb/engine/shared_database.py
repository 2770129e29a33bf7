"""One DuckDB database instance per file and process, shared by every aidb session that opens the file.

DuckDB keeps one database instance per file in a process, and a Python function registered on any
of its connections lives in that instance's catalog, bound to the connection that registered it
(calling it after that connection closed crashes the process). So the functions are registered
once, on a root connection that stays open while any session uses the file; each session gets a
connection of its own (a cursor of the root, so its own transaction) and tells the shared function
context which session is running a statement on its thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from aidb.errors import OperationalError
from aidb.functions.registry import ErrorSlot, FunctionContext, register_functions
from aidb.storage.lance_search import AnnSearch, OpenDatasets, register_search_function
from aidb.storage.layout import DatabaseLayout


class SessionDispatch:
    """The function context of a shared database: the context of the session running a statement on this thread.

    DuckDB may call a function on one of its worker threads; there the context of the session that ran a
    statement last stands in (the model catalog is the database's, so it answers the same).
    """

    def __init__(self) -> None:
        self._local = threading.local()
        self._last: FunctionContext | None = None

    def activate(self, context: FunctionContext) -> None:
        self._local.context = context
        self._last = context

    def forget(self, context: FunctionContext) -> None:
        if getattr(self._local, "context", None) is context:
            self._local.context = None
        if self._last is context:
            self._last = None

    def _current(self) -> FunctionContext:
        context = getattr(self._local, "context", None) or self._last
        if context is None:
            raise OperationalError("an aidb function ran after its connection was closed")
        return context

    def model(self, kind: str, name: str | None) -> Any:
        return self._current().model(kind, name)

    def model_record(self, kind: str, name: str | None) -> Any:
        return self._current().model_record(kind, name)  # type: ignore[attr-defined]

    def progress(self, rows: int) -> None:
        self._current().progress(rows)


class SharedDatabase:
    """A DuckDB database instance with aidb's functions registered once, and the sessions' connections to it."""

    def __init__(self, key: str | None, root: duckdb.DuckDBPyConnection, read_only: bool) -> None:
        self.key, self.root, self.read_only = key, root, read_only
        self.errors = ErrorSlot()
        self.lance_datasets = OpenDatasets()  # Lance datasets open for ANN search, with their index caches
        self.dispatch = SessionDispatch()
        self._functions_registered = False
        self._search_functions: set[str] = set()
        self._connections = 0
        self._lock = threading.Lock()

    def connect(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            self._connections += 1
            return self.root.cursor()

    def register_functions(self) -> None:
        with self._lock:
            if not self._functions_registered:
                register_functions(self.root, self.dispatch, self.errors)
                self._functions_registered = True

    def register_search(self, name: str, search: AnnSearch) -> None:
        with self._lock:
            if name not in self._search_functions:
                register_search_function(self.root, name, search, self.lance_datasets, self.errors.put)
                self._search_functions.add(name)

    def release(self, connection: duckdb.DuckDBPyConnection, context: FunctionContext) -> None:
        """A session closed its connection; the last one out closes the instance."""
        self.dispatch.forget(context)
        with _OPEN_LOCK, self._lock:
            connection.close()
            self._connections -= 1
            if self._connections == 0:
                self.root.close()
                if self.key is not None and _OPEN.get(self.key) is self:
                    del _OPEN[self.key]


_OPEN: dict[str, SharedDatabase] = {}
_OPEN_LOCK = threading.Lock()


def open_database_files() -> list[str]:
    """The database files this process has open (a forked child inherits these DuckDB instances but must not use them)."""
    with _OPEN_LOCK:
        return sorted(_OPEN)


def open_database(layout: DatabaseLayout, read_only: bool, connect: Callable[[], duckdb.DuckDBPyConnection]) -> SharedDatabase:
    """The shared instance of `layout`'s file (opened with `connect` when no session has it open)."""
    if layout.in_memory:
        return SharedDatabase(None, connect(), read_only)  # every :memory: connection is a database of its own
    key = str(Path(layout.duckdb_path).resolve())
    with _OPEN_LOCK:
        shared = _OPEN.get(key)
        if shared is None:
            shared = _OPEN[key] = SharedDatabase(key, connect(), read_only)
        elif shared.read_only != read_only:
            mode = "read-only" if shared.read_only else "read-write"
            raise OperationalError(
                f"cannot open {layout.duckdb_path} {'read-only' if read_only else 'read-write'}: this process has it open "
                f"{mode} (DuckDB opens one file one way per process); open it {mode} or close the other connection first"
            )
        return shared
