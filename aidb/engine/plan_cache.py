"""Remember parsed and planned statements per session, so a repeated statement skips sqlglot and the rewrite passes.

A plan is a pure function of the statement text and the catalog view (the passes are pure), so it stays valid
until the session rebuilds its catalog view; `Session.invalidate_catalog` clears the cache with it. Parsing and
rewriting a short SELECT costs ~6 ms of Python, as much as a Lance ANN probe of 100k vectors (bench/RESULTS.md).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aidb.sql.frontend import Planned
from aidb.sql.rewrite_operator_calls import OperatorCall

# Enough for the distinct statements a program repeats (prepared-statement caches use similar sizes,
# e.g. psycopg's prepared_max = 100, JDBC drivers' 256); a cached plan is a few kB of AST.
PLAN_CACHE_SIZE = 256
# Longer texts are mostly one-off literals (a 384-float vector literal is ~4 kB and parses to ~400 nodes):
# they would fill the cache with large trees that are never asked for again.
MAX_CACHED_TEXT_CHARS = 2_000

Value = TypeVar("Value")


class LruCache(Generic[Value]):
    """A bounded mapping from statement text to a value, least recently used evicted first."""

    def __init__(self, size: int = PLAN_CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[str, Value] = OrderedDict()

    def get(self, key: str) -> Value | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: str, value: Value) -> None:
        if len(key) > MAX_CACHED_TEXT_CHARS:
            return
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True)
class CachedPlan:
    """What `_execute_sql` derives from a statement and the catalog before DuckDB runs it."""

    planned: Planned
    search_first_statement: Any = None  # planned.search_first's variant parsed by DuckDB (a duckdb.Statement)
    operators: tuple[OperatorCall, ...] = ()  # operator table functions run before the statement, in order
    operator_inputs: tuple[str, ...] = ()  # each call's input query, planned
