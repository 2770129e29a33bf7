"""Rows of one query, domain by domain, in a seeded shuffled order read a chunk at a time (bounded memory).

Each domain's rows are read in the order of `hash(id, seed, epoch)` (ties broken by the id) with keyset
pagination: a chunk is the next `chunk_rows` rows after the last one handed out, so memory holds at most one
chunk per domain, and a position is two values (the last key and id) that a checkpoint can store. A DataLoader
worker reads only the rows with `hash(id, seed) % workers = worker`, so workers never hand out the same row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from aidb.errors import DataError, ProgrammingError, did_you_mean

_KEY = "aidb_order_key"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class QueryShape:
    """What the query returns: its columns, and the domains with their row counts (in this worker's share)."""

    columns: tuple[str, ...]
    domain_rows: dict[str, int]


@dataclass(frozen=True)
class Shard:
    """This reader's share of the rows: worker `index` of `count` (0 of 1 when there are no workers)."""

    index: int = 0
    count: int = 1


class QueryRows:
    """The rows of `sql` over an aidb connection, filtered to one shard and read one domain chunk at a time."""

    def __init__(self, con: Any, sql: str, domain_col: str, id_col: str, seed: int, shard: Shard = Shard()) -> None:
        self.con, self.domain_col, self.id_col, self.seed, self.shard = con, domain_col, id_col, seed, shard
        self.sql = sql.strip().rstrip(";").strip()
        if not self.sql:
            raise ProgrammingError("QueryDataset: the query is empty")

    def shape(self) -> QueryShape:
        """The query's columns and per-domain counts; an error naming a missing domain or id column, or NULL domains."""
        columns = tuple(d[0] for d in self.con.execute(f"SELECT * FROM ({self.sql}) AS aidb_training LIMIT 0").description)
        for argument, name in (("domain_col", self.domain_col), ("id_col", self.id_col)):
            if name not in columns:
                hint = " Name the column that identifies rows with id_col='...'." if argument == "id_col" else ""
                raise ProgrammingError(
                    f"QueryDataset: argument {argument}: the query has no column {name!r} (its columns: "
                    f"{', '.join(columns)}).{did_you_mean(name, columns)}{hint}"
                )
        domain, ident = _quote(self.domain_col), _quote(self.id_col)
        counts = self.con.execute(
            f"SELECT {domain}::VARCHAR, count(*) FROM ({self.sql}) AS aidb_training WHERE {self._shard_filter()} GROUP BY 1 ORDER BY 1"
        ).fetchall()
        nulls = self.con.execute(
            f"SELECT count(*) FILTER (WHERE {domain} IS NULL), count(*) FILTER (WHERE {ident} IS NULL) FROM ({self.sql}) AS aidb_training"
        ).fetchone()
        if nulls[0]:
            raise DataError(f"QueryDataset: {nulls[0]} row(s) of the query have a NULL {self.domain_col!r} (domain_col); filter them out or give them a domain")
        if nulls[1]:
            raise DataError(f"QueryDataset: {nulls[1]} row(s) of the query have a NULL {self.id_col!r} (id_col); rows need an identifier")
        return QueryShape(columns, {name: rows for name, rows in counts})

    def chunk(self, domain: str, epoch: int, after: tuple[int, Any] | None, rows: int) -> pa.Table:
        """The next `rows` rows of `domain` in epoch `epoch`'s order, after position `after` (None: from the start)."""
        ident = _quote(self.id_col)
        where = [f"{_quote(self.domain_col)}::VARCHAR = ?", self._shard_filter()]
        parameters: list[Any] = [domain]
        if after is not None:
            where.append(f"({_KEY} > ? OR ({_KEY} = ? AND {ident} > ?))")
            parameters += [after[0], after[0], after[1]]
        query = (
            f"SELECT * FROM (SELECT *, hash({ident}, {int(self.seed)}, {int(epoch)}) AS {_KEY} FROM ({self.sql}) AS aidb_training) "
            f"WHERE {' AND '.join(where)} ORDER BY {_KEY}, {ident} LIMIT {int(rows)}"
        )
        reader = self.con.cursor().execute(query, parameters).fetch_record_batch(rows)
        return pa.Table.from_batches(list(reader), schema=reader.schema)

    def _shard_filter(self) -> str:
        if self.shard.count == 1:
            return "true"
        return f"hash({_quote(self.id_col)}, {int(self.seed)}) % {int(self.shard.count)} = {int(self.shard.index)}"


@dataclass
class DomainCursor:
    """One domain's place in its stream: the epoch, the last row handed out, and the unread rows of the current chunk."""

    domain: str
    epoch: int = 0
    after: tuple[int, Any] | None = None
    buffer: list[dict[str, Any]] = field(default_factory=list)

    def state(self) -> dict[str, Any]:
        return {"epoch": self.epoch, "after": None if self.after is None else list(self.after)}


class DomainStreams:
    """Hands out rows domain by domain, starting a new epoch (a fresh shuffle) of a domain when it runs out."""

    def __init__(self, rows: QueryRows, domains: list[str], chunk_rows: int) -> None:
        self.rows, self.chunk_rows = rows, chunk_rows
        self.cursors = {d: DomainCursor(d) for d in domains}

    def take(self, domain: str, n: int) -> Iterator[dict[str, Any]]:
        """The next `n` rows of `domain`, each with its epoch under 'aidb_epoch'."""
        cursor = self.cursors[domain]
        for _ in range(n):
            if not cursor.buffer:
                self._refill(cursor)
            row = cursor.buffer.pop()
            cursor.after = (row.pop(_KEY), row[self.rows.id_col])
            row["aidb_epoch"] = cursor.epoch
            yield row

    def _refill(self, cursor: DomainCursor) -> None:
        chunk = self.rows.chunk(cursor.domain, cursor.epoch, cursor.after, self.chunk_rows)
        if chunk.num_rows == 0:  # the epoch is over: the next one reads the domain in a new order
            cursor.epoch, cursor.after = cursor.epoch + 1, None
            chunk = self.rows.chunk(cursor.domain, cursor.epoch, None, self.chunk_rows)
            if chunk.num_rows == 0:
                raise DataError(f"QueryDataset: domain {cursor.domain!r} has no rows left to read (did the table change while training?)")
        cursor.buffer = chunk.to_pylist()[::-1]  # popped from the end: first row first

    def state(self) -> dict[str, Any]:
        return {d: c.state() for d, c in self.cursors.items()}

    def load_state(self, state: dict[str, Any]) -> None:
        unknown = sorted(set(state) - set(self.cursors))
        if unknown:
            raise ProgrammingError(f"QueryDataset.load_state_dict: the checkpoint names domains the query does not have: {', '.join(unknown)}")
        for domain, saved in state.items():
            cursor = self.cursors[domain]
            cursor.epoch = int(saved["epoch"])
            cursor.after = None if saved["after"] is None else (saved["after"][0], saved["after"][1])
            cursor.buffer = []
