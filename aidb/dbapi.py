"""The PEP 249 (DB-API 2.0) surface: Connection and Cursor over an aidb Session.

All cursors of a connection share its one DuckDB connection and so its transaction, as PEP 249
asks. A cursor streams its rows from DuckDB; when another cursor of the same connection runs a
statement, the first cursor's unread rows are moved to a private in-memory copy first, so both
stay readable.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

import duckdb
from sqlglot import exp

from aidb import errors
from aidb.dbapi_types import describe_column
from aidb.engine.progress import Progress
from aidb.engine.session import Session
from aidb.errors import InterfaceError, ProgrammingError


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """Whatever DuckDB or pyarrow raise while rows are handed over leaves as an aidb error (PEP 249)."""
    try:
        yield
    except errors.Error:
        raise
    except Exception as error:
        raise errors.translate_exception(error) from error


_Method = TypeVar("_Method", bound=Callable[..., Any])


def _one_at_a_time(method: _Method) -> _Method:
    """Run a Connection or Cursor method holding the connection's lock (threads with their own cursors take turns)."""

    @functools.wraps(method)
    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        connection = self if isinstance(self, Connection) else self.connection
        with connection._lock:
            return method(self, *args, **kwargs)

    return locked  # type: ignore[return-value]


class Connection:
    Warning = errors.Warning
    Error = errors.Error
    InterfaceError = errors.InterfaceError
    DatabaseError = errors.DatabaseError
    DataError = errors.DataError
    OperationalError = errors.OperationalError
    IntegrityError = errors.IntegrityError
    InternalError = errors.InternalError
    ProgrammingError = errors.ProgrammingError
    NotSupportedError = errors.NotSupportedError

    def __init__(
        self,
        path: str | Path = ":memory:",
        read_only: bool = False,
        autocommit: bool = False,
        progress: bool | None = None,
        trust_models: bool = False,
        engine: str = "duckdb",
        ray_address: str | None = None,
    ) -> None:
        self._session: Session | None = Session(
            path, read_only=read_only, autocommit=autocommit, progress=Progress(progress), trust_models=trust_models,
            engine=engine, ray_address=ray_address,
        )
        self._streaming: Cursor | None = None
        # Cursors share the connection's DuckDB connection: threads with cursors of their own take turns on it.
        self._lock = threading.RLock()

    @property
    def session(self) -> Session:
        if self._session is None:
            raise InterfaceError("the connection is closed")
        return self._session

    @property
    def autocommit(self) -> bool:
        return self.session.autocommit

    @autocommit.setter
    @_one_at_a_time
    def autocommit(self, value: bool) -> None:
        if value and self.session.in_transaction:
            self.session.commit()
        self.session.autocommit = bool(value)

    @property
    def path(self) -> str:
        return self.session.layout.duckdb_path

    def cursor(self) -> Cursor:
        self.session  # noqa: B018 - raises when closed
        return Cursor(self)

    def execute(self, operation: str, parameters: Sequence[Any] | dict[str, Any] | None = None) -> Cursor:
        """Convenience (as in sqlite3 and duckdb): a new cursor that has run `operation`."""
        return self.cursor().execute(operation, parameters)

    def executemany(self, operation: str, seq_of_parameters: Iterable[Sequence[Any]]) -> Cursor:
        return self.cursor().executemany(operation, seq_of_parameters)

    @_one_at_a_time
    def register(self, view_name: str, python_object: Any) -> Connection:
        """Read a pandas or polars DataFrame or a pyarrow Table/RecordBatch/RecordBatchReader/Dataset as the view
        `view_name` until `unregister(view_name)` (as DuckDB's `register`); rows are read when a statement runs."""
        self.session.python_objects.register(view_name, python_object)
        return self

    @_one_at_a_time
    def unregister(self, view_name: str) -> Connection:
        self.session.python_objects.unregister(view_name)
        return self

    @_one_at_a_time
    def commit(self) -> None:
        with _translated():
            self._release_stream()
        self.session.commit()

    @_one_at_a_time
    def rollback(self) -> None:
        with _translated():
            self._release_stream()
        self.session.rollback()

    def interrupt(self) -> None:
        """Cancel the statement running on this connection (from another thread); it raises OperationalError."""
        self.session.interrupt()

    @_one_at_a_time
    def close(self) -> None:
        """Close; a transaction not committed is rolled back (PEP 249). Closing twice is harmless."""
        if self._session is None:
            return
        self._release_stream()
        session, self._session = self._session, None
        session.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        """Commit when the block succeeds, roll back when it raises; then close."""
        if self._session is not None:
            if value is None:
                self.commit()
            self.close()

    # -- cursor coordination ----------------------------------------------------------------------

    def _claim(self, cursor: Cursor) -> None:
        """`cursor` is about to run a statement: another cursor's unread rows move out of DuckDB first."""
        self._release_stream(keep=cursor)
        self._streaming = cursor

    def _release_stream(self, keep: Cursor | None = None) -> None:
        if self._streaming is not None and self._streaming is not keep:
            self._streaming._detach()
        self._streaming = None if keep is None else self._streaming


