"""PEP 249 conformance, section by section, in the manner of the classic DB-API 2.0 compliance suites."""

from __future__ import annotations

import datetime
import time
from pathlib import Path

import pytest

import aidb

EXCEPTION_TREE = {
    "Warning": Exception,
    "Error": Exception,
    "InterfaceError": aidb.Error,
    "DatabaseError": aidb.Error,
    "DataError": aidb.DatabaseError,
    "OperationalError": aidb.DatabaseError,
    "IntegrityError": aidb.DatabaseError,
    "InternalError": aidb.DatabaseError,
    "ProgrammingError": aidb.DatabaseError,
    "NotSupportedError": aidb.DatabaseError,
}


@pytest.fixture
def pep_con(db_path: Path):
    """A connection in PEP 249's default mode (autocommit off) with a small table committed."""
    con = aidb.connect(str(db_path))
    con.execute("CREATE TABLE booze (name VARCHAR, price DECIMAL(6,2), born DATE)")
    con.commit()
    yield con
    con.close()


def insert_beers(con, names=("Cooper's", "Victoria Bitter", "Guinness")) -> None:
    cur = con.cursor()
    cur.executemany("INSERT INTO booze (name) VALUES (?)", [(n,) for n in names])


# -- module interface --------------------------------------------------------------------------


def test_module_globals() -> None:
    assert aidb.apilevel == "2.0"
    assert aidb.threadsafety in (0, 1, 2, 3)
    assert aidb.paramstyle in ("qmark", "numeric", "named", "format", "pyformat")


@pytest.mark.parametrize(("name", "parent"), EXCEPTION_TREE.items())
def test_exception_hierarchy_on_module_and_connection(name: str, parent: type, con) -> None:
    cls = getattr(aidb, name)
    assert issubclass(cls, parent)
    assert getattr(con, name) is cls  # the optional Connection.<Exception> extension


# -- connection objects ------------------------------------------------------------------------


def test_commit_makes_changes_visible_to_a_new_connection(pep_con, db_path: Path) -> None:
    insert_beers(pep_con)
    pep_con.commit()
    pep_con.close()
    with aidb.connect(str(db_path)) as again:
        assert again.execute("SELECT count(*) FROM booze").fetchone() == (3,)


def test_rollback_discards_and_close_rolls_back(pep_con, db_path: Path) -> None:
    insert_beers(pep_con)
    pep_con.rollback()
    assert pep_con.execute("SELECT count(*) FROM booze").fetchone() == (0,)
    insert_beers(pep_con)
    pep_con.close()  # without commit: PEP 249 says the changes are rolled back
    with aidb.connect(str(db_path)) as again:
        assert again.execute("SELECT count(*) FROM booze").fetchone() == (0,)


def test_autocommit_is_off_by_default_and_can_be_switched_on(pep_con) -> None:
    assert pep_con.autocommit is False
    pep_con.autocommit = True
    insert_beers(pep_con)
    pep_con.rollback()  # nothing to roll back: each statement committed itself
    assert pep_con.execute("SELECT count(*) FROM booze").fetchone() == (3,)


def test_context_manager_commits_on_success_and_rolls_back_on_error(db_path: Path) -> None:
    with aidb.connect(str(db_path)) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
        con.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(ZeroDivisionError), aidb.connect(str(db_path)) as con:
        con.execute("INSERT INTO t VALUES (2)")
        1 / 0
    with aidb.connect(str(db_path)) as con:
        assert con.execute("SELECT x FROM t").fetchall() == [(1,)]


def test_closed_connection_refuses_everything(con) -> None:
    cur = con.cursor()
    con.close()
    con.close()  # closing twice is harmless
    for operation in (con.cursor, con.commit, con.rollback, lambda: cur.execute("SELECT 1")):
        with pytest.raises(aidb.Error):
            operation()


# -- cursor objects ----------------------------------------------------------------------------


