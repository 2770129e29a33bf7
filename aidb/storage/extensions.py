"""Load the DuckDB extensions aidb relies on from their installed PyPI packages, never from the network."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

import duckdb

from aidb.errors import OperationalError


@cache
def extension_path(name: str) -> Path:
    """The `.duckdb_extension` binary shipped by the PyPI package `duckdb-extension-<name>`."""
    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    if spec is None or not spec.submodule_search_locations:
        raise OperationalError(
            f"the DuckDB extension {name!r} is not installed; run: pip install duckdb-extension-{name}=={duckdb.__version__}"
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    binary = root / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not binary.is_file():
        found = sorted(p.parent.name for p in root.glob(f"extensions/*/{name}.duckdb_extension"))
        raise OperationalError(
            f"duckdb-extension-{name} has no build for DuckDB {duckdb.__version__} (it ships {found}); "
            f"install duckdb-extension-{name}=={duckdb.__version__}"
        )
    return binary


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Load `name` on `con` unless it is loaded already (loading the lance binary costs ~0.6 s)."""
    loaded = con.execute(
        "SELECT loaded FROM duckdb_extensions() WHERE extension_name = ?", [name]
    ).fetchone()
    if loaded and loaded[0]:
        return
    try:
        con.load_extension(str(extension_path(name)))
    except duckdb.Error as error:
        raise OperationalError(f"could not load the DuckDB extension {name!r}: {error}") from error
