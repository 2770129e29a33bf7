"""Run statements that call Python functions (model functions, minhash, Lance searches) on one DuckDB thread.

DuckDB's Python client busy-spins the calling thread while a worker thread runs a task (duckdb/duckdb#22178):
during a model function, minhash or a Lance search that spin takes a core from the Python work. With one
thread the calling thread runs the function itself. The setting changes only when a statement of the other
kind comes: switching costs ~0.5 ms (DuckDB restarts its workers), as much as 5% of a 100k-row ANN search,
and a program often repeats one kind of statement.
"""

from __future__ import annotations

import duckdb


class ThreadHold:
    """DuckDB's `threads` setting of one connection: 1 while one-thread statements run, as it was otherwise."""

    def __init__(self, duck: duckdb.DuckDBPyConnection) -> None:
        self._duck = duck
        self._saved: int | None = None  # the threads setting to restore, while held at 1

    def hold(self, one: bool) -> None:
        """Run the next statements on one DuckDB thread (`one`) or on the threads setting it had before."""
        if one and self._saved is None:
            self._saved = int(self._duck.execute("SELECT current_setting('threads')").fetchone()[0])
            self._duck.execute("SET threads = 1")
        elif not one and self._saved is not None:
            self._duck.execute(f"SET threads = {self._saved}")
            self._saved = None
