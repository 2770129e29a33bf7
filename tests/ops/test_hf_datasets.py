"""read_hf_dataset: save_to_disk folders (Dataset and DatasetDict) read with pyarrow; errors name the file."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

import aidb
from aidb.errors import DataError, OperationalError, ProgrammingError
from aidb.ops.hf_datasets import read_hf_dataset


def save_dataset(folder: Path, shards: list[pa.Table]) -> Path:
    """The layout datasets' Dataset.save_to_disk writes: Arrow stream files listed in state.json, dataset_info.json."""
    folder.mkdir(parents=True)
    names = [f"data-{i:05d}-of-{len(shards):05d}.arrow" for i in range(len(shards))]
    for name, table in zip(names, shards):
        with pa.OSFile(str(folder / name), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
    (folder / "state.json").write_text(json.dumps({"_data_files": [{"filename": n} for n in names], "_fingerprint": "x", "_split": None}))
    (folder / "dataset_info.json").write_text(json.dumps({"features": {}}))
    return folder


def test_a_dataset_in_shards(tmp_path: Path) -> None:
    folder = save_dataset(tmp_path / "ds", [pa.table({"text": ["a", "b"], "label": [0, 1]}), pa.table({"text": ["c"], "label": [1]})])
    table = read_hf_dataset(folder)
    assert table.to_pydict() == {"text": ["a", "b", "c"], "label": [0, 1, 1]}


def test_a_dataset_dict_with_splits(tmp_path: Path) -> None:
    save_dataset(tmp_path / "dd" / "train", [pa.table({"text": ["a", "b"]})])
    save_dataset(tmp_path / "dd" / "test", [pa.table({"text": ["z"]})])
    (tmp_path / "dd" / "dataset_dict.json").write_text(json.dumps({"splits": ["train", "test"]}))
    assert read_hf_dataset(tmp_path / "dd").to_pydict() == {"text": ["a", "b", "z"], "split": ["train", "train", "test"]}
    assert read_hf_dataset(tmp_path / "dd", "test").to_pydict() == {"text": ["z"]}
    with pytest.raises(ProgrammingError, match="has no split 'validation'; its splits: train, test"):
        read_hf_dataset(tmp_path / "dd", "validation")


def test_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(OperationalError, match="does not exist"):
        read_hf_dataset(tmp_path / "nothing")
    (tmp_path / "plain").mkdir()
    with pytest.raises(OperationalError, match="no state.json"):
        read_hf_dataset(tmp_path / "plain")
    folder = save_dataset(tmp_path / "broken", [pa.table({"text": ["a"]})])
    (folder / "data-00000-of-00001.arrow").write_bytes(b"garbage")
    with pytest.raises(DataError, match=r"data-00000-of-00001.arrow is not a readable Arrow file"):
        read_hf_dataset(folder)
    (folder / "state.json").write_text('{"_data_files": [\n  {"filename": "x.arrow"},\n]}')
    with pytest.raises(DataError, match=r"state.json line 3, column 1: not valid JSON"):
        read_hf_dataset(folder)


def test_with_the_datasets_library_when_installed(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    datasets.Dataset.from_dict({"text": ["x", "y"], "n": [1, 2]}).save_to_disk(str(tmp_path / "real"))
    assert read_hf_dataset(tmp_path / "real").to_pydict() == {"text": ["x", "y"], "n": [1, 2]}


def test_read_hf_dataset_in_sql(con, tmp_path: Path) -> None:
    save_dataset(tmp_path / "ds", [pa.table({"text": ["a", "b"], "label": [0, 1]})])
    con.execute(f"CREATE TABLE imported AS SELECT * FROM read_hf_dataset('{tmp_path / 'ds'}')")
    assert con.execute("SELECT text, label FROM imported ORDER BY text").fetchall() == [("a", 0), ("b", 1)]
    with pytest.raises(aidb.ProgrammingError, match="single Dataset"):
        con.execute(f"SELECT * FROM read_hf_dataset('{tmp_path / 'ds'}', split := 'train')")
