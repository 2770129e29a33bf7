"""The LLM path against a local server that speaks OpenAI's chat-completions protocol and answers from a script."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import aidb
from aidb.agent.ask import plan_goal
from aidb.agent.llm_client import LLMEndpoint
from aidb.agent.llm_planner import llm_plan
from aidb.agent.pipeline_runs import run_plan

BROKEN = {"steps": [{"step": "filtering", "operators": ["word_count"], "why": "long documents",
                     "sql": "CREATE TABLE long_docs AS SELECT * FROM docs WHERE word_count(body) > 50"}]}
FIXED = {"steps": [{"step": "filtering", "operators": ["word_count"], "why": "long documents",
                    "sql": "CREATE TABLE long_docs AS SELECT * FROM docs WHERE word_count(text) > 50"},
                   {"step": "dedup", "operators": ["dedup"], "why": "no copies",
                    "sql": "CREATE TABLE unique_docs AS SELECT * FROM dedup(long_docs, text, methods := ['exact'])"}]}


class ScriptedChat:
    """A chat-completions server answering each POST with the next scripted body; it keeps the requests."""

    def __init__(self, answers: list[str], delay_s: float = 0.0) -> None:
        self.answers, self.requests, self.delay_s = list(answers), [], delay_s
        chat = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                chat.requests.append((self.path, self.headers.get("Authorization"), json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
                time.sleep(chat.delay_s)
                body = chat.answers.pop(0).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def endpoint(self, timeout_s: float = 30.0) -> LLMEndpoint:
        return LLMEndpoint(f"http://127.0.0.1:{self.server.server_address[1]}/v1", "scripted", "secret-key", timeout_s)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def completion(content: str) -> str:
    return json.dumps({"id": "x", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]})


def test_the_validation_error_goes_back_and_the_fixed_plan_is_valid(con) -> None:
    chat = ScriptedChat([completion(json.dumps(BROKEN)), completion("```json\n" + json.dumps(FIXED) + "\n```")])
    try:
        plan = llm_plan(con, "keep long documents and drop copies", "docs", chat.endpoint(), rounds=3)
    finally:
        chat.close()
    assert len(chat.requests) == 2
    path, authorization, second = chat.requests[1]
    assert path == "/v1/chat/completions" and authorization == "Bearer secret-key" and second["model"] == "scripted"
    feedback = second["messages"][-1]["content"]
    assert "step 1 failed validation" in feedback and "body" in feedback  # DuckDB's error naming the missing column
    assert second["messages"][-2] == {"role": "assistant", "content": json.dumps(BROKEN)}
    assert "Input table: docs" in second["messages"][1]["content"] and "word_count" in second["messages"][1]["content"]
    assert plan.valid and plan.planner == "llm" and [s.output_table for s in plan.steps] == ["long_docs", "unique_docs"]
    results = run_plan(con, plan)
    assert results[0].rows > results[1].rows > 0
    con.execute("DROP TABLE long_docs; DROP TABLE unique_docs")


def test_a_plan_still_broken_after_the_last_round_does_not_run(con) -> None:
    chat = ScriptedChat([completion(json.dumps(BROKEN))] * 2)
    try:
        plan = llm_plan(con, "keep long documents", "docs", chat.endpoint(), rounds=2)
    finally:
        chat.close()
    assert not plan.valid and "no valid plan after 2 round(s)" in plan.notes[-1]
    with pytest.raises(aidb.ProgrammingError, match="not valid"):
        run_plan(con, plan)
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'long_docs'").fetchone()[0] == 0


def test_garbage_and_timeouts_are_clear_errors(con) -> None:
    chat = ScriptedChat(["<html>502 bad gateway</html>"])
    try:
        with pytest.raises(aidb.OperationalError, match="not a chat completion"):
            llm_plan(con, "keep long documents", "docs", chat.endpoint())
    finally:
        chat.close()
    slow = ScriptedChat([completion(json.dumps(FIXED))], delay_s=2.0)
    try:
        with pytest.raises(aidb.OperationalError, match="did not answer within 0.5 s"):
            llm_plan(con, "keep long documents", "docs", slow.endpoint(timeout_s=0.5))
    finally:
        slow.close()
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('long_docs', 'unique_docs')").fetchone()[0] == 0


def test_the_environment_chooses_the_llm_planner(con, monkeypatch) -> None:
    monkeypatch.delenv("AIDB_LLM_BASE_URL", raising=False)
    assert LLMEndpoint.from_env() is None
    chat = ScriptedChat([completion(json.dumps(FIXED))])
    monkeypatch.setenv("AIDB_LLM_BASE_URL", chat.endpoint().base_url)
    monkeypatch.setenv("AIDB_LLM_MODEL", "scripted")
    try:
        plan = plan_goal(con, "keep long documents", "docs")
        assert plan.planner == "llm" and plan.valid
    finally:
        chat.close()


def test_plan_pipeline_in_sql_refines_with_the_llm_when_configured(con, monkeypatch) -> None:
    unknown_argument = {"steps": [{"step": "dedup", "operators": ["dedup"], "why": "no copies",
                                   "sql": "CREATE TABLE unique_docs AS SELECT * FROM dedup(docs, text, method := ['exact'])"}]}
    chat = ScriptedChat([completion(json.dumps(unknown_argument)), completion(json.dumps(FIXED))])
    monkeypatch.setenv("AIDB_LLM_BASE_URL", chat.endpoint().base_url)
    monkeypatch.setenv("AIDB_LLM_MODEL", "scripted")
    try:
        rows = con.execute("SELECT step, sql, valid FROM plan_pipeline('keep long documents and drop copies', 'docs') WHERE step IS NOT NULL ORDER BY step").fetchall()
    finally:
        chat.close()
    assert "has no parameter 'method'" in chat.requests[1][2]["messages"][-1]["content"]  # the rewrite's error went back
    assert [r[1] for r in rows] == [s["sql"] for s in FIXED["steps"]] and all(r[2] for r in rows)
