"""export_shards: ordered shards, manifest with counts, ids and sha256, folder rules, nothing half-written."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from aidb.errors import DataError, ProgrammingError
from aidb.ops.shards import export_shards, resolve_output_folder


def rows(n: int) -> pa.Table:
    return pa.table({"id": list(range(1, n + 1)), "text": [f"row {i} " + "x" * (i % 5) for i in range(1, n + 1)], "blob": [b"\x00\x01"] * n})


def export(table: pa.Table, folder: Path, **options) -> pa.Table:
    return export_shards(table.to_batches(max_chunksize=7), table.schema, folder, **options)


def test_parquet_shards_in_order_with_manifest(tmp_path: Path) -> None:
    manifest = export(rows(25), tmp_path / "out", rows_per_shard=10)
    assert manifest.column("rows").to_pylist() == [10, 10, 5]
    assert manifest.column("first_id").to_pylist() == ["1", "11", "21"]
    assert manifest.column("last_id").to_pylist() == ["10", "20", "25"]
    read_back = pa.concat_tables([pq.read_table(f) for f in manifest.column("file").to_pylist()])
    assert read_back.column("id").to_pylist() == list(range(1, 26))
    on_disk = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert on_disk["rows"] == 25 and [s["file"] for s in on_disk["shards"]] == ["shard-00000.parquet", "shard-00001.parquet", "shard-00002.parquet"]
    for entry in on_disk["shards"]:
        assert hashlib.sha256((tmp_path / "out" / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left


def test_jsonl_shards_by_bytes(tmp_path: Path) -> None:
    manifest = export(rows(30), tmp_path / "json", format="jsonl", bytes_per_shard=300)
    files = manifest.column("file").to_pylist()
    lines = [json.loads(line) for f in files for line in Path(f).read_text().splitlines()]
    assert [line["id"] for line in lines] == list(range(1, 31))
    assert lines[0]["blob"] == "AAE="  # bytes as base64
    sizes = manifest.column("bytes").to_pylist()
    assert len(files) > 1 and all(size >= 300 for size in sizes[:-1]) and all(size < 300 + 80 for size in sizes)


def test_existing_folder_is_refused_and_untouched(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(ProgrammingError, match="already exists and is not an empty folder"):
        export(rows(3), tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]
    (tmp_path / "empty").mkdir()
    assert export(rows(3), tmp_path / "empty").column("rows").to_pylist() == [3]


def test_failure_midway_leaves_nothing(tmp_path: Path) -> None:
    table = rows(20)

    def failing_query():
        yield from table.to_batches(max_chunksize=10)[:1]
        raise DataError("the query failed on its second batch")

    with pytest.raises(DataError, match="second batch"):
        export_shards(failing_query(), table.schema, tmp_path / "out", rows_per_shard=5)
    assert list(tmp_path.iterdir()) == []


def test_relative_folders_stay_inside_the_database_folder(tmp_path: Path) -> None:
    base = tmp_path / "db"
    base.mkdir()
    assert resolve_output_folder("shards/run1", base) == (base / "shards" / "run1").resolve()
    assert resolve_output_folder(str(tmp_path / "elsewhere"), base) == tmp_path / "elsewhere"
    for escaping in ("../outside", "shards/../../outside", "."):
        with pytest.raises(ProgrammingError, match="folder"):
            resolve_output_folder(escaping, base)
    (base / "link").symlink_to(tmp_path)
    with pytest.raises(ProgrammingError, match="leaves the database's folder"):
        resolve_output_folder("link/out", base)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"format": "csv"}, "format must be one of"),
        ({"rows_per_shard": 0}, "rows_per_shard must be a positive integer"),
        ({"rows_per_shard": 5, "bytes_per_shard": 5}, "not both"),
        ({"id_col": "uid"}, "id column 'uid'"),
    ],
)
def test_bad_options(tmp_path: Path, options, message: str) -> None:
    with pytest.raises(ProgrammingError, match=message):
        export(rows(3), tmp_path / "out", **options)
    assert not (tmp_path / "out").exists()


def test_export_shards_in_sql_writes_inside_the_database_folder(tmp_path: Path) -> None:
    import aidb

    with aidb.connect(str(tmp_path / "db.aidb"), autocommit=True) as con:
        con.execute("CREATE TABLE t AS SELECT range AS id, 'row ' || range AS text FROM range(250)")
        manifest = con.execute("SELECT rows, first_id, last_id FROM export_shards((SELECT * FROM t ORDER BY id), 'out/v1', rows_per_shard := 100)").fetchall()
        assert manifest == [(100, "0", "99"), (100, "100", "199"), (50, "200", "249")]
        assert (tmp_path / "out" / "v1" / "manifest.json").exists()
        with pytest.raises(aidb.ProgrammingError, match="leaves the database's folder"):
            con.execute("SELECT * FROM export_shards(t, '../outside')")
        jsonl = con.execute(f"SELECT file FROM export_shards(t, '{tmp_path / 'abs'}', format := 'jsonl')").fetchall()
        assert jsonl == [(str(tmp_path / "abs" / "shard-00000.jsonl"),)]
    assert not (tmp_path.parent / "outside").exists()