def test_description_is_none_without_a_result_set(pep_con) -> None:
    cur = pep_con.cursor()
    assert cur.description is None
    cur.execute("CREATE TABLE other (x INTEGER)")
    assert cur.description is None
    cur.execute("INSERT INTO other VALUES (1)")
    assert cur.description is None


def test_description_has_seven_items_and_type_codes_match_type_objects(pep_con) -> None:
    cur = pep_con.cursor()
    cur.execute(
        "SELECT 'a' AS s, 1::INTEGER AS i, 2.5::DOUBLE AS d, 1.25::DECIMAL(6,2) AS m, DATE '2020-01-02' AS day, "
        "TIMESTAMPTZ '2020-01-02 03:04:05+00' AS ts, '\\xAA'::BLOB AS b, [1, 2] AS l"
    )
    description = cur.description
    assert [len(column) for column in description] == [7] * 8
    assert [column[0] for column in description] == ["s", "i", "d", "m", "day", "ts", "b", "l"]
    codes = [column[1] for column in description]
    assert codes[0] == aidb.STRING and codes[0] != aidb.NUMBER
    assert codes[1] == aidb.NUMBER and codes[2] == aidb.NUMBER and codes[3] == aidb.NUMBER
    assert codes[4] == aidb.DATETIME and codes[5] == aidb.DATETIME
    assert codes[6] == aidb.BINARY and codes[6] != aidb.STRING
    assert all(code != aidb.ROWID for code in codes)
    assert codes[7] not in (aidb.STRING, aidb.NUMBER, aidb.BINARY, aidb.DATETIME)
    assert description[3][4:6] == (6, 2)  # precision and scale of the DECIMAL


def test_rowcount(pep_con) -> None:
    cur = pep_con.cursor()
    assert cur.rowcount == -1
    cur.execute("INSERT INTO booze (name) VALUES ('a'), ('b')")
    assert cur.rowcount == 2
    cur.executemany("INSERT INTO booze (name) VALUES (?)", [("c",), ("d",), ("e",)])
    assert cur.rowcount == 3
    cur.execute("UPDATE booze SET price = 1 WHERE name IN ('a', 'b', 'c')")
    assert cur.rowcount == 3
    cur.execute("SELECT * FROM booze")
    assert cur.rowcount in (-1, 5)  # PEP 249: -1 when not determinable


def test_fetchone_fetchmany_fetchall_and_arraysize(pep_con) -> None:
    insert_beers(pep_con, names=[f"beer{i}" for i in range(7)])
    cur = pep_con.cursor()
    assert cur.arraysize == 1
    cur.execute("SELECT name FROM booze ORDER BY name")
    assert cur.fetchone() == ("beer0",)
    assert cur.fetchmany() == [("beer1",)]  # arraysize rows
    cur.arraysize = 2
    assert cur.fetchmany() == [("beer2",), ("beer3",)]
    assert cur.fetchmany(size=1) == [("beer4",)]
    assert cur.fetchall() == [("beer5",), ("beer6",)]
    assert cur.fetchone() is None
    assert cur.fetchmany() == []
    assert cur.fetchall() == []


def test_fetch_without_a_result_set_is_an_error(pep_con) -> None:
    cur = pep_con.cursor()
    with pytest.raises(aidb.Error):
        cur.fetchone()
    cur.execute("INSERT INTO booze (name) VALUES ('x')")
    for fetch in (cur.fetchone, cur.fetchmany, cur.fetchall):
        with pytest.raises(aidb.Error):
            fetch()


def test_closed_cursor_refuses_to_work(pep_con) -> None:
    cur = pep_con.cursor()
    cur.execute("SELECT 1")
    cur.close()
    with pytest.raises(aidb.Error):
        cur.fetchone()
    with pytest.raises(aidb.Error):
        cur.execute("SELECT 1")


