"""The REPL's dot-commands (.tables, .schema, .mode, .timer, .explain, .read, .output, ...), as in the DuckDB CLI."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from pathlib import Path

from aidb.errors import OperationalError, ProgrammingError, did_you_mean
from aidb.repl.execute import ReplState, run_script, run_sql
from aidb.repl.render import MODES, collect, render

HELP = """\
Statements end with ';' and may span lines. Extended SQL (embed, perplexity, EXPLAIN AIDB, CREATE MODEL ...) works.
Ctrl-C cancels a running statement (its changes are rolled back); Ctrl-D or .quit leaves.

.tables [PATTERN]     tables and views (catalog tables live in schema aidb)
.schema [TABLE]       the CREATE statements of tables and views
.models               models in the catalog (SHOW MODELS)
.indexes              vector indexes (SHOW VECTOR INDEXES)
.explain STATEMENT    how aidb rewrites a statement for DuckDB (EXPLAIN AIDB)
.mode [MODE]          result format: table, csv, json, markdown
.timer on|off         print each statement's run time
.read FILE            run the statements of a SQL file
.output [FILE]        send results to FILE; without FILE back to the terminal
.help                 this text
.quit / .exit         leave"""


def run_dot_command(state: ReplState, line: str) -> None:
    name, _, argument = line.strip().partition(" ")
    handler = COMMANDS.get(name.lower())
    if handler is None:
        raise ProgrammingError(f"unknown command {name!r}.{did_you_mean(name, COMMANDS)} Type .help for the list.")
    handler(state, argument.strip().rstrip(";").strip())


def _help(state: ReplState, argument: str) -> None:
    print(HELP, file=state.out)


def _tables(state: ReplState, argument: str) -> None:
    pattern = argument or "%"
    _print_query(
        state,
        "SELECT CASE WHEN schema_name = 'main' THEN name ELSE schema_name || '.' || name END AS name, kind "
        "FROM (SELECT schema_name, table_name AS name, 'table' AS kind FROM duckdb_tables() "
        "UNION ALL SELECT schema_name, view_name, 'view' FROM duckdb_views() WHERE NOT internal) "
        "WHERE name LIKE ? ORDER BY schema_name <> 'main', schema_name, name",
        [pattern],
    )


def _schema(state: ReplState, argument: str) -> None:
    rows = state.connection.execute(
        "SELECT sql FROM (SELECT schema_name, table_name AS name, sql FROM duckdb_tables() "
        "UNION ALL SELECT schema_name, view_name, sql FROM duckdb_views() WHERE NOT internal) "
        "WHERE name LIKE ? OR schema_name || '.' || name LIKE ? ORDER BY schema_name <> 'main', schema_name, name",
        [argument or "%", argument or "%"],
    ).fetchall()
    for (text,) in rows:
        print(text.rstrip().rstrip(";") + ";", file=state.out)


def _print_query(state: ReplState, sql: str, parameters: list) -> None:
    cursor = state.connection.execute(sql, parameters)
    render(collect(cursor, None), state.mode, state.out, state.console if state.out is sys.stdout else None)


def _models(state: ReplState, argument: str) -> None:
    run_sql(state, "SHOW MODELS")


def _indexes(state: ReplState, argument: str) -> None:
    run_sql(state, "SHOW VECTOR INDEXES")


def _explain(state: ReplState, argument: str) -> None:
    if not argument:
        raise ProgrammingError(".explain needs a statement, e.g. .explain SELECT word_count(text) FROM docs")
    run_sql(state, f"EXPLAIN AIDB {argument}")


def _mode(state: ReplState, argument: str) -> None:
    if not argument:
        print(f"current mode: {state.mode} (one of {', '.join(MODES)})", file=state.out)
        return
    if argument.lower() not in MODES:
        raise ProgrammingError(f"unknown mode {argument!r}; expected one of {', '.join(MODES)}")
    state.mode = argument.lower()


def _timer(state: ReplState, argument: str) -> None:
    if argument.lower() not in ("on", "off"):
        raise ProgrammingError(".timer takes 'on' or 'off'")
    state.timer = argument.lower() == "on"


def _read(state: ReplState, argument: str) -> None:
    path = _one_path(".read", argument)
    try:
        text = Path(path).read_text()
    except OSError as error:
        raise OperationalError(f".read: cannot read {path}: {error.strerror}") from error
    run_script(state, text, raise_errors=not state.interactive)


def _output(state: ReplState, argument: str) -> None:
    if state.out is not sys.stdout:
        state.out.close()
        state.out = sys.stdout
    if argument:
        path = _one_path(".output", argument)
        try:
            state.out = open(path, "w", encoding="utf-8")  # noqa: SIM115 - stays open until the next .output
        except OSError as error:
            raise OperationalError(f".output: cannot write {path}: {error.strerror}") from error


def _quit(state: ReplState, argument: str) -> None:
    state.wants_exit = True


def _one_path(command: str, argument: str) -> str:
    parts = shlex.split(argument)
    if len(parts) != 1:
        raise ProgrammingError(f"{command} takes one file name")
    return str(Path(parts[0]).expanduser())


COMMANDS: dict[str, Callable[[ReplState, str], None]] = {
    ".help": _help,
    ".tables": _tables,
    ".schema": _schema,
    ".models": _models,
    ".indexes": _indexes,
    ".explain": _explain,
    ".mode": _mode,
    ".timer": _timer,
    ".read": _read,
    ".output": _output,
    ".quit": _quit,
    ".exit": _quit,
}