class Cursor:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.arraysize = 1
        self.description: tuple[tuple[Any, ...], ...] | None = None
        self.rowcount = -1
        self._source: duckdb.DuckDBPyConnection | _RowsResult | None = None
        self._read_rows = False  # rows of the current result were read into Python (fetchone/fetchmany/fetchall)
        self._closed = False

    # -- executing --------------------------------------------------------------------------------

    @_one_at_a_time
    def execute(self, operation: str, parameters: Sequence[Any] | dict[str, Any] | None = None) -> Cursor:
        self._check_open()
        session = self.connection.session
        with _translated():
            self.connection._claim(self)
        self._source, self.description, self.rowcount, self._read_rows = None, None, -1, False
        outcome = session.execute(operation, parameters, frame=_caller_frame())
        if outcome.has_rows:
            self._source = session.duck
            with _translated():
                self.description = tuple(describe_column(name, str(type_code)) for name, type_code, *_ in session.duck.description)
        else:
            self.rowcount = outcome.rowcount
        return self

    def executemany(self, operation: str, seq_of_parameters: Iterable[Sequence[Any]]) -> Cursor:
        total = 0
        counted = True
        if not isinstance(seq_of_parameters, Iterable):
            raise ProgrammingError(f"executemany needs a sequence of parameter sets, not {type(seq_of_parameters).__name__}")
        for parameters in seq_of_parameters:
            self.execute(operation, parameters)
            counted = counted and self.rowcount >= 0
            total += max(self.rowcount, 0)
        self.rowcount = total if counted else -1
        return self

    def callproc(self, procname: str, parameters: Sequence[Any] = ()) -> None:
        raise errors.NotSupportedError("callproc: DuckDB has no stored procedures; use SELECT with a macro instead")

    def nextset(self) -> None:
        return None

    def setinputsizes(self, sizes: Any) -> None:
        """A no-op, as PEP 249 allows."""

    def setoutputsize(self, size: int, column: int | None = None) -> None:
        """A no-op, as PEP 249 allows."""

    # -- fetching ---------------------------------------------------------------------------------

    @_one_at_a_time
    def fetchone(self) -> tuple[Any, ...] | None:
        self._read_rows = True
        with _translated():
            return self._rows().fetchone()

    @_one_at_a_time
    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        self._read_rows = True
        with _translated():
            return self._rows().fetchmany(self.arraysize if size is None else size)

    @_one_at_a_time
    def fetchall(self) -> list[tuple[Any, ...]]:
        self._read_rows = True
        with _translated():
            return self._rows().fetchall()

    @_one_at_a_time
    def arrow(self):
        """The remaining rows as a pyarrow.Table."""
        with _translated():
            return self._rows().to_arrow_table()

    @_one_at_a_time
    def df(self):
        """The remaining rows as a pandas DataFrame."""
        with _translated():
            return self._rows().fetchdf()

    fetchdf = df

    @_one_at_a_time
    def fetch_arrow_table(self):
        """The remaining rows as a pyarrow.Table (DuckDB's name for `arrow()`)."""
        with _translated():
            return self._rows().to_arrow_table()

    @_one_at_a_time
    def fetchnumpy(self) -> dict[str, Any]:
        """The remaining rows as {column: numpy array} (masked arrays where a column has NULLs), as DuckDB gives them."""
        with _translated():
            return self._rows().fetchnumpy()

    @_one_at_a_time
    def fetch_record_batch(self, rows_per_batch: int = 1_000_000):
        """A pyarrow.RecordBatchReader streaming the remaining rows; read it before the connection runs another statement."""
        with _translated():
            reader = self._rows().to_arrow_reader(rows_per_batch)
        self._source = _RowsResult([], [])  # the reader owns the rest of the rows
        return reader

    @_one_at_a_time
    def pl(self):
        """The remaining rows as a polars DataFrame (needs polars: pip install polars)."""
        try:
            import polars  # noqa: F401 - only to say what is missing
        except ImportError as error:
            raise InterfaceError("cursor.pl() needs polars, which is not installed: pip install polars") from error
        with _translated():
            return self._rows().pl()

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        while (row := self.fetchone()) is not None:
            yield row

    @_one_at_a_time
    def close(self) -> None:
        if self.connection._streaming is self:
            self.connection._streaming = None
        self._source = None
        self._closed = True

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals --------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise InterfaceError("the cursor is closed")
        self.connection.session  # noqa: B018 - raises when the connection is closed

    def _rows(self) -> duckdb.DuckDBPyConnection | _RowsResult:
        self._check_open()
        if self._source is None:
            raise ProgrammingError("no result set to fetch: the last statement returned no rows (or none was executed)")
        return self._source

    def _detach(self) -> None:
        """Move the unread rows out of the shared DuckDB connection, so another cursor may run a statement."""
        if self._source is None or self._source is not self.connection.session.duck:
            return
        if self._read_rows:
            # DuckDB hands rows to Python a chunk at a time: after a fetchone only fetchall sees the rest of the chunk.
            self._source = _RowsResult(self._source.fetchall(), [d[0] for d in self.description or ()])
            return
        try:
            remaining = self._source.to_arrow_table()
        except duckdb.InvalidInputException:  # DuckDB closes a result once every row was fetched
            remaining = None
        if remaining is None:  # everything was already read
            self._source = _RowsResult([], [])
            return
        # Positional names for the scan: a result may repeat a column name (SELECT 1 AS x, 2 AS x).
        names = remaining.column_names
        private = duckdb.connect()
        private.register("remaining_rows", remaining.rename_columns([f"c{i}" for i in range(len(names))]))
        columns = ", ".join(f"c{i} AS {exp.to_identifier(name, quoted=True).sql(dialect='duckdb')}" for i, name in enumerate(names))
        private.execute(f"SELECT {columns} FROM remaining_rows" if names else "SELECT * FROM remaining_rows")
        self._source = private


