"""pandas, Arrow and polars objects read as tables, as in DuckDB's Python client: register() and `FROM variable`."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import aidb

MODULE_FRAME = pd.DataFrame({"id": [10, 20]})  # a module-level variable: found in the caller's globals


def test_a_local_dataframe_is_read_by_name(con) -> None:
    docs_df = pd.DataFrame({"id": [1, 2, 3], "text": ["a b", "c", "d e f"]})
    assert con.execute("SELECT id, word_count(text) FROM docs_df ORDER BY id").fetchall() == [(1, 2), (2, 1), (3, 3)]


def test_arrow_polars_and_globals_from_the_calling_frame(con) -> None:
    def inner() -> list[tuple]:
        arrow_rows = pa.table({"x": [1, 2, 3]})
        polar = pl.DataFrame({"x": [4, 5]})
        return con.execute("SELECT sum(x) FROM (SELECT x FROM arrow_rows UNION ALL SELECT x FROM polar)").fetchall()

    assert inner() == [(15,)]
    assert con.cursor().execute("SELECT sum(id) FROM MODULE_FRAME").fetchall() == [(30,)]


def test_results_computed_in_python_come_back_into_tables(con) -> None:
    scores = pd.DataFrame({"id": [1, 2], "score": [0.5, 0.9]})
    con.execute("CREATE TABLE scored AS SELECT * FROM scores")
    con.execute("CREATE TABLE vecs (id BIGINT, emb FLOAT[2]) WITH (storage = 'lance')")
    rows = pa.table({"id": [7, 8], "emb": [[1.0, 0.0], [0.0, 1.0]]})
    con.execute("INSERT INTO vecs SELECT id, emb::FLOAT[2] FROM rows")
    assert con.execute("SELECT id, score FROM scored ORDER BY id").fetchall() == [(1, 0.5), (2, 0.9)]
    assert con.execute("SELECT id FROM vecs ORDER BY id").fetchall() == [(7,), (8,)]


def test_tables_views_and_ctes_win_over_variables(con) -> None:
    con.execute("CREATE TABLE shadowed AS SELECT 1 AS v")
    shadowed = pd.DataFrame({"v": [99]})
    cte = pd.DataFrame({"v": [99]})
    assert con.execute("SELECT v FROM shadowed").fetchall() == [(1,)]
    assert con.execute("WITH cte AS (SELECT 2 AS v) SELECT v FROM cte").fetchall() == [(2,)]
    assert shadowed is not None and cte is not None


def test_a_scan_lasts_one_statement_and_streaming_rows_survive_it(con) -> None:
    many = pa.table({"n": list(range(5000))})
    first = con.cursor().execute("SELECT n FROM many ORDER BY n")
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'many'").fetchone() == (0,)
    assert first.fetchall() == [(n,) for n in range(5000)]  # moved aside before the next statement dropped the scan
    del many
    with pytest.raises(aidb.ProgrammingError, match="many"):
        con.execute("SELECT * FROM many")


def test_other_objects_are_not_scanned(con) -> None:
    plain = [1, 2, 3]
    with pytest.raises(aidb.ProgrammingError, match="plain"):
        con.execute("SELECT * FROM plain")
    assert plain


def test_register_and_unregister(db_path) -> None:
    frame = pd.DataFrame({"a": [1, 2, 3]})
    with aidb.connect(str(db_path)) as con:  # PEP 249 mode: a failure or a rollback ends the transaction
        assert con.register("frame_view", frame) is con
        with pytest.raises(aidb.ProgrammingError):
            con.execute("SELECT no_such_column FROM frame_view")
        assert con.execute("SELECT sum(a) FROM frame_view").fetchone() == (6,)
        con.rollback()
        assert con.execute("SELECT count(*) FROM frame_view").fetchone() == (3,)
        con.unregister("frame_view")
        with pytest.raises(aidb.ProgrammingError, match="frame_view"):
            con.execute("SELECT * FROM frame_view")
        with pytest.raises(aidb.ProgrammingError, match="no Python object is registered as 'frame_view'"):
            con.unregister("frame_view")
        with pytest.raises(aidb.ProgrammingError, match="cannot be read as a table"):
            con.register("numbers", [1, 2])
