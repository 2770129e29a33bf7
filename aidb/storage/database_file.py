"""Open the DuckDB file of a database, with errors that say what is wrong with it (and who holds its lock)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from aidb.errors import OperationalError
from aidb.storage.layout import DatabaseLayout

# DuckDB: 'Could not set lock on file "x": Conflicting lock is held in /usr/bin/python3 (PID 1234) ...'
_LOCK_HOLDER = re.compile(r"lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


# DuckDB's share of the machine's memory: the rest is for what runs beside it in the process (models, Arrow batches).
MEMORY_SHARE = 0.6
MEMORY_LIMIT_ENV = "AIDB_MEMORY_LIMIT"  # e.g. '8GB': overrides the share


def default_memory_limit() -> str | None:
    """`memory_limit` for a new database instance: $AIDB_MEMORY_LIMIT, else MEMORY_SHARE of physical memory."""
    configured = os.environ.get(MEMORY_LIMIT_ENV, "").strip()
    if configured:
        return configured
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None  # DuckDB's own default (80%) stands
    return f"{int(total * MEMORY_SHARE) // 2**20}MB"


def open_database_file(layout: DatabaseLayout, read_only: bool, spill_dir: Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open the file (or a new in-memory database) with aidb's defaults: DuckDB spills past `memory_limit` to
    `<file>.tmp/` beside the file (DuckDB's default place), or to `spill_dir` (inside the session's scratch folder)
    for an in-memory database, never to the working directory."""
    if read_only and not layout.in_memory and not Path(layout.duckdb_path).exists():
        raise OperationalError(f"cannot open {layout.duckdb_path} read-only: the file does not exist")
    config: dict[str, str] = {}
    limit = default_memory_limit()
    if limit is not None:
        config["memory_limit"] = limit
    if layout.in_memory and spill_dir is not None:
        config["temp_directory"] = str(spill_dir)
    try:
        return duckdb.connect(layout.duckdb_path, read_only=read_only, config=config)
    except duckdb.Error as error:
        message = str(error).split("Stack Trace:")[0].strip()  # DuckDB's internal errors append a C++ stack
        if "replaying wal" in message.lower():
            hint = (
                f"DuckDB cannot replay its write-ahead log {layout.duckdb_path}.wal (the changes made after the last "
                "checkpoint by a process that ended without closing it); moving that file aside opens the database "
                "as of its last checkpoint, without those changes"
            )
        elif "lock" in message.lower():
            hint = _lock_hint(message, read_only)
        elif "not a valid" in message.lower() or "corrupt" in message.lower():
            hint = "the file is not a DuckDB database or is damaged"
        else:
            hint = "check the path and its permissions"
        raise OperationalError(f"cannot open database {layout.duckdb_path}: {hint} ({message})") from error


def _lock_hint(message: str, read_only: bool) -> str:
    """Who holds the file, and DuckDB's rule: one process that writes, or any number that only read."""
    holder = _LOCK_HOLDER.search(message)
    who = "another process"
    if holder is not None:
        pid = holder["pid"]
        who = f"process {pid} ({lock_holder_command(int(pid)) or holder['program']})"
    if read_only:
        return (
            f"{who} has it open for writing; DuckDB lets one process write a database file or several processes read "
            "it, not both at once: close the writer first"
        )
    return (
        f"{who} has it open; DuckDB lets one process write a database file (or several read it with "
        "aidb.connect(path, read_only=True) while none writes): close it, or make this the only writer"
    )


def lock_holder_command(pid: int) -> str | None:
    """The command line of process `pid` (Linux /proc), shortened; None where it cannot be read."""
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    command = " ".join(w.decode(errors="replace") for w in words if w)
    return command[:120] or None
