"""The operator-call pass: calls become placeholder relations, recorded with their inputs and arguments."""

from __future__ import annotations

import pytest
import sqlglot

from aidb.errors import NotSupportedError, ProgrammingError
from aidb.sql.catalog_view import CatalogView, FunctionInfo, ParamInfo
from aidb.sql.dialect import AIDB
from aidb.sql.rewrite_operator_calls import ParameterRef, bound_positions, operator_calls, rewrite_operator_calls

CATALOG = CatalogView(
    functions={
        "near_duplicates": FunctionInfo(
            name="near_duplicates",
            kind="operator",
            family="near_duplicates",
            params=(
                ParamInfo("t", "table", True),
                ParamInfo("col", "column", True),
                ParamInfo("threshold", "number", False, 0.8),
                ParamInfo("methods", "list", False, None),
            ),
            returns="TABLE",
            doc="",
            signature="near_duplicates(t, col, threshold := 0.8, methods := None) -> TABLE",
        )
    }
)


def _rewrite(sql: str):
    tree = rewrite_operator_calls(sqlglot.parse_one(sql, read=AIDB), CATALOG)
    return tree.sql(dialect="duckdb"), operator_calls(tree)


def test_call_becomes_a_placeholder_relation_with_its_alias():
    sql, calls = _rewrite("SELECT * FROM near_duplicates(docs, text, threshold := 0.9) AS n JOIN docs USING (id)")
    assert sql == "SELECT * FROM aidb_operator_0 AS n JOIN docs USING (id)"
    (call,) = calls
    assert call.operator == "near_duplicates" and call.input_name == "docs" and call.input_sql == "SELECT * FROM docs"
    assert call.arguments == (("t", "docs"), ("col", "text"), ("threshold", 0.9), ("methods", None))


def test_nested_calls_run_innermost_first():
    sql, calls = _rewrite("SELECT * FROM near_duplicates((SELECT * FROM near_duplicates(raw, 'body') WHERE keep), text)")
    assert [c.relation for c in calls] == ["aidb_operator_0", "aidb_operator_1"]
    assert calls[0].input_name == "raw" and calls[0].argument("col") == "body"
    assert calls[1].input_sql == "SELECT * FROM aidb_operator_0 AS near_duplicates WHERE keep"
    assert sql == "SELECT * FROM aidb_operator_1 AS near_duplicates"


def test_parameters_are_recorded_by_position_and_name():
    _, calls = _rewrite("SELECT * FROM docs WHERE id > ? AND id IN (SELECT id FROM near_duplicates(docs, text, threshold := ?)) AND id < ?")
    assert calls[0].argument("threshold") == ParameterRef(position=1)
    assert bound_positions(calls) == {1}
    _, calls = _rewrite("SELECT * FROM near_duplicates(docs, text, threshold := $t)")
    assert calls[0].argument("threshold") == ParameterRef(name="t")


def test_lists_and_untouched_statements():
    _, calls = _rewrite("SELECT * FROM near_duplicates(docs, text, methods := ['exact', 'fuzzy'])")
    assert calls[0].argument("methods") == ["exact", "fuzzy"]
    tree = sqlglot.parse_one("SELECT * FROM docs", read=AIDB)
    assert rewrite_operator_calls(tree, CATALOG) is tree and operator_calls(tree) == ()


@pytest.mark.parametrize(
    "sql, error, message",
    [
        ("SELECT * FROM near_duplicates(docs)", ProgrammingError, "missing argument col"),
        ("SELECT * FROM near_duplicates(docs, text, tresh := 1)", ProgrammingError, "no parameter 'tresh'. Did you mean: threshold?"),
        ("SELECT * FROM near_duplicates(docs, text, threshold := 'x')", ProgrammingError, "argument threshold must be a number, got 'x'"),
        ("SELECT * FROM near_duplicates(docs, text, threshold := id + 1)", ProgrammingError, "argument threshold must be a constant"),
        ("SELECT * FROM near_duplicates(docs, lower(text))", ProgrammingError, "argument col must be a column name"),
        ("SELECT * FROM near_duplicates(1, text)", ProgrammingError, "argument t must be a table name or a subquery"),
        ("SELECT * FROM near_duplicates(docs, text, 0.5, [], 1)", ProgrammingError, "takes at most 4 arguments"),
        ("SELECT * FROM near_duplicates((SELECT * FROM d WHERE x = ?), text)", NotSupportedError, "parameters inside the input subquery"),
        ("SELECT * FROM near_duplicates(docs, text, threshold := $1)", NotSupportedError, "bind it as ? or $name"),
    ],
)
def test_argument_errors_name_the_argument(sql, error, message):
    with pytest.raises(error, match="near_duplicates\\(\\)") as raised:
        _rewrite(sql)
    assert message in str(raised.value)