def test_callproc_nextset_and_size_hints(pep_con) -> None:
    cur = pep_con.cursor()
    with pytest.raises(aidb.NotSupportedError):
        cur.callproc("anything", [1])
    cur.execute("SELECT 1")
    assert cur.nextset() is None
    cur.setinputsizes([10, None])
    cur.setoutputsize(100)
    cur.setoutputsize(100, 0)
    assert cur.fetchall() == [(1,)]


def test_cursor_context_manager_and_iteration(pep_con) -> None:
    insert_beers(pep_con)
    with pep_con.cursor() as cur:
        cur.execute("SELECT name FROM booze ORDER BY name")
        assert [row[0] for row in cur] == ["Cooper's", "Guinness", "Victoria Bitter"]
    with pytest.raises(aidb.Error):
        cur.execute("SELECT 1")


def test_cursors_of_one_connection_share_its_transaction(pep_con) -> None:
    first, second = pep_con.cursor(), pep_con.cursor()
    first.execute("INSERT INTO booze (name) VALUES ('shared')")
    second.execute("SELECT count(*) FROM booze")
    assert second.fetchone() == (1,)  # uncommitted, yet visible: same connection


def test_errors_are_raised_as_pep249_classes(pep_con) -> None:
    cur = pep_con.cursor()
    with pytest.raises(aidb.ProgrammingError):
        cur.execute("SELECT * FROM no_such_table")
    with pytest.raises(aidb.DatabaseError):
        cur.execute("SELECT 'x'::INTEGER")


# -- parameters --------------------------------------------------------------------------------


def test_qmark_numbered_and_named_parameters(pep_con) -> None:
    cur = pep_con.cursor()
    cur.execute("INSERT INTO booze (name, price) VALUES (?, ?)", ("qmark", 1.5))
    cur.execute("INSERT INTO booze (name, price) VALUES ($1, $2)", ["numbered", 2])
    cur.execute("INSERT INTO booze (name, price) VALUES ($name, $price)", {"name": "named", "price": 3})
    cur.execute("SELECT name, price FROM booze WHERE price >= ? ORDER BY price", [1])
    assert [(n, float(p)) for n, p in cur.fetchall()] == [("qmark", 1.5), ("numbered", 2.0), ("named", 3.0)]


def test_executemany_binds_each_sequence(pep_con) -> None:
    cur = pep_con.cursor()
    cur.executemany("INSERT INTO booze (name, price) VALUES (?, ?)", [("a", 1), ("b", 2), ("c", None)])
    cur.execute("SELECT name, price FROM booze ORDER BY name")
    assert [(n, None if p is None else float(p)) for n, p in cur.fetchall()] == [("a", 1.0), ("b", 2.0), ("c", None)]


def test_none_is_null(pep_con) -> None:
    cur = pep_con.cursor()
    cur.execute("INSERT INTO booze VALUES (?, ?, ?)", (None, None, None))
    cur.execute("SELECT name IS NULL, price, born FROM booze")
    assert cur.fetchall() == [(True, None, None)]


# -- type constructors -------------------------------------------------------------------------


def test_date_time_timestamp_and_binary_round_trip(con) -> None:
    values = (
        aidb.Date(2002, 12, 25),
        aidb.Time(13, 45, 30),
        aidb.Timestamp(2002, 12, 25, 13, 45, 30),
        aidb.Binary(b"\x00\x01\xff"),
    )
    cur = con.execute("SELECT ?::DATE, ?::TIME, ?::TIMESTAMP, ?::BLOB", values)
    row = cur.fetchone()
    assert row == (datetime.date(2002, 12, 25), datetime.time(13, 45, 30), datetime.datetime(2002, 12, 25, 13, 45, 30), b"\x00\x01\xff")
    assert cur.description[3][1] == aidb.BINARY
    assert aidb.Binary("text") == b"text"


