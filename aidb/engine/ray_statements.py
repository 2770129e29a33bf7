"""Run on Ray Data the statements the Ray engine takes (`SET aidb_engine = 'ray'`): CREATE TABLE ... AS and
INSERT ... SELECT whose SELECT is row-wise over one table and calls model functions (aidb/distributed/row_wise.py).

The source is read as Lance fragments (a DuckDB table, or a Lance table with writes staged in the open
transaction, is exported to a Lance dataset in the database's staging folder first); the output of CREATE TABLE
... AS is a Lance table committed once, in a staging folder that is renamed into place, so a failed or cancelled
job leaves no table and no catalog row. INSERT ... SELECT writes its rows through the session's usual path.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow as pa
from sqlglot import exp

from aidb.distributed.near_duplicates import BLOCK_ROWS as RAY_DEDUP_BLOCK_ROWS
from aidb.distributed.near_duplicates import near_duplicates_on_ray
from aidb.distributed.semantic_duplicates import semantic_duplicates_on_ray
from aidb.distributed.ray_runtime import cluster_cpus, connect_ray, ray_started, require_ray
from aidb.distributed.row_wise import BATCH_TABLE, RayTarget, ray_target
from aidb.distributed import select_jobs
from aidb.distributed.select_jobs import JobSummary, SelectJob, commit_new, remove_tree, run_select_job, write_staged_input
from aidb.distributed.worker_models import WorkerModels
from aidb.engine.model_trust_policy import check_model_trusted
from aidb.engine.outcome import NO_ROWS, Outcome
from aidb.engine.statement_context import StatementContext
from aidb.engine.transactions import Transactions
from aidb.errors import OperationalError, ProgrammingError
from aidb.settings import Settings, with_value
from aidb.ops.operator_registry import OperatorInput, OperatorResult
from aidb.sql.frontend import ParsedStatement, parse_statement
from aidb.sql.lineage import lineage_of
from aidb.sql.provenance import model_columns
from aidb.sql.rewrite_operator_calls import operator_calls
from aidb.storage.catalog import record_run
from aidb.storage.column_provenance import record_column_provenance
from aidb.storage.lance_tables import attach_lance_folder, dataset_path, reattach_lance_folder, record_lance_table
from aidb.version import __version__



class RayContext(StatementContext, Protocol):
    """What a statement run on the Ray engine uses of the session, beyond any statement's context."""

    engine: str  # 'duckdb' | 'ray'
    ray_address: str | None
    last_ray_job: JobSummary | None
    trust_models: bool
    transactions: Transactions

    def model_files_dir(self) -> Path: ...

RAY_OPERATORS = {"near_duplicates": near_duplicates_on_ray, "semantic_duplicates": semantic_duplicates_on_ray}
RAY_OPERATOR_PLANS = {
    "near_duplicates": (
        f"signatures and band keys in Ray tasks of {RAY_DEDUP_BLOCK_ROWS} rows -> Ray Data groupby on band keys "
        "(hash-partitioned, 2 partitions per CPU) -> candidate pairs -> verification tasks -> connected components "
        "of the verified pairs on the driver"
    ),
    "semantic_duplicates": (
        "embeddings read and k-means fitted on the driver -> pairwise cosines within clusters in Ray tasks "
        "(groups of clusters, 4 per CPU) -> connected components of the pairs on the driver"
    ),
}
# The other operators (dedup's cascade, the selection and mixing operators, ...) run in the session's process on
# either engine: EXPLAIN AIDB says so (docs/scale.md, "What stays on one machine").
ON_DRIVER = "runs in this process on the driver, not on Ray: its input must fit one machine (docs/scale.md)"
RAY_MAP_STEP = "ray map_batches"
STAGING_FOLDER = "_aidb_staging"
RAY_ROWS = "aidb_ray_rows"  # the rows a Ray job computed, as DuckDB reads them for an INSERT into a DuckDB table  # inside the Lance folder: on a cluster it must be storage every node reads


@dataclass(frozen=True)
class RaySource:
    uri: str  # the Lance dataset the job reads
    columns: tuple[str, ...]
    exported: Path | None  # a dataset exported for the job, removed afterwards


def check_engine(engine: str) -> str:
    """`engine` checked (settings.with_value's message for an unknown one); 'ray' also needs the aidb[ray] extra, checked now."""
    value = with_value(Settings(), "aidb_engine", engine).engine
    if value == "ray":
        require_ray("aidb_engine = 'ray'")
    return value


