"""Every SQL function, macro, table function and statement has a doc line and an example that parses."""

from __future__ import annotations

from aidb.agent.operator_catalog import STATEMENTS, TABLE_FUNCTIONS, missing_examples, operator_entries
from aidb.sql.dialect import STATEMENT_PREFIXES
from aidb.sql.frontend import parse_statement
from aidb.sql.vector_table_functions import TABLE_FUNCTIONS as SEARCH_FUNCTIONS


def test_every_declared_name_has_an_example() -> None:
    missing = missing_examples()
    assert not missing, f"add an example (and its pipeline step) for {', '.join(missing)} to aidb/agent/operator_examples.py EXAMPLES"


def test_every_statement_and_search_function_is_listed() -> None:
    statements = {" ".join(w for w in prefix if w not in ("OR", "REPLACE")) for prefix in STATEMENT_PREFIXES}
    assert statements == set(STATEMENTS)
    assert set(SEARCH_FUNCTIONS) <= set(TABLE_FUNCTIONS)


def test_every_entry_has_a_doc_line_and_an_example_that_parses() -> None:
    entries = operator_entries()
    assert len(entries) >= 60
    for entry in entries:
        assert entry.doc.strip() and "\n" not in entry.doc, entry.name
        assert entry.name.split()[0].lower() in entry.example.lower(), entry.name
        parse_statement(entry.example)  # raises ProgrammingError on SQL aidb's dialect cannot read