def test_from_ticks_constructors_use_local_time() -> None:
    ticks = time.mktime((2002, 12, 25, 13, 45, 30, 0, 0, -1))
    assert aidb.DateFromTicks(ticks) == aidb.Date(2002, 12, 25)
    assert aidb.TimeFromTicks(ticks) == aidb.Time(13, 45, 30)
    assert aidb.TimestampFromTicks(ticks) == aidb.Timestamp(2002, 12, 25, 13, 45, 30)


def test_type_objects_compare_with_type_names() -> None:
    assert aidb.NUMBER == "DECIMAL(18,3)" and aidb.NUMBER == "UBIGINT" and "HUGEINT" == aidb.NUMBER
    assert aidb.STRING == "VARCHAR" and aidb.STRING != "VARCHAR[]"
    assert aidb.DATETIME == "TIMESTAMP WITH TIME ZONE" and aidb.DATETIME == "INTERVAL"
    assert aidb.BINARY == "BLOB" and aidb.BINARY != "VARCHAR"
    assert aidb.ROWID != "BIGINT"
    assert aidb.NUMBER != "FLOAT[384]"  # an array of numbers is not a number


# -- DuckDB's fetch methods beside PEP 249's ----------------------------------------------------


def test_duckdb_style_fetch_methods(con, monkeypatch) -> None:
    query = "SELECT range AS n, CASE WHEN range = 1 THEN NULL ELSE 'x' || range END AS s FROM range(3)"
    numpy = con.execute(query).fetchnumpy()
    assert numpy["n"].tolist() == [0, 1, 2] and numpy["s"].tolist() == ["x0", None, "x2"]
    assert con.execute(query).fetch_arrow_table().column("s").to_pylist() == ["x0", None, "x2"]
    reader = con.execute(query).fetch_record_batch(2)
    assert [batch.num_rows for batch in reader] == [2, 1]
    assert con.execute(query).pl()["n"].to_list() == [0, 1, 2]
    assert con.execute(query).fetchdf()["n"].tolist() == [0, 1, 2]
    monkeypatch.setitem(__import__("sys").modules, "polars", None)
    with pytest.raises(aidb.InterfaceError, match="pip install polars"):
        con.execute(query).pl()


# -- results and connections beyond the PEP's minimum ------------------------------------------


def test_an_unread_result_survives_another_cursors_statement(pep_con) -> None:
    first, second = pep_con.cursor(), pep_con.cursor()
    first.execute("SELECT 1 AS x, 2 AS x UNION ALL SELECT 3, 4 ORDER BY 1")  # a repeated column name
    assert first.fetchone() == (1, 2)
    second.execute("SELECT 42")
    pep_con.execute("SELECT 'another' AS y")
    assert first.fetchall() == [(3, 4)]
    assert [d[0] for d in first.description] == ["x", "x"]
    assert second.fetchall() == [(42,)]


def test_two_connections_to_one_file_in_one_process(db_path: Path) -> None:
    first = aidb.connect(str(db_path), autocommit=True)
    second = aidb.connect(str(db_path), autocommit=True)
    first.execute("CREATE TABLE docs AS SELECT 'Hello, World!' AS text")
    assert second.execute("SELECT normalize_text(text) FROM docs").fetchall() == [("hello world",)]
    with first:
        first.execute("INSERT INTO docs VALUES ('uncommitted?')")
    # each has its own transaction: a PEP 249 connection's uncommitted row is its own
    third = aidb.connect(str(db_path))
    third.execute("INSERT INTO docs VALUES ('pending')")
    assert second.execute("SELECT count(*) FROM docs").fetchall() == [(2,)]
    third.rollback()
    third.close()
    # the functions outlive the connection that registered them
    assert second.execute("SELECT normalize_text('A-B') AS n").fetchall() == [("a b",)]
    with pytest.raises(aidb.OperationalError, match="has it open read-write"):
        aidb.connect(str(db_path), read_only=True)
    second.close()
    reader = aidb.connect(str(db_path), read_only=True)
    assert reader.execute("SELECT count(*) FROM docs").fetchall() == [(2,)]
    reader.close()
