"""read_sft: Alpaca, ShareGPT (and OpenAI messages) and preference layouts; errors name file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aidb.errors import DataError, OperationalError, ProgrammingError
from aidb.ops.sft_formats import read_sft


def write_lines(path: Path, records: list) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    return path


def test_alpaca_lines(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "a.jsonl", [
        {"instruction": "Add", "input": "2 3", "output": "5"},
        "",
        {"instruction": "Greet", "output": "Hello", "extra": 1},
    ])
    assert read_sft(path, "alpaca").to_pylist() == [
        {"line": 1, "instruction": "Add", "input": "2 3", "output": "5"},
        {"line": 3, "instruction": "Greet", "input": "", "output": "Hello"},
    ]


def test_alpaca_json_array(tmp_path: Path) -> None:
    path = tmp_path / "alpaca_data.json"
    path.write_text(json.dumps([{"instruction": "a", "input": "", "output": "b"}, {"instruction": "c", "output": "d"}], indent=2))
    assert read_sft(path, "alpaca").column("instruction").to_pylist() == ["a", "c"]
    path.write_text(json.dumps([{"instruction": "a", "output": "b"}, {"instruction": "c"}]))
    with pytest.raises(DataError, match=r"alpaca_data.json element 2: field 'output' is missing"):
        read_sft(path, "alpaca")


def test_sharegpt_and_openai_messages(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "chat.jsonl", [
        {"id": "c1", "conversations": [{"from": "system", "value": "Be brief."}, {"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}]},
        {"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]},
    ])
    table = read_sft(path, "sharegpt")
    assert table.column("id").to_pylist() == ["c1", None]
    assert table.column("messages").to_pylist()[0] == [
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"},
    ]
    assert [m["role"] for m in table.column("messages").to_pylist()[1]] == ["user", "assistant"]


def test_preference_pairs(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "pairs.jsonl", [{"prompt": "p", "chosen": "good", "rejected": "bad"}])
    assert read_sft(path, "preference").to_pylist() == [{"line": 1, "prompt": "p", "chosen": "good", "rejected": "bad"}]


@pytest.mark.parametrize(
    "format_, lines, message",
    [
        ("alpaca", [{"instruction": "a", "output": "b"}, "{not json"], r"bad.jsonl line 2: not valid JSON"),
        ("alpaca", [{"instruction": "a", "output": "b"}, {"instruction": "a"}], r"bad.jsonl line 2: field 'output' is missing"),
        ("alpaca", [{"instruction": "a", "output": 5}], r"line 1: field 'output' must be a string, got int"),
        ("alpaca", [{"instruction": "a", "output": "b"}, "\"text\""], r"line 2: expected a JSON object, got str"),
        ("preference", [{"prompt": "p", "chosen": "c"}], r"line 1: field 'rejected' is missing"),
        ("sharegpt", [{"conversations": []}], r"line 1: field 'conversations' \(or 'messages'\) must be a non-empty list"),
        ("sharegpt", [{"conversations": [{"from": "robot", "value": "x"}]}], r"line 1: field 'conversations\[0\].from' has unknown role 'robot'"),
        ("sharegpt", [{"conversations": [{"from": "human"}]}], r"line 1: field 'conversations\[0\].value' must be a string"),
    ],
)
def test_malformed_records_name_file_line_and_field(tmp_path: Path, format_: str, lines: list, message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_sft(write_lines(tmp_path / "bad.jsonl", lines), format_)


def test_bad_format_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProgrammingError, match="format must be one of 'alpaca', 'sharegpt', 'preference'"):
        read_sft(tmp_path / "x.jsonl", "dolly")
    with pytest.raises(OperationalError, match="does not exist"):
        read_sft(tmp_path / "missing.jsonl", "alpaca")


def test_read_sft_in_sql_imports_everything_or_nothing(con, tmp_path: Path) -> None:
    import aidb

    good = write_lines(tmp_path / "good.jsonl", [{"instruction": "a", "output": "b"}, {"instruction": "c", "input": "d", "output": "e"}])
    con.execute(f"CREATE TABLE sft AS SELECT * FROM read_sft('{good}')")
    assert con.execute("SELECT line, instruction, input FROM sft ORDER BY line").fetchall() == [(1, "a", ""), (2, "c", "d")]
    bad = write_lines(tmp_path / "bad.jsonl", [{"prompt": "p", "chosen": "c", "rejected": "r"}, {"prompt": "p", "chosen": 1, "rejected": "r"}])
    with pytest.raises(aidb.DataError, match=r"bad.jsonl line 2: field 'chosen' must be a string"):
        con.execute(f"CREATE TABLE prefs AS SELECT * FROM read_sft('{bad}', format := 'preference')")
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'prefs'").fetchone() == (0,)
