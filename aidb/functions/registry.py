"""The one registry of aidb's SQL functions and the loop that registers them on a DuckDB connection.

A function is declared once, next to its implementation::

    @sql_function(params=[Param("text", "VARCHAR")], returns="VARCHAR")
    def normalize_text(ctx, text: pa.Array) -> pa.Array:
        "CCNet text normalisation."

Implementations are vectorised: they take and return Arrow arrays for a whole DuckDB chunk.
Optional parameters are filled in by the SQL rewriter (`rewrite_function_arguments`), so DuckDB
always sees the full signature.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from aidb.errors import DataError, Error, ProgrammingError
from aidb.plugins import FUNCTIONS_GROUP, load_plugins


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any = REQUIRED  # None means SQL NULL (e.g. "the catalog's default model")

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def render(self) -> str:
        if self.required:
            return f"{self.name} {self.type}"
        default = "NULL" if self.default is None else repr(self.default)
        return f"{self.name} {self.type} := {default}"


class FunctionContext(Protocol):
    """What a function implementation may ask of the connection that runs it."""

    def model(self, kind: str, name: str | None) -> Any: ...

    def progress(self, rows: int) -> None: ...


@dataclass(frozen=True)
class SqlFunction:
    name: str
    params: tuple[Param, ...]
    returns: str
    impl: Callable[..., pa.Array] = field(repr=False)
    doc: str
    family: str
    model_kind: str | None = None
    side_effects: bool = False
    # Statements calling it run on one DuckDB thread (always so for model functions): see Session.run_planned.
    one_thread: bool = False

    @property
    def signature(self) -> str:
        return f"{self.name}({', '.join(p.render() for p in self.params)}) -> {self.returns}"


REGISTRY: dict[str, SqlFunction] = {}


def sql_function(
    *,
    params: list[Param],
    returns: str,
    name: str | None = None,
    model_kind: str | None = None,
    side_effects: bool = False,
    one_thread: bool = False,
) -> Callable[[Callable[..., pa.Array]], Callable[..., pa.Array]]:
    """Declare `impl` as the SQL function `name` (default: the Python name); its docstring's first line is its doc."""

    def declare(impl: Callable[..., pa.Array]) -> Callable[..., pa.Array]:
        fn_name = (name or impl.__name__).lower()
        doc = (impl.__doc__ or "").strip().splitlines()
        if not doc:
            raise TypeError(f"SQL function {fn_name} needs a docstring: its first line is the user-facing doc")
        _check_param_order(fn_name, params)
        REGISTRY[fn_name] = SqlFunction(
            name=fn_name,
            params=tuple(params),
            returns=returns,
            impl=impl,
            doc=doc[0],
            family=impl.__module__.rsplit(".", 1)[-1],
            model_kind=model_kind,
            side_effects=side_effects,
            one_thread=one_thread or model_kind is not None,
        )
        return impl

    return declare


def _check_param_order(name: str, params: list[Param]) -> None:
    seen_optional = False
    for param in params:
        if param.required and seen_optional:
            raise TypeError(f"SQL function {name}: required parameter {param.name} follows an optional one")
        seen_optional = seen_optional or not param.required


_loaded = False
_load_lock = threading.Lock()


def load_function_modules() -> dict[str, SqlFunction]:
    """Import every family module in `aidb.functions`, then the installed `aidb.functions` plugins (aidb/plugins.py),
    so their declarations run; returns the registry."""
    global _loaded
    with _load_lock:
        if not _loaded:
            package = importlib.import_module("aidb.functions")
            for module in pkgutil.iter_modules(package.__path__):
                if module.name != "registry" and not module.name.startswith("_"):
                    importlib.import_module(f"aidb.functions.{module.name}")
            load_plugins(FUNCTIONS_GROUP)
            _loaded = True
    return REGISTRY


class ErrorSlot:
    """Carries an aidb error raised inside a UDF past DuckDB, which would flatten it to a string."""

    def __init__(self) -> None:
        # Not thread-local: DuckDB calls UDFs on its worker threads, the statement's thread takes the error.
        self._lock = threading.Lock()
        self._error: Error | None = None

    def put(self, error: Error) -> None:
        with self._lock:
            self._error = error

    def take(self) -> Error | None:
        with self._lock:
            error, self._error = self._error, None
        return error


def register_functions(con: duckdb.DuckDBPyConnection, ctx: FunctionContext, errors: ErrorSlot) -> None:
    """Register every declared function on `con`, bound to `ctx`."""
    for function in load_function_modules().values():
        con.create_function(
            function.name,
            _bind(function, ctx, errors),
            [duckdb.sqltype(p.type) for p in function.params],
            duckdb.sqltype(function.returns),
            type="arrow",
            null_handling="special",
            side_effects=function.side_effects,
        )


def _bind(function: SqlFunction, ctx: FunctionContext, errors: ErrorSlot) -> Callable[..., pa.Array]:
    def run(*arrays: pa.Array) -> pa.Array:
        try:
            result = function.impl(ctx, *arrays)
        except Error as error:
            errors.put(error)
            raise
        except (TypeError, ValueError, pa.ArrowException) as error:
            wrapped = DataError(f"{function.name}(): {error}")
            errors.put(wrapped)
            raise wrapped from error
        ctx.progress(len(arrays[0]) if arrays else 0)
        return result

    run.__name__ = function.name
    # DuckDB counts a UDF's parameters from its signature, and `*arrays` reads as one.
    run.__signature__ = inspect.Signature(
        [inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_ONLY) for p in function.params]
    )
    return run


def constant_argument(function: str, values: pa.Array, name: str, *, described: str = "one constant", allow_null: bool = True) -> Any:
    """The one value of an argument that must be the same on every row of the query (a setting, not per-row data)."""
    distinct = pc.unique(values)
    if len(distinct) != 1 or (not allow_null and not distinct[0].is_valid):
        raise DataError(f"{function}(): {name} must be {described} for the whole query, got {distinct.to_pylist()}")
    return distinct[0].as_py()


def constant_model_name(function: str, model: pa.Array) -> str | None:
    """The model argument of a function that loads one model per query: the same name on every row, or NULL (the default)."""
    names = set(model.drop_null().unique().to_pylist()) if model.null_count < len(model) else set()
    if len(names) > 1 or (names and model.null_count):
        raise ProgrammingError(f"{function}(): the model argument must be the same for every row (a constant)")
    return names.pop() if names else None
