"""Where a database lives on disk: the DuckDB file at the given path and a Lance folder beside it.

`corpus.aidb` is an ordinary DuckDB file (a BI tool opens it with the stock driver);
`corpus.aidb.lance/` holds the Lance datasets of the vector and media tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MEMORY = ":memory:"


@dataclass(frozen=True)
class DatabaseLayout:
    duckdb_path: str
    lance_dir: Path | None

    @property
    def in_memory(self) -> bool:
        return self.duckdb_path == MEMORY


def layout_for(path: str | Path, scratch_dir: Path | None = None) -> DatabaseLayout:
    """The layout of the database at `path`; an in-memory database keeps its Lance data in `scratch_dir`."""
    text = str(path)
    if text == MEMORY:
        return DatabaseLayout(MEMORY, scratch_dir)
    duckdb_path = Path(text).expanduser().resolve()
    return DatabaseLayout(str(duckdb_path), duckdb_path.with_name(duckdb_path.name + ".lance"))
