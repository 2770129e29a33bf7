"""The `aidb://` SQLAlchemy dialect: pandas and SQLAlchemy run extended SQL through the aidb DB-API."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import registry

import aidb

REPO = Path(__file__).resolve().parents[2]

# The entry point registers the dialect once aidb is pip-installed; registering here too keeps
# the test independent of whether the checkout was installed.
registry.register("aidb", "aidb.sqlalchemy_dialect", "AidbDialect")


@pytest.fixture
def engine(db_path: Path):
    engine = sa.create_engine(f"aidb:///{db_path}")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE docs AS SELECT range AS id, 'Héllo,  World ' || range AS text FROM range(4)"
        )
    yield engine
    engine.dispose()


def test_entry_point_is_declared() -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["entry-points"]["sqlalchemy.dialects"]
    assert declared == {"aidb": "aidb.sqlalchemy_dialect:AidbDialect"}
    installed = [e for e in metadata.entry_points(group="sqlalchemy.dialects") if e.name == "aidb"]
    if installed:  # present once `pip install -e .` ran
        assert installed[0].value == "aidb.sqlalchemy_dialect:AidbDialect"


def test_the_dialect_uses_the_aidb_module_as_its_dbapi(engine) -> None:
    assert engine.dialect.name == "aidb"
    assert engine.dialect.dbapi is aidb
    with engine.connect() as connection:
        assert isinstance(connection.connection.dbapi_connection, aidb.dbapi.Connection)


def test_pandas_read_sql_runs_aidb_functions(engine) -> None:
    frame = pd.read_sql("SELECT id, normalize_text(text) AS norm, word_count(text) AS words FROM docs ORDER BY id", engine)
    assert frame["norm"].tolist() == ["hello world 0"] * 4  # CCNet normalisation: digits become 0
    assert frame["words"].tolist() == [3, 3, 3, 3]
    bound = pd.read_sql(sa.text("SELECT id FROM docs WHERE id >= :low ORDER BY id"), engine, params={"low": 2})
    assert bound["id"].tolist() == [2, 3]


def test_extended_statements_and_transactions(engine, db_path: Path) -> None:
    explained = pd.read_sql("EXPLAIN AIDB SELECT word_count(text) FROM docs", engine)
    assert explained["step"].iloc[0] == "input" and explained["step"].iloc[-1] == "duckdb"
    with pytest.raises(sa.exc.ProgrammingError), engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO docs VALUES (99, 'rolled back')")
        connection.exec_driver_sql("SELECT no_such_column FROM docs")
    pd.DataFrame({"id": [7], "text": ["from pandas"]}).to_sql("docs", engine, if_exists="append", index=False)
    engine.dispose()
    with aidb.connect(str(db_path), read_only=True) as con:
        assert con.execute("SELECT id FROM docs WHERE id >= 7").fetchall() == [(7,)]


def test_inspector_lists_tables(engine) -> None:
    assert "docs" in sa.inspect(engine).get_table_names()


def test_reflection_of_a_table_and_a_view(engine) -> None:
    """What Superset and Metabase ask when they browse: names, columns, keys (duckdb_engine's pg_catalog queries fail)."""
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE langs (code VARCHAR PRIMARY KEY)")
        connection.exec_driver_sql(
            "CREATE TABLE tagged (id INTEGER PRIMARY KEY, lang VARCHAR REFERENCES langs (code), "
            "emb FLOAT[3], price DECIMAL(10, 2), CHECK (id > 0))"
        )
        connection.exec_driver_sql("CREATE VIEW stats AS SELECT id, word_count(text) AS words FROM docs")
    inspector = sa.inspect(engine)
    assert inspector.get_table_names() == ["docs", "langs", "tagged"]  # not the catalog schema's tables
    assert inspector.get_view_names() == ["stats"]
    columns = {c["name"]: c for c in inspector.get_columns("tagged")}
    assert list(columns) == ["id", "lang", "emb", "price"]
    assert isinstance(columns["id"]["type"], sa.Integer) and columns["id"]["nullable"] is False
    assert isinstance(columns["emb"]["type"], sa.ARRAY) and isinstance(columns["emb"]["type"].item_type, sa.Float)
    assert (columns["price"]["type"].precision, columns["price"]["type"].scale) == (10, 2)
    assert [(c["name"], type(c["type"])) for c in inspector.get_columns("stats")] == [("id", sa.BIGINT), ("words", sa.BIGINT)]
    assert inspector.get_pk_constraint("tagged")["constrained_columns"] == ["id"]
    assert [(f["constrained_columns"], f["referred_table"]) for f in inspector.get_foreign_keys("tagged")] == [(["lang"], "langs")]
    view = sa.Table("stats", sa.MetaData(), autoload_with=engine)
    with engine.connect() as connection:
        assert connection.execute(sa.select(view.c.words).order_by(view.c.id)).scalars().all() == [3, 3, 3, 3]
    with pytest.raises(sa.exc.NoSuchTableError):
        inspector.get_columns("no_such_table")


def test_a_missing_extra_names_the_package_to_install() -> None:
    code = (
        "import sys; sys.modules['duckdb_engine'] = None\n"
        "import aidb\n"
        "try:\n    import aidb.sqlalchemy_dialect\n"
        "except aidb.InterfaceError as error:\n    print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 'pip install "aidb[sqlalchemy]"' in result.stdout and "duckdb_engine" in result.stdout


def test_url_options(tmp_path: Path) -> None:
    memory = sa.create_engine("aidb://")
    with memory.connect() as connection:
        assert connection.exec_driver_sql("SELECT 41 + 1").scalar() == 42
    with pytest.raises(aidb.InterfaceError, match="unknown aidb URL option"):
        sa.create_engine(f"aidb:///{tmp_path / 'x.aidb'}?threads=2").connect()
