"""SQLAlchemy dialect `aidb:///path/to/file.aidb`: duckdb_engine's dialect with aidb as its DB-API driver.

So pandas.read_sql, Jupyter SQL magics and SQLAlchemy-based BI tools run extended SQL
(embed, perplexity, EXPLAIN AIDB, CREATE MODEL ...) on an aidb database:

    engine = sqlalchemy.create_engine("aidb:///corpus.aidb")      # relative path
    engine = sqlalchemy.create_engine("aidb:////data/corpus.aidb")  # absolute path
    engine = sqlalchemy.create_engine("aidb://")                    # in memory

Query options are passed to `aidb.connect`: `?read_only=true`.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from duckdb_engine import Dialect as DuckDBDialect
from sqlalchemy import pool
from sqlalchemy.dialects.postgresql.base import PGExecutionContext
from sqlalchemy.engine.url import URL

_TRUE = {"1", "true", "yes", "on"}


class AidbDialect(DuckDBDialect):
    name = "aidb"
    driver = "aidb"
    supports_statement_cache = False
    minimum_dbapi_version = None  # the psycopg2 minimum inherited through duckdb_engine does not apply
    execution_ctx_cls = PGExecutionContext  # psycopg2's context reads connection.notices, which PEP 249 lacks

    @classmethod
    def import_dbapi(cls) -> ModuleType:
        import aidb

        return aidb

    @staticmethod
    def dbapi(**kwargs: Any) -> ModuleType:  # type: ignore[override] - SQLAlchemy 1.x spelling
        import aidb

        return aidb

    def create_connect_args(self, url: URL) -> tuple[tuple, dict[str, Any]]:
        options = dict(url.query)
        unknown = set(options) - {"read_only"}
        if unknown:
            from aidb.errors import InterfaceError

            raise InterfaceError(f"unknown aidb URL option(s) {sorted(unknown)}; only read_only is accepted")
        return (), {
            "path": url.database or ":memory:",
            "read_only": str(options.get("read_only", "false")).lower() in _TRUE,
        }

    def connect(self, *cargs: Any, **cparams: Any) -> Any:
        import aidb

        # PEP 249 mode: SQLAlchemy drives the transactions with commit() and rollback().
        return aidb.connect(*cargs, **cparams, autocommit=False, progress=False)

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        # An in-memory database lives in its one connection; a file allows one writer process.
        if (url.database or ":memory:") == ":memory:":
            return pool.SingletonThreadPool
        return pool.QueuePool

    def do_begin(self, dbapi_connection: Any) -> None:
        """Nothing to do: an aidb connection opens its transaction with the first statement (PEP 249)."""

    def do_rollback(self, dbapi_connection: Any) -> None:
        dbapi_connection.rollback()

    def do_commit(self, dbapi_connection: Any) -> None:
        dbapi_connection.commit()

    def get_isolation_level(self, dbapi_connection: Any) -> str:
        return "SERIALIZABLE"  # DuckDB's snapshot isolation is serializable for its single writer

    def get_default_isolation_level(self, dbapi_connection: Any) -> str:
        return "SERIALIZABLE"
