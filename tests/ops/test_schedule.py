"""schedule(): multitask, sequential and mixed-sequential (with DMT replay) orders of multi-domain data."""

from __future__ import annotations

import pytest

import aidb


@pytest.fixture
def sft(con):
    con.execute("CREATE TABLE sft AS SELECT i AS id, ['math', 'code', 'chat'][i % 3 + 1] AS domain FROM range(60) t(i)")
    return con


def _rows(con, sql):
    return con.execute(f"SELECT id, domain, phase, replayed, train_order FROM ({sql}) ORDER BY train_order").fetchall()


def test_multitask_is_one_seeded_shuffle_of_every_row(sft):
    rows = _rows(sft, "SELECT * FROM schedule(sft, domain, seed := 3)")
    assert [r[4] for r in rows] == list(range(1, 61)) and {r[2] for r in rows} == {1}
    assert sorted(r[0] for r in rows) == list(range(60)) and [r[0] for r in rows] != list(range(60))
    assert rows == _rows(sft, "SELECT * FROM schedule(sft, domain, strategy := 'multitask', seed := 3)")
    assert rows != _rows(sft, "SELECT * FROM schedule(sft, domain, seed := 4)")


def test_sequential_trains_one_domain_after_another_in_the_given_order(sft):
    rows = _rows(sft, "SELECT * FROM schedule(sft, domain, strategy := 'sequential', order := ['math', 'code', 'chat'])")
    assert [r[1] for r in rows] == ["math"] * 20 + ["code"] * 20 + ["chat"] * 20
    assert [r[2] for r in rows] == [1] * 20 + [2] * 20 + [3] * 20
    default = _rows(sft, "SELECT * FROM schedule(sft, domain, strategy := 'sequential')")  # alphabetical
    assert [r[1] for r in default][::20] == ["chat", "code", "math"]


def test_mixed_sequential_mixes_the_first_domains_then_the_last_with_replay(sft):
    rows = _rows(sft, "SELECT * FROM schedule(sft, domain, strategy := 'mixed_sequential', order := ['math', 'code', 'chat'])")
    assert {r[1] for r in rows[:40]} == {"math", "code"} and {r[1] for r in rows[40:]} == {"chat"}
    assert [r[1] for r in rows[:40]] != sorted(r[1] for r in rows[:40])  # the two domains are mixed
    dmt = _rows(sft, "SELECT * FROM schedule(sft, domain, strategy := 'mixed_sequential', order := ['math', 'code', 'chat'], replay := 0.25)")
    phase_two = [r for r in dmt if r[2] == 2]
    replayed = [r for r in phase_two if r[3]]
    assert len(dmt) == 70 and len(replayed) == 10 and {r[1] for r in replayed} <= {"math", "code"}
    first_ids = {r[0] for r in dmt if r[2] == 1}
    assert {r[0] for r in replayed} <= first_ids and not any(r[3] for r in dmt if r[2] == 1)
    positions = [i for i, r in enumerate(phase_two) if r[3]]
    assert positions[-1] - positions[0] > 10  # spread through phase 2, not appended


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("strategy := 'curriculum'", "argument strategy must be one of"),
        ("strategy := 'sequential', order := ['math', 'code']", "missing domains \\['chat'\\]"),
        ("strategy := 'sequential', order := ['math', 'code', 'chat', 'poetry']", "unknown domains \\['poetry'\\]"),
        ("replay := 0.1", "replay applies to strategy := 'mixed_sequential' only"),
        ("strategy := 'mixed_sequential', replay := 1.5", "replay must be a fraction"),
    ],
)
def test_bad_arguments(sft, arguments, message):
    with pytest.raises(aidb.ProgrammingError, match=message):
        sft.execute(f"SELECT * FROM schedule(sft, domain, {arguments})")


def test_a_null_domain_is_refused(con):
    con.execute("CREATE TABLE t AS SELECT 1 AS id, NULL::VARCHAR AS domain")
    with pytest.raises(aidb.ProgrammingError, match="rows have a NULL 'domain'"):
        con.execute("SELECT * FROM schedule(t, domain)")
