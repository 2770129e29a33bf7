"""aidb: an AI database for data-centric LLM work, over DuckDB and Lance.

    import aidb
    con = aidb.connect("corpus.aidb")
    con.execute("SELECT word_count(text) FROM docs").fetchall()
"""

from __future__ import annotations

from aidb.errors import (
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    Warning,
)

from aidb.dbapi_types import (
    BINARY,
    DATETIME,
    NUMBER,
    ROWID,
    STRING,
    Binary,
    Date,
    DateFromTicks,
    Time,
    TimeFromTicks,
    Timestamp,
    TimestampFromTicks,
)

from aidb.version import __version__

apilevel = "2.0"
threadsafety = 1  # threads may share the module, not connections
paramstyle = "qmark"  # DuckDB also accepts numbered ($1) parameters


def connect(
    path: str = ":memory:",
    read_only: bool = False,
    autocommit: bool = False,
    progress: bool | None = None,
    trust_models: bool = False,
    engine: str = "duckdb",
    ray_address: str | None = None,
):
    """Open (or create) the aidb database at `path` and return a PEP 249 connection.

    path: the DuckDB file (Lance datasets live in `<path>.lance/` beside it) or ":memory:".
    read_only: open without writing; fails if the catalog needs an upgrade.
    autocommit: False (PEP 249 default) opens a transaction implicitly; call commit() to keep changes.
    progress: show a progress bar for model functions; default only when stderr is a terminal.
    trust_models: load models whose catalog rows aidb on this machine did not write (a database from
        someone else): pickled classifiers and model files outside the database's model folder.
    engine: "duckdb" (default) or "ray": statements that compute model functions over a table run as Ray Data jobs
        (as after SET aidb_engine = 'ray'); needs `pip install "aidb[ray]"`.
    ray_address: the Ray cluster to join ("ray://host:10001", "auto"); default: the one this process joined, else a new local one.

    Parameters are bound with `?` (qmark, the module's `paramstyle`) or numbered `$1`, `$2`
    (a sequence), or named `$name` (a dict). With autocommit off, the first statement opens a
    transaction that lasts until commit() or rollback(); close() without commit() rolls it back.
    `with aidb.connect(p) as con:` commits when the block succeeds, rolls back when it raises, then closes.
    """
    from aidb.dbapi import Connection

    return Connection(
        path, read_only=read_only, autocommit=autocommit, progress=progress, trust_models=trust_models, engine=engine, ray_address=ray_address
    )


__all__ = [
    "__version__",
    "apilevel",
    "threadsafety",
    "paramstyle",
    "connect",
    "Warning",
    "Error",
    "InterfaceError",
    "DatabaseError",
    "DataError",
    "OperationalError",
    "IntegrityError",
    "InternalError",
    "ProgrammingError",
    "NotSupportedError",
    "Binary",
    "Date",
    "Time",
    "Timestamp",
    "DateFromTicks",
    "TimeFromTicks",
    "TimestampFromTicks",
    "STRING",
    "BINARY",
    "NUMBER",
    "DATETIME",
    "ROWID",
]
