"""The files a reading table function's path argument names: a path or a glob (`crawl/*.warc.gz`, `docs/**/*.pdf`).

Relative patterns start at the working directory, as DuckDB's own `read_json('...')` does. A glob that matches
nothing is an error (as in DuckDB: 'No files found that match the pattern'), so a typo never reads as an empty
corpus; a plain path that does not exist says so.
"""

from __future__ import annotations

import glob
from pathlib import Path

from aidb.errors import OperationalError, ProgrammingError

_GLOB_CHARACTERS = frozenset("*?[")


def matching_files(operator_name: str, pattern: str) -> list[Path]:
    """The files `pattern` names, sorted by path; an OperationalError when there are none."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise ProgrammingError(f"{operator_name}(): the first argument must be a file path or glob, e.g. 'crawl/*.warc.gz'")
    expanded = str(Path(pattern).expanduser())
    if not _GLOB_CHARACTERS.intersection(pattern):
        path = Path(expanded)
        if not path.exists():
            raise OperationalError(f"{operator_name}(): file {pattern!r} does not exist")
        if path.is_dir():
            raise OperationalError(f"{operator_name}(): {pattern!r} is a folder; name its files with a glob, e.g. '{pattern.rstrip('/')}/*'")
        return [path]
    found = sorted(Path(p) for p in glob.glob(expanded, recursive=True) if Path(p).is_file())
    if not found:
        raise OperationalError(f"{operator_name}(): no file matches {pattern!r} (relative paths start at {Path.cwd()})")
    return found
