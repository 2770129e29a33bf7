"""The classic DB-API 2.0 compliance suite (Stuart Bishop's dbapi20, from PyPI's dbapi-compliance) on a database file."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import dbapi20

import aidb


class TestOnADatabaseFile(dbapi20.DatabaseAPI20Test):
    """Every test opens its own connections to one file; tearDown opens another to drop the tables.

    (tests/surfaces/test_dbapi_conformance.py covers PEP 249 in memory, section by section.)
    """

    driver = aidb
    # callproc is optional in PEP 249 ("not all databases provide stored procedures"): DuckDB has none,
    # and aidb raises NotSupportedError for it, as the PEP asks.
    lower_func = None

    def test_nextset(self) -> None:
        """aidb returns one result set per execute: nextset() says there is no other (None)."""
        con = self._connect()
        try:
            cur = con.cursor()
            cur.execute("SELECT 1")
            assert cur.nextset() is None
        finally:
            con.close()

    def test_non_idempotent_close(self) -> None:
        """The suite's own note: "reasonable persons differ" on this one. aidb's close, like sqlite3's and
        DuckDB's, is idempotent (a `with` block and an explicit close() may both close); after it every
        other method raises an Error."""
        con = self._connect()
        con.close()
        con.close()
        self.assertRaises(self.driver.Error, con.cursor)
        self.assertRaises(self.driver.Error, con.commit)

    def test_setoutputsize(self) -> None:
        """setoutputsize is a no-op, as PEP 249 allows; results are the same with and without it."""
        con = self._connect()
        try:
            cur = con.cursor()
            cur.setoutputsize(1000, 0)
            cur.execute("SELECT repeat('x', 2000) AS long_text")
            assert cur.fetchone() == ("x" * 2000,)
        finally:
            con.close()

    def setUp(self) -> None:
        self._folder = tempfile.mkdtemp(prefix="aidb-dbapi20-")
        self.connect_args = (str(Path(self._folder) / "compliance.aidb"),)

    def tearDown(self) -> None:
        super().tearDown()
        shutil.rmtree(self._folder, ignore_errors=True)
