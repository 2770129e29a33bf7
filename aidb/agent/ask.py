"""`aidb ask`: a goal in words to a validated pipeline over a table, shown step by step and run only when asked."""

from __future__ import annotations

from typing import Any

from aidb.agent.llm_client import LLMEndpoint
from aidb.agent.llm_planner import ROUNDS, llm_plan
from aidb.agent.pipeline_runs import StepResult, offline_plan, run_plan
from aidb.agent.step_templates import Plan

_UNSET: Any = object()


def plan_goal(con: Any, goal: str, table: str, endpoint: LLMEndpoint | None = _UNSET, rounds: int = ROUNDS) -> Plan:
    """The LLM's plan when an endpoint is configured (AIDB_LLM_BASE_URL, AIDB_LLM_MODEL), else the offline template plan;
    either way every statement is validated by a rolled-back dry run against the database."""
    endpoint = LLMEndpoint.from_env() if endpoint is _UNSET else endpoint
    if endpoint is None:
        return offline_plan(con, goal, table)
    return llm_plan(con, goal, table, endpoint, rounds)


def describe_plan(plan: Plan) -> str:
    """The plan as a person reads it: one line per step saying why, the SQL, what validation found, the notes."""
    planner = "an LLM, validated by aidb" if plan.planner == "llm" else "retrieval plus step templates (offline)"
    lines = [f"Goal: {plan.goal}", f"Table: {plan.table}   Planner: {planner}", ""]
    if not plan.steps:
        lines.append("aidb cannot map this goal to a pipeline step. Closest operators:")
        lines += [f"  {s.entry.name} ({s.entry.kind}, score {s.score:.2f}): {s.entry.doc}\n      e.g. {s.entry.example}" for s in plan.closest]
    for step in plan.steps:
        status = f"INVALID: {plan.errors[step.number]}" if step.number in plan.errors else "valid"
        lines.append(f"{step.number}. {step.step} [{', '.join(step.operators)}]: {step.why} ({status})")
    if plan.steps:
        lines += ["", "SQL:", plan.script]
    lines += [f"note: {note}" for note in plan.notes]
    if 0 in plan.errors:
        lines.append(f"error: {plan.errors[0]}")
    return "\n".join(lines)


def describe_run(results: list[StepResult], table: str) -> str:
    lines = [f"{r.number}. {r.step} -> {r.output_table}: {r.rows} rows ({r.seconds:.2f} s)" for r in results]
    return "\n".join(lines + [f"summary: table {table}_pipeline_summary"])


__all__ = ["plan_goal", "describe_plan", "describe_run", "run_plan"]
