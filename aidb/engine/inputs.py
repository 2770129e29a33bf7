"""Checks of what a caller hands to `execute` (statement text, parameters) before anything runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aidb.errors import DataError, ProgrammingError


def check_text(sql: str, parameters: Any) -> None:
    """Refuse text DuckDB cannot take: a str that is not valid Unicode (a lone surrogate) in the SQL or a parameter."""
    _check_unicode(sql, "the statement")
    if parameters is None:
        return
    if isinstance(parameters, Mapping):
        named = parameters.items()
    elif isinstance(parameters, (list, tuple)):
        named = ((str(i), v) for i, v in enumerate(parameters, start=1))
    else:
        raise ProgrammingError(f"parameters must be a list, a tuple or a dict, not {type(parameters).__name__}")
    for name, value in named:
        _check_value(value, f"parameter {name}")


def _check_value(value: Any, where: str) -> None:
    if isinstance(value, str):
        _check_unicode(value, where)
    elif isinstance(value, (list, tuple)):
        if all(type(item) in _PLAIN_NUMBERS for item in value):
            return  # a vector: no text inside (checking each of 384 floats cost ~0.7 ms a statement)
        for item in value:
            _check_value(item, where)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _check_value(key, where)
            _check_value(item, where)


_PLAIN_NUMBERS = frozenset({float, int, bool})


def _check_unicode(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise DataError(
            f"{where} is not valid Unicode: {text[error.start:error.end]!a} at position {error.start} "
            "(a lone surrogate cannot be stored as UTF-8)"
        ) from None
