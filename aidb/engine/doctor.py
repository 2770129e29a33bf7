"""`aidb doctor PATH [--dry-run]`: find where a database's catalog and its files disagree, and repair it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from aidb.engine.session import Session
from aidb.errors import OperationalError
from aidb.storage.consistency import Finding, diagnose, repair
from aidb.storage.extensions import load_extension
from aidb.storage.layout import layout_for
from aidb.storage.model_files import MODELS_SUFFIX


@dataclass(frozen=True)
class DoctorReport:
    found: list[Finding]  # before any repair
    remaining: list[Finding]  # after repairing (equal to `found` in a dry run)


def run_doctor(path: str | Path, dry_run: bool = False) -> DoctorReport:
    """Check the database at `path`; unless `dry_run`, repair what is found and check again."""
    layout = layout_for(path)
    if layout.in_memory or not Path(layout.duckdb_path).is_file():
        raise OperationalError(f"aidb doctor: no database file at {path}")
    models_dir = Path(layout.duckdb_path + MODELS_SUFFIX)
    found = _diagnose_read_only(layout.duckdb_path, layout.lance_dir, models_dir)
    if dry_run:
        return DoctorReport(found, found)
    session = Session(layout.duckdb_path, autocommit=True)  # opening rolls pending commits forward and reconciles
    try:
        folder = session.lance_folder()
        repair(session.duck, folder, models_dir)
        remaining = diagnose(session.duck, folder, models_dir)
    finally:
        session.close()
    return DoctorReport(found, remaining)


def _diagnose_read_only(duckdb_path: str, lance_dir: Path | None, models_dir: Path) -> list[Finding]:
    try:
        con = duckdb.connect(duckdb_path, read_only=True)
    except duckdb.Error as error:
        raise OperationalError(f"aidb doctor: cannot open {duckdb_path} ({error}); is another process writing it?") from error
    try:
        if lance_dir is not None and lance_dir.is_dir():
            load_extension(con, "lance")
        return diagnose(con, lance_dir, models_dir)
    finally:
        con.close()
