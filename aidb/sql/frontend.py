"""From SQL text to what DuckDB runs: split, parse with the aidb dialect, rewrite, render, plan the searches run first.

Plain DuckDB SQL that no pass changes is sent as its original text, so it behaves exactly as in
DuckDB; statements sqlglot cannot parse (and that are not aidb statements) pass through untouched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from aidb.ann_search import AnnSearch
from aidb.errors import ProgrammingError
from aidb.sql.catalog_view import CatalogView
from aidb.sql.dialect import AIDB, starts_aidb_statement
from aidb.sql.model_arguments import runs_on_one_thread
from aidb.sql.passes import Rewritten, rewrite, to_duckdb_sql
from aidb.sql.search_calls import searches_in
from aidb.sql.search_first import SearchFirstPlan, search_first_plan
from aidb.sql.split import leading_words, split_statements
from aidb.sql.statements import AidbStatement

# sqlglot warns on every statement it parses only as an opaque Command; those pass through by design.
logging.getLogger("sqlglot").setLevel(logging.ERROR)


@dataclass(frozen=True)
class ParsedStatement:
    text: str
    tree: exp.Expression | None  # None: sqlglot could not parse it; DuckDB gets the text as is

    @property
    def is_aidb(self) -> bool:
        return isinstance(self.tree, AidbStatement)


@dataclass(frozen=True)
class Planned:
    """What DuckDB runs for one statement, and what the engine must prepare before it runs."""

    sql: str
    rewritten: Rewritten | None
    searches: dict[str, AnnSearch] = field(default_factory=dict)  # pylance searches it calls, by function name
    search_first: SearchFirstPlan | None = None  # the variant run when its query vectors are parameters
    # it calls a function that runs on one DuckDB thread (a model function, minhash, a Lance search)
    one_thread: bool = False


def parse_script(sql: str) -> list[ParsedStatement]:
    chunks = split_statements(sql)
    return [parse_statement(chunk, index, len(chunks)) for index, chunk in enumerate(chunks, start=1)]


def parse_statement(text: str, index: int = 1, count: int = 1) -> ParsedStatement:
    try:
        trees = sqlglot.parse(text, read=AIDB)
    except (ParseError, TokenError) as error:
        if starts_aidb_statement(leading_words(text)):
            raise ProgrammingError(_describe_parse_error(error, text, index, count)) from error
        return ParsedStatement(text, None)
    except RecursionError:
        # sqlglot's recursive descent gives up near 50 nested parentheses, where DuckDB's own parser
        # goes on: deep plain SQL runs in DuckDB as typed (as any statement sqlglot cannot read).
        if starts_aidb_statement(leading_words(text)):
            raise ProgrammingError(f"statement {index} of {count} nests too deeply for aidb's parser\n  {text.strip()[:200]}") from None
        return ParsedStatement(text, None)
    tree = trees[0] if len(trees) == 1 else None
    if isinstance(tree, exp.Command):
        tree = None
    return ParsedStatement(text, tree)


# DuckDB's spellings of transaction control, which sqlglot reads as other things (ABORT as a column).
_BEGIN_WORDS = (("BEGIN",), ("START", "TRANSACTION"))
_COMMIT_WORDS = (("COMMIT",), ("END",))
_ROLLBACK_WORDS = (("ROLLBACK",), ("ABORT",))
_NOISE_WORDS = ("TRANSACTION", "WORK")


def transaction_control(statement: ParsedStatement) -> str | None:
    """'begin', 'commit' or 'rollback' when `statement` is one (in any spelling DuckDB accepts), else None.

    'begin with options' for BEGIN TRANSACTION READ ONLY and the like.
    """
    tree = statement.tree
    if isinstance(tree, exp.Transaction):
        return "begin"
    if isinstance(tree, exp.Commit):
        return "commit"
    if isinstance(tree, exp.Rollback):
        return "rollback"
    words = [w.upper() for w in leading_words(statement.text, 8)]
    for kind, spellings in (("begin", _BEGIN_WORDS), ("commit", _COMMIT_WORDS), ("rollback", _ROLLBACK_WORDS)):
        for spelling in spellings:
            if tuple(words[: len(spelling)]) == spelling:
                rest = [w for w in words[len(spelling) :] if w not in _NOISE_WORDS and w != ";"]
                return kind if not rest else (f"{kind} with options" if kind == "begin" else None)
    return None


def plan_statement(statement: ParsedStatement, catalog: CatalogView) -> Planned:
    if statement.tree is None or statement.is_aidb:
        return Planned(statement.text, None)
    try:
        rewritten = rewrite(statement.tree, catalog)
        sql = to_duckdb_sql(rewritten.tree) if rewritten.changed else statement.text
        searches = searches_in(rewritten.tree)
        # a pylance search, like a model function, runs on the statement's thread (engine: Session.run_planned)
        one_thread = bool(searches) or runs_on_one_thread(rewritten.tree, catalog)
    except RecursionError:  # a tree too deep for the passes: DuckDB gets the statement as typed
        return Planned(statement.text, None)
    return Planned(sql, rewritten, searches, search_first_plan(rewritten.tree) if searches else None, one_thread)


def _describe_parse_error(error: Exception, text: str, index: int, count: int) -> str:
    where = f"statement {index} of {count}" if count > 1 else "statement"
    details = getattr(error, "errors", None) or []
    if details:
        first = details[0]
        description = first.get("description", str(error))
        return (
            f"Syntax error in {where} at line {first.get('line')}, column {first.get('col')}: {description}\n"
            f"  {text.strip()}"
        )
    return f"Syntax error in {where}: {error}\n  {text.strip()}"