def _caller_frame() -> FrameType:
    """The frame that called into this module (Connection.execute -> Cursor.execute): where `FROM df` finds df."""
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    return frame


class _RowsResult:
    """The rest of a result, read into Python before another cursor's statement replaced it in DuckDB."""

    def __init__(self, rows: list[tuple[Any, ...]], names: list[str]) -> None:
        self._rows, self._names = rows, names
        self._next = 0

    def fetchone(self) -> tuple[Any, ...] | None:
        batch = self.fetchmany(1)
        return batch[0] if batch else None

    def fetchmany(self, size: int = 1) -> list[tuple[Any, ...]]:
        batch = self._rows[self._next : self._next + size]
        self._next += len(batch)
        return batch

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.fetchmany(len(self._rows))

    def to_arrow_table(self):
        import pyarrow as pa

        rest = self.fetchall()
        return pa.Table.from_arrays([pa.array(list(column)) for column in zip(*rest)] if rest else [pa.array([])] * len(self._names), names=self._names)

    def fetchdf(self):
        return self.to_arrow_table().to_pandas()

    def fetchnumpy(self) -> dict[str, Any]:
        import numpy as np

        rest = self.fetchall()
        return {name: np.array([row[i] for row in rest]) for i, name in enumerate(self._names)}

    def to_arrow_reader(self, rows_per_batch: int):
        import pyarrow as pa

        table = self.to_arrow_table()
        return pa.RecordBatchReader.from_batches(table.schema, table.to_batches(rows_per_batch))

    def pl(self):
        import polars

        return polars.from_arrow(self.to_arrow_table())
