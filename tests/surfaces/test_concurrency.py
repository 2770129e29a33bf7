"""Concurrency: threads with cursors of their own, threads with connections of their own, and DuckDB's process rule
(one process writes a file, or several read it) with a clear error naming the lock holder instead of a hang."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

import aidb

QUERIES = (
    "SELECT id, minhash(text, num_perm := 16) FROM docs ORDER BY id",
    "SELECT id, embed(text) FROM docs WHERE id < 12 ORDER BY id",
    "SELECT id FROM vector_search(vecs, v, [0.5, 0.25, 0.125, 1.0]::FLOAT[4], k := 5)",
    "SELECT id, word_count(text), gopher_quality(text) FROM docs ORDER BY id",
)


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("concurrency") / "c.aidb")
    with aidb.connect(path) as con:
        con.execute(
            "CREATE TABLE docs AS SELECT range AS id, 'document number ' || range || ' talks about topic ' || (range % 7) "
            "|| ' at some length, with a few more words so that filters have text to read.' AS text FROM range(60)"
        )
        con.execute("CREATE TABLE vecs AS SELECT range AS id, [sin(range), cos(range), range / 100, 1.0]::FLOAT[4] AS v FROM range(500)")
    return path


def _run_all(cursor) -> list:
    return [cursor.execute(sql).fetchall() for sql in QUERIES]


def _in_threads(work, count: int) -> list:
    """Run work(i) in `count` threads released together by a barrier; each thread's result (or its exception)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def test_threads_with_their_own_cursors_on_one_connection_get_the_serial_results(database):
    con = aidb.connect(database, read_only=True)
    serial = _run_all(con.cursor())
    results = _in_threads(lambda i: [_run_all(con.cursor()) for _ in range(2)], 4)
    for result in results:
        assert not isinstance(result, BaseException), result
        assert result == [serial, serial]
    con.close()


def test_threads_with_their_own_connections_to_one_file_get_the_serial_results(database):
    with aidb.connect(database, read_only=True) as con:
        serial = _run_all(con.cursor())

    def work(i: int) -> list:
        with aidb.connect(database, read_only=True) as own:
            return _run_all(own.cursor())

    for result in _in_threads(work, 4):
        assert not isinstance(result, BaseException), result
        assert result == serial


def test_a_cursor_fetching_while_another_thread_runs_statements_keeps_its_rows(database):
    con = aidb.connect(database, read_only=True)
    reader = con.cursor().execute("SELECT id FROM docs ORDER BY id")
    first = reader.fetchone()

    def other(i: int) -> int:
        return sum(len(con.cursor().execute("SELECT * FROM vecs").fetchall()) for _ in range(5))

    assert _in_threads(other, 2) == [2500, 2500]
    assert [first, *reader.fetchall()] == [(i,) for i in range(60)]
    con.close()


_HOLD = """
import sys, aidb
con = aidb.connect(sys.argv[1], read_only=sys.argv[2] == 'ro')
print(con.execute('SELECT count(*) FROM docs').fetchone()[0], flush=True)
sys.stdin.read()
"""


def _holder(path: str, mode: str) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", _HOLD, path, mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "60"
    return process


def _release(process: subprocess.Popen) -> None:
    process.stdin.close()
    process.wait(timeout=60)


def test_a_second_writer_process_gets_an_error_naming_the_lock_holder_not_a_hang(database):
    writer = _holder(database, "rw")
    try:
        for read_only in (False, True):
            started = time.monotonic()
            with pytest.raises(aidb.OperationalError) as caught:
                aidb.connect(database, read_only=read_only)
            assert time.monotonic() - started < 10
            message = str(caught.value)
            assert f"process {writer.pid}" in message and "python" in message
            assert "one process write" in message
    finally:
        _release(writer)
    with aidb.connect(database) as con:  # the lock went with the writer
        assert con.execute("SELECT count(*) FROM docs").fetchone()[0] == 60


def test_several_reader_processes_share_the_file_and_keep_a_writer_out(database):
    readers = [_holder(database, "ro") for _ in range(2)]
    try:
        with pytest.raises(aidb.OperationalError, match=f"process ({readers[0].pid}|{readers[1].pid})"):
            aidb.connect(database)
    finally:
        for reader in readers:
            _release(reader)
