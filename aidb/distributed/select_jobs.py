"""Run a row-wise SELECT over a Lance dataset on Ray Data and commit its output as one Lance version.

The input is cut into blocks of at most `batch_rows` rows inside its fragments (one Ray Data row per block, so
the number of blocks is known up front and progress is exact); an actor pool of `SelectAndWrite` actors runs the
SELECT over each block and writes the result as fragments of the output dataset; the driver collects the
fragments' metadata in block order and commits them all at once (`LanceDataset.commit`). Until that commit the
output has no version: a failed or cancelled job leaves data files only, which the caller removes.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from aidb.distributed.batch_select import CRASH_ONCE_ENV, SelectAndWrite, schema_bytes
from aidb.distributed.ray_runtime import cluster_cpus
from aidb.distributed.worker_models import WorkerModels
from aidb import errors
from aidb.errors import Error, OperationalError

# Rows per block: at most BATCH_ROWS, fewer for small inputs so that every CPU gets BLOCKS_PER_CPU blocks (an
# expensive model over a few thousand rows still spreads over the cluster), but not under MIN_BLOCK_ROWS. Each
# block also pays Ray Data's dispatch of one actor call and one Lance fragment: 20-40 ms on two busy CPUs, which
# at 8,192 rows cost minhash (~4 us a row) 40% of its actors' time; at 32,768 rows it is a few per cent
# (bench/RESULTS.md, "Ray engine").
BATCH_ROWS = 32_768
MIN_BLOCK_ROWS = 256
BLOCKS_PER_CPU = 4


def block_rows(rows: int, cpus: int) -> int:
    """The block size for `rows` input rows on `cpus` CPUs."""
    return min(BATCH_ROWS, max(MIN_BLOCK_ROWS, -(-rows // (BLOCKS_PER_CPU * max(cpus, 1)))))


@dataclass(frozen=True)
class SelectJob:
    source_uri: str
    columns: tuple[str, ...]  # what the SELECT reads of the source
    batch_sql: str  # the SELECT over one block, as DuckDB runs it (table `aidb_batch`)
    schema: pa.Schema  # of the output rows
    models: WorkerModels
    rows: int  # in the source: the block size follows from it


@dataclass(frozen=True)
class JobSummary:
    rows_read: int
    rows_written: int
    blocks: int
    actors: int
    seconds: float
    first_block_s: float = 0.0  # until the first block came back: actor start-up, model loads, one block


Progress = Callable[[int, int], None]  # (blocks done, blocks in all)


def blocks_of(uri: str, batch_rows: int) -> tuple[int, pa.Table]:
    """(dataset version, one row per block: block, fragment, offset, limit) covering the dataset in its order."""
    import lance

    dataset = lance.dataset(uri)
    rows: dict[str, list[int]] = {"block": [], "fragment": [], "offset": [], "limit": []}
    for fragment in dataset.get_fragments():
        count = fragment.count_rows()
        for offset in range(0, count, batch_rows):
            rows["block"].append(len(rows["block"]))
            rows["fragment"].append(fragment.fragment_id)
            rows["offset"].append(offset)
            rows["limit"].append(min(batch_rows, count - offset))
    return dataset.version, pa.table({name: pa.array(values, pa.int64()) for name, values in rows.items()})


def actors_for(blocks: int) -> int:
    return max(1, min(blocks, cluster_cpus()))


def run_select_job(job: SelectJob, output_uri: str, progress: Progress) -> tuple[list, JobSummary]:
    """Run `job`, writing fragments under `output_uri`; returns the fragments (block order) and what it did."""
    import ray.data
    from lance.fragment import FragmentMetadata

    started = time.perf_counter()
    version, blocks = blocks_of(job.source_uri, block_rows(job.rows, cluster_cpus()))
    actors = actors_for(len(blocks))
    if len(blocks) == 0:
        return [], JobSummary(0, 0, 0, 0, time.perf_counter() - started)
    written = ray.data.from_arrow(blocks, override_num_blocks=len(blocks)).map_batches(
        SelectAndWrite,
        fn_constructor_args=(
            job.source_uri, version, list(job.columns), job.batch_sql, job.models, output_uri, schema_bytes(job.schema), os.environ.get(CRASH_ONCE_ENV)
        ),
        batch_format="pyarrow",
        batch_size=1,
        compute=ray.data.ActorPoolStrategy(size=actors),
        num_cpus=1,
    )
    by_block: dict[int, list] = {}
    rows_read = 0
    first_block_s = 0.0
    progress(0, len(blocks))
    batches = iter(written.iter_batches(batch_format="pyarrow", batch_size=None))
    try:
        for batch in batches:
            for row in batch.to_pylist():
                if row["error"] is not None:
                    raise worker_error(json.loads(row["error"]))
                by_block[row["block"]] = [FragmentMetadata.from_json(json.dumps(f)) for f in json.loads(row["fragments"])]
                rows_read += row["rows_read"]
            first_block_s = first_block_s or time.perf_counter() - started
            progress(len(by_block), len(blocks))
    except Error:
        raise
    except Exception as error:  # Ray's own failures: a worker that died more often than Ray retries, a lost node
        raise OperationalError(f"the Ray job failed: {_first_line(error)}") from error
    finally:
        # Ctrl-C (KeyboardInterrupt) or an error: closing the iterator shuts Ray Data's executor down, which
        # cancels the blocks in flight and ends the actors (best effort: a block inside a C call ends with it)
        close = getattr(batches, "close", None)
        if close is not None:
            close()
    fragments = [f for block in sorted(by_block) for f in by_block[block]]
    rows_written = sum(f.num_rows for f in fragments)
    return fragments, JobSummary(
        rows_read, rows_written, len(blocks), actors, time.perf_counter() - started, first_block_s
    )


def worker_error(reported: dict) -> Error:
    """The aidb error a worker reported, as the same class (an OperationalError if the class is unknown)."""
    kind = getattr(errors, reported.get("class", ""), None)
    if not (isinstance(kind, type) and issubclass(kind, Error)):
        kind = OperationalError
    return kind(reported.get("message", "a Ray worker failed"))


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def commit_new(uri: str, schema: pa.Schema, fragments: list) -> None:
    """The one commit of a job's output as a new dataset (version 1)."""
    import lance

    lance.LanceDataset.commit(uri, lance.LanceOperation.Overwrite(schema, fragments))


# Lance's 2.0 file format for the inputs a job exports and removes afterwards: 1M paragraphs wrote in 0.25 s
# against 1.2 s in the default 2.1 format, whose string compression buys nothing for a file read once.
STAGED_FORMAT = "2.0"


def write_staged_input(reader: pa.RecordBatchReader, path: Path) -> None:
    """Write a job's exported input as a Lance dataset at `path` (removed again if the write fails)."""
    import lance

    try:
        lance.write_dataset(reader, str(path), mode="create", data_storage_version=STAGED_FORMAT)
    except BaseException:
        remove_tree(path)
        raise


def remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
