"""A connection holding the demo corpus as `docs (id, domain, text)`, one per test module."""

from __future__ import annotations

import pytest

import aidb
from aidb.demo.pipeline import CORPUS


@pytest.fixture(scope="module")
def con():
    con = aidb.connect(":memory:", autocommit=True, progress=False)
    con.execute(f"CREATE TABLE docs AS SELECT id, domain, text FROM read_json_auto('{CORPUS}')")
    yield con
    con.close()
