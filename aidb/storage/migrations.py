"""Apply the numbered catalog migrations (`migrations/NNNN_name.sql`) in order, once each, checksummed.

The runner owns one bookkeeping table, `aidb.schema_migrations`; everything else in the catalog
is created by the migration files themselves. Each migration runs in its own transaction.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from aidb.errors import OperationalError

_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

_BOOTSTRAP = """
CREATE SCHEMA IF NOT EXISTS aidb;
CREATE TABLE IF NOT EXISTS aidb.schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       VARCHAR NOT NULL,
    checksum   VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        # Line endings are normalised so a checkout with CRLF files matches one with LF.
        return hashlib.sha256(self.sql.replace("\r\n", "\n").encode()).hexdigest()

    @property
    def file_name(self) -> str:
        return f"{self.version:04d}_{self.name}.sql"


def discover_migrations(folder: Path) -> list[Migration]:
    """The migrations in `folder`, ordered by version; files not named NNNN_name.sql are refused."""
    migrations: dict[int, Migration] = {}
    for path in sorted(folder.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise OperationalError(f"migration file {path} is not named NNNN_lowercase_name.sql")
        version = int(match.group(1))
        if version in migrations:
            raise OperationalError(f"two migrations share version {version:04d} in {folder}")
        migrations[version] = Migration(version, match.group(2), path.read_text(encoding="utf-8"))
    return [migrations[v] for v in sorted(migrations)]


def applied_migrations(con: duckdb.DuckDBPyConnection) -> dict[int, tuple[str, str]]:
    """version -> (name, checksum) of what the database records as applied; empty for a new database."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'aidb' AND table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return {}
    rows = con.execute("SELECT version, name, checksum FROM aidb.schema_migrations").fetchall()
    return {version: (name, checksum) for version, name, checksum in rows}


def migrate(con: duckdb.DuckDBPyConnection, migrations: list[Migration], read_only: bool = False) -> list[Migration]:
    """Bring the catalog up to date; returns the migrations applied now."""
    applied = applied_migrations(con)
    _check_applied(applied, migrations)
    pending = [m for m in migrations if m.version not in applied]
    if not pending:
        return []
    if read_only:
        names = ", ".join(m.file_name for m in pending)
        raise OperationalError(
            f"the database needs catalog migrations ({names}) but was opened read-only; open it once read-write to upgrade it"
        )
    con.execute(_BOOTSTRAP)
    for migration in pending:
        _apply(con, migration)
    checkpoint_catalog(con)
    return pending


def checkpoint_catalog(con: duckdb.DuckDBPyConnection) -> None:
    """Write the migrated catalog into the database file, so that its write-ahead log no longer carries it.

    DuckDB 1.5.5 cannot replay `ALTER TABLE ... ADD COLUMN` on a table that has a `DEFAULT current_timestamp`
    column (migration 0008 does that to aidb.models): a process that ended without closing the database left a
    file that no process could open again ("Failure while replaying WAL file ... no default database set").
    """
    try:
        con.execute("CHECKPOINT")
    except duckdb.TransactionException:
        pass  # another session of this process has a transaction open: DuckDB checkpoints when the last one ends


def _check_applied(applied: dict[int, tuple[str, str]], migrations: list[Migration]) -> None:
    known = {m.version: m for m in migrations}
    for version, (name, checksum) in sorted(applied.items()):
        migration = known.get(version)
        if migration is None:
            newest = max(known, default=0)
            raise OperationalError(
                f"the database was written by a newer aidb: it has catalog migration {version:04d}_{name} "
                f"but this aidb knows migrations up to {newest:04d}; upgrade aidb to open it"
            )
        if migration.checksum != checksum:
            raise OperationalError(
                f"migration {migration.file_name} was modified after it was applied to this database "
                f"(recorded checksum {checksum[:12]}…, file now {migration.checksum[:12]}…); "
                "restore the original file and add a new migration for the change"
            )


def _apply(con: duckdb.DuckDBPyConnection, migration: Migration) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(migration.sql)
        con.execute(
            "INSERT INTO aidb.schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
            [migration.version, migration.name, migration.checksum],
        )
        con.execute("COMMIT")
    except duckdb.Error as error:
        con.execute("ROLLBACK")
        raise OperationalError(f"migration {migration.file_name} failed and was rolled back: {error}") from error
