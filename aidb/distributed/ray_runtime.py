"""Joining or starting Ray for aidb's distributed statements, and the early check that the `aidb[ray]` extra is installed."""

from __future__ import annotations

import importlib.util
import os

from aidb.errors import NotSupportedError, OperationalError

RAY_EXTRA = 'pip install "aidb[ray]"'
# Local clusters started by aidb use this many CPUs (default: all of the machine's); a cluster named by address keeps its own.
NUM_CPUS_ENV = "AIDB_RAY_NUM_CPUS"


def require_ray(what: str) -> None:
    """Fail before any work when Ray Data is missing, saying what to install (datatrove's `_requires_dependencies`)."""
    if importlib.util.find_spec("ray") is None or importlib.util.find_spec("ray.data") is None:
        raise NotSupportedError(f"{what} needs Ray Data, which is not installed; install it with: {RAY_EXTRA}")


def connect_ray(address: str | None) -> None:
    """Join the Ray cluster at `address` (None: the one this process already joined, else a new local one)."""
    require_ray("the Ray engine")
    import ray

    if ray.is_initialized():
        return
    options: dict[str, object] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
    if address is None and os.environ.get(NUM_CPUS_ENV):
        options["num_cpus"] = int(os.environ[NUM_CPUS_ENV])
    try:
        ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise OperationalError(f"cannot join the Ray cluster at {address or 'a new local cluster'}: {error}") from error
    quiet_ray_data()


def quiet_ray_data() -> None:
    """aidb draws its own progress (blocks done / total); Ray Data's bars and per-operator logs would interleave with it."""
    from ray.data import DataContext

    context = DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False


def cluster_cpus() -> int:
    """CPUs the cluster offers (at least 1): the size of the actor pools aidb starts."""
    import ray

    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def ray_started() -> bool:
    """Whether this process has joined a Ray cluster (without importing Ray when it is not installed)."""
    if importlib.util.find_spec("ray") is None:
        return False
    import ray

    return ray.is_initialized()
