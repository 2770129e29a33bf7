"""`aidb PATH`: the interactive SQL shell (prompt_toolkit + rich), and `aidb PATH -c ...` / `aidb PATH < script.sql`.

Modelled on the DuckDB CLI and pgcli: line editing, history, multi-line statements ending with ';',
completion, highlighting, aligned result tables, dot-commands, progress bars and Ctrl-C to cancel.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


from aidb.errors import Error
from aidb.repl.commands import run_dot_command
from aidb.repl.execute import ReplState, run_script
from aidb.repl.progress import ReplProgress

HISTORY_ENV = "AIDB_HISTORY"


def main(path: str, command: str | None = None) -> int:
    """Run the shell on the database at `path`; returns the process exit status (0 ok, 1 error)."""
    import aidb

    interactive = command is None and sys.stdin.isatty()
    try:
        # -c and scripts on stdin draw progress on stderr when it is a terminal (the interactive loop draws its own)
        connection = aidb.connect(path, autocommit=True, progress=None if not interactive else False)
    except Error as error:
        print(f"Error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    state = ReplState(connection=connection, interactive=interactive, run_dot_command=run_dot_command)
    try:
        if not interactive:
            text = command if command is not None else sys.stdin.read()
            return 0 if run_script(state, text) else 1
        return interactive_loop(state, path)
    finally:
        if state.out is not sys.stdout:
            state.out.close()
        connection.close()


def history_path() -> Path:
    return Path(os.environ.get(HISTORY_ENV) or Path.home() / ".aidb_history").expanduser()


def statement_is_complete(text: str) -> bool:
    """Enter runs the input when it is a dot-command, an exit word, empty, or SQL ending with ';'."""
    stripped = text.strip()
    return not stripped or stripped.startswith(".") or stripped.endswith(";") or stripped.lower() in ("quit", "exit")


def interactive_loop(state: ReplState, path: str) -> int:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.filters import Condition
    from prompt_toolkit.history import FileHistory
    from prompt_toolkit.lexers import PygmentsLexer
    from pygments.lexers.sql import SqlLexer
    from rich.console import Console

    from aidb.version import __version__
    from aidb.repl.completion import make_completer

    state.console = Console(highlight=False)
    state.connection.session.progress = ReplProgress(Console(stderr=True))
    history = history_path()
    history.parent.mkdir(parents=True, exist_ok=True)
    session: PromptSession[str] = PromptSession(
        history=FileHistory(str(history)),
        lexer=PygmentsLexer(SqlLexer),
        completer=make_completer(state.completion_names),
        complete_while_typing=False,
        multiline=Condition(lambda: not statement_is_complete(session.default_buffer.text)),
        prompt_continuation=lambda width, line_number, wrap_count: "   ...> ".rjust(width),
    )
    name = Path(path).name if path != ":memory:" else "memory"
    state.console.print(f"aidb {__version__} on [bold]{path}[/bold]. Enter .help for help; statements end with ';'.")
    while not state.wants_exit:
        try:
            text = session.prompt(f"{name}> ")
        except KeyboardInterrupt:
            continue  # Ctrl-C at the prompt clears the line, as in the DuckDB CLI
        except EOFError:
            break
        if text.strip().lower() in ("quit", "exit"):
            break
        if text.strip():
            run_script(state, text)
    return 0
