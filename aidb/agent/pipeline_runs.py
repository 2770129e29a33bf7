"""Plan a pipeline for a goal over a table of an aidb connection, validate each statement, and run it when asked.

Validation is a dry run against the real catalog: in a transaction that is rolled back, the table is shadowed by a
temporary table of its first `sample_rows` rows, and each statement is explained (`EXPLAIN AIDB`: parse, rewrite,
models) and then executed, so tables, columns, functions, models and operator arguments are all checked (an export
step is only explained: the files it writes are outside the transaction). A run
executes the script in one transaction, records each step's row count and time in `<table>_pipeline_summary`, and
commits only when every step succeeded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from aidb.agent.retrieval import operator_index
from aidb.agent.step_templates import Plan, TableFacts, draft_plan, goal_clauses
from aidb.errors import Error, ProgrammingError, did_you_mean

SAMPLE_ROWS = 200


def connection_encoder(con: Any) -> Callable[[list[str]], np.ndarray]:
    """Texts embedded by the connection's default embedding model (`embed(text)`; MiniLM unless the catalog says otherwise)."""

    def encode(texts: list[str]) -> np.ndarray:
        rows = con.execute("SELECT embed(t) FROM unnest(?::VARCHAR[]) WITH ORDINALITY AS u(t, n) ORDER BY n", [texts]).fetchall()
        return np.array([row[0] for row in rows], dtype=np.float32)

    return encode


def embedding_model_key(con: Any) -> str:
    """What identifies the connection's default embedding model (its fingerprint), so the index is built once per model."""
    record = con.session.catalog().effective_default("embedding")
    return f"{record.name}:{record.fingerprint}" if record is not None else "none"


def table_facts(con: Any, table: str) -> TableFacts:
    """The table's columns, rows and domain values, read through the connection; an error naming an unknown table."""
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT internal UNION SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]
    if table not in tables:
        raise ProgrammingError(f"plan_pipeline: no table {table!r}.{did_you_mean(table, tables)}")
    columns = {r[0]: r[1] for r in con.execute(f'DESCRIBE "{table}"').fetchall()}
    rows = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    facts = TableFacts(table, columns, rows)
    domains: tuple[str, ...] = ()
    if facts.domain:
        domains = tuple(r[0] for r in con.execute(f'SELECT DISTINCT "{facts.domain}" FROM "{table}" WHERE "{facts.domain}" IS NOT NULL ORDER BY 1 LIMIT 50').fetchall())
    classifiers = tuple(r[0] for r in con.execute("SELECT name FROM aidb.models WHERE kind = 'classifier' ORDER BY name").fetchall())
    return TableFacts(table, columns, rows, domains, classifiers)


def dry_run(con: Any, plan: Plan, sample_rows: int = SAMPLE_ROWS) -> dict[int, str]:
    """Each step's validation error (step number -> message), from a rolled-back run over a sample of the table."""
    _check_no_open_transaction(con, "validating a plan")
    errors: dict[int, str] = {}
    con.execute("BEGIN")
    try:
        con.execute(f'CREATE TEMP TABLE "{plan.table}" AS SELECT * FROM main."{plan.table}" LIMIT {int(sample_rows)}')
        for step in plan.steps:
            try:
                con.execute(f"EXPLAIN AIDB {step.sql}").fetchall()
                if step.step != "export":  # it would write files, which no rollback removes
                    con.execute(step.sql)
            except Error as error:
                errors[step.number] = str(error).split("\n(the open transaction was rolled back)")[0]
                break  # the failure rolled the transaction back: later steps have nothing to read
    finally:
        if con.session.in_transaction:
            con.execute("ROLLBACK")
    return errors


@dataclass(frozen=True)
class StepResult:
    number: int
    step: str
    operators: str
    output_table: str
    rows: int
    seconds: float


def run_plan(con: Any, plan: Plan) -> list[StepResult]:
    """Execute a valid plan in one transaction, then write `<table>_pipeline_summary`; nothing is kept if a step fails."""
    if not plan.valid:
        raise ProgrammingError(f"plan_pipeline: the plan is not valid, so it does not run: {plan.errors or 'no steps'}")
    _check_no_open_transaction(con, "running a plan")
    results = []
    con.execute("BEGIN")
    try:
        for step in plan.steps:
            started = time.perf_counter()
            con.execute(step.sql)
            rows = con.execute(f'SELECT {"coalesce(sum(rows), 0)" if step.step == "export" else "count(*)"} FROM "{step.output_table}"').fetchone()[0]
            results.append(StepResult(step.number, step.step, ", ".join(step.operators), step.output_table, int(rows), time.perf_counter() - started))
        summary = f'"{plan.table}_pipeline_summary"'
        con.execute(f"CREATE OR REPLACE TABLE {summary} (step INTEGER, kind VARCHAR, operators VARCHAR, output_table VARCHAR, rows BIGINT, seconds DOUBLE)")
        con.executemany(f"INSERT INTO {summary} VALUES (?, ?, ?, ?, ?, ?)", [[r.number, r.step, r.operators, r.output_table, r.rows, r.seconds] for r in results])
        con.execute("COMMIT")
    except BaseException:
        if con.session.in_transaction:
            con.execute("ROLLBACK")
        raise
    return results


def _check_no_open_transaction(con: Any, what: str) -> None:
    if con.session.in_transaction:
        raise ProgrammingError(f"plan_pipeline: {what} needs a transaction of its own; commit or roll back the open one first")


def offline_plan(con: Any, goal: str, table: str, validate: bool = True) -> Plan:
    """The template plan for `goal` over `table`, each statement dry-run (errors in plan.errors)."""
    if not isinstance(goal, str) or not goal.strip():
        raise ProgrammingError("plan_pipeline: the goal is empty; say what the pipeline should do, in words")
    facts = table_facts(con, table)
    index = operator_index(connection_encoder(con), embedding_model_key(con))
    plan = draft_plan(goal, facts, index.rank(goal), [index.rank(clause) for clause in goal_clauses(goal)])
    if validate and plan.steps:
        plan.errors = dry_run(con, plan)
    return plan
