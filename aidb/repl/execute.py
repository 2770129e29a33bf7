"""Run REPL input: split scripts into SQL statements and dot-commands, execute cancellably, print results."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from aidb.errors import OperationalError, ProgrammingError
from aidb.repl.completion import CompletionNames, read_names
from aidb.repl.render import MAX_ROWS, Result, collect, render
from aidb.sql.split import split_statements


@dataclass
class ReplState:
    """Settings and handles of one REPL run."""

    connection: Any
    interactive: bool
    mode: str = "table"
    timer: bool = False
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    console: Any = None  # a rich Console when output goes to the terminal
    names: CompletionNames | None = None
    wants_exit: bool = False
    # runs one dot-command line (repl/commands.py's table, handed over by the shell: commands call the executor)
    run_dot_command: Callable[[ReplState, str], None] | None = None

    def completion_names(self) -> CompletionNames:
        if self.names is None:
            self.names = read_names(self.connection)
        return self.names

    def report_error(self, error: BaseException) -> None:
        message = f"Error: {type(error).__name__}: {error}"
        if self.console is not None:
            from rich.markup import escape

            self.console.print(f"[bold red]{escape(message)}[/bold red]", highlight=False)
        else:
            print(message, file=self.err, flush=True)


class StatementInterrupted(OperationalError):
    """The user pressed Ctrl-C while a statement ran; DuckDB cancelled it and its transaction was rolled back."""


def run_script(state: ReplState, text: str, raise_errors: bool = False) -> bool:
    """Run statements and dot-commands in order; stop at the first error unless interactive. True when all succeeded.

    raise_errors: let the first error propagate instead of reporting it (for .read inside a script).
    """
    ok = True
    for kind, chunk in script_parts(text):
        try:
            if kind == "dot":
                if state.run_dot_command is None:
                    raise ProgrammingError(f"dot-commands are not available here: {chunk.strip()}")
                state.run_dot_command(state, chunk)
            else:
                run_sql(state, chunk)
        except Exception as error:  # the session outlives any statement: report and go on
            if raise_errors:
                raise
            state.report_error(error)
            ok = False
            if not state.interactive:
                return False
        if state.wants_exit:
            break
    return ok


def script_parts(text: str) -> list[tuple[str, str]]:
    """('dot', line) for dot-commands at the start of a statement, ('sql', text) for statements ending in ';'."""
    parts: list[tuple[str, str]] = []
    buffer: list[str] = []
    for line in text.splitlines():
        if not "".join(buffer).strip() and line.lstrip().startswith("."):
            buffer = []
            parts.append(("dot", line.strip()))
            continue
        buffer.append(line)
        if line.rstrip().endswith(";"):
            parts.append(("sql", "\n".join(buffer)))
            buffer = []
    if "".join(buffer).strip():
        parts.append(("sql", "\n".join(buffer)))
    return parts


def run_sql(state: ReplState, sql: str) -> None:
    """Execute each statement of `sql` and print its rows (or its row count) in the current mode."""
    for statement in split_statements(sql):
        started = time.perf_counter()
        result, rowcount = run_cancellable(state.connection, lambda cursor, s=statement: _execute(state, cursor, s))
        elapsed = time.perf_counter() - started
        if result is not None:
            render(result, state.mode, state.out, state.console if state.out is sys.stdout else None)
        elif rowcount >= 0 and state.interactive:
            print(f"({rowcount} rows changed)", file=state.out)
        if state.timer:
            print(f"Run Time: {elapsed:.3f} s", file=state.out)
        state.out.flush()
        if _may_change_names(statement):
            state.names = None


def _execute(state: ReplState, cursor: Any, statement: str) -> tuple[Result | None, int]:
    cursor.execute(statement)
    if cursor.description is None:
        return None, cursor.rowcount
    limit = MAX_ROWS if state.interactive and state.mode == "table" and state.out is sys.stdout else None
    return collect(cursor, limit), -1


def run_cancellable(connection: Any, work: Callable[[Any], Any]) -> Any:
    """Run `work(cursor)` in a worker thread; Ctrl-C interrupts the statement and raises StatementInterrupted.

    DuckDB rolls back the interrupted statement's transaction, so nothing is left half-written.
    """
    outcome: dict[str, Any] = {}
    cursor = connection.cursor()

    done = threading.Event()

    def target() -> None:
        try:
            outcome["value"] = work(cursor)
        except BaseException as error:  # handed to the main thread, which raises it
            outcome["error"] = error
        finally:
            done.set()

    # Wait on an Event, not Thread.join: before Python 3.13 a join interrupted by Ctrl-C can
    # leave is_alive() False while the thread still runs (CPython issue 90882).
    threading.Thread(target=target, name="aidb-statement", daemon=True).start()
    interrupted = False
    while not done.is_set():
        try:
            done.wait(0.05)
        except KeyboardInterrupt:
            interrupted = True
            connection.interrupt()
    if "error" in outcome:
        if interrupted:
            raise StatementInterrupted("interrupted: the statement was cancelled and its changes rolled back") from outcome["error"]
        raise outcome["error"]
    return outcome["value"]


def _may_change_names(statement: str) -> bool:
    first = statement.lstrip().split(None, 1)[:1]
    return bool(first) and first[0].upper() in {"CREATE", "DROP", "ALTER", "ATTACH", "DETACH", "IMPORT", "USE"}
