"""Goal -> plan -> validate -> run on the demo corpus, offline; the same plans from SQL (plan_pipeline, suggest_operators)."""

from __future__ import annotations

import pytest

import aidb
from aidb.agent.ask import describe_plan
from aidb.agent.pipeline_runs import dry_run, offline_plan, run_plan
from aidb.agent.step_templates import PlanStep

GOAL = "keep clean English text and remove near duplicates, then balance the domains"


def test_a_goal_becomes_a_valid_plan_that_runs_and_records_row_counts(con) -> None:
    plan = offline_plan(con, GOAL, "docs")
    assert [s.step for s in plan.steps] == ["filtering", "dedup", "mixing"]
    assert "lang_id" in plan.steps[0].operators and "lang_id(text).lang = 'en'" in plan.steps[0].sql
    assert plan.valid, plan.errors
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'docs_%'").fetchone()[0] == 0  # dry run left nothing
    shown = describe_plan(plan)
    assert "1. filtering [" in shown and "(valid)" in shown and "retrieval plus step templates" in shown
    results = run_plan(con, plan)
    counts = {r.step: r.rows for r in results}
    total = con.execute("SELECT count(*) FROM docs").fetchone()[0]
    filtered = con.execute(f"SELECT count(*) FROM {plan.steps[0].output_table}").fetchone()[0]
    assert counts["filtering"] == filtered < total
    assert counts["dedup"] < counts["filtering"]
    assert counts["mixing"] == total  # mix_sample's n is the input table's size
    summary = con.execute("SELECT step, kind, rows FROM docs_pipeline_summary ORDER BY step").fetchall()
    assert summary == [(r.number, r.step, r.rows) for r in results]


def test_validation_names_the_failing_step_and_runs_nothing(con) -> None:
    plan = offline_plan(con, "remove near-duplicate posts", "docs")
    plan.steps.append(PlanStep(2, "filtering", ("word_count",), f"CREATE TABLE broken AS SELECT * FROM {plan.steps[0].output_table} WHERE word_count(body) > 5", "", "broken"))
    plan.errors = dry_run(con, plan)
    assert list(plan.errors) == [2] and "body" in plan.errors[2]
    with pytest.raises(aidb.ProgrammingError, match="not valid"):
        run_plan(con, plan)
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('broken', 'docs_1_dedup')").fetchone()[0] == 0


def test_an_unmappable_goal_says_so_and_lists_the_closest_operators(con) -> None:
    plan = offline_plan(con, "bake a chocolate cake", "docs")
    assert not plan.steps and not plan.valid and len(plan.closest) == 5
    assert "cannot map this goal" in describe_plan(plan)
    with pytest.raises(aidb.ProgrammingError, match="no table 'dosc'.*Did you mean: docs"):
        offline_plan(con, GOAL, "dosc")


def test_sql_table_functions_suggest_and_plan(con) -> None:
    rows = con.execute("SELECT name, kind, score, example FROM suggest_operators('remove near-duplicate forum posts', k := 3)").fetchall()
    assert rows[0][0] in ("near_duplicates", "dedup") and len(rows) == 3 and rows[0][2] >= rows[1][2]
    plan = con.execute(f"SELECT step, kind, operators, sql, valid FROM plan_pipeline('{GOAL}', 'docs') WHERE step IS NOT NULL ORDER BY step").fetchall()
    assert [r[1] for r in plan] == ["filtering", "dedup", "mixing"] and all(r[4] for r in plan)
    assert plan[1][3] == offline_plan(con, GOAL, "docs", validate=False).steps[1].sql
    unmapped = con.execute("SELECT kind, operators FROM plan_pipeline('bake a chocolate cake', docs)").fetchall()
    assert unmapped[0][0] == "note" and [k for k, _ in unmapped].count("closest") == 5
    with pytest.raises(aidb.ProgrammingError, match="goal must be a sentence"):
        con.execute("SELECT * FROM suggest_operators('')")
