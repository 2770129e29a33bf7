"""PEP 249 type constructors (Date, Binary, ...) and type objects (STRING, NUMBER, ...) for aidb cursors.

A cursor's `description` reports each column's type code as DuckDB's type name ('INTEGER',
'DECIMAL(18,3)', 'VARCHAR[]', 'TIMESTAMP WITH TIME ZONE'); the type objects below compare equal
to the type codes of their group, as PEP 249 asks (`description[i][1] == aidb.NUMBER`).
"""

from __future__ import annotations

import datetime
import time
from typing import Any


class DBAPITypeObject:
    """Equal to every DuckDB type name in its group; parametrised names compare by their base name."""

    def __init__(self, name: str, *type_names: str) -> None:
        self.name = name
        self.type_names = frozenset(type_names)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DBAPITypeObject):
            return self is other
        if not isinstance(other, str):
            return NotImplemented
        return base_type_name(other) in self.type_names

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash((DBAPITypeObject, self.name))

    def __repr__(self) -> str:
        return f"aidb.{self.name}"


def base_type_name(type_code: str) -> str:
    """'DECIMAL(18,3)' -> 'DECIMAL'; 'VARCHAR[]' and 'STRUCT(...)' keep what makes them nested ('LIST', 'STRUCT')."""
    text = type_code.strip().upper()
    if text.endswith("]"):
        return "ARRAY" if text[:-1].rstrip("0123456789").endswith("[") and not text.endswith("[]") else "LIST"
    return text.split("(", 1)[0].strip()


STRING = DBAPITypeObject("STRING", "VARCHAR", "CHAR", "BPCHAR", "TEXT", "STRING", "UUID", "JSON", "ENUM")
BINARY = DBAPITypeObject("BINARY", "BLOB", "BYTEA", "VARBINARY", "BIT", "BITSTRING")
NUMBER = DBAPITypeObject(
    "NUMBER",
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
    "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
    "FLOAT", "DOUBLE", "DECIMAL", "BOOLEAN",
)  # fmt: skip
DATETIME = DBAPITypeObject(
    "DATETIME",
    "DATE", "TIME", "TIME WITH TIME ZONE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE",
    "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "INTERVAL",
)  # fmt: skip
# DuckDB has no ROWID column type (its `rowid` pseudo-column is a BIGINT), so ROWID equals no type code.
ROWID = DBAPITypeObject("ROWID")

Date = datetime.date
Time = datetime.time
Timestamp = datetime.datetime


def Binary(value: bytes | bytearray | memoryview | str) -> bytes:  # noqa: N802 - the name is mandated by PEP 249
    """A value for a BLOB parameter."""
    return value.encode() if isinstance(value, str) else bytes(value)


def DateFromTicks(ticks: float) -> datetime.date:  # noqa: N802
    """The local date of `ticks` seconds since the epoch."""
    return Date(*time.localtime(ticks)[:3])


def TimeFromTicks(ticks: float) -> datetime.time:  # noqa: N802
    """The local time of day of `ticks` seconds since the epoch."""
    return Time(*time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks: float) -> datetime.datetime:  # noqa: N802
    """The local date and time of `ticks` seconds since the epoch."""
    return Timestamp(*time.localtime(ticks)[:6])


def describe_column(name: str, type_code: str, *_: Any) -> tuple[Any, ...]:
    """The PEP 249 seven-item description of a column; precision and scale are filled for DECIMAL."""
    precision = scale = None
    if base_type_name(type_code) == "DECIMAL" and "(" in type_code:
        precision, scale = (int(p) for p in type_code[type_code.index("(") + 1 : type_code.index(")")].split(","))
    return (name, type_code, None, None, precision, scale, None)
