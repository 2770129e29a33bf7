"""The function registry: one declaration per function, registered on every connection."""

from __future__ import annotations

import pyarrow as pa
import pytest

import aidb
from aidb.functions.registry import REGISTRY, Param, load_function_modules, sql_function


def test_every_declared_function_is_callable_on_a_new_connection(con) -> None:
    registered = {
        r[0] for r in con.execute("SELECT function_name FROM duckdb_functions() WHERE function_type = 'scalar'").fetchall()
    }
    assert set(load_function_modules()) <= registered


def test_declarations_need_a_doc_line_and_ordered_defaults() -> None:
    with pytest.raises(TypeError, match="needs a docstring"):

        @sql_function(params=[Param("x", "INTEGER")], returns="INTEGER")
        def undocumented(ctx, x):
            return x

    with pytest.raises(TypeError, match="required parameter b follows an optional one"):

        @sql_function(params=[Param("a", "INTEGER", 1), Param("b", "INTEGER")], returns="INTEGER")
        def misordered(ctx, a, b):
            """Doc."""
            return a

    assert "undocumented" not in REGISTRY and "misordered" not in REGISTRY


def test_signature_rendering() -> None:
    function = load_function_modules()["normalize_text"]
    assert function.signature == "normalize_text(text VARCHAR) -> VARCHAR"
    assert function.family == "text"


def test_aidb_error_raised_inside_a_function_reaches_the_user_intact(con) -> None:
    @sql_function(params=[Param("x", "INTEGER")], returns="INTEGER", name="always_fails_for_test")
    def always_fails(ctx, x: pa.Array) -> pa.Array:
        """Raises."""
        raise aidb.DataError("value 7 is out of range for always_fails_for_test")

    try:
        fresh = aidb.connect(autocommit=True)
        with pytest.raises(aidb.DataError, match="value 7 is out of range"):
            fresh.execute("SELECT always_fails_for_test(7)")
        assert fresh.execute("SELECT 1").fetchall() == [(1,)]
        fresh.close()
    finally:
        REGISTRY.pop("always_fails_for_test")
