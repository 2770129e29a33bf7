"""aidb_functions() becomes an inline table built from the catalog view."""

from __future__ import annotations

import sqlglot

from aidb.sql.catalog_view import CatalogView, FunctionInfo
from aidb.sql.dialect import AIDB
from aidb.sql.rewrite_catalog_functions import rewrite_catalog_functions


def test_table_function_is_replaced_by_values_from_the_catalog(con) -> None:
    info = FunctionInfo("f", "udf", "fam", (), "INTEGER", "it's a doc", "f() -> INTEGER")
    tree = sqlglot.parse_one("SELECT name, doc FROM aidb_functions() AS x WHERE kind = 'udf'", read=AIDB)
    rewritten = rewrite_catalog_functions(tree, CatalogView(functions={"f": info})).sql(dialect=AIDB)
    assert "aidb_functions()" not in rewritten.lower()
    assert con.session.duck.execute(rewritten).fetchall() == [("f", "it's a doc")]


def test_every_registered_function_and_macro_is_listed_with_a_doc(con) -> None:
    rows = con.execute("SELECT name, kind, signature, doc FROM aidb_functions() ORDER BY name").fetchall()
    by_name = {r[0]: r for r in rows}
    assert by_name["normalize_text"][1:3] == ("udf", "normalize_text(text VARCHAR) -> VARCHAR")
    assert by_name["word_count"][1] == "macro"
    assert all(r[3] for r in rows), "every function has a one-line doc"
    assert by_name["word_count"][3] == "Number of whitespace-separated words in the text."
