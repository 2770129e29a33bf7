"""The aidb exception hierarchy (PEP 249) and the translation of DuckDB errors into it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class Warning(Exception):  # noqa: A001 - the name is mandated by PEP 249
    """Important warnings such as data truncation."""


class Error(Exception):
    """Base class of every error aidb raises."""


class InterfaceError(Error):
    """Misuse of the interface itself (closed cursor, bad argument to connect)."""


class DatabaseError(Error):
    """Errors related to the database."""


class DataError(DatabaseError):
    """Problems with the processed data: bad values, wrong types, out of range."""


class OperationalError(DatabaseError):
    """Problems with the database's operation: files, migrations, models that cannot load."""


class IntegrityError(DatabaseError):
    """Relational integrity is violated (a key constraint fails)."""


class InternalError(DatabaseError):
    """The database hit an internal inconsistency."""


class ProgrammingError(DatabaseError):
    """Bad SQL, unknown tables, functions or models, wrong number of parameters."""


class NotSupportedError(DatabaseError):
    """A method or statement aidb does not support."""


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A ' Did you mean: a, b?' suffix listing close matches, or '' when none is close."""
    matches = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)
    return f" Did you mean: {', '.join(matches)}?" if matches else ""


# DuckDB's Python exceptions already follow PEP 249; their class names map onto ours.
_DUCKDB_TO_AIDB: dict[str, type[Error]] = {
    "ParserException": ProgrammingError,
    "SyntaxException": ProgrammingError,
    "BinderException": ProgrammingError,
    "CatalogException": ProgrammingError,
    "InvalidTypeException": ProgrammingError,
    "DependencyException": ProgrammingError,
    "PermissionException": ProgrammingError,
    "ConstraintException": IntegrityError,
    "IntegrityError": IntegrityError,
    "ConversionException": DataError,
    "InvalidInputException": DataError,
    "OutOfRangeException": DataError,
    "TypeMismatchException": DataError,
    "DataError": DataError,
    "IOException": OperationalError,
    "HTTPException": OperationalError,
    "OutOfMemoryException": OperationalError,
    "InterruptException": OperationalError,
    "TransactionException": OperationalError,
    "ConnectionException": OperationalError,
    "SerializationException": OperationalError,
    "OperationalError": OperationalError,
    "NotImplementedException": NotSupportedError,
    "NotSupportedError": NotSupportedError,
    "InternalException": InternalError,
    "FatalException": InternalError,
    "InternalError": InternalError,
    "ProgrammingError": ProgrammingError,
    "InterfaceError": InterfaceError,
}


def translate_duckdb_error(error: Exception, sql: str | None = None, ran: str | None = None) -> Error:
    """Turn a DuckDB exception into the matching aidb exception, keeping DuckDB's message.

    `ran` is the SQL DuckDB ran when aidb rewrote the user's `sql`: DuckDB's `LINE n:` excerpt quotes that
    rewrite (`aidb_lance.main.vecs AS vecs`), so the message quotes the user's statement instead.
    """
    if isinstance(error, Error):
        return error
    for klass in type(error).__mro__:
        target = _DUCKDB_TO_AIDB.get(klass.__name__)
        if target is not None:
            break
    else:
        target = DatabaseError
    message = str(error)
    if sql is not None and ran is not None and ran != sql and "LINE " in message:
        message = message[: message.index("LINE ")].rstrip()
        message = f"{message}\n  in statement: {_shorten(sql)}\n  (aidb rewrote it for DuckDB: EXPLAIN AIDB shows how)"
    elif sql is not None and "LINE " not in message:
        message = f"{message}\n  in statement: {_shorten(sql)}"
    return target(message)


def _shorten(sql: str, limit: int = 200) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def translate_exception(error: BaseException, sql: str | None = None) -> Error:
    """Any exception raised while running a statement, as the aidb (PEP 249) error to raise in its place.

    aidb's own errors pass as they are and DuckDB's map by class; whatever else a library raises
    (sqlglot's RecursionError, a ValueError from a bad option, an OSError) is translated here, at
    the boundary, so nothing but an `aidb.Error` leaves `execute`.
    """
    if isinstance(error, Error):
        return error
    if any(klass.__module__.split(".")[0] in ("duckdb", "_duckdb") for klass in type(error).__mro__):
        return translate_duckdb_error(error, sql)
    target, what = _python_error_kind(error)
    where = f"\n  in statement: {_shorten(sql)}" if sql else ""
    return target(f"{what}: {error}{where}" if str(error) else f"{what}{where}")


def _python_error_kind(error: BaseException) -> tuple[type[Error], str]:
    if isinstance(error, RecursionError):
        return ProgrammingError, "the statement nests too deeply for aidb to rewrite"
    if isinstance(error, UnicodeError):
        return DataError, "text that is not valid Unicode (a lone surrogate?)"
    if isinstance(error, (ValueError, TypeError, KeyError, IndexError, LookupError)):
        return ProgrammingError, f"invalid value ({type(error).__name__})"
    if isinstance(error, MemoryError):
        return OperationalError, "out of memory"
    if isinstance(error, OSError):
        return OperationalError, f"file system error ({type(error).__name__})"
    return InternalError, f"internal error ({type(error).__name__}); please report it"
