"""Fuzzing aidb's SQL front end: only aidb's PEP 249 errors leave execute; the database stays whole.

The default run draws a few hundred statements with hypothesis (which shrinks a failure to a small
statement); the long run (`-m slow`) feeds >= 20,000 from seeded batches, each in a subprocess so
that a crash or a hang shows as such. docs/reliability.md reports what the long run found.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aidb

from fuzz_batch import check_consistent, open_fuzz_database, run_one  # tests/fuzz/fuzz_batch.py
from sql_grammar import parameters, script  # tests/fuzz/sql_grammar.py

T = TypeVar("T")
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


class DrawnChoices:
    """The grammar's decisions drawn by hypothesis, so that a failing statement shrinks."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def pick(self, options: Any) -> Any:
        return self.data.draw(st.sampled_from(list(options)))

    def integer(self, low: int, high: int) -> int:
        return self.data.draw(st.integers(low, high))

    def text(self, max_size: int) -> str:
        return self.data.draw(st.text(max_size=max_size))


@pytest.mark.timeout(900)
@pytest.mark.parametrize("autocommit", [True, False], ids=["autocommit", "pep249"])
def test_generated_statements_raise_only_aidb_errors(tmp_path_factory: pytest.TempPathFactory, autocommit: bool) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.aidb"
    con = open_fuzz_database(path, autocommit)

    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data: st.DataObject) -> None:
        choices = DrawnChoices(data)
        sql = script(choices)
        run_one(con, sql, parameters(choices, sql))

    try:
        check()
        check_consistent(con, path)
    finally:
        con.close()
    again = aidb.connect(str(path))
    check_consistent(again, path)
    again.close()


LONG_RUN_STATEMENTS = int(os.environ.get("AIDB_FUZZ_STATEMENTS", "20000"))
BATCH = 1000
BATCH_TIMEOUT_S = 600  # a batch of 1,000 takes ~1 minute: past this it hangs


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_long_fuzz_run_in_subprocesses(tmp_path: Path) -> None:
    """>= 20,000 statements in batches of 1,000, two subprocesses at a time; a crash or a hang fails the batch."""

    def batch(seed: int) -> dict[str, Any]:
        folder = tmp_path / f"batch{seed}"
        folder.mkdir()
        out = folder / "result.json"
        command = [sys.executable, str(HERE / "fuzz_batch.py"), str(folder / "fuzz.aidb"), str(seed), str(BATCH), str(out)]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=BATCH_TIMEOUT_S, env={**os.environ, "PYTHONPATH": str(REPO)}
            )
        except subprocess.TimeoutExpired:
            return {"seed": seed, "failure": f"hang: no result after {BATCH_TIMEOUT_S} s"}
        if done.returncode != 0 or not out.exists():
            return {"seed": seed, "failure": f"exit status {done.returncode}: {done.stderr[-2000:]}"}
        return json.loads(out.read_text())

    seeds = range(1000, 1000 + LONG_RUN_STATEMENTS // BATCH)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(batch, seeds))
    summary = {
        "statements": sum(r.get("statements", 0) for r in results),
        "outcomes": {k: sum(r.get("outcomes", {}).get(k, 0) for r in results) for k in {k for r in results for k in r.get("outcomes", {})}},
        "failures": [r for r in results if "failure" in r or r.get("unexpected")],
    }
    (tmp_path / "summary.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps({k: v for k, v in summary.items() if k != "failures"}, indent=1))
    assert not summary["failures"], json.dumps(summary["failures"], indent=1)[:20000]
    assert summary["statements"] >= LONG_RUN_STATEMENTS
