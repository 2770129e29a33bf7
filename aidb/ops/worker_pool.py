"""The worker processes of the collection functions (extract_text, read_documents): pure-Python parsers, one per core.

One pool per process, started on first use with 'spawn' (a fresh interpreter: DuckDB's and torch's threads are
not forked) and kept until the process exits. While work is handed to it the caller's `__main__` is hidden, so a
worker never runs the calling script again (or fails on one read from stdin) — it needs nothing from it.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
import types
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from aidb.errors import OperationalError, ProgrammingError

WORKERS_ENV = "AIDB_COLLECT_WORKERS"
MAX_WORKERS = 8
T = TypeVar("T")

_lock = threading.Lock()
_state: dict[str, Any] = {}


def worker_count() -> int:
    """$AIDB_COLLECT_WORKERS, else the CPUs this process may use (at most 8); 1 means: work in this process."""
    configured = os.environ.get(WORKERS_ENV)
    if configured:
        try:
            return max(1, int(configured))
        except ValueError:
            raise ProgrammingError(f"{WORKERS_ENV} must be a whole number of worker processes, got {configured!r}") from None
    return min(MAX_WORKERS, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def in_workers(function_name: str, work: Callable[[Any], T], pieces: Iterable[Any]) -> Iterator[T]:
    """work(piece) for every piece, in order, computed by the worker processes; `work` must be a module-level function."""
    try:
        with _callers_main_hidden():  # map() submits every piece (starting the workers) before it returns
            results = _pool(worker_count()).map(work, pieces)
        yield from results
    except BrokenProcessPool as error:
        _state.pop("pool", None)
        raise OperationalError(f"{function_name}(): a worker process died ({error}); set {WORKERS_ENV}=1 to work in this process") from error


@contextlib.contextmanager
def _callers_main_hidden() -> Iterator[None]:
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _pool(count: int) -> ProcessPoolExecutor:
    with _lock:
        pool = _state.get("pool")
        if pool is None or _state.get("count") != count:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            import multiprocessing

            pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"))
            _state.update(pool=pool, count=count)
        return pool


def worker_pids() -> list[int]:
    """The process ids of the running workers (none before first use): to measure the CPU they spend."""
    pool = _state.get("pool")
    return sorted(getattr(pool, "_processes", None) or ()) if pool is not None else []


@atexit.register
def stop_workers() -> None:
    """Shut the pool down (at exit, or to free its processes); the next use starts a new one."""
    pool = _state.pop("pool", None)
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
