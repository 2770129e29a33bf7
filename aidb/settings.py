"""aidb's own settings, changed per connection with `SET aidb_<name> = value` and handed to the rewrite passes as data.

A leaf module: the catalog view carries a `Settings`, so a pass reads a threshold from its input rather than from
a module constant, and a plan cached under one value is dropped when the value changes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from aidb.errors import ProgrammingError, did_you_mean

PREFIX = "aidb_"


@dataclass(frozen=True)
class Settings:
    # Below this many candidate rows an exact scan is both exact and about as fast as probing a vector index,
    # unless Lance can prefilter them in a larger table (sql/vector_plan.py, bench/RESULTS.md "vector search").
    exact_scan_max_rows: int = 20_000
    # From this many rows, an exact top-k over a Lance table ranks the vectors in numpy (read once per dataset
    # version) instead of DuckDB scanning the table through the lance extension (sql/rewrite_vector_search.py).
    numpy_exact_min_rows: int = 20_000
    # Where statements over model functions run: 'duckdb' (this process) or 'ray' (Ray Data jobs over Lance
    # fragments, engine/ray_statements.py; needs the aidb[ray] extra, checked by the session when set).
    engine: str = "duckdb"
    ray_address: str | None = None  # the Ray cluster to join; None: the one this process joined, else a local one


DOCS = {
    "exact_scan_max_rows": "candidate rows at or below which a top-k vector query is scanned exactly instead of using the ANN index",
    "numpy_exact_min_rows": "rows from which an exact top-k over a Lance table ranks its vectors in numpy instead of a DuckDB scan",
    "engine": "'duckdb' or 'ray': where CREATE TABLE ... AS / INSERT ... SELECT over model functions and near_duplicates run",
    "ray_address": "the Ray cluster the ray engine joins ('auto', 'ray://head:10001'); unset: this process's, else a new local one",
}
ENGINES = ("duckdb", "ray")


def names() -> list[str]:
    return [PREFIX + f.name for f in fields(Settings)]


def is_setting(name: str) -> bool:
    return name.lower().startswith(PREFIX)


def with_value(settings: Settings, name: str, value: object) -> Settings:
    """`settings` with `name` (aidb_...) set to `value`; None resets it to its default."""
    field = _field(name)
    if value is None:
        return replace(settings, **{field: getattr(Settings(), field)})
    if field == "engine":
        if str(value).lower() not in ENGINES:
            raise ProgrammingError(f"unknown aidb_engine {value!r}; expected one of {', '.join(map(repr, ENGINES))}")
        return replace(settings, engine=str(value).lower())
    if field == "ray_address":
        if not isinstance(value, str):
            raise ProgrammingError(f"SET {name.lower()}: expected a quoted address, got {value!r}")
        return replace(settings, ray_address=value or None)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ProgrammingError(f"SET {name.lower()}: expected a whole number of rows >= 0, got {value!r}")
    return replace(settings, **{field: value})


def _field(name: str) -> str:
    field = name.lower().removeprefix(PREFIX)
    if field not in DOCS:
        raise ProgrammingError(f"unknown aidb setting {name!r}.{did_you_mean(name.lower(), names())} aidb's settings: {', '.join(names())}")
    return field
