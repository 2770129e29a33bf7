"""Whatever a statement raises, only aidb's PEP 249 errors leave `execute`, and the transaction state is right afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

import aidb
from aidb.engine import commands

DEEP = 300  # far past sqlglot's recursion limit (about 50 nested parentheses)

# Each once raised something other than an aidb error (issue 12's fuzz run); now a syntax, data or programming error.
FAILING = [
    ("EXPLAIN AIDB SELECT " + "(" * DEEP + "1" + ")" * DEEP, aidb.ProgrammingError, "nests too deeply"),
    ("CREATE MODEL x TYPE", aidb.ProgrammingError, "Expected TYPE"),
    ("DROP MODEL", aidb.ProgrammingError, "Expected a model name"),
    ("SELECT '\ud800' AS lone", aidb.DataError, "not valid Unicode"),
    ("CREATE LANGUAGE MODEL lm FROM (SELECT 'a b c' AS text) WITH (order = 'x')", aidb.ProgrammingError, "order must be an integer"),
    ("SELECT * FROM no_such_table", aidb.ProgrammingError, "no_such_table"),
]


@pytest.mark.parametrize("sql, error, message", FAILING)
def test_after_any_failure_autocommit_writes_survive_a_reopen(db_path: Path, sql: str, error: type, message: str) -> None:
    con = aidb.connect(db_path, autocommit=True)
    con.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(error, match=message):
        con.execute(sql)
    assert not con.session.in_transaction
    con.execute("INSERT INTO t VALUES (1)")
    con.close()
    again = aidb.connect(db_path)
    assert again.execute("SELECT x FROM t").fetchall() == [(1,)]
    again.close()


def test_a_lone_surrogate_parameter_is_a_data_error_naming_the_parameter(con) -> None:
    with pytest.raises(aidb.DataError, match="parameter 2 is not valid Unicode"):
        con.execute("SELECT ?, ?", ["fine", "bad \udc80"])
    assert con.execute("SELECT ?", ["fine"]).fetchall() == [("fine",)]


@pytest.mark.parametrize("raised", [RuntimeError("boom"), KeyError("k"), AttributeError("a"), RecursionError(), OSError(5, "disk")])
def test_an_unexpected_exception_in_a_handler_is_translated_and_rolled_back(db_path: Path, monkeypatch, raised) -> None:
    con = aidb.connect(db_path)  # PEP 249 mode: the failure rolls the open transaction back and says so
    con.execute("CREATE TABLE t (x INTEGER)")
    con.commit()
    con.execute("INSERT INTO t VALUES (1)")

    def failing(session, node):
        raise raised

    monkeypatch.setitem(commands._HANDLERS, commands.st.Show, failing)
    with pytest.raises(aidb.Error, match="the open transaction was rolled back") as caught:
        con.execute("SHOW MODELS")
    assert caught.value.__cause__ is raised
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(0,)]
    con.execute("INSERT INTO t VALUES (2)")
    con.commit()
    con.close()
    again = aidb.connect(db_path)
    assert again.execute("SELECT x FROM t").fetchall() == [(2,)]
    again.close()


def test_deep_but_valid_plain_sql_runs_as_in_duckdb(con) -> None:
    nested = "SELECT " + "(" * DEEP + "1" + ")" * DEEP + " AS one"
    assert con.execute(nested).fetchall() == [(1,)]
    cases = "SELECT " + "CASE WHEN true THEN " * 150 + "2" + " END" * 150 + " AS two"
    assert con.execute(cases).fetchall() == [(2,)]


def test_a_model_name_with_a_slash_stays_a_name(db_path: Path) -> None:
    con = aidb.connect(db_path, autocommit=True)
    con.execute('CREATE LANGUAGE MODEL "/../x/y" FROM (SELECT \'a b c d\' AS text) WITH (order = 2)')
    files = list(Path(str(db_path) + ".models").iterdir())
    assert len(files) == 1 and files[0].name.startswith("____x_y.")
    assert con.execute("""SELECT perplexity('a b c', '/../x/y') > 0""").fetchall() == [(True,)]
    con.close()


def test_a_failed_commit_leaves_no_transaction_open(db_path: Path) -> None:
    first = aidb.connect(db_path)
    first.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    first.commit()
    second = first.session  # the same connection: a conflicting write is made with a raw DuckDB cursor
    other = second.duck.cursor()
    first.execute("INSERT INTO t VALUES (1)")
    other.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(aidb.Error):
        first.commit()
    assert not first.session.in_transaction
    first.execute("INSERT INTO t VALUES (2)")
    first.commit()
    assert sorted(first.execute("SELECT id FROM t").fetchall()) == [(1,), (2,)]
    other.close()
    first.close()


@pytest.mark.parametrize("autocommit", [True, False])
def test_every_spelling_of_transaction_control_keeps_aidbs_state_in_step(db_path: Path, autocommit: bool) -> None:
    con = aidb.connect(db_path, autocommit=autocommit)
    con.execute("CREATE TABLE t (x INTEGER)")
    con.commit()
    for begin, end, kept in [("START TRANSACTION", "ABORT", 0), ("BEGIN WORK", "END", 1), ("BEGIN", "END TRANSACTION", 2)]:
        con.execute(begin)
        assert con.session.in_transaction
        con.execute("INSERT INTO t VALUES (1)")
        con.execute(end)
        assert not con.session.in_transaction
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(kept,)]
        con.commit()
    with pytest.raises(aidb.NotSupportedError, match="read_only=True"):
        con.execute("BEGIN TRANSACTION READ ONLY")
    con.close()
