"""`near_duplicates` on Ray Data: the same MinHash-LSH clusters as `aidb.ops.near_duplicates`, its stages spread out.

1. Signatures and band keys, one Ray task per block of rows (`minhash_kernel.signature_matrix`,
   `lsh_bands.band_hashes`, the local kernels): rows (band, hash, row, part) for every row with words.
2. A hash-partitioned Ray Data `groupby(part).map_groups`: all rows of one (band, hash) land in one partition,
   where `lsh_bands.candidate_pairs` pairs them exactly as locally (row order within a group, the same window for
   large groups). Partitioning by `part = (hash + band) mod P` instead of grouping by (band, hash) itself keeps
   one call per partition rather than one per (mostly single-row) bucket; the shuffle gets P partitions too
   (Ray Data's default, 200, cost seconds of empty tasks on a small cluster).
3. Verification, one Ray task per batch of candidate pairs: the rows' texts are taken from the Lance dataset
   by position (`LanceDataset.take`) and compared with `minhash_kernel.exact_jaccard` (or the signatures'
   estimate, recomputed from the texts with the same kernel).
4. Connected components of the verified pairs on the driver (scipy, as locally): a union-find over the edge list
   needs 8 bytes a row plus 16 an edge, so one driver holds a billion rows with their duplicate edges; only
   near-duplicate edges reach it, never the candidates. (Iterative label propagation over Ray Data would lift
   that limit at the cost of a shuffle per iteration; docs/scale.md.)
5. Each row's estimated similarity to its cluster's kept row: stage 3's estimate over the (row, kept) pairs.

Row positions are the rows' order in the exported Lance dataset, which is the order the input query returns
them in: the same order the local operator reads, so the results are equal.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from aidb.distributed.ray_runtime import cluster_cpus
from aidb.distributed.select_jobs import blocks_of, remove_tree, write_staged_input
from aidb.ops.dedup_input import checked_ids, text_batches
from aidb.ops.duplicate_clusters import cluster_table, components, kept_rows, rank_by_id
from aidb.ops.lsh_bands import band_hashes, candidate_pairs, estimated_jaccard
from aidb.ops.minhash_kernel import EMPTY_SLOT, exact_jaccard, signature_matrix
from aidb.ops.near_duplicates import SEED, LshSettings
from aidb.ops.operator_registry import OperatorInput, OperatorResult

BLOCK_ROWS = 16_384  # rows per signature task
PAIRS_PER_TASK = 65_536  # candidate pairs per verification task
OPERATOR = "near_duplicates"

Progress = Callable[[str, int, int], None]


def near_duplicates_on_ray(source: OperatorInput, args: dict[str, Any], staging: Path, progress: Progress) -> OperatorResult:
    """near_duplicates() with its stages on Ray; (id, cluster_id, keep, similarity_to_kept) as the local operator."""
    settings = LshSettings.from_arguments(OPERATOR, args)
    id_name, text_name, batches = text_batches(source, OPERATOR, args, "col")
    uri = staging / f"near-duplicates-{uuid.uuid4().hex}.lance"
    try:
        import lance

        schema = pa.schema([pa.field("id", source_arrow_type(source, id_name)), pa.field("text", pa.string())])
        reader = pa.RecordBatchReader.from_batches(schema, (pa.record_batch([b.column(0).cast(schema.field(0).type), b.column(1).cast(pa.string())], schema=schema) for b in batches))
        write_staged_input(reader, uri)
        ids = checked_ids(lance.dataset(str(uri)).to_table(columns=["id"]).column("id"), OPERATOR, id_name)
        labels, kept, similarity = ray_clusters(str(uri), len(ids), ids, settings, progress)
    finally:
        remove_tree(uri)
    return OperatorResult(cluster_table(ids, kept, similarity))


def source_arrow_type(source: OperatorInput, column: str) -> pa.DataType:
    """The Arrow type the id column arrives as (DuckDB's BIGINT -> int64, VARCHAR -> string, ...)."""
    batch = next(iter(source.batches([column], 1)), None)
    return batch.schema.field(0).type if batch is not None else pa.int64()


def ray_clusters(uri: str, rows: int, ids: pa.Array, settings: LshSettings, progress: Progress) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(component label, kept row, similarity to the kept row) of every row of the dataset at `uri`."""
    import ray.data

    _, blocks = blocks_of(uri, BLOCK_ROWS)
    partitions = max(1, 2 * cluster_cpus())
    starts = np.concatenate([[0], np.cumsum(blocks.column("limit").to_numpy())[:-1]]) if len(blocks) else np.zeros(0, np.int64)
    blocks = blocks.append_column("first_row", pa.array(starts, pa.int64()))
    progress("near_duplicates on ray: candidate pairs", 0, 3)
    with sort_shuffle():  # around the datasets' creation: each takes a copy of the context then
        keys = ray.data.from_arrow(blocks, override_num_blocks=max(1, len(blocks))).map_batches(
            band_keys, fn_args=(uri, settings, partitions), batch_format="pyarrow", batch_size=1
        ) if len(blocks) else None
        left, right = _collect_pairs(
            keys.groupby("part", num_partitions=partitions).map_groups(pairs_in_partition, batch_format="pyarrow").map_batches(
                verify_pairs, fn_args=(uri, settings, "verify"), batch_format="pyarrow", batch_size=PAIRS_PER_TASK
            )
        ) if keys is not None else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    progress("near_duplicates on ray: components", 1, 3)
    labels = components(rows, left, right)
    kept = kept_rows(labels, rank_by_id(ids))
    similarity = np.ones(rows)
    moved = np.flatnonzero(kept != np.arange(rows))
    if len(moved):
        pairs = pa.table({"left": pa.array(moved, pa.int64()), "right": pa.array(kept[moved], pa.int64())})
        estimated = ray.data.from_arrow(pairs, override_num_blocks=max(1, -(-len(moved) // PAIRS_PER_TASK))).map_batches(
            verify_pairs, fn_args=(uri, settings, "estimate"), batch_format="pyarrow", batch_size=PAIRS_PER_TASK
        )
        for batch in estimated.iter_batches(batch_format="pyarrow", batch_size=None):
            similarity[batch.column("left").to_numpy()] = batch.column("similarity").to_numpy()
    progress("near_duplicates on ray: done", 3, 3)
    return labels, kept, similarity


@contextlib.contextmanager
def sort_shuffle() -> Iterator[None]:
    """Ray Data's sort-based pull shuffle for the band-key groupby while the block runs (the process-wide setting put
    back after). Its default hash shuffle starts aggregator actors for every groupby: 8-10 s of each run on two
    CPUs for 743 rows, against 0.5 s with the sort shuffle's plain tasks (docs/scale.md)."""
    from ray.data import DataContext
    from ray.data.context import ShuffleStrategy

    context = DataContext.get_current()
    previous = context.shuffle_strategy
    context.shuffle_strategy = ShuffleStrategy.SORT_SHUFFLE_PULL_BASED
    try:
        yield
    finally:
        context.shuffle_strategy = previous


