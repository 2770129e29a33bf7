"""Export rows, in order, as training shards (Parquet or JSON Lines) with a manifest a trainer can check.

Shards are written to a hidden sibling folder and renamed into place when all of them and the manifest are
complete, so a failure leaves no half-written export. A relative folder is resolved inside the database's
folder and may not leave it (no `..`, no symlink out); an absolute folder is written where the user says.
"""

from __future__ import annotations

import base64
import datetime
import itertools
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from aidb.errors import OperationalError, ProgrammingError
from aidb.file_digest import file_sha256
from aidb.ops.operator_registry import OperatorInput, OperatorParam, OperatorResult, operator

FORMATS = ("parquet", "jsonl")
MANIFEST = "manifest.json"
DEFAULT_ROWS_PER_SHARD = 100_000


def resolve_output_folder(folder: str, base: Path, operator_name: str = "export_shards", argument: str = "folder") -> Path:
    """Where `folder` (or a file) is: itself when absolute, else inside `base` (the database's folder), never outside it."""
    if not isinstance(folder, str) or not folder.strip():
        raise ProgrammingError(f"{operator_name}(): argument {argument} must be a non-empty path, e.g. 'shards/'")
    path = Path(folder).expanduser()
    if path.is_absolute():
        return path
    root = base.resolve()
    target = (root / path).resolve()
    if target != root and root not in target.parents:
        raise ProgrammingError(
            f"{operator_name}(): {argument} {folder!r} leaves the database's folder {root}; "
            f"write a {argument} inside it, or an absolute path to write elsewhere"
        )
    if target == root:
        raise ProgrammingError(f"{operator_name}(): {argument} {folder!r} is the database's folder itself; name a sub-folder")
    return target


