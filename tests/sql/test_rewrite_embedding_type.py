"""The embedding-type pass casts vector-returning model calls to FLOAT[n] from the catalog view, and rejects bad models early."""

from __future__ import annotations

import pytest
import sqlglot

from aidb.errors import ProgrammingError
from aidb.sql.catalog_view import CatalogView, FunctionInfo, ParamInfo
from aidb.sql.dialect import AIDB, declare_functions
from aidb.sql.provenance import model_columns
from aidb.sql.rewrite_embedding_type import rewrite_embedding_type
from aidb.sql.rewrite_function_arguments import rewrite_function_arguments
from aidb.catalog_records import ModelRecord

EMBED = FunctionInfo(
    name="embed",
    kind="udf",
    family="embed",
    params=(ParamInfo("text", "VARCHAR", True), ParamInfo("model", "VARCHAR", False, None)),
    returns="FLOAT[]",
    doc="test",
    signature="embed(text VARCHAR, model VARCHAR := NULL) -> FLOAT[]",
    model_kind="embedding",
)
BUILTIN = ModelRecord("builtin-mini", "embedding", "package:x", fingerprint="fp0", dimension=384, is_default=True)
WIDE = ModelRecord("wide", "embedding", "/models/wide", fingerprint="fp1", dimension=768)
LM = ModelRecord("wiki_en", "language", "/models/wiki.arpa", fingerprint="fp2")
CATALOG = CatalogView(functions={"embed": EMBED}, models={"wide": WIDE, "wiki_en": LM}, builtin_models={"embedding": BUILTIN})
declare_functions(["embed"])


def rewrite(sql: str, catalog: CatalogView = CATALOG) -> str:
    """The SQL after both passes (sqlglot spells FLOAT as its DuckDB alias REAL)."""
    tree = sqlglot.parse_one(sql, read=AIDB)
    tree = rewrite_function_arguments(tree, catalog)
    return rewrite_embedding_type(tree, catalog).sql(dialect="duckdb")


def test_default_model_width_comes_from_the_builtin_default() -> None:
    assert rewrite("SELECT embed(t) FROM x") == "SELECT CAST(EMBED(t, CAST(NULL AS TEXT)) AS REAL[384]) FROM x"


def test_catalog_default_wins_over_the_builtin() -> None:
    catalog = CatalogView(
        functions={"embed": EMBED},
        models={"wide": ModelRecord(**{**WIDE.__dict__, "is_default": True})},
        builtin_models={"embedding": BUILTIN},
    )
    assert "REAL[768]" in rewrite("SELECT embed(t) FROM x", catalog)


def test_named_model_gives_its_width() -> None:
    assert rewrite("SELECT embed(t, 'wide') FROM x") == "SELECT CAST(EMBED(t, 'wide') AS REAL[768]) FROM x"
    assert "REAL[384]" in rewrite("SELECT embed(t, model := 'builtin-mini') FROM x")


def test_model_from_a_column_stays_a_list() -> None:
    assert rewrite("SELECT embed(t, m) FROM x") == "SELECT EMBED(t, m) FROM x"


def test_pass_is_idempotent() -> None:
    once = sqlglot.parse_one(rewrite("SELECT embed(t, 'wide') FROM x"), read=AIDB)
    assert rewrite_embedding_type(once, CATALOG).sql(dialect="duckdb") == "SELECT CAST(EMBED(t, 'wide') AS REAL[768]) FROM x"


def test_unknown_model_is_rejected_with_suggestions() -> None:
    with pytest.raises(ProgrammingError, match=r"unknown model 'wdie'.*Did you mean: wide"):
        rewrite("SELECT embed(t, 'wdie') FROM x")


def test_model_of_the_wrong_kind_is_rejected() -> None:
    with pytest.raises(ProgrammingError, match="'wiki_en' is a language model, but a embedding model"):
        rewrite("SELECT embed(t, 'wiki_en') FROM x")


def test_provenance_names_the_model_behind_each_column() -> None:
    tree = sqlglot.parse_one("CREATE TABLE e AS SELECT id, embed(t) AS v, embed(t, 'wide') FROM x", read=AIDB)
    tree = rewrite_embedding_type(rewrite_function_arguments(tree, CATALOG), CATALOG)
    columns = model_columns(tree, CATALOG)
    assert [(c.position, c.alias, c.model_name, c.model_fingerprint) for c in columns] == [
        (1, "v", "builtin-mini", "fp0"),
        (2, None, "wide", "fp1"),
    ]


def test_provenance_after_a_star_has_no_position() -> None:
    tree = sqlglot.parse_one("CREATE TABLE e AS SELECT *, embed(t, 'wide') FROM x", read=AIDB)
    tree = rewrite_function_arguments(tree, CATALOG)
    (column,) = model_columns(tree, CATALOG)
    assert column.position is None and column.alias is None


def test_provenance_ignores_plain_selects() -> None:
    assert model_columns(sqlglot.parse_one("SELECT embed(t) FROM x", read=AIDB), CATALOG) == ()