def run_ray_statement(session: RayContext, statement: ParsedStatement, parameters: object) -> Outcome | None:
    """Execute `statement` on Ray when the session's engine is 'ray' and the statement is one Ray runs; else None."""
    if session.engine != "ray" or statement.is_aidb or parameters:
        return None
    target = ray_target(statement.tree, session.catalog())
    if not isinstance(target, RayTarget):
        return None
    if session.read_only:
        raise ProgrammingError("cannot write a table: the database is open read-only")
    connect_ray(session.ray_address)
    if target.kind == "create_table_as":
        return _create_table_as(session, statement, target)
    return _insert(session, statement, target)


def ray_operator(session: RayContext, operator: str) -> Callable[[OperatorInput, dict[str, Any]], OperatorResult] | None:
    """The Ray version of an operator table function, when the session's engine is 'ray' and there is one."""
    if session.engine != "ray" or operator not in RAY_OPERATORS:
        return None
    connect_ray(session.ray_address)
    staging = session.lance_folder() / STAGING_FOLDER
    staging.mkdir(parents=True, exist_ok=True)
    return functools.partial(RAY_OPERATORS[operator], staging=staging, progress=session.progress.update)


def explain_ray(session: RayContext, statement: ParsedStatement) -> list[tuple[str, str]]:
    """EXPLAIN AIDB's steps for the Ray engine: what runs on Ray, in how many blocks and actors, or why not."""
    if session.engine != "ray":
        return []
    plan = session.prepare(statement).planned
    calls = [c.operator for c in operator_calls(plan.rewritten.tree if plan.rewritten is not None else None)]
    operator_steps = [
        (f"ray operator {name}", RAY_OPERATOR_PLANS[name]) if name in RAY_OPERATORS else (f"operator {name}", ON_DRIVER)
        for name in dict.fromkeys(calls)
    ]
    target = ray_target(statement.tree, session.catalog())
    if operator_steps and not isinstance(target, RayTarget):
        return operator_steps
    if target is None:
        return [("ray", "runs in DuckDB: no model function over a table to distribute")]
    if isinstance(target, str):
        return [("ray", target)]
    rows = _source_rows(session, target)
    cpus = cluster_cpus() if ray_started() else os.cpu_count() or 1
    block_rows = select_jobs.block_rows(rows or 0, cpus)
    blocks = -(-rows // block_rows) if rows is not None else None
    where = f"Ray cluster at {session.ray_address}" if session.ray_address else "a local Ray cluster (started on first use)"
    size = (
        f"{blocks} blocks of <= {block_rows} rows, {min(blocks, cpus)} actors (one per CPU, at most one per block)"
        if blocks is not None
        else f"blocks of <= {select_jobs.BATCH_ROWS} rows, one actor per CPU"
    )
    output = f"Lance table {target.output_name}, committed once" if target.kind == "create_table_as" else f"rows inserted into {target.output_name}"
    return [
        ("ray read", f"{target.source.name} as Lance fragments" + ("" if _lance_source(session, target) else " (exported from DuckDB first)")),
        (RAY_MAP_STEP, f"{_batch_sql(session, target)}  -- actors running {', '.join(dict.fromkeys(target.model_calls))}; {size}"),
        ("ray write", output),
        ("ray where", where),
    ]


def _create_table_as(session: RayContext, statement: ParsedStatement, target: RayTarget) -> Outcome:
    name = target.output_name
    folder = session.lance_folder()
    if _table_exists(session, name) or dataset_path(folder, name).exists():
        if statement.tree.args.get("exists"):
            return NO_ROWS
        raise ProgrammingError(f"cannot create table {name!r}: a table of that name exists")
    session.leave_transaction(f"CREATE TABLE {name} AS ... on the Ray engine (Lance commits it by itself)")
    started = datetime.now()
    staging = folder / STAGING_FOLDER / f"{name}-{uuid.uuid4().hex}.lance"
    source = _source(session, target)
    try:
        schema = _output_schema(session, target, source)
        fragments, summary = _run(session, target, source, schema, str(staging))
        commit_new(str(staging), schema, fragments)
        staging.rename(dataset_path(folder, name))
    except BaseException:
        remove_tree(staging)
        raise
    finally:
        if source.exported is not None:
            remove_tree(source.exported)
    attach_lance_folder(session.duck, folder)
    reattach_lance_folder(session.duck, folder)
    with session.transactions.statement(True):
        record_lance_table(session.duck, name)
        _record(session, statement, started, schema.names)
    session.invalidate_catalog()
    session.last_ray_job = summary
    return NO_ROWS


def _insert(session: RayContext, statement: ParsedStatement, target: RayTarget) -> Outcome:
    """INSERT ... SELECT: into a Lance table, the actors write fragments of it and the driver appends them in one
    commit; into a DuckDB table, the job's rows (staged as a Lance dataset) are inserted in the statement's transaction."""
    name = target.output_name
    info = session.catalog().vector_tables.get(name.lower())
    started = datetime.now()
    source = _source(session, target)
    try:
        schema = _output_schema(session, target, source)
        if info is not None and info.is_lance and session.lance_staging.get(info.name) is None:
            outcome = _append_to_lance(session, statement, target, source, schema, info.dataset, started)
        else:
            outcome = _insert_into_duckdb(session, statement, target, source, schema, started)
    finally:
        if source.exported is not None:
            remove_tree(source.exported)
    return outcome


def _append_to_lance(session: RayContext, statement: ParsedStatement, target: RayTarget, source: RaySource, schema: pa.Schema,
                     uri: str, started: datetime) -> Outcome:
    import lance


    session.leave_transaction(f"INSERT INTO {target.output_name} ... on the Ray engine (Lance commits it by itself)")
    dataset = lance.dataset(uri)
    fragments, summary = _run(session, target, source, _positional(schema, dataset.schema, target.output_name), uri)
    lance.LanceDataset.commit(uri, lance.LanceOperation.Append(fragments), read_version=dataset.version)
    reattach_lance_folder(session.duck, session.lance_folder())
    with session.transactions.statement(True):
        _record(session, statement, started, [])
    session.invalidate_catalog()
    session.last_ray_job = summary
    return Outcome(has_rows=False, rowcount=summary.rows_written)


def _insert_into_duckdb(session: RayContext, statement: ParsedStatement, target: RayTarget, source: RaySource, schema: pa.Schema,
                        started: datetime) -> Outcome:
    import lance


    staging = session.lance_folder() / STAGING_FOLDER / f"rows-{uuid.uuid4().hex}.lance"
    try:
        fragments, summary = _run(session, target, source, schema, str(staging))
        commit_new(str(staging), schema, fragments)
        session.duck.register(RAY_ROWS, lance.dataset(str(staging)).scanner().to_reader())
        insert = statement.tree.copy()
        insert.set("expression", exp.select("*").from_(RAY_ROWS))
        with session.transactions.statement(not session.in_transaction):
            session.duck.execute(insert.sql(dialect="duckdb"))
            _record(session, statement, started, [])
    finally:
        session.duck.unregister(RAY_ROWS)
        remove_tree(staging)
    session.last_ray_job = summary
    return Outcome(has_rows=False, rowcount=summary.rows_written)


def _positional(rows: pa.Schema, table: pa.Schema, name: str) -> pa.Schema:
    """The table's schema, which the SELECT's columns take by position (as INSERT ... SELECT does)."""
    if len(rows) != len(table):
        raise ProgrammingError(f"INSERT INTO {name}: the SELECT gives {len(rows)} columns, but the table has {len(table)}")
    return table


def _run(session: RayContext, target: RayTarget, source: RaySource, schema: pa.Schema, output_uri: str) -> tuple[list, JobSummary]:
    import lance

    rows = lance.dataset(source.uri).count_rows()
    job = SelectJob(source.uri, source.columns, _batch_sql(session, target), schema, _worker_models(session, target), rows)
    progress = session.progress
    return run_select_job(job, output_uri, lambda done, total: progress.update(f"ray: {target.output_name} blocks", done, total))


def _record(session: RayContext, statement: ParsedStatement, started: datetime, names: list[str]) -> None:
    lineage = lineage_of(statement.tree)
    if lineage is None:
        return
    run_id = record_run(session.duck, statement.text, lineage.kind, started, lineage.output_table, list(lineage.input_tables), __version__)
    if lineage.kind == "create_table_as":
        planned = session.prepare(statement).planned
        if planned.rewritten is not None:
            columns = model_columns(planned.rewritten.tree, session.catalog())
            record_column_provenance(session.duck, lineage.output_table, columns, run_id, names)


def _batch_sql(session: RayContext, target: RayTarget) -> str:
    return session.prepare(parse_statement(target.batch_select.sql(dialect="duckdb"))).planned.sql


def _lance_source(session: RayContext, target: RayTarget) -> bool:
    info = session.catalog().vector_tables.get(target.source.name.lower())
    return info is not None and info.is_lance and session.lance_staging.get(info.name) is None


def _source_rows(session: RayContext, target: RayTarget) -> int | None:
    table = target.source.copy()
    table.set("alias", None)
    sql = session.prepare(parse_statement(f"SELECT count(*) FROM {table.sql(dialect='duckdb')}")).planned.sql
    try:
        return int(session.duck.execute(sql).fetchone()[0])
    except duckdb.Error:
        return None  # EXPLAIN of a statement whose table does not exist yet: its run says so


def _source(session: RayContext, target: RayTarget) -> RaySource:
    """The Lance dataset the job reads: the Lance table itself, else the table exported through DuckDB."""
    import lance

    if _lance_source(session, target):
        info = session.catalog().vector_tables[target.source.name.lower()]
        uri = info.dataset
        return RaySource(uri, _columns_read(target, lance.dataset(uri).schema.names), None)
    table = target.source.copy()
    table.set("alias", None)
    text = f"SELECT * FROM {table.sql(dialect='duckdb')}"
    names = [row[0] for row in session.duck.execute(f"DESCRIBE {session.prepare(parse_statement(text)).planned.sql}").fetchall()]
    columns = _columns_read(target, names)
    select = exp.select(*[exp.column(c, quoted=True) for c in columns]).from_(table)
    reader = session.duck.execute(session.prepare(parse_statement(select.sql(dialect="duckdb"))).planned.sql).to_arrow_reader(65_536)
    path = session.lance_folder() / STAGING_FOLDER / f"input-{uuid.uuid4().hex}.lance"
    write_staged_input(reader, path)
    return RaySource(str(path), tuple(columns), path)


def _columns_read(target: RayTarget, names: list[str]) -> tuple[str, ...]:
    """The source columns the SELECT reads (all of them for a *), in the source's order and spelling."""
    select = target.batch_select
    if any(isinstance(p, exp.Star) or (isinstance(p, exp.Column) and p.is_star) for p in select.find_all(exp.Star, exp.Column)):
        return tuple(names)
    used = {c.name.lower() for c in select.find_all(exp.Column)}
    return tuple(n for n in names if n.lower() in used) or tuple(names[:1])


def _output_schema(session: RayContext, target: RayTarget, source: RaySource) -> pa.Schema:
    """The Arrow schema of the statement's rows, as DuckDB binds the SELECT (no row is computed)."""
    import lance

    empty = lance.dataset(source.uri).schema.empty_table().select(list(source.columns))
    session.duck.register(BATCH_TABLE, empty)
    try:
        described = session.duck.execute(f"DESCRIBE {_batch_sql(session, target)}").fetchall()
    finally:
        session.duck.unregister(BATCH_TABLE)
    casts = ", ".join(f"CAST(NULL AS {kind}) AS {exp.to_identifier(name, quoted=True).sql(dialect='duckdb')}" for name, kind, *_ in described)
    return session.duck.execute(f"SELECT {casts} LIMIT 0").to_arrow_table().schema


def _worker_models(session: RayContext, target: RayTarget) -> WorkerModels:
    """Catalog rows of the model kinds the statement loads, trust-checked here: workers cannot read the catalog."""
    catalog = session.catalog()
    kinds = set(target.model_kinds)
    records = {m.name: m for m in catalog.builtin_models.values() if m.kind in kinds}
    records.update({name: m for name, m in catalog.models.items() if m.kind in kinds})
    defaults = {kind: record for kind in kinds if (record := catalog.effective_default(kind)) is not None}
    refused: dict[str, str] = {}
    for record in records.values():
        try:
            check_model_trusted(record, session.model_files_dir(), session.trust_models)
        except OperationalError as error:
            refused[record.name] = str(error)
    return WorkerModels(records, defaults, refused)


def _table_exists(session: RayContext, name: str) -> bool:
    found = session.duck.execute(
        "SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND lower(table_name) = lower(?) "
        "UNION ALL SELECT 1 FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND lower(view_name) = lower(?)",
        [name, name],
    ).fetchone()
    return found is not None or name.lower() in session.catalog().vector_tables
