"""Kept so `from aidb.ops.utf8_buffers import offsets_and_bytes` goes on working: the module is now the leaf `aidb.utf8_buffers`."""

from __future__ import annotations

from aidb.utf8_buffers import offsets_and_bytes

__all__ = ["offsets_and_bytes"]
