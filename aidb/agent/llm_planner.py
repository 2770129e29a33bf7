"""The LLM planner: an OpenAI-compatible model drafts the pipeline as JSON, aidb validates it (a dry run, as the
offline plan), and the validation errors go back to the model for a corrected plan, at most `rounds` times."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from aidb.agent.llm_client import LLMEndpoint
from aidb.agent.operator_examples import STEPS
from aidb.agent.pipeline_runs import connection_encoder, dry_run, embedding_model_key, table_facts
from aidb.agent.retrieval import operator_index
from aidb.agent.step_templates import Plan, PlanStep, TableFacts
from aidb.errors import ProgrammingError

ROUNDS = 3
_CREATE = re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+\"?([A-Za-z_][A-Za-z0-9_]*)\"?\s+AS\s", re.I)

SYSTEM_PROMPT = f"""You write data-preparation pipelines in aidb's SQL (DuckDB SQL plus aidb's functions and table operators).
Answer with JSON only, no prose: {{"steps": [{{"step": "<one of {', '.join(STEPS)}>", "operators": ["<aidb names used>"],
"sql": "CREATE TABLE <new table> AS SELECT ...", "why": "<one line>"}}]}}.
Each step's sql is one statement that creates a new table; the first step reads the input table, each later step
reads the table the step before created. Use only the columns the input table has and the operators listed."""


def llm_plan(con: Any, goal: str, table: str, endpoint: LLMEndpoint, rounds: int = ROUNDS) -> Plan:
    """Plan -> validate -> fix over a connection: each round's plan is dry-run against the database (pipeline_runs)."""
    _check_goal(goal, rounds)
    facts = table_facts(con, table)
    closest = operator_index(connection_encoder(con), embedding_model_key(con)).rank(goal, 12)
    return refine_with_llm(goal, facts, closest, endpoint, lambda plan: dry_run(con, plan), rounds)


def refine_with_llm(
    goal: str, facts: TableFacts, closest: list[Any], endpoint: LLMEndpoint, validate: Callable[[Plan], dict[int, str]], rounds: int = ROUNDS
) -> Plan:
    """The model's plan, validated by `validate` (step number -> error); the errors are sent back until the plan is
    valid or `rounds` replies were tried (the last plan is returned, invalid, with its errors)."""
    _check_goal(goal, rounds)
    messages = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": _task(goal, facts, closest)}]
    plan = Plan(goal, facts.name, [], closest, planner="llm")
    for round_number in range(1, rounds + 1):
        reply = endpoint.chat(messages)
        plan, problem = _parse(reply, goal, facts.name, closest)
        if problem is None:
            plan.errors = validate(plan)
            if not plan.errors:
                plan.notes.append(f"the LLM's plan is valid after {round_number} round(s)")
                return plan
            problem = "\n".join(f"step {n} failed validation: {message}" for n, message in sorted(plan.errors.items()))
        messages += [
            {"role": "assistant", "content": reply},
            {"role": "user", "content": f"{problem}\nReturn the whole corrected plan as JSON."},
        ]
    plan.notes.append(f"no valid plan after {rounds} round(s); nothing runs")
    if not plan.steps:
        plan.errors[0] = messages[-1]["content"]
    return plan


def _check_goal(goal: str, rounds: int) -> None:
    if not isinstance(goal, str) or not goal.strip():
        raise ProgrammingError("plan_pipeline: the goal is empty; say what the pipeline should do, in words")
    if rounds < 1:
        raise ProgrammingError(f"plan_pipeline: rounds must be >= 1, got {rounds}")


def _task(goal: str, facts: TableFacts, closest: list[Any]) -> str:
    columns = ", ".join(f"{name} {kind}" for name, kind in facts.columns.items())
    operators = "\n".join(f"- {s.entry.name} ({s.entry.kind}): {s.entry.doc} Example: {s.entry.example}" for s in closest)
    domains = f"\nValues of its domain column {facts.domain}: {', '.join(facts.domains)}." if facts.domains else ""
    return f"Goal: {goal}\nInput table: {facts.name} ({facts.rows} rows) with columns {columns}.{domains}\nOperators that may help:\n{operators}"


def _parse(reply: str, goal: str, table: str, closest: list[Any]) -> tuple[Plan, str | None]:
    """The plan in the model's reply, or what is wrong with it (sent back to the model)."""
    plan = Plan(goal, table, [], closest, planner="llm")
    text = reply.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    try:
        data = json.loads(fenced.group(1) if fenced else text)
        raw_steps = data["steps"]
        if not isinstance(raw_steps, list) or not raw_steps:
            raise TypeError("steps is not a non-empty list")
    except (ValueError, KeyError, TypeError) as error:
        return plan, f'your answer is not the JSON plan asked for ({error}); answer with {{"steps": [...]}} only'
    for number, raw in enumerate(raw_steps, start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("sql"), str):
            return plan, f"step {number} has no sql string"
        sql = raw["sql"].strip().rstrip(";")
        created = _CREATE.match(sql)
        if created is None:
            return plan, f"step {number}: its sql must be one statement CREATE TABLE <name> AS SELECT ..., got: {sql[:200]}"
        operators = raw.get("operators") or []
        plan.steps.append(PlanStep(number, str(raw.get("step", "")), tuple(str(o) for o in operators), sql, str(raw.get("why", "")), created.group(1)))
    return plan, None