def _collect_pairs(verified) -> tuple[np.ndarray, np.ndarray]:
    lefts, rights = [], []
    for batch in verified.iter_batches(batch_format="pyarrow", batch_size=None):
        lefts.append(batch.column("left").to_numpy())
        rights.append(batch.column("right").to_numpy())
    if not lefts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    edges = np.unique(np.stack([np.concatenate(lefts), np.concatenate(rights)], axis=1), axis=0)  # a pair from several bands once
    return edges[:, 0], edges[:, 1]


def band_keys(blocks: pa.Table, uri: str, settings: LshSettings, partitions: int) -> pa.Table:
    """Stage 1: block descriptions in; (band, hash, row, part) out for each band of each row that has words."""
    import lance

    dataset = lance.dataset(uri)
    return pa.concat_tables([_block_keys(dataset, block, settings, np.uint64(partitions)) for block in blocks.to_pylist()])


def _block_keys(dataset, block: dict, s: LshSettings, partitions: np.uint64) -> pa.Table:
    text = dataset.get_fragment(block["fragment"]).to_table(columns=["text"], offset=block["offset"], limit=block["limit"]).column("text")
    text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    signatures = signature_matrix(text, s.num_perm, s.ngram, SEED)
    valid = ~(signatures == EMPTY_SLOT).all(axis=1) & ~text.is_null().to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(valid)
    hashes = band_hashes(signatures[rows], s.bands, s.rows).reshape(-1)  # row-major: each row's bands together
    bands = np.tile(np.arange(s.bands, dtype=np.int32), len(rows))
    with np.errstate(over="ignore"):
        part = ((hashes + bands.astype(np.uint64)) % partitions).astype(np.int64)
    return pa.table(
        {
            "band": pa.array(bands),
            "hash": pa.array(hashes),
            "row": pa.array(np.repeat(rows + block["first_row"], s.bands).astype(np.int64)),
            "part": pa.array(part),
        }
    )


def pairs_in_partition(keys: pa.Table) -> pa.Table:
    """Stage 2: the candidate pairs (left < right, global rows) of one partition's band keys, band by band."""
    band = keys.column("band").to_numpy()
    hashes = keys.column("hash").to_numpy()
    rows = keys.column("row").to_numpy()
    order = np.lexsort((rows, band))  # row order within each band: what candidate_pairs' stable sort relies on
    band, hashes, rows = band[order], hashes[order], rows[order]
    lefts, rights = [], []
    for value in np.unique(band):
        chosen = slice(np.searchsorted(band, value, "left"), np.searchsorted(band, value, "right"))
        members = rows[chosen]
        left, right = candidate_pairs(hashes[chosen].reshape(-1, 1), np.ones(len(members), dtype=bool))
        lefts.append(members[left])
        rights.append(members[right])
    left = np.concatenate(lefts) if lefts else np.zeros(0, np.int64)
    right = np.concatenate(rights) if rights else np.zeros(0, np.int64)
    return pa.table({"left": pa.array(left, pa.int64()), "right": pa.array(right, pa.int64())})


def verify_pairs(pairs: pa.Table, uri: str, settings: LshSettings, mode: str) -> pa.Table:
    """Stages 3 and 5: pairs of global rows in; their similarity out. 'estimate': every pair, by the signatures;
    'verify': the pairs at or above the threshold, by exact Jaccard or by the estimate as `settings.verify` says."""
    import lance

    left, right = pairs.column("left").to_numpy(), pairs.column("right").to_numpy()
    if len(left) == 0:
        return pa.table({"left": pa.array([], pa.int64()), "right": pa.array([], pa.int64()), "similarity": pa.array([], pa.float64())})
    involved = np.unique(np.concatenate([left, right]))
    text = lance.dataset(uri).take(involved, columns=["text"]).column("text")
    text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    li, ri = np.searchsorted(involved, left), np.searchsorted(involved, right)
    if mode == "verify" and settings.verify == "exact":
        similarity = exact_jaccard(text, settings.ngram, li, ri)
    else:
        similarity = estimated_jaccard(signature_matrix(text, settings.num_perm, settings.ngram, SEED), li, ri)
    keep = similarity >= settings.threshold if mode == "verify" else np.ones(len(left), dtype=bool)
    return pa.table({"left": pa.array(left[keep]), "right": pa.array(right[keep]), "similarity": pa.array(similarity[keep], pa.float64())})
