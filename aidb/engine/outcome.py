"""What one statement left behind for the cursor: rows to fetch from the DuckDB connection, or a row count."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
from sqlglot import exp

from aidb.sql.frontend import ParsedStatement


@dataclass(frozen=True)
class Outcome:
    """Rows to fetch from the DuckDB connection (`has_rows`), or the number of rows a DML statement changed."""

    has_rows: bool
    rowcount: int = -1


NO_ROWS = Outcome(has_rows=False)
ROWS = Outcome(has_rows=True)

# Statements DuckDB answers with a one-column status ('Success' or 'Count'); PEP 249 wants no result set for them.
_STATUS_ONLY_WORDS = frozenset(
    {"CREATE", "DROP", "ALTER", "SET", "RESET", "USE", "ATTACH", "DETACH", "CHECKPOINT", "LOAD", "INSTALL", "VACUUM", "COMMENT"}
)


def outcome_of(duck: duckdb.DuckDBPyConnection, statement: ParsedStatement) -> Outcome:
    """The outcome of `statement`, just run on `duck`: a DML count is read from its result (PEP 249's rowcount)."""
    if _is_dml_count(statement):
        row = duck.fetchone()
        return Outcome(has_rows=False, rowcount=int(row[0]) if row else 0)
    description = duck.description
    return Outcome(has_rows=description is not None and not _is_status_only(statement, description))


def _is_status_only(statement: ParsedStatement, description: list) -> bool:
    words = statement.text.lstrip().split(None, 1)
    return (
        bool(words)
        and words[0].upper() in _STATUS_ONLY_WORDS
        and len(description) == 1
        and description[0][0] in ("Success", "Count")
    )


def _is_dml_count(statement: ParsedStatement) -> bool:
    tree = statement.tree
    if isinstance(tree, (exp.Insert, exp.Update, exp.Delete)):
        return not tree.args.get("returning")
    if tree is None:
        words = statement.text.lstrip().split(None, 1)
        return bool(words) and words[0].upper() in ("INSERT", "UPDATE", "DELETE") and "RETURNING" not in statement.text.upper()
    return False


def changes_schema(statement: ParsedStatement) -> bool:
    """Whether the statement may change tables or columns (the catalog view must be rebuilt after it)."""
    if statement.tree is not None:
        return isinstance(statement.tree, (exp.Create, exp.Drop, exp.Alter))
    words = statement.text.lstrip().split(None, 1)
    return bool(words) and words[0].upper() in ("CREATE", "DROP", "ALTER", "ATTACH", "DETACH")

