"""Trust: models load only when this machine's aidb made their catalog row, or when the user trusts the database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import aidb

TRAINING = (
    "CREATE TABLE labelled AS SELECT CASE WHEN range % 2 = 0 THEN 'clean prose about science ' ELSE 'buy now cheap ' END "
    "|| range AS text, CASE WHEN range % 2 = 0 THEN 'hq' ELSE 'lq' END AS label FROM range(60)"
)


@pytest.fixture
def machine(tmp_path: Path, monkeypatch) -> Path:
    """This machine's config folder (where the model signing key lives), private to the test."""
    folder = tmp_path / "this-machine"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    monkeypatch.delenv("AIDB_TRUST_MODELS", raising=False)
    return folder


@pytest.fixture
def classifier_db(db_path: Path, machine: Path) -> Path:
    with aidb.connect(db_path, autocommit=True) as con:
        con.execute(TRAINING)
        con.execute("CREATE CLASSIFIER quality FROM (SELECT text, label FROM labelled) USING 'logreg' WITH (positive = 'hq')")
        assert con.execute("SELECT classify('clean prose about science', 'quality') > 0.5").fetchall() == [(True,)]
    return db_path


def test_a_pickled_model_from_another_machine_needs_the_users_trust(classifier_db: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "another-machine"))
    with aidb.connect(classifier_db, autocommit=True) as con:
        with pytest.raises(aidb.OperationalError, match="not created by aidb on this machine.*pickle.*trust_models=True"):
            con.execute("SELECT classify('clean prose', 'quality')")
    with aidb.connect(classifier_db, autocommit=True, trust_models=True) as con:
        assert con.execute("SELECT classify('clean prose about science', 'quality') > 0.5").fetchall() == [(True,)]
    monkeypatch.setenv("AIDB_TRUST_MODELS", "1")
    with aidb.connect(classifier_db, autocommit=True) as con:
        assert con.execute("SELECT classify('buy now cheap', 'quality') < 0.5").fetchall() == [(True,)]


def test_a_catalog_row_changed_behind_aidbs_back_is_not_loaded(classifier_db: Path, tmp_path: Path) -> None:
    # a pickle of the attacker's choosing, with its fingerprint written beside it in the same catalog row
    payload = tmp_path / "payload.joblib"
    marker = tmp_path / "payload-ran"
    subprocess.run(
        [sys.executable, "-c", f"import joblib, os\nclass P:\n    def __reduce__(self):\n        return (os.system, ('touch {marker}',))\njoblib.dump(P(), {str(payload)!r})"],
        check=True,
    )
    from aidb.storage.model_files import fingerprint_files

    raw = duckdb.connect(str(classifier_db))
    raw.execute("UPDATE aidb.models SET source = ?, fingerprint = ? WHERE name = 'quality'", [str(payload), fingerprint_files([payload], include_names=False)])
    raw.close()
    with aidb.connect(classifier_db, autocommit=True) as con:
        with pytest.raises(aidb.OperationalError, match="catalog row was changed"):
            con.execute("SELECT classify('x', 'quality')")
    assert not marker.exists()


def test_plain_sql_cannot_rewrite_the_catalog(classifier_db: Path) -> None:
    with aidb.connect(classifier_db, autocommit=True) as con:
        for statement in ("UPDATE aidb.models SET source = '/tmp/x.joblib'", "DROP TABLE aidb.models", "DELETE FROM aidb.schema_migrations"):
            with pytest.raises(aidb.ProgrammingError, match="aidb schema is aidb's catalog"):
                con.execute(statement)
        assert con.execute("SELECT count(*) FROM aidb.models WHERE name = 'quality'").fetchall() == [(1,)]
    with aidb.connect(classifier_db) as con:  # still opens, models intact
        assert con.execute("SELECT classify('clean prose about science', 'quality') > 0.5").fetchall() == [(True,)]


def test_only_known_model_packages_are_imported(con, tmp_path: Path, monkeypatch) -> None:
    package = tmp_path / "site" / "not_a_model"
    package.mkdir(parents=True)
    marker = tmp_path / "imported"
    (package / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\ndef get_model_path():\n    return '.'\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    for source in ("package:not_a_model", "not_a_model", "package:os.path"):
        with pytest.raises(aidb.OperationalError, match="not a known model package|not found"):
            con.execute(f"CREATE MODEL m TYPE embedding FROM '{source}'")
    assert not marker.exists()
    assert "not_a_model" not in sys.modules


def test_a_loader_error_does_not_quote_the_file(con, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password=hunter2\n")
    with pytest.raises(aidb.OperationalError, match="not a valid KenLM") as caught:
        con.execute(f"CREATE LANGUAGE MODEL leak FROM '{secret}'")
    assert "hunter2" not in str(caught.value)
