"""Statement execution: errors are aidb PEP 249 errors, failed statements change nothing, runs are recorded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import aidb


def test_select_42() -> None:
    con = aidb.connect()
    assert con.execute("select 42").fetchall() == [(42,)]
    con.close()


@pytest.mark.parametrize(
    "sql, error, message",
    [
        ("SELEC 1", aidb.ProgrammingError, "syntax error"),
        ("SELECT * FROM no_such_table", aidb.ProgrammingError, "no_such_table does not exist"),
        ("SELECT word_cont('a b')", aidb.ProgrammingError, 'Did you mean "word_count"'),
        ("SELECT CAST('abc' AS INTEGER)", aidb.DataError, "Could not convert string 'abc'"),
        ("SELECT normalize_text(42, 43)", aidb.ProgrammingError, "takes at most 1 arguments"),
    ],
)
def test_user_errors_are_aidb_errors_with_the_problem(con, sql: str, error: type, message: str) -> None:
    with pytest.raises(error, match=message) as caught:
        con.execute(sql)
    assert isinstance(caught.value, aidb.Error)


def test_constraint_violation_is_an_integrity_error_and_changes_nothing(con) -> None:
    con.execute("CREATE TABLE k (id INTEGER PRIMARY KEY, v VARCHAR)")
    con.execute("INSERT INTO k VALUES (1, 'a')")
    with pytest.raises(aidb.IntegrityError):
        con.execute("INSERT INTO k VALUES (2, 'b'), (1, 'dup')")
    assert con.execute("SELECT * FROM k").fetchall() == [(1, "a")]


def test_failed_statement_in_a_transaction_rolls_it_back_and_says_so(db_path: Path) -> None:
    con = aidb.connect(str(db_path))  # PEP 249: autocommit off
    con.execute("CREATE TABLE t (x INTEGER)")
    con.commit()
    con.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(aidb.ProgrammingError, match="transaction was rolled back"):
        con.execute("INSERT INTO t VALUES ('not a number'::INTEGER / nothing)")
    assert con.execute("SELECT count(*) FROM t").fetchone() == (0,)
    con.close()


def test_uncommitted_work_is_rolled_back_on_close(db_path: Path) -> None:
    con = aidb.connect(str(db_path))
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    con.close()
    with aidb.connect(str(db_path)) as again:
        with pytest.raises(aidb.ProgrammingError):
            again.execute("SELECT * FROM t")


def test_commit_keeps_work_and_rollback_discards_it(db_path: Path) -> None:
    con = aidb.connect(str(db_path))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.commit()
    con.execute("INSERT INTO t VALUES (1)")
    con.rollback()
    con.execute("INSERT INTO t VALUES (2)")
    con.commit()
    assert con.execute("SELECT x FROM t").fetchall() == [(2,)]
    con.close()


def test_explicit_begin_commit_in_autocommit_mode(con) -> None:
    con.execute("CREATE TABLE t (x INTEGER)")
    con.execute("BEGIN")
    con.execute("INSERT INTO t VALUES (1)")
    con.execute("ROLLBACK")
    con.execute("BEGIN TRANSACTION; INSERT INTO t VALUES (2); COMMIT")
    assert con.execute("SELECT x FROM t").fetchall() == [(2,)]


def test_multiple_statements_and_parameters(con) -> None:
    cursor = con.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2); SELECT sum(x) FROM t")
    assert cursor.fetchall() == [(3,)]
    with pytest.raises(aidb.ProgrammingError, match="one statement only"):
        con.execute("SELECT ?; SELECT ?", [1])


def test_rowcount_for_dml(con) -> None:
    con.execute("CREATE TABLE t AS SELECT range AS x FROM range(10)")
    assert con.execute("UPDATE t SET x = x + 1 WHERE x < 4").rowcount == 4
    assert con.execute("DELETE FROM t WHERE x > 5").rowcount == 4  # 6, 7, 8, 9
    cursor = con.execute("INSERT INTO t VALUES (100) RETURNING x")
    assert cursor.fetchall() == [(100,)]


def test_runs_and_lineage_are_recorded_for_derived_tables(con) -> None:
    con.execute("CREATE TABLE raw AS SELECT range AS id FROM range(3)")
    con.execute("CREATE TABLE other AS SELECT 1 AS id")
    con.execute("CREATE TABLE derived AS WITH c AS (SELECT id FROM raw) SELECT c.id FROM c JOIN other USING (id)")
    con.execute("CREATE TEMP TABLE scratch AS SELECT * FROM raw")
    runs = con.execute("SELECT kind, statement FROM aidb.runs ORDER BY run_id").fetchall()
    assert [r[0] for r in runs] == ["create_table_as", "create_table_as", "create_table_as"]
    lineage = con.execute(
        "SELECT input_table FROM aidb.lineage WHERE output_table = 'derived' ORDER BY 1"
    ).fetchall()
    assert lineage == [("other",), ("raw",)]


def test_create_and_drop_model_errors_leave_the_catalog_unchanged(con) -> None:
    with pytest.raises(aidb.Error):
        con.execute("CREATE MODEL m TYPE embedding FROM '/definitely/not/here'")
    assert con.execute("SELECT count(*) FROM aidb.models").fetchone() == (0,)
    with pytest.raises(aidb.ProgrammingError, match="no such model"):
        con.execute("DROP MODEL nope")
    con.execute("DROP MODEL IF EXISTS nope")


def test_explain_aidb_shows_each_pass(con) -> None:
    rows = con.execute("EXPLAIN AIDB SELECT normalize_text(text => 'A b')").fetchall()
    steps = dict(rows)
    assert steps["input"].startswith("SELECT")
    assert steps["function_arguments"] == "SELECT NORMALIZE_TEXT('A b')"
    assert steps["column_names"] == steps["duckdb"] == "SELECT NORMALIZE_TEXT('A b') AS \"normalize_text(text => 'A b')\""
    assert con.execute(rows[-1][1]).fetchall() == [("a b",)]


def test_read_only_connection_refuses_writes(db_path: Path) -> None:
    with aidb.connect(str(db_path), autocommit=True) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
    with aidb.connect(str(db_path), read_only=True) as con:
        assert con.execute("SELECT x FROM t").fetchall() == [(1,)]
        with pytest.raises(aidb.Error, match="read-only"):
            con.execute("INSERT INTO t VALUES (2)")


def test_corrupt_file_is_an_operational_error_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.aidb"
    bad.write_bytes(b"this is not a duckdb file at all" * 200)
    with pytest.raises(aidb.OperationalError, match="bad.aidb"):
        aidb.connect(str(bad))
    assert bad.read_bytes().startswith(b"this is not a duckdb file")


def test_missing_file_read_only_is_an_operational_error(tmp_path: Path) -> None:
    with pytest.raises(aidb.OperationalError, match="does not exist"):
        aidb.connect(str(tmp_path / "nope.aidb"), read_only=True)


def test_file_written_by_aidb_opens_in_plain_duckdb(db_path: Path) -> None:
    with aidb.connect(str(db_path), autocommit=True) as con:
        con.execute("CREATE TABLE docs AS SELECT range AS id, 'text ' || range AS text FROM range(5)")
        con.execute("CREATE VIEW long_docs AS SELECT * FROM docs WHERE id > 2")
    script = (
        "import sys, duckdb\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(con.execute('SELECT count(*) FROM docs').fetchone()[0], con.execute('SELECT count(*) FROM long_docs').fetchone()[0],"
        " con.execute('SELECT count(*) FROM aidb.runs').fetchone()[0])\n"
        "assert 'aidb' not in sys.modules\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(db_path)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["5", "2", "2"]  # two runs: the table and the view


def test_a_table_created_by_plain_ddl_is_searchable_in_the_next_statement(con) -> None:
    con.execute("SELECT 1")  # builds the catalog view before the table exists
    con.execute("CREATE TABLE v AS SELECT range AS id, [range, 1]::FLOAT[2] AS emb FROM range(5)")
    rows = con.execute("SELECT id FROM v ORDER BY distance(emb, [4, 1]) LIMIT 1").fetchall()
    assert rows == [(4,)]


def test_errors_quote_the_users_statement_not_the_rewrite(con) -> None:
    con.execute("CREATE TABLE vecs (id BIGINT, emb FLOAT[2]) WITH (storage = 'lance')")
    with pytest.raises(aidb.ProgrammingError) as raised:
        con.execute("SELECT idd FROM vecs")
    message = str(raised.value)
    assert "in statement: SELECT idd FROM vecs" in message and 'Candidate bindings: "id"' in message
    assert "aidb_lance" not in message and "EXPLAIN AIDB" in message
    with pytest.raises(aidb.ProgrammingError) as plain:  # not rewritten: DuckDB's own excerpt and caret stay
        con.execute("SELECT idd FROM range(3)")
    assert "LINE 1: SELECT idd FROM range(3)" in str(plain.value) and "EXPLAIN AIDB" not in str(plain.value)


class RecordedProgress:
    """A progress reporter that keeps what the session told it."""

    def __init__(self) -> None:
        self.totals: list[int | None] = []
        self.rows = 0

    def start(self, description: str) -> None:
        self.rows = 0

    def expect(self, total: int | None) -> None:
        self.totals.append(total)

    def advance(self, rows: int) -> None:
        self.rows += rows

    def update(self, stage: str, completed: int, total: int) -> None:
        pass

    def finish(self) -> None:
        pass


def test_model_function_statements_report_their_input_size(con) -> None:
    con.execute("CREATE TABLE docs AS SELECT 'a b ' || range AS text FROM range(3000)")
    progress = con.session.progress = RecordedProgress()
    con.execute("CREATE TABLE normed AS SELECT normalize_text(text) AS t FROM docs AS d WHERE length(text) > 0")
    con.execute("SELECT count(normalize_text('x' || range)) FROM range(10)")  # a table function: size unknown
    con.execute("SELECT count(*) FROM docs")  # no model function: no progress
    assert progress.totals == [3000, None]

def test_aidb_settings_are_set_read_and_reset_per_connection():
    con = aidb.connect(autocommit=True)
    cur = con.cursor()
    assert con.session.settings.exact_scan_max_rows == 20_000
    cur.execute("SET aidb_exact_scan_max_rows = 150")
    assert con.session.settings.exact_scan_max_rows == 150
    assert con.session.catalog().settings.exact_scan_max_rows == 150  # what the passes read
    assert cur.execute("SELECT getvariable('aidb_exact_scan_max_rows')").fetchone() == (150,)
    cur.execute("RESET aidb_exact_scan_max_rows")
    assert con.session.settings.exact_scan_max_rows == 20_000
    assert aidb.connect().session.settings.exact_scan_max_rows == 20_000  # another connection is untouched
    with pytest.raises(aidb.ProgrammingError, match="unknown aidb setting 'aidb_exact_scan_rows'.*aidb_exact_scan_max_rows"):
        cur.execute("SET aidb_exact_scan_rows = 5")
    with pytest.raises(aidb.ProgrammingError, match="expected a whole number of rows >= 0"):
        cur.execute("SET aidb_exact_scan_max_rows = -1")
    cur.execute("SET threads = 2")  # DuckDB's own settings still go to DuckDB
    assert cur.execute("SELECT current_setting('threads')").fetchone() == (2,)
    con.close()


def test_a_setting_changes_the_plan_of_a_cached_statement():
    con = aidb.connect(autocommit=True)
    cur = con.cursor()
    cur.execute("CREATE TABLE docs (id BIGINT, emb FLOAT[2]) WITH (storage = 'lance')")
    cur.execute("INSERT INTO docs SELECT range, [range, 1]::FLOAT[2] FROM range(300)")
    cur.execute("CREATE VECTOR INDEX docs_emb ON docs (emb) USING IVF_FLAT WITH (metric = 'l2', num_partitions = 2)")
    sql = "EXPLAIN AIDB SELECT id FROM docs ORDER BY distance(emb, [1, 1]) LIMIT 3"
    assert "exact" in dict(cur.execute(sql).fetchall())["vector_search"]
    cur.execute("SET aidb_exact_scan_max_rows = 10")
    assert "ann_prefilter" in dict(cur.execute(sql).fetchall())["vector_search"]
    con.close()
