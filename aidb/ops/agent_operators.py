"""The data agent in SQL: suggest_operators('goal') and plan_pipeline('goal', table), over aidb.agent."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from aidb.agent.llm_client import LLMEndpoint
from aidb.agent.llm_planner import refine_with_llm
from aidb.agent.retrieval import operator_index
from aidb.agent.step_templates import Plan, TableFacts, draft_plan, goal_clauses
from aidb.errors import Error, ProgrammingError
from aidb.ops.operator_registry import OperatorInput, OperatorParam, OperatorResult, check_range, operator, quote_identifier


def _index(source: OperatorInput) -> Any:
    model = source.context.model("embedding", None)
    return operator_index(model.encode, ("loaded model", id(model)))  # models are loaded once per process


def _goal(args: dict[str, Any], name: str) -> str:
    goal = args["goal"]
    if not isinstance(goal, str) or not goal.strip():
        raise ProgrammingError(f"{name}(): argument goal must be a sentence saying what to do, got {goal!r}")
    return goal


@operator(params=[OperatorParam("goal", "string"), OperatorParam("k", "integer", 10)])
def suggest_operators(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """aidb's functions, macros, operators, table functions and statements ranked for a goal in words (MiniLM similarity plus keyword match): (name, kind, score, doc, example)."""
    goal = _goal(args, "suggest_operators")
    check_range("suggest_operators", "k", args["k"], 1, 1000)
    ranked = _index(source).rank(goal, args["k"])
    return OperatorResult(
        pa.table(
            {
                "name": [s.entry.name for s in ranked],
                "kind": [s.entry.kind for s in ranked],
                "score": pa.array([round(s.score, 4) for s in ranked], pa.float64()),
                "doc": [s.entry.doc for s in ranked],
                "example": [s.entry.example for s in ranked],
            }
        )
    )


@operator(params=[OperatorParam("goal", "string"), OperatorParam("t", "table")])
def plan_pipeline(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """A pipeline for a goal over a table, from retrieval and step templates (an LLM when AIDB_LLM_BASE_URL is set): (step, kind, operators, sql, why, valid, error); each statement parsed and rewritten against the catalog."""
    goal = _goal(args, "plan_pipeline")
    if source.name == "(subquery)":
        raise ProgrammingError("plan_pipeline(): argument t must be a table name: the plan's statements read it by name")
    facts = _facts(source)
    index = _index(source)
    endpoint = LLMEndpoint.from_env()
    if endpoint is not None:  # the LLM drafts, the same checks validate, errors go back (aidb ask does this with a dry run)
        plan = refine_with_llm(goal, facts, index.rank(goal, 12), endpoint, lambda plan: _rewrite_errors(source, plan))
        return OperatorResult(_plan_rows(plan))
    plan = draft_plan(goal, facts, index.rank(goal), [index.rank(clause) for clause in goal_clauses(goal)])
    plan.errors = _rewrite_errors(source, plan)
    return OperatorResult(_plan_rows(plan))


def _rewrite_errors(source: OperatorInput, plan: Plan) -> dict[int, str]:
    """Each step parsed and rewritten against the catalog (EXPLAIN AIDB's passes); step number -> error."""
    errors = {}
    for step in plan.steps:
        try:
            source.context.plan_sql(step.sql)  # type: ignore[attr-defined] - the session's context plans statements
        except Error as error:
            errors[step.number] = str(error)
    return errors


def _facts(source: OperatorInput) -> TableFacts:
    facts = TableFacts(source.name.strip('"'), dict(source.columns), 0)
    rows = source.query(["count(*)"]).column(0)[0].as_py()
    domains: tuple[str, ...] = ()
    if facts.domain:
        column = quote_identifier(facts.domain)
        listed = source.query([f"list(DISTINCT {column} ORDER BY {column}) FILTER (WHERE {column} IS NOT NULL)"]).column(0)[0].as_py()
        domains = tuple(str(v) for v in (listed or [])[:50])
    return TableFacts(facts.name, facts.columns, int(rows), domains)


def _plan_rows(plan: Plan) -> pa.Table:
    """One row per step; a goal that maps to no step gives one row per note and per closest operator instead."""
    rows: list[dict[str, Any]] = [
        {"step": s.number, "kind": s.step, "operators": ", ".join(s.operators), "sql": s.sql, "why": s.why,
         "valid": s.number not in plan.errors, "error": plan.errors.get(s.number)}
        for s in plan.steps
    ]
    if 0 in plan.errors:
        rows.append({"step": None, "kind": "error", "operators": None, "sql": None, "why": plan.errors[0], "valid": False, "error": plan.errors[0]})
    rows += [{"step": None, "kind": "note", "operators": None, "sql": None, "why": note, "valid": None, "error": None} for note in plan.notes]
    if not plan.steps:
        rows += [{"step": None, "kind": "closest", "operators": s.entry.name, "sql": s.entry.example,
                  "why": f"score {s.score:.2f}: {s.entry.doc}", "valid": None, "error": None} for s in plan.closest]
    schema = pa.schema([("step", pa.int32()), ("kind", pa.string()), ("operators", pa.string()), ("sql", pa.string()),
                        ("why", pa.string()), ("valid", pa.bool_()), ("error", pa.string())])
    return pa.Table.from_pylist(rows, schema=schema)
