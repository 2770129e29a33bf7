"""SQLAlchemy dialect `aidb:///path/to/file.aidb`: duckdb_engine's dialect with aidb as its DB-API driver.

So pandas.read_sql, Jupyter SQL magics and SQLAlchemy-based BI tools run extended SQL
(embed, perplexity, EXPLAIN AIDB, CREATE MODEL ...) on an aidb database:

    engine = sqlalchemy.create_engine("aidb:///corpus.aidb")      # relative path
    engine = sqlalchemy.create_engine("aidb:////data/corpus.aidb")  # absolute path
    engine = sqlalchemy.create_engine("aidb://")                    # in memory

Query options are passed to `aidb.connect`: `?read_only=true`. Needs the extra: pip install "aidb[sqlalchemy]".
Reflection (the table browsers of Superset and Metabase) reads DuckDB's own catalog functions: duckdb_engine's
inherited PostgreSQL queries reach pg_catalog tables DuckDB does not have.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import re

from aidb.errors import InterfaceError

try:
    from duckdb_engine import Dialect as DuckDBDialect
    from sqlalchemy import pool, text
    from sqlalchemy import types as sqltypes
    from sqlalchemy.dialects.postgresql.base import PGExecutionContext
    from sqlalchemy.engine.url import URL
except ImportError as missing:  # the extra is not installed
    raise InterfaceError(
        f"the aidb:// SQLAlchemy dialect needs SQLAlchemy and duckdb-engine ({missing.name} is missing): "
        'pip install "aidb[sqlalchemy]"'
    ) from missing

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

    # -- reflection over duckdb_tables(), duckdb_views(), duckdb_columns() and duckdb_constraints() -------

    def get_table_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        rows = connection.execute(
            text("SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND schema_name = :schema ORDER BY table_name"),
            {"schema": self._schema(schema)},
        )
        return [name for (name,) in rows]

    def get_view_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        rows = connection.execute(
            text(
                "SELECT view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary AND schema_name = :schema "
                "ORDER BY view_name"
            ),
            {"schema": self._schema(schema)},
        )
        return [name for (name,) in rows]

    def get_columns(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> list[dict[str, Any]]:
        rows = connection.execute(
            text(
                "SELECT column_name, data_type, is_nullable, column_default, comment FROM duckdb_columns() "
                "WHERE table_name = :table AND schema_name = :schema ORDER BY column_index"
            ),
            {"table": table_name, "schema": self._schema(schema)},
        ).fetchall()
        if not rows:
            from sqlalchemy.exc import NoSuchTableError

            raise NoSuchTableError(table_name)
        return [
            {
                "name": name,
                "type": self._reflected_type(data_type),
                "nullable": bool(nullable),
                "default": default,
                "autoincrement": False,
                "comment": comment,
            }
            for name, data_type, nullable, default, comment in rows
        ]

    def get_pk_constraint(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> dict[str, Any]:
        rows = self._constraints(connection, "PRIMARY KEY", table_name, schema)
        return {"constrained_columns": list(rows[0][0]) if rows else [], "name": rows[0][1] if rows else None}

    def get_foreign_keys(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "constrained_columns": list(columns),
                "referred_schema": None,
                "referred_table": referred,
                "referred_columns": list(referred_columns),
                "options": {},
            }
            for columns, name, referred, referred_columns, _ in self._constraints(connection, "FOREIGN KEY", table_name, schema)
        ]

    def get_unique_constraints(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> list[dict[str, Any]]:
        return [{"name": name, "column_names": list(columns)} for columns, name, *_ in self._constraints(connection, "UNIQUE", table_name, schema)]

    def get_check_constraints(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> list[dict[str, Any]]:
        return [{"name": name, "sqltext": text_} for _, name, _, _, text_ in self._constraints(connection, "CHECK", table_name, schema)]

    def get_indexes(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> list[dict[str, Any]]:
        return []  # DuckDB's ART indexes are not reflected (duckdb_engine does the same)

    def get_table_comment(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> dict[str, Any]:
        row = connection.execute(
            text(
                "SELECT comment FROM duckdb_tables() WHERE table_name = :table AND schema_name = :schema "
                "UNION ALL SELECT comment FROM duckdb_views() WHERE view_name = :table AND schema_name = :schema"
            ),
            {"table": table_name, "schema": self._schema(schema)},
        ).fetchone()
        return {"text": row[0] if row else None}

    def get_table_options(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> dict[str, Any]:
        return {}

    def _constraints(self, connection: Any, kind: str, table_name: str, schema: str | None) -> list[tuple[Any, ...]]:
        return connection.execute(
            text(
                "SELECT constraint_column_names, constraint_name, referenced_table, referenced_column_names, expression "
                "FROM duckdb_constraints() WHERE constraint_type = :kind AND table_name = :table AND schema_name = :schema "
                "ORDER BY constraint_index"
            ),
            {"kind": kind, "table": table_name, "schema": self._schema(schema)},
        ).fetchall()

    def _schema(self, schema: str | None) -> str:
        return schema or self.default_schema_name or "main"

    def _reflected_type(self, data_type: str) -> sqltypes.TypeEngine:
        """A SQLAlchemy type for a DuckDB type name: FLOAT[384] is an ARRAY of FLOAT, DECIMAL(18,3) a Numeric."""
        if data_type.endswith("]"):
            return sqltypes.ARRAY(self._reflected_type(data_type[: data_type.rindex("[")]))
        decimal = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", data_type)
        if decimal:
            return sqltypes.Numeric(int(decimal[1]), int(decimal[2]))
        known = self.ischema_names.get(data_type.lower())
        return known() if known is not None else sqltypes.NullType()


def _for_each_table(reflect_one: str) -> Any:
    """A get_multi_<x> reflection that calls get_<x> per table (PostgreSQL's versions query pg_catalog)."""

    def reflect_many(self: AidbDialect, connection: Any, schema: str | None = None, filter_names: Any = None, **kw: Any):
        names = filter_names or [*self.get_table_names(connection, schema), *self.get_view_names(connection, schema)]
        return [((schema, name), getattr(self, reflect_one)(connection, name, schema)) for name in names]

    return reflect_many


for _kind in ("columns", "pk_constraint", "foreign_keys", "unique_constraints", "check_constraints", "indexes", "table_comment", "table_options"):
    setattr(AidbDialect, f"get_multi_{_kind}", _for_each_table(f"get_{_kind}"))
