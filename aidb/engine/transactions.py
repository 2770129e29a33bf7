"""The DuckDB transaction of one session: implicit (PEP 249 mode), explicit (BEGIN ... COMMIT), per statement.

PEP 249 mode (autocommit off) opens a transaction before the first statement and keeps it until commit() or
rollback(); autocommit mode runs each statement alone unless BEGIN opened one. A statement of several steps
(an aidb command, a CREATE TABLE AS with its lineage rows) runs in a transaction of its own when none is open.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import duckdb

from aidb.errors import Error, ProgrammingError, translate_duckdb_error


class Transactions:
    """Whether a DuckDB transaction is open on `duck`, and the only code that opens or ends one."""

    def __init__(self, duck: duckdb.DuckDBPyConnection, autocommit: bool, statement_committed: Callable[[], None] = lambda: None) -> None:
        self.duck = duck
        self.autocommit = autocommit
        self.active = False
        self._statement_committed = statement_committed  # after a statement's own transaction commits

    def begin(self) -> None:
        self._execute("BEGIN TRANSACTION")
        self.active = True

    def begin_implicit(self) -> None:
        """PEP 249 mode: open the transaction the next statement runs in, unless one is open."""
        if not self.autocommit and not self.active:
            self.begin()

    def begin_explicit(self) -> None:
        """BEGIN [TRANSACTION] typed by the user."""
        if self.active:
            if self.autocommit:
                raise ProgrammingError("a transaction is already open; COMMIT or ROLLBACK it first")
            return  # PEP 249 mode already opened one implicitly
        self.begin()

    def commit(self) -> None:
        if self.active:
            self._execute("COMMIT")
            self.active = False

    def rollback(self) -> bool:
        """Roll back the open transaction; whether there was one."""
        if not self.active:
            return False
        self._execute("ROLLBACK")
        self.active = False
        return True

    def abandon(self) -> bool:
        """After a failed COMMIT: make sure no transaction stays open (DuckDB may have ended it); whether one was."""
        if not self.active:
            return False
        with contextlib.suppress(duckdb.Error):
            self.duck.execute("ROLLBACK")
        self.active = False
        return True

    def leave(self, what: str, commit: Callable[[], None]) -> None:
        """Commit (with `commit`, the session's, which publishes staged Lance writes) the implicit transaction before
        `what`, a statement that commits by itself (a Lance table's DDL). Inside an explicit transaction that would
        commit what the user has not committed yet: refused."""
        if not self.active:
            return
        if self.autocommit:
            raise ProgrammingError(f"{what} cannot run inside a transaction (Lance commits it by itself); COMMIT or ROLLBACK first")
        commit()

    def abort(self, error: Error) -> Error:
        """Undo what a failed statement's transaction did; `error`, saying so when a transaction was rolled back."""
        if self.active:
            try:
                self.duck.execute("ROLLBACK")
            except duckdb.Error:
                pass  # DuckDB may already have ended the aborted transaction
            self.active = False
            if error.args and "transaction was rolled back" not in str(error.args[0]):
                error.args = (f"{error.args[0]}\n(the open transaction was rolled back)", *error.args[1:])
        return error

    @contextlib.contextmanager
    def statement(self, owns: bool) -> Iterator[None]:
        """Make a multi-step statement atomic when no transaction is open around it (`owns`); on error the caller aborts."""
        if owns:
            self.duck.execute("BEGIN TRANSACTION")
            self.active = True
        yield
        if owns:
            self.duck.execute("COMMIT")
            self.active = False
            self._statement_committed()

    def _execute(self, sql: str) -> None:
        try:
            self.duck.execute(sql)
        except duckdb.Error as error:
            raise translate_duckdb_error(error, sql) from error
