"""Shared fixtures: databases in memory and on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import aidb


@pytest.fixture
def con() -> Iterator[aidb.dbapi.Connection]:
    """A fresh in-memory database in autocommit mode."""
    connection = aidb.connect(":memory:", autocommit=True)
    yield connection
    connection.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The path of a database file that does not exist yet."""
    return tmp_path / "test.aidb"


@pytest.fixture(scope="session")
def tiny_clip_dir(tmp_path_factory) -> Path:
    """aidb's tiny CLIP (aidb.models.tiny_clip), trained once per test session."""
    from aidb.models.tiny_clip import train_tiny_clip

    return train_tiny_clip(tmp_path_factory.mktemp("tiny_clip"))


@pytest.fixture(scope="session")
def ray_cluster():
    """One local Ray (2 CPUs, no dashboard) for all Ray tests of the session: starting Ray costs seconds."""
    ray = pytest.importorskip("ray")
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    from aidb.distributed.ray_runtime import quiet_ray_data

    quiet_ray_data()
    yield ray
    ray.shutdown()
