"""Where trained model files live and how they are named."""

from __future__ import annotations

from pathlib import Path

import pytest

import aidb
from aidb.storage.layout import layout_for
from aidb.storage.model_files import fingerprint_files, model_files_dir, store_model_file


def test_a_database_file_keeps_models_beside_it(tmp_path):
    directory = model_files_dir(layout_for(tmp_path / "corpus.aidb"), lambda: tmp_path / "unused")
    assert directory == tmp_path / "corpus.aidb.models" and directory.is_dir()


def test_an_in_memory_database_uses_its_scratch_folder(tmp_path):
    directory = model_files_dir(layout_for(":memory:"), lambda: tmp_path)
    assert directory == tmp_path / "models" and directory.is_dir()


def test_stored_files_are_named_by_content(tmp_path):
    first, fingerprint = store_model_file(tmp_path, "q", ".bin", lambda p: p.write_bytes(b"weights"))
    again, same = store_model_file(tmp_path, "q", ".bin", lambda p: p.write_bytes(b"weights"))
    other, different = store_model_file(tmp_path, "q", ".bin", lambda p: p.write_bytes(b"other"))
    assert first == again and fingerprint == same == fingerprint_files([first], include_names=False)
    assert other != first and different != fingerprint
    assert first.name == f"q.{fingerprint[:16]}.bin"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({first.name, other.name}), "no temporary files left"


def test_a_failed_write_leaves_nothing(tmp_path):
    def fail(path: Path) -> None:
        path.write_bytes(b"half")
        raise RuntimeError("training failed")

    with pytest.raises(RuntimeError, match="training failed"):
        store_model_file(tmp_path, "q", ".bin", fail)
    assert list(tmp_path.iterdir()) == []


def test_session_scratch_folder_goes_away_on_close():
    con = aidb.connect(":memory:")
    directory = con.session.model_files_dir()
    assert directory.is_dir()
    con.close()
    assert not directory.exists()


def _model_files(db_path) -> list[str]:
    folder = db_path.parent / (db_path.name + ".models")
    return sorted(p.name.split(".")[0] for p in folder.iterdir()) if folder.is_dir() else []


def test_replaced_and_dropped_models_remove_their_files_at_commit(db_path):
    con = aidb.connect(str(db_path))
    con.execute("CREATE TABLE ref AS SELECT 'the cat sat on the mat ' || range AS text FROM range(100)")
    con.execute("CREATE LANGUAGE MODEL lm FROM (SELECT text FROM ref)")
    con.commit()
    first = con.execute("SELECT source FROM aidb.models WHERE name = 'lm'").fetchone()[0]
    con.execute("CREATE OR REPLACE LANGUAGE MODEL lm FROM (SELECT text || ' again' FROM ref)")
    assert Path(first).is_file()  # the transaction may still roll back to it
    con.commit()
    assert not Path(first).exists() and _model_files(db_path) == ["lm"]
    con.execute("DROP MODEL lm")
    assert _model_files(db_path) == ["lm"]
    con.commit()
    assert _model_files(db_path) == []
    con.close()


def test_a_model_trained_in_a_rolled_back_transaction_leaves_no_file(db_path):
    con = aidb.connect(str(db_path))
    con.execute("CREATE TABLE ref AS SELECT 'the cat sat on the mat ' || range AS text FROM range(100)")
    con.commit()
    con.execute("CREATE LANGUAGE MODEL lm FROM (SELECT text FROM ref)")
    assert _model_files(db_path) == ["lm"]
    con.rollback()
    assert _model_files(db_path) == []
    con.close()


@pytest.mark.parametrize("name", ["/../x_cls", "a/b", "..", "x\\..\\y", "ünïcödé", ""])
def test_a_model_name_never_becomes_a_path(tmp_path, name):
    folder = tmp_path / "models"
    folder.mkdir()
    path, _ = store_model_file(folder, name, ".bin", lambda p: p.write_bytes(b"weights"))
    assert path.parent == folder and path.is_file()
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [path.name]
