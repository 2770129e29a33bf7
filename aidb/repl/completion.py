"""Completion for the REPL: SQL keywords, tables, columns, aidb and DuckDB functions, models and dot-commands."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aidb.errors import Error

DOT_COMMANDS = (
    ".help", ".tables", ".schema", ".models", ".indexes", ".explain", ".mode", ".timer", ".read", ".output",
    ".quit", ".exit",
)  # fmt: skip

AIDB_KEYWORDS = (
    "CREATE MODEL", "CREATE LANGUAGE MODEL", "CREATE CLASSIFIER", "DROP MODEL", "SHOW MODELS", "SHOW AIDB FUNCTIONS",
    "SHOW VECTOR INDEXES", "CREATE VECTOR INDEX", "EXPLAIN AIDB", "TYPE", "USING",
)  # fmt: skip


@dataclass
class CompletionNames:
    """What can be completed, read from the database; refreshed after statements that may change it."""

    keywords: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    aidb_functions: list[str] = field(default_factory=list)
    duckdb_functions: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)


def read_names(connection: Any) -> CompletionNames:
    """Ask the database for its names; a failing query leaves that group empty rather than breaking the prompt."""

    def column(sql: str) -> list[str]:
        try:
            return sorted({str(row[0]) for row in connection.execute(sql).fetchall() if row[0] is not None})
        except Error:
            return []

    return CompletionNames(
        keywords=sorted(set(column("SELECT upper(keyword_name) FROM duckdb_keywords()")) | set(AIDB_KEYWORDS)),
        tables=column(
            "SELECT CASE WHEN schema_name = 'main' THEN table_name ELSE schema_name || '.' || table_name END "
            "FROM (SELECT schema_name, table_name FROM duckdb_tables() UNION ALL "
            "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal)"
        ),
        columns=column("SELECT column_name FROM duckdb_columns() WHERE NOT internal"),
        aidb_functions=column("SELECT name FROM aidb_functions()"),
        duckdb_functions=column("SELECT function_name FROM duckdb_functions() WHERE function_name NOT LIKE '\\_%' ESCAPE '\\'"),
        models=column("SELECT name FROM aidb.models"),
    )


_WORD = re.compile(r"[\w.]*$")


def candidates(names: CompletionNames, text_before_cursor: str) -> Iterable[tuple[str, str]]:
    """(completion, kind) pairs for the word being typed, most useful kinds first."""
    word = _WORD.search(text_before_cursor).group(0)  # type: ignore[union-attr]
    stripped = text_before_cursor.lstrip()
    if stripped.startswith(".") and " " not in stripped:
        yield from ((c, "command") for c in DOT_COMMANDS if c.startswith(stripped))
        return
    if not word:
        return
    lowered = word.lower()
    after_quote = text_before_cursor[: len(text_before_cursor) - len(word)].endswith("'")
    groups: list[tuple[str, list[str]]] = (
        [("model", names.models)]
        if after_quote
        else [
            ("aidb function", names.aidb_functions),
            ("table", names.tables),
            ("column", names.columns),
            ("model", names.models),
            ("keyword", names.keywords),
            ("function", names.duckdb_functions),
        ]
    )
    seen: set[str] = set()
    for kind, group in groups:
        for name in group:
            if name.lower().startswith(lowered) and name.lower() not in seen:
                seen.add(name.lower())
                yield (name if kind != "keyword" or word[:1].isupper() else name.lower()), kind


def make_completer(names_source: Any) -> Any:
    """A prompt_toolkit Completer over `names_source()` (called at each completion, so refreshes show up)."""
    from prompt_toolkit.completion import Completer, Completion

    class AidbCompleter(Completer):
        def get_completions(self, document, complete_event):  # noqa: ANN001 - prompt_toolkit's protocol
            before = document.text_before_cursor
            word = _WORD.search(before).group(0)  # type: ignore[union-attr]
            if before.lstrip().startswith(".") and " " not in before.lstrip():
                word = before.lstrip()
            for text, kind in candidates(names_source(), before):
                yield Completion(text, start_position=-len(word), display_meta=kind)

    return AidbCompleter()
