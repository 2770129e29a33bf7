"""DuckDB's malformed-JSON errors name the exact line, column and reason of the first bad JSON Lines record."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

import aidb
from aidb.engine.json_errors import first_malformed_line


def test_the_first_bad_line_is_named(con, tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text('{"id": 1, "text": "a"}\n\n{"id": 2, "text": "b"}\n{"id": 3, "text": oops}\n{"id": 4, "text": "d"}\n')
    with pytest.raises(aidb.DataError, match=r'malformed JSON in file ".*docs.jsonl" line 4, column 19: Expecting value'):
        con.execute(f"SELECT * FROM read_json('{path}')")
    with pytest.raises(aidb.DataError, match="line 4, column 19"):
        con.execute(f"SELECT count(*) FROM read_ndjson('{tmp_path}/*.jsonl')")


def test_gzip_and_not_utf8(tmp_path: Path) -> None:
    packed = tmp_path / "a.jsonl.gz"
    with gzip.open(packed, "wb") as handle:
        handle.write(b'{"a": 1}\n{"a": 2,}\n')
    assert first_malformed_line(packed) == (2, 9, "Expecting property name enclosed in double quotes")
    latin = tmp_path / "b.jsonl"
    latin.write_bytes('{"a": "ok"}\n{"a": "caf\u00e9"}\n'.encode("latin-1"))
    assert first_malformed_line(latin)[:2] == (2, 11)
    good = tmp_path / "c.jsonl"
    good.write_text('{"a": 1}\n')
    assert first_malformed_line(good) is None


def test_valid_json_lines_infer_a_schema(con, tmp_path: Path) -> None:
    path = tmp_path / "ok.jsonl"
    path.write_text('{"id": 1, "meta": {"lang": "en"}}\n{"id": 2, "meta": {"lang": "fr"}, "extra": true}\n')
    assert con.execute(f"SELECT id, meta.lang, extra FROM read_json('{path}') ORDER BY id").fetchall() == [(1, "en", None), (2, "fr", True)]


def test_parquet_errors_name_the_file(con, tmp_path: Path) -> None:
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(aidb.Error, match=r"bad.parquet"):
        con.execute(f"SELECT * FROM read_parquet('{tmp_path}/*.parquet')")
    with pytest.raises(aidb.Error, match=r"No files found that match the pattern"):
        con.execute(f"SELECT * FROM read_parquet('{tmp_path}/nothing/*.parquet')")
