"""Classic injection payloads through parameters, model names, file paths and table-function arguments do nothing
outside their statement's intent: values reach DuckDB bound or quoted, never pasted into SQL text."""

from __future__ import annotations

from pathlib import Path

import pytest

import aidb

PAYLOADS = [
    "'; DROP TABLE t; --",
    "x' OR '1'='1",
    '"; DROP TABLE t; --',
    "\\'; DELETE FROM t; --",
    "a\\b\\\\c",
    "); DROP TABLE t; (",
    "$1; DROP TABLE t",
    "' UNION SELECT name, source FROM aidb.models --",
]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("injection") / "inj.aidb"
    con = aidb.connect(str(path), autocommit=True)
    con.execute("CREATE TABLE t (id INTEGER, text VARCHAR)")
    con.execute("INSERT INTO t SELECT range, 'some words here number ' || range FROM range(20)")
    con.execute("CREATE TABLE vt (id BIGINT, text VARCHAR, emb FLOAT[4]) WITH (storage = 'lance')")
    con.execute("INSERT INTO vt SELECT range, 'doc ' || range, [range, 1, 2, 3]::FLOAT[4] FROM range(50)")
    yield con, path
    con.close()


def sql_string(text: str) -> str:
    """A SQL string literal as a user types it (quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def sql_name(text: str) -> str:
    """A quoted SQL identifier as a user types it."""
    return '"' + text.replace('"', '""') + '"'


def snapshot(con: aidb.dbapi.Connection, path: Path) -> tuple:
    """Everything a payload could damage: tables and their row counts, the model catalog, files beside the database."""
    tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1").fetchall()
    counts = [con.execute(f'SELECT count(*) FROM "{name}"').fetchone() for (name,) in tables]
    models = con.execute("SELECT name, kind, source FROM aidb.models ORDER BY name").fetchall()
    files = sorted(str(p.relative_to(path.parent)) for p in path.parent.rglob("*") if ".lance" not in p.parts[-3:-1])
    return tables, counts, models, con.execute("SELECT count(*) FROM vt").fetchone(), files


@pytest.mark.parametrize("payload", PAYLOADS)
def test_parameters_are_bound_as_values(database, payload: str) -> None:
    con, path = database
    before = snapshot(con, path)
    assert con.execute("SELECT ? AS v", [payload]).fetchall() == [(payload,)]
    assert con.execute("SELECT count(*) FROM t WHERE text = ?", [payload]).fetchall() == [(0,)]
    assert con.execute("SELECT normalize_text(?) IS NOT NULL", [payload]).fetchall() == [(True,)]
    con.execute("INSERT INTO t VALUES (?, ?)", [999, payload])
    assert con.execute("SELECT text FROM t WHERE id = 999").fetchall() == [(payload,)]
    con.execute("DELETE FROM t WHERE id = 999")
    assert snapshot(con, path) == before


@pytest.mark.parametrize("payload", PAYLOADS)
def test_model_names_are_names(database, payload: str) -> None:
    con, path = database
    before = snapshot(con, path)
    name = sql_name(payload)
    con.execute(f"CREATE LANGUAGE MODEL {name} FROM (SELECT text FROM t) WITH (order = 2)")
    assert con.execute("SELECT name FROM aidb.models WHERE name = ?", [payload]).fetchall() == [(payload,)]
    assert con.execute(f"SELECT perplexity('some words', {sql_string(payload)}) > 0").fetchall() == [(True,)]
    model_files = list(Path(str(path) + ".models").iterdir())
    assert all(f.parent == Path(str(path) + ".models") for f in model_files)
    con.execute(f"DROP MODEL {name}")
    after = snapshot(con, path)
    assert after[:4] == before[:4]  # trained model files stay until no transaction needs them (a content-named file)


@pytest.mark.parametrize("payload", PAYLOADS + ["../../../../etc", "/etc/passwd"])
def test_file_paths_are_values(database, payload: str) -> None:
    con, path = database
    before = snapshot(con, path)
    with pytest.raises(aidb.OperationalError):
        con.execute(f"CREATE MODEL m TYPE language FROM {sql_string(payload)}")
    with pytest.raises(aidb.OperationalError):
        con.execute(f"CREATE MODEL m TYPE embedding FROM {sql_string(payload)}")
    assert snapshot(con, path) == before


def test_copy_writes_exactly_the_named_file(database, tmp_path: Path) -> None:
    con, path = database
    before = snapshot(con, path)
    target = tmp_path / "it's; DROP TABLE t; --.csv"
    con.execute(f"COPY (SELECT id FROM t ORDER BY id LIMIT 3) TO {sql_string(str(target))} (HEADER false)")
    assert target.read_text().split() == ["0", "1", "2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
    assert snapshot(con, path) == before


@pytest.mark.parametrize("payload", PAYLOADS)
def test_table_function_arguments_are_values(database, payload: str) -> None:
    con, path = database
    before = snapshot(con, path)
    with pytest.raises(aidb.Error):
        con.execute(f"SELECT * FROM vector_search(vt, emb, {sql_string(payload)}, k := 3)").fetchall()
    with pytest.raises(aidb.Error):
        con.execute("SELECT * FROM vector_search(vt, emb, ?, k := 3)", [payload]).fetchall()
    assert con.execute(f"SELECT count(*) FROM t WHERE text LIKE {sql_string(payload)}").fetchall() == [(0,)]
    with pytest.raises(aidb.ProgrammingError):
        con.execute(f"CREATE VECTOR INDEX {sql_name(payload)} ON vt (emb) USING IVF_FLAT")
    assert snapshot(con, path) == before
