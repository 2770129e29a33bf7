"""Read SFT data files into tables: Alpaca instruction records, ShareGPT conversations and preference pairs.

Layouts (one JSON object per line, or one JSON array of objects):
- alpaca (Taori et al. 2023): instruction, input (optional, '' when absent), output -> (line, instruction, input, output)
- sharegpt: conversations = [{from: human|gpt|system, value}] (or OpenAI-style messages = [{role, content}])
  -> (line, id, messages LIST<STRUCT(role, content)>) with roles user / assistant / system
- preference (the DPO/RLHF pair layout of Anthropic HH and UltraFeedback-binarized): prompt, chosen, rejected -> (line, prompt, chosen, rejected)
The whole file is parsed before a table is returned: a malformed record is an error naming the file, the line
(or array element) and the field, and nothing is imported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from aidb.errors import DataError, OperationalError, ProgrammingError
from aidb.ops.operator_registry import OperatorInput, OperatorParam, OperatorResult, operator

FORMATS = ("alpaca", "sharegpt", "preference")
ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "chatgpt": "assistant", "bing": "assistant",
         "bard": "assistant", "model": "assistant", "system": "system", "tool": "tool", "function": "tool"}
MESSAGE_TYPE = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))


def read_sft(path: Path, format: str = "alpaca") -> pa.Table:  # noqa: A002 - the SQL argument's name
    """The records of an SFT file as a table in `format`'s layout, with each record's 1-based `line`."""
    if format not in FORMATS:
        raise ProgrammingError(f"read_sft(): format must be one of {', '.join(map(repr, FORMATS))}, got {format!r}")
    records = list(_records(path))
    if format == "alpaca":
        return _alpaca(path, records)
    if format == "preference":
        return _columns(path, records, ("prompt", "chosen", "rejected"), optional=())
    return _sharegpt(path, records)


def _records(path: Path) -> list[tuple[str, dict]]:
    """(place, object) per record: place is 'line N' for JSON Lines, 'element N' for a JSON array."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise OperationalError(f"read_sft(): file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise OperationalError(f"read_sft(): cannot read {str(path)!r}: {error}") from error
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as error:
            raise DataError(f"read_sft(): {path} line {error.lineno}: not valid JSON ({error.msg})") from None
        places = [f"element {i + 1}" for i in range(len(items))]
    else:
        items, places = [], []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise DataError(f"read_sft(): {path} line {number}: not valid JSON ({error.msg} at column {error.colno})") from None
            places.append(f"line {number}")
    for place, item in zip(places, items):
        if not isinstance(item, dict):
            raise DataError(f"read_sft(): {path} {place}: expected a JSON object, got {type(item).__name__}")
    return list(zip(places, items))


def _line_numbers(records: list[tuple[str, dict]]) -> pa.Array:
    return pa.array([int(place.split()[1]) for place, _ in records], pa.int64())


def _field(path: Path, place: str, record: dict, name: str, required: bool = True) -> str | None:
    value = record.get(name)
    if value is None:
        if required:
            raise DataError(f"read_sft(): {path} {place}: field {name!r} is missing")
        return None
    if not isinstance(value, str):
        raise DataError(f"read_sft(): {path} {place}: field {name!r} must be a string, got {type(value).__name__}")
    return value


def _columns(path: Path, records: list[tuple[str, dict]], required: tuple[str, ...], optional: tuple[str, ...]) -> pa.Table:
    columns: dict[str, Any] = {"line": _line_numbers(records)}
    for name in required + optional:
        columns[name] = pa.array([_field(path, place, r, name, name in required) for place, r in records], pa.string())
    return pa.table(columns)


def _alpaca(path: Path, records: list[tuple[str, dict]]) -> pa.Table:
    table = _columns(path, records, ("instruction", "output"), optional=("input",))
    inputs = table.column("input").fill_null("")
    return pa.table({"line": table.column("line"), "instruction": table.column("instruction"), "input": inputs, "output": table.column("output")})


def _sharegpt(path: Path, records: list[tuple[str, dict]]) -> pa.Table:
    conversations = []
    ids = []
    for place, record in records:
        key, role_key, content_key = ("conversations", "from", "value") if "conversations" in record else ("messages", "role", "content")
        turns = record.get(key)
        if not isinstance(turns, list) or not turns:
            raise DataError(f"read_sft(): {path} {place}: field 'conversations' (or 'messages') must be a non-empty list of turns")
        messages = []
        for index, turn in enumerate(turns):
            where = f"{key}[{index}]"
            if not isinstance(turn, dict):
                raise DataError(f"read_sft(): {path} {place}: field {where!r} must be an object with {role_key!r} and {content_key!r}")
            role = _field(path, place, turn, role_key)
            if role.lower() not in ROLES:
                raise DataError(f"read_sft(): {path} {place}: field '{where}.{role_key}' has unknown role {role!r}; known: {', '.join(sorted(ROLES))}")
            content = turn.get(content_key)
            if not isinstance(content, str):
                raise DataError(f"read_sft(): {path} {place}: field '{where}.{content_key}' must be a string")
            messages.append({"role": ROLES[role.lower()], "content": content})
        conversations.append(messages)
        ids.append(None if record.get("id") is None else str(record["id"]))
    return pa.table({"line": _line_numbers(records), "id": pa.array(ids, pa.string()), "messages": pa.array(conversations, MESSAGE_TYPE)})


@operator(name="read_sft", params=[OperatorParam("path", "string"), OperatorParam("format", "string", "alpaca")])
def read_sft_operator(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """SFT records of a JSONL/JSON file: alpaca (instruction, input, output), sharegpt (messages) or preference (prompt, chosen, rejected)."""
    return OperatorResult(read_sft(Path(args["path"]).expanduser(), args["format"]))
