"""The function-arguments pass places named arguments and fills defaults, purely from the catalog view."""

from __future__ import annotations

import pytest
import sqlglot

import aidb
from aidb.sql.catalog_view import CatalogView, FunctionInfo, ParamInfo
from aidb.sql.dialect import AIDB, declare_functions
from aidb.sql.rewrite_function_arguments import rewrite_function_arguments

SIG = FunctionInfo(
    name="shingle_hash",
    kind="udf",
    family="test",
    params=(
        ParamInfo("text", "VARCHAR", True),
        ParamInfo("num_perm", "INTEGER", False, 128),
        ParamInfo("ngram", "INTEGER", False, 5),
        ParamInfo("model", "VARCHAR", False, None),
    ),
    returns="UBIGINT[]",
    doc="test",
    signature="shingle_hash(text VARCHAR, num_perm INTEGER := 128, ngram INTEGER := 5, model VARCHAR := NULL)",
)
CATALOG = CatalogView(functions={"shingle_hash": SIG})
declare_functions(["shingle_hash"])


def rewrite(sql: str) -> str:
    tree = sqlglot.parse_one(sql, read=AIDB)
    return rewrite_function_arguments(tree, CATALOG).sql(dialect=AIDB)


def test_defaults_are_filled() -> None:
    assert rewrite("SELECT shingle_hash(t) FROM x") == "SELECT SHINGLE_HASH(t, 128, 5, CAST(NULL AS TEXT)) FROM x"


def test_named_arguments_are_placed() -> None:
    assert rewrite("SELECT shingle_hash(t, ngram := 3)") == "SELECT SHINGLE_HASH(t, 128, 3, CAST(NULL AS TEXT))"
    assert rewrite("SELECT shingle_hash(t, model => 'm', num_perm := 64)") == "SELECT SHINGLE_HASH(t, 64, 5, 'm')"


def test_complete_calls_are_left_as_they_are() -> None:
    tree = sqlglot.parse_one("SELECT shingle_hash(t, 1, 2, 'm')", read=AIDB)
    assert rewrite_function_arguments(tree, CATALOG) == tree


def test_the_pass_does_not_mutate_its_input() -> None:
    tree = sqlglot.parse_one("SELECT shingle_hash(t)", read=AIDB)
    before = tree.sql(dialect=AIDB)
    rewrite_function_arguments(tree, CATALOG)
    assert tree.sql(dialect=AIDB) == before


def test_nested_calls_are_completed() -> None:
    assert "SHINGLE_HASH(CAST(SHINGLE_HASH(t, 128, 5, CAST(NULL AS TEXT)) AS TEXT), 128, 5" in rewrite("SELECT shingle_hash(shingle_hash(t)::VARCHAR)")


@pytest.mark.parametrize(
    "sql, message",
    [
        ("SELECT shingle_hash(t, ngrams := 3)", r"no parameter 'ngrams'\. Did you mean: ngram\?.*usage: shingle_hash\("),
        ("SELECT shingle_hash()", "missing argument text"),
        ("SELECT shingle_hash(t, 1, 2, 'm', 5)", "takes at most 4 arguments, got 5"),
        ("SELECT shingle_hash(t, 1, num_perm := 2)", "num_perm given twice"),
        ("SELECT shingle_hash(text := t, 3)", "positional argument follows a named one"),
    ],
)
def test_misuse_is_a_programming_error_with_the_signature(sql: str, message: str) -> None:
    with pytest.raises(aidb.ProgrammingError, match=message):
        rewrite(sql)
