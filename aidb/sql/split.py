"""Split a SQL script into statements with sqlglot's tokenizer, keeping each statement's original text."""

from __future__ import annotations

from sqlglot.errors import TokenError
from sqlglot.tokens import TokenType

from aidb.sql.dialect import AIDB


def split_statements(sql: str) -> list[str]:
    """The statements of `sql`, each as its original text; one chunk when it cannot be tokenized."""
    try:
        tokens = AIDB().tokenize(sql)
    except TokenError:
        return [sql] if sql.strip() else []
    chunks: list[str] = []
    start: int | None = None
    end = 0
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            if start is not None:
                chunks.append(sql[start : end + 1])
            start = None
            continue
        if start is None:
            start = token.start
        end = token.end
    if start is not None:
        chunks.append(sql[start:].rstrip().rstrip(";"))
    return chunks


def leading_words(statement: str, count: int = 5) -> list[str]:
    try:
        tokens = AIDB().tokenize(statement)
    except TokenError:
        return statement.split()[:count]
    return [t.text for t in tokens[:count]]
