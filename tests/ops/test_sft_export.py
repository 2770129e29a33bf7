"""write_sft(): the three SFT layouts round-trip through read_sft; a bad row leaves no file; an existing file is kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import aidb


def test_alpaca_sharegpt_and_preference_round_trip(con, tmp_path: Path):
    con.execute("CREATE TABLE alpaca AS SELECT * FROM (VALUES (1, 'Add 2 and 3.', '', '5'), (2, 'Translate:', 'chat', 'Katze')) v(id, instruction, input, output)")
    out = tmp_path / "alpaca.jsonl"
    manifest = con.execute(f"SELECT rows, format, bytes FROM write_sft((SELECT * FROM alpaca ORDER BY id), '{out}')").fetchone()
    assert manifest == (2, "alpaca", out.stat().st_size)
    back = con.execute(f"SELECT instruction, input, output FROM read_sft('{out}', format := 'alpaca')").fetchall()
    assert back == [("Add 2 and 3.", "", "5"), ("Translate:", "chat", "Katze")]

    con.execute("CREATE TABLE chats AS SELECT 'c1' AS id, [{'role': 'system', 'content': 'Be brief.'}, {'role': 'user', 'content': 'Hi'}, "
                "{'role': 'assistant', 'content': 'Hello.'}] AS messages")
    shared = tmp_path / "chats.jsonl"
    con.execute(f"SELECT * FROM write_sft(chats, '{shared}', format := 'sharegpt')").fetchall()
    assert json.loads(shared.read_text()) == {"id": "c1", "conversations": [
        {"from": "system", "value": "Be brief."}, {"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello."}]}
    assert con.execute(f"SELECT id, messages FROM read_sft('{shared}', format := 'sharegpt')").fetchall() == \
        con.execute("SELECT id, messages FROM chats").fetchall()

    con.execute("CREATE TABLE pairs AS SELECT 'Q?' AS prompt, 'good' AS chosen, 'bad' AS rejected")
    preference = tmp_path / "pairs.jsonl"
    con.execute(f"SELECT * FROM write_sft(pairs, '{preference}', format := 'preference')").fetchall()
    assert con.execute(f"SELECT prompt, chosen, rejected FROM read_sft('{preference}', format := 'preference')").fetchall() == [("Q?", "good", "bad")]


def test_a_bad_row_leaves_no_file_and_an_existing_file_is_kept(con, tmp_path: Path):
    con.execute("CREATE TABLE alpaca AS SELECT * FROM (VALUES ('a', 'b'), ('c', NULL)) v(instruction, output)")
    out = tmp_path / "out.jsonl"
    with pytest.raises(aidb.DataError, match="row 2: column 'output' must be a non-NULL string"):
        con.execute(f"SELECT * FROM write_sft(alpaca, '{out}')")
    assert list(tmp_path.iterdir()) == []
    out.write_text("keep me\n")
    with pytest.raises(aidb.OperationalError, match="exists; write a new file"):
        con.execute(f"SELECT * FROM write_sft((SELECT * FROM alpaca LIMIT 1), '{out}')")
    assert out.read_text() == "keep me\n"


def test_missing_columns_bad_roles_and_formats(con, tmp_path: Path):
    con.execute("CREATE TABLE t AS SELECT 'x' AS prompt, 'y' AS chosen")
    with pytest.raises(aidb.ProgrammingError, match="has no column 'rejected'"):
        con.execute(f"SELECT * FROM write_sft(t, '{tmp_path / 'a.jsonl'}', format := 'preference')")
    with pytest.raises(aidb.ProgrammingError, match="argument format must be one of"):
        con.execute(f"SELECT * FROM write_sft(t, '{tmp_path / 'a.jsonl'}', format := 'openai')")
    con.execute("CREATE TABLE c AS SELECT [{'role': 'narrator', 'content': 'x'}] AS messages")
    with pytest.raises(aidb.DataError, match="messages\\[0\\].role is 'narrator'"):
        con.execute(f"SELECT * FROM write_sft(c, '{tmp_path / 'c.jsonl'}', format := 'sharegpt')")
    with pytest.raises(aidb.ProgrammingError, match="write_sft\\(\\): path '../x.jsonl' leaves the database's folder"):
        con.execute("SELECT * FROM write_sft(t, '../x.jsonl')")
