"""Locate the SQL resource folders (`migrations/`, `sql_functions/`) in a checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def resource_dir(name: str) -> Path:
    """The folder `name`: bundled inside the wheel (`aidb/_bundled/name`) or at the checkout's top level."""
    for candidate in (_PACKAGE_DIR / "_bundled" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"aidb resource folder {name!r} is missing from the installation")
