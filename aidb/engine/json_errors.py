"""DuckDB's 'Malformed JSON in file ..., in line N' errors made exact: the file's first bad line, column and reason.

DuckDB's read_json / read_ndjson name the file, but for newline-delimited files the line they give is one past the
bad record (DuckDB 1.5). When a statement fails so, aidb reads the named file again, line by line with Python's
json parser, and reports the first line that is not valid JSON — only on that error path, so reading stays DuckDB's.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from aidb.errors import DataError

_MALFORMED = re.compile(r'Malformed JSON in file "(?P<file>[^"]+)", at byte \d+ in line \d+: (?P<what>[^\n]*)')
SCAN_LIMIT_BYTES = 1 << 30  # past this much reading the error keeps DuckDB's own words


def located_json_error(error: Exception) -> DataError | None:
    """The exact place of a malformed-JSON error DuckDB raised, or None when the message is another or the file unreadable."""
    match = _MALFORMED.search(str(error))
    if match is None:
        return None
    found = first_malformed_line(Path(match.group("file")))
    if found is None:
        return None
    line, column, reason = found
    return DataError(f'malformed JSON in file "{match.group("file")}" line {line}, column {column}: {reason}')


def first_malformed_line(path: Path) -> tuple[int, int, str] | None:
    """(line, column, reason) of the first non-blank line of a JSON Lines file that does not parse; None if all do."""
    opener = gzip.open if path.suffix == ".gz" else open
    read = 0
    try:
        with opener(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                read += len(raw)
                if read > SCAN_LIMIT_BYTES:
                    return None
                if number == 1 and raw.lstrip().startswith(b"["):
                    return None  # one JSON array, not JSON Lines: DuckDB's message stands
                if not raw.strip():
                    continue
                try:
                    json.loads(raw)
                except UnicodeDecodeError as bad:
                    return number, bad.start + 1, "not UTF-8"
                except json.JSONDecodeError as bad:
                    return number, bad.colno, bad.msg
    except (OSError, EOFError):
        return None
    return None
