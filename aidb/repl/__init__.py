"""The interactive SQL shell: `aidb PATH`, `aidb PATH -c ...`, `aidb PATH < script.sql` (shell.py runs it)."""

from __future__ import annotations

from aidb.repl.shell import main, statement_is_complete

__all__ = ["main", "statement_is_complete"]