def export_shards(
    batches: Iterable[pa.RecordBatch],
    schema: pa.Schema,
    folder: Path,
    *,
    format: str = "parquet",  # noqa: A002 - the SQL argument's name
    rows_per_shard: int | None = None,
    bytes_per_shard: int | None = None,
    id_col: str | None = None,
) -> pa.Table:
    """Write the rows of `batches`, in order, to `folder`/shard-NNNNN.<ext> and a manifest; returns the manifest rows.

    A shard closes after `rows_per_shard` rows (default 100,000) or, with `bytes_per_shard`, once its rows'
    in-memory Arrow size reaches that many bytes (JSON Lines: the encoded lines' size). Manifest columns: shard,
    file, rows, first_id, last_id (of `id_col`, default `id` when present, as text), bytes, sha256. `folder`
    must not exist yet, or be empty.
    """
    if format not in FORMATS:
        raise ProgrammingError(f"export_shards(): format must be one of {', '.join(map(repr, FORMATS))}, got {format!r}")
    if rows_per_shard is not None and bytes_per_shard is not None:
        raise ProgrammingError("export_shards(): give rows_per_shard or bytes_per_shard, not both")
    for name, value in (("rows_per_shard", rows_per_shard), ("bytes_per_shard", bytes_per_shard)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
            raise ProgrammingError(f"export_shards(): {name} must be a positive integer, got {value!r}")
    if id_col is not None and id_col not in schema.names:
        raise ProgrammingError(f"export_shards(): id column {id_col!r} is not a column of the query ({', '.join(schema.names)})")
    id_name = id_col or ("id" if "id" in schema.names else None)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ProgrammingError(f"export_shards(): {folder} already exists and is not an empty folder; choose a new folder")
    staging = folder.parent / f".{folder.name}.partial-{uuid.uuid4().hex[:8]}"
    try:
        staging.mkdir(parents=True)
        entries = []
        for number, shard in enumerate(_shards(batches, schema, format, rows_per_shard, bytes_per_shard)):
            entries.append(_write_shard(staging, number, shard, format, id_name))
        manifest = {"format": format, "rows": sum(e["rows"] for e in entries), "id_column": id_name, "shards": entries}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        if folder.exists():
            folder.rmdir()
        os.replace(staging, folder)
    except OSError as error:
        raise OperationalError(f"export_shards(): cannot write to {folder}: {error}") from error
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return pa.table({
        "shard": pa.array([e["shard"] for e in entries], pa.int32()),
        "file": pa.array([str(folder / e["file"]) for e in entries], pa.string()),
        "rows": pa.array([e["rows"] for e in entries], pa.int64()),
        "first_id": pa.array([e["first_id"] for e in entries], pa.string()),
        "last_id": pa.array([e["last_id"] for e in entries], pa.string()),
        "bytes": pa.array([e["bytes"] for e in entries], pa.int64()),
        "sha256": pa.array([e["sha256"] for e in entries], pa.string()),
    })


def _shards(batches: Iterable[pa.RecordBatch], schema: pa.Schema, format: str, rows_limit: int | None, bytes_limit: int | None) -> Iterator[pa.Table]:
    """Tables of consecutive rows, each one shard: cut by row count or by (estimated) size."""
    rows_limit = rows_limit or (None if bytes_limit else DEFAULT_ROWS_PER_SHARD)
    pending: list[pa.RecordBatch] = []
    pending_rows = pending_bytes = 0
    for batch in batches:
        start = 0
        per_row = _row_bytes(batch, format) if rows_limit is None else []
        while start < batch.num_rows:
            if rows_limit is not None:
                take = min(rows_limit - pending_rows, batch.num_rows - start)
            else:
                take = _rows_until(per_row[start:], bytes_limit - pending_bytes)
                pending_bytes += sum(per_row[start : start + take])
            pending.append(batch.slice(start, take))
            pending_rows += take
            start += take
            if (rows_limit is not None and pending_rows >= rows_limit) or (bytes_limit is not None and pending_bytes >= bytes_limit):
                yield pa.Table.from_batches(pending, schema)
                pending, pending_rows, pending_bytes = [], 0, 0
    if pending_rows:
        yield pa.Table.from_batches(pending, schema)


def _row_bytes(batch: pa.RecordBatch, format: str) -> list[int]:
    if format == "jsonl":
        return [len(_json_line(row)) for row in batch.to_pylist()]
    average = batch.nbytes / max(batch.num_rows, 1)
    return [int(average) or 1] * batch.num_rows


def _rows_until(sizes: list[int], budget: int) -> int:
    """How many of `sizes` to take to reach `budget` (at least one row, so every shard makes progress)."""
    total = 0
    for count, size in enumerate(sizes, start=1):
        total += size
        if total >= budget:
            return count
    return len(sizes)


def _write_shard(folder: Path, number: int, shard: pa.Table, format: str, id_name: str | None) -> dict:
    name = f"shard-{number:05d}.{'parquet' if format == 'parquet' else 'jsonl'}"
    path = folder / name
    if format == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(shard, path)
    else:
        with open(path, "wb") as handle:
            for batch in shard.to_batches():
                handle.writelines(_json_line(row) for row in batch.to_pylist())
    ids = shard.column(id_name) if id_name else None
    return {
        "shard": number,
        "file": name,
        "rows": shard.num_rows,
        "first_id": None if ids is None or ids[0].as_py() is None else str(ids[0].as_py()),
        "last_id": None if ids is None or ids[-1].as_py() is None else str(ids[-1].as_py()),
        "bytes": path.stat().st_size,
        "sha256": file_sha256(path),
    }


def _json_line(row: dict) -> bytes:
    return (json.dumps(row, ensure_ascii=False, default=_json_value) + "\n").encode("utf-8")


def _json_value(value: object) -> object:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (datetime.date, datetime.time, datetime.datetime)):
        return value.isoformat()
    return str(value)  # decimals, intervals, UUIDs: their text form


@operator(
    name="export_shards",
    params=[
        OperatorParam("query", "table"),
        OperatorParam("folder", "string"),
        OperatorParam("format", "string", "parquet"),
        OperatorParam("rows_per_shard", "integer", None),
        OperatorParam("bytes_per_shard", "integer", None),
        OperatorParam("id_col", "column", None),
    ],
)
def export_shards_operator(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """Write the query's rows in order as Parquet/JSONL shards with manifest.json; returns the manifest (file, rows, first/last id, sha256)."""
    folder = resolve_output_folder(args["folder"], source.context.database_folder)
    batches = source.batches(list(source.columns))
    first = next(batches, None)
    if first is None:  # no rows: the schema still comes from the query
        schema, chained = source.query(["*"]).schema, iter(())
    else:
        schema, chained = first.schema, itertools.chain([first], batches)
    manifest = export_shards(
        chained, schema, folder, format=args["format"], rows_per_shard=args["rows_per_shard"],
        bytes_per_shard=args["bytes_per_shard"], id_col=args["id_col"],
    )
    return OperatorResult(manifest)
