"""Write SFT tables to the JSON Lines layouts `read_sft` reads: `write_sft(query, 'file.jsonl', format := ...)`.

- alpaca: {"instruction", "input", "output"} from columns instruction, output and optional input ('' when absent);
- sharegpt: {"id"?, "conversations": [{"from": "human" | "gpt" | "system" | "tool", "value"}]} from a `messages`
  column of {role, content} (roles user / assistant / system / tool, as `read_sft` returns them);
- preference: {"prompt", "chosen", "rejected"}.
Rows are written in the query's order. The file is written beside its final name and renamed when complete, so a
failure (a NULL field, a bad role) leaves no file; an existing file is refused. A relative path is inside the
database's folder, as for export_shards.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

from aidb.errors import DataError, OperationalError, ProgrammingError
from aidb.ops.operator_registry import OperatorInput, OperatorParam, OperatorResult, input_column, operator
from aidb.ops.sft_formats import FORMATS
from aidb.ops.shards import resolve_output_folder

# read_sft's roles back to ShareGPT's speaker names
SPEAKERS = {"user": "human", "assistant": "gpt", "system": "system", "tool": "tool"}


def sft_record(row: dict[str, Any], format: str, place: str) -> dict[str, Any]:  # noqa: A002 - the SQL argument's name
    """One JSON object in `format`'s layout from a row; DataError naming `place` and the field when it cannot be."""
    def text(name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise DataError(f"write_sft(): {place}: column {name!r} must be a non-NULL string, got {value!r}")
        return value

    if format == "alpaca":
        return {"instruction": text("instruction", row["instruction"]), "input": row.get("input") or "", "output": text("output", row["output"])}
    if format == "preference":
        return {name: text(name, row[name]) for name in ("prompt", "chosen", "rejected")}
    turns = row["messages"]
    if not turns:
        raise DataError(f"write_sft(): {place}: column 'messages' must be a non-empty list of {{role, content}}")
    conversation = []
    for index, turn in enumerate(turns):
        role = (turn or {}).get("role")
        if role not in SPEAKERS:
            raise DataError(f"write_sft(): {place}: messages[{index}].role is {role!r}; expected one of {', '.join(SPEAKERS)}")
        conversation.append({"from": SPEAKERS[role], "value": text(f"messages[{index}].content", turn.get("content"))})
    record: dict[str, Any] = {"conversations": conversation}
    if row.get("id") is not None:
        record = {"id": str(row["id"]), **record}
    return record


def _columns(source: OperatorInput, format: str) -> list[str]:  # noqa: A002
    required = {"alpaca": ("instruction", "output"), "sharegpt": ("messages",), "preference": ("prompt", "chosen", "rejected")}[format]
    optional = {"alpaca": ("input",), "sharegpt": ("id",), "preference": ()}[format]
    columns = [input_column(source, "write_sft", "query", name) for name in required]
    present = {c.lower(): c for c in source.columns}
    return columns + [present[name] for name in optional if name in present]


@operator(params=[OperatorParam("query", "table"), OperatorParam("path", "string"), OperatorParam("format", "string", "alpaca")])
def write_sft(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """Write the query's rows as SFT JSON Lines (alpaca, sharegpt or preference, as read_sft reads them): (file, format, rows, bytes, sha256)."""
    import pyarrow as pa

    format = args["format"]  # noqa: A001
    if format not in FORMATS:
        raise ProgrammingError(f"write_sft(): argument format must be one of {', '.join(map(repr, FORMATS))}, got {format!r}")
    path = resolve_output_folder(args["path"], source.context.database_folder, operator_name="write_sft", argument="path")
    if path.exists():
        raise OperationalError(f"write_sft(): {path} exists; write a new file")
    columns = _columns(source, format)
    names = [c.lower() for c in columns]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
    digest, size, rows = hashlib.sha256(), 0, 0
    try:
        with open(partial, "wb") as handle:
            for batch in source.batches(columns):
                for values in batch.to_pylist():
                    rows += 1
                    record = sft_record(dict(zip(names, values.values())), format, f"row {rows}")
                    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
                    handle.write(line)
                    digest.update(line)
                    size += len(line)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return OperatorResult(pa.table({
        "file": [str(path)], "format": [format], "rows": pa.array([rows], pa.int64()),
        "bytes": pa.array([size], pa.int64()), "sha256": [digest.hexdigest()],
    }))
