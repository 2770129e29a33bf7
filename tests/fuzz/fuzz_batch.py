"""Feed generated statements through `execute` and check what comes out; also a script that runs one batch in a subprocess.

Only aidb's PEP 249 errors may come out, a failed statement leaves no transaction open, and afterwards
the database answers and its catalog agrees with what is on disk.

    python tests/fuzz/fuzz_batch.py DB SEED COUNT OUT.json   (used by the long run in test_front_end.py)
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import aidb

sys.path.insert(0, str(Path(__file__).parent))
from sql_grammar import SETUP, RandomChoices, parameters, script  # noqa: E402


class UnexpectedError(AssertionError):
    """Something other than an aidb PEP 249 error left execute, or a failure left a transaction open."""


def open_fuzz_database(path: Path, autocommit: bool = True) -> aidb.dbapi.Connection:
    con = aidb.connect(str(path), autocommit=True)
    for sql in SETUP:
        con.execute(sql)
    con.autocommit = autocommit
    return con


def run_one(con: aidb.dbapi.Connection, sql: str, params: list[Any] | None) -> str:
    """Execute and fetch; the outcome's name ('ok' or the aidb error class). Raises UnexpectedError otherwise."""
    try:
        cursor = con.execute(sql, params)
        if cursor.description is not None:
            cursor.fetchmany(50)
        return "ok"
    except aidb.Error as error:
        if con.session.in_transaction:
            raise UnexpectedError(f"{type(error).__name__} left a transaction open after {sql!r}") from error
        return type(error).__name__
    except Exception as error:  # what the fuzz looks for
        raise UnexpectedError(f"{type(error).__name__} ({error}) left execute for {sql!r} with {params!r}") from error


def check_consistent(con: aidb.dbapi.Connection, path: Path) -> None:
    """The database answers and its catalog agrees with itself and with the Lance folder."""
    if con.session.in_transaction:
        con.rollback()
    assert con.execute("SELECT 42").fetchall() == [(42,)]
    kinds = {k for (k,) in con.execute("SELECT DISTINCT kind FROM aidb.models").fetchall()}
    assert kinds <= {"embedding", "language", "clip", "classifier", "tokenizer"}, kinds
    lance = {name for (name,) in con.execute("SELECT name FROM aidb.lance_tables").fetchall()}
    indexed = {table for (table,) in con.execute("SELECT DISTINCT table_name FROM aidb.vector_indexes").fetchall()}
    assert indexed <= lance, (indexed, lance)
    folder = Path(str(path) + ".lance")
    for name in lance:
        assert (folder / f"{name}.lance").is_dir(), f"Lance table {name} has no dataset in {folder}"
        con.execute(f'SELECT count(*) FROM "{name}"').fetchall()
    con.execute("SHOW MODELS").fetchall()
    con.execute("SHOW VECTOR INDEXES").fetchall()


def run_batch(path: Path, seed: int, count: int, autocommit: bool) -> dict[str, Any]:
    """`count` statements from `seed` on a fresh database at `path`; then the consistency check and a re-open."""
    con = open_fuzz_database(path, autocommit)
    choices = RandomChoices(seed)
    outcomes: Counter[str] = Counter()
    unexpected: list[str] = []
    slowest = (0.0, "")
    for _ in range(count):
        sql = script(choices)
        params = parameters(choices, sql)
        started = time.perf_counter()
        try:
            outcomes[run_one(con, sql, params)] += 1
        except UnexpectedError as error:
            outcomes["unexpected"] += 1
            unexpected.append("".join(traceback.format_exception(error))[-3000:])
        slowest = max(slowest, (time.perf_counter() - started, sql[:200]))
    check_consistent(con, path)
    con.close()
    again = aidb.connect(str(path))
    check_consistent(again, path)
    again.close()
    return {"seed": seed, "statements": count, "outcomes": dict(outcomes), "unexpected": unexpected, "slowest": slowest}


if __name__ == "__main__":
    database, seed_text, count_text, out = sys.argv[1:5]
    seed = int(seed_text)
    result = run_batch(Path(database), seed, int(count_text), autocommit=seed % 2 == 0)
    Path(out).write_text(json.dumps(result, indent=1))
