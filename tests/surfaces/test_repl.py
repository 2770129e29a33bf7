"""The REPL: driven for real in a pseudo-terminal (pexpect), and non-interactively through -c and stdin."""

from __future__ import annotations

import io

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pexpect
import pytest

from aidb.repl import statement_is_complete
from aidb.repl.execute import script_parts

REPO = Path(__file__).resolve().parents[2]
PROMPT = "test.aidb>"


def repl_command(db_path: Path, *arguments: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    code = "import sys, aidb.repl; sys.exit(aidb.repl.main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))"
    return subprocess.run(
        [sys.executable, "-c", code, str(db_path), *arguments],
        input=stdin or "",
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )


def test_script_parts_separates_dot_commands_from_multiline_statements() -> None:
    script = ".mode csv\nSELECT 1,\n  2;\n.timer on\nSELECT 3; SELECT 4;\nSELECT 5"
    assert script_parts(script) == [
        ("dot", ".mode csv"),
        ("sql", "SELECT 1,\n  2;"),
        ("dot", ".timer on"),
        ("sql", "SELECT 3; SELECT 4;"),
        ("sql", "SELECT 5"),
    ]


def test_enter_runs_only_complete_input() -> None:
    assert not statement_is_complete("SELECT 1,")
    assert statement_is_complete("SELECT 1;")
    assert statement_is_complete(".tables")
    assert statement_is_complete("   ")
    assert statement_is_complete("exit")


def test_dash_c_prints_a_plain_table_and_exits_zero(db_path: Path) -> None:
    result = repl_command(
        db_path, "CREATE TABLE t AS SELECT range AS id, 'a b c' AS text FROM range(3); SELECT id, word_count(text) AS wc FROM t;"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["id  wc", "--  --", " 0   3", " 1   3", " 2   3", "(3 rows)"]


def test_stdin_script_runs_dot_commands_and_modes(db_path: Path, tmp_path: Path) -> None:
    included = tmp_path / "included.sql"
    included.write_text("INSERT INTO t VALUES (2, 'two words');\n")
    written = tmp_path / "out.csv"
    script = f"""
CREATE TABLE t (id INTEGER, text VARCHAR);
INSERT INTO t VALUES (1, 'one');
.read {included}
.mode csv
SELECT * FROM t ORDER BY id;
.mode json
SELECT id FROM t
 WHERE id = 2;
.mode markdown
SELECT text FROM t WHERE id = 1;
.output {written}
.mode csv
SELECT count(*) AS n FROM t;
.output
.tables
.schema t
.models
.indexes
.help
"""
    result = repl_command(db_path, stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "id,text\n1,one\n2,two words\n" in out
    assert '[\n {\n  "id": 2\n }\n]' in out
    assert "| text |\n|---|\n| one |" in out
    assert written.read_text() == "n\n2\n"
    assert "t,table" in out and "aidb.models,table" in out  # .tables, still in csv mode
    assert 'CREATE TABLE t(id INTEGER, "text" VARCHAR);' in out
    assert "name,type,source,fingerprint" in out and "all-MiniLM-L6-v2,embedding" in out  # .models: built-in defaults
    assert "name,table_name,column_name,index_type,metric" in out  # .indexes
    assert ".explain STATEMENT" in out  # .help


def test_errors_go_to_stderr_with_a_non_zero_exit(db_path: Path) -> None:
    result = repl_command(db_path, stdin="SELECT 1 AS ok;\nSELECT no_such_column;\nSELECT 2 AS never;\n")
    assert result.returncode == 1
    assert "ok" in result.stdout and "never" not in result.stdout
    assert "Error: ProgrammingError" in result.stderr and "no_such_column" in result.stderr
    unknown = repl_command(db_path, ".nonsense")
    assert unknown.returncode == 1 and "unknown command '.nonsense'" in unknown.stderr


def test_explain_shows_the_rewrite(db_path: Path) -> None:
    result = repl_command(db_path, ".explain SELECT normalize_text('A b')")
    assert result.returncode == 0, result.stderr
    assert "input" in result.stdout and "duckdb" in result.stdout and "NORMALIZE_TEXT" in result.stdout.upper()


def test_long_results_are_cut_in_the_interactive_table_only(db_path: Path) -> None:
    result = repl_command(db_path, ".mode csv\nSELECT * FROM range(100);")
    assert len(result.stdout.splitlines()) == 101  # header + every row: scripts get everything


@pytest.fixture
def terminal(db_path: Path, tmp_path: Path):
    history = tmp_path / "history"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "AIDB_HISTORY": str(history),
        "PROMPT_TOOLKIT_NO_CPR": "1",  # pexpect does not answer cursor-position requests
        "TERM": "xterm",
    }
    child = pexpect.spawn(
        sys.executable, ["-m", "aidb.repl", str(db_path)], env=env, encoding="utf-8", timeout=60, dimensions=(50, 140)
    )
    child.expect(PROMPT)
    yield child, history
    if child.isalive():
        child.terminate(force=True)


def test_interactive_session(terminal, db_path: Path) -> None:
    child, history = terminal
    # a multi-line statement, shown as a table with its row count
    child.send("SELECT 42 AS answer,\r")
    child.send("'hi' AS greeting;\r")
    child.expect(r"answer.*greeting")
    child.expect(r"42.*hi")
    child.expect(r"\(1 row\)")
    child.expect(PROMPT)

    # Tab completes an aidb macro name: the statement only runs if the name was completed
    child.send("SELECT word_c\t")
    time.sleep(0.5)
    child.send("('one two three four five six seven eight nine ten eleven') AS n_words;\r")
    assert child.expect([r"\b11\b", "Error"]) == 0
    child.expect(PROMPT)

    # a model function over many rows shows a live progress bar
    child.send("SELECT count(normalize_text('Hello World ' || range)) AS n FROM range(600000);\r")
    child.expect(r"rows.*Ctrl-C cancels")
    child.expect("600000")
    child.expect(PROMPT)

    # Ctrl-C cancels a statement that would run for minutes, and nothing of it is left behind
    child.send("CREATE TABLE big AS SELECT count(*) AS c FROM range(100000) a, range(10000000) b;\r")
    child.expect(r"b;(\x1b\[[0-9;?]*[A-Za-z])*\r\r\n")  # the accepted line; the prompt's redraws came before it
    with pytest.raises(pexpect.TIMEOUT):  # still running after 3 s
        child.expect(PROMPT, timeout=3)
    started = time.perf_counter()
    child.sendintr()
    child.expect("interrupted: the statement was cancelled")
    child.expect(PROMPT)
    assert time.perf_counter() - started < 5

    child.send(".timer on\r")
    child.expect(PROMPT)
    child.send("SELECT 7 AS seven;\r")
    child.expect(r"Run Time: \d+\.\d+ s")
    child.expect(PROMPT)
    child.send(".quit\r")
    child.expect(pexpect.EOF)
    child.wait()
    assert child.exitstatus == 0

    assert "SELECT 42 AS answer," in history.read_text()
    check = duckdb.connect(str(db_path), read_only=True)
    assert check.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'big'").fetchone() == (0,)
    check.close()


def test_long_and_wide_results_are_cut_for_the_screen(con) -> None:
    from aidb.repl.render import collect, render_to_string

    result = collect(con.execute("SELECT range AS n, repeat('x', 100) AS wide, repeat('y', 300) AS last FROM range(100)"), limit=40)
    assert result.total_rows == 100 and result.truncated
    assert [row[0] for row in result.head] == list(range(20)) and [row[0] for row in result.tail] == list(range(80, 100))
    text = render_to_string(result, "table")
    assert "x" * 39 + "…" in text and "x" * 41 not in text
    assert "y" * 239 + "…" in text and "y" * 241 not in text  # the last column keeps whole lines of prose
    assert "(100 rows, 40 shown; use .mode csv or .output FILE for all)" in text


def test_show_aidb_functions_shows_whole_doc_lines(con) -> None:
    from rich.console import Console

    from aidb.repl.render import collect, rich_table

    doc = con.execute("SELECT doc FROM aidb_functions() ORDER BY length(doc) DESC LIMIT 1").fetchone()[0]
    assert len(doc) > 60
    console = Console(width=400, record=True, file=io.StringIO())
    console.print(rich_table(collect(con.execute("SHOW AIDB FUNCTIONS"))))
    assert doc in console.export_text()


def test_completion_candidates(con) -> None:
    from aidb.repl.completion import candidates, read_names

    con.execute("CREATE TABLE zebra_stripes (stripe_count INTEGER)")
    names = read_names(con)
    assert ("normalize_text", "aidb function") in list(candidates(names, "SELECT norm"))
    assert ("zebra_stripes", "table") in list(candidates(names, "SELECT * FROM zeb"))
    assert ("stripe_count", "column") in list(candidates(names, "SELECT stripe_c"))
    assert ("select", "keyword") in list(candidates(names, "sel"))
    assert [c for c, _ in candidates(names, ".ta")] == [".tables"]


def test_vector_index_build_and_failing_statements_keep_the_session(terminal) -> None:
    child, _ = terminal
    child.send(
        "CREATE TABLE vecs (id BIGINT, emb FLOAT[8]) WITH (storage = 'lance'); "
        "INSERT INTO vecs SELECT range, [range % 7, range % 5, 1, 2, 3, 4, 5, range % 3]::FLOAT[8] FROM range(2000);\r"
    )
    child.expect(r"\(2000 rows changed\)")
    child.expect(PROMPT)
    # the index build reports its stages through the REPL's progress object (ReplProgress.update)
    child.send("CREATE VECTOR INDEX vecs_emb ON vecs (emb) USING IVF_FLAT WITH (num_partitions = 4);\r")
    child.expect(PROMPT)
    child.send("SHOW VECTOR INDEXES;\r")
    assert child.expect([r"vecs_emb.*2000", "Error"]) == 0
    child.expect(PROMPT)
    # statements that once ended the session with a traceback print an error, and the session goes on
    child.send("EXPLAIN AIDB SHOW MODELS;\r")
    child.expect(r"aidb statement.*executed by aidb")
    child.expect(PROMPT)
    child.send("DROP MODEL;\r")
    child.expect(r"Error: ProgrammingError: Syntax error.*Expected a model name")
    child.expect(PROMPT)
    child.send("SELECT 6 * 7 AS answer;\r")
    child.expect(r"\b42\b")
    child.expect(PROMPT)
    child.send(".quit\r")
    child.expect(pexpect.EOF)
