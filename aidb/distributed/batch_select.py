"""The Ray Data actor that runs a statement's row-wise SELECT over each block and writes the rows as Lance fragments.

Each actor holds an in-memory DuckDB connection with aidb's SQL functions and macros registered exactly as a
session registers them (`aidb.functions.registry.register_functions`), so `embed`, `perplexity`, `minhash`,
`classify` and `clip_score` run the same vectorised code as locally; models load once per actor. The rows are
written with `lance.fragment.write_fragments` into the output dataset's folder and only the fragments'
metadata goes back to the driver, which commits all of them at once (Lance's distributed-write pattern).
"""

from __future__ import annotations

import json
import os

import duckdb
import pyarrow as pa

from aidb.distributed.worker_models import WorkerFunctionContext, WorkerModels
from aidb.errors import Error, translate_duckdb_error
from aidb.functions.registry import ErrorSlot, register_functions
from aidb.storage.macros import load_macros

BATCH_TABLE = "aidb_batch"
# Test hook for fault tolerance, read on the driver: the first block any actor takes kills its process once; the
# marker file (the variable's value) records that it happened, so the restarted actor goes on.
CRASH_ONCE_ENV = "AIDB_RAY_CRASH_FIRST_BATCH"


class SelectAndWrite:
    """Ray Data callable class: a batch of block descriptions (fragment, offset, limit of the source) in; for each
    block, the fragments written (as Lance's JSON), the rows it read and the aidb error it met (JSON, else NULL) out.

    An aidb error is returned as data, not raised: Ray Data would flatten it into a generic task error, and retrying
    a deterministic error (an unknown model, a bad value) only repeats it.
    """

    def __init__(self, source_uri: str, source_version: int, columns: list[str], batch_sql: str, models: WorkerModels,
                 output_uri: str, schema_bytes: bytes, crash_marker: str | None = None) -> None:
        import lance

        self._crash_marker = crash_marker
        self._source = lance.dataset(source_uri, version=source_version)
        self._columns = columns
        self._sql = batch_sql
        self._uri = output_uri
        self._schema = pa.ipc.read_schema(pa.py_buffer(schema_bytes))
        self._duck = duckdb.connect()
        self._duck.execute("SET threads = 1")  # one actor per CPU: the actor is the unit of parallelism
        self._errors = ErrorSlot()
        register_functions(self._duck, WorkerFunctionContext(models), self._errors)
        load_macros(self._duck)

    def __call__(self, blocks: pa.Table) -> pa.Table:
        written, read, errors = [], [], []
        for block in blocks.to_pylist():
            crash_once_if_asked(self._crash_marker)
            try:
                fragments, rows = self.run_block(block)
            except Error as error:  # the user's error (a bad model name, bad data): reported, not retried
                fragments, rows = [], 0
                errors.append(json.dumps({"class": type(error).__name__, "message": str(error.args[0]) if error.args else ""}))
            else:
                errors.append(None)
            written.append(json.dumps([f.to_json() for f in fragments]))
            read.append(rows)
        return pa.table(
            {
                "block": blocks.column("block"),
                "fragments": pa.array(written, pa.string()),
                "rows_read": pa.array(read, pa.int64()),
                "error": pa.array(errors, pa.string()),
            }
        )

    def run_block(self, block: dict) -> tuple[list, int]:
        """Read one block of the source, run the SELECT over it, write the result as fragments of the output."""
        from lance.fragment import write_fragments

        rows = self._source.get_fragment(block["fragment"]).to_table(columns=self._columns, offset=block["offset"], limit=block["limit"])
        result = self.select(rows)
        fragments = write_fragments(result, self._uri, schema=self._schema, max_rows_per_file=max(len(result), 1)) if len(result) else []
        return fragments, len(rows)

    def select(self, batch: pa.Table) -> pa.Table:
        """The statement's SELECT over `batch`, cast to the output schema the driver fixed."""
        self._duck.register(BATCH_TABLE, batch)
        try:
            result = self._duck.execute(self._sql).to_arrow_table()
        except duckdb.Error as error:
            raised = self._errors.take()
            raise (raised if isinstance(raised, Error) else translate_duckdb_error(error, self._sql)) from error
        finally:
            self._duck.unregister(BATCH_TABLE)
        return result.rename_columns(self._schema.names).cast(self._schema)


def crash_once_if_asked(marker: str | None) -> None:
    if not marker:
        return
    try:
        with open(marker, "x"):
            pass
    except FileExistsError:
        return
    os._exit(17)  # as a killed worker would: no exception, no cleanup


def schema_bytes(schema: pa.Schema) -> bytes:
    """An Arrow schema as bytes for the actors' constructor (an IPC message: no pickle)."""
    return schema.serialize().to_pybytes()

