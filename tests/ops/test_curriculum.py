"""curriculum: equal-count difficulty stages, seeded within-stage order, easy_first / hard_first / interleaved."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from aidb.errors import DataError, ProgrammingError
from aidb.ops.curriculum import curriculum, difficulty_stages


def rows(n: int = 20) -> pa.Table:
    return pa.table({"id": list(range(n)), "score": [float((i * 7) % n) for i in range(n)]})


def test_stages_are_equal_count_quantiles_and_ties_share_one() -> None:
    assert difficulty_stages(np.arange(8, dtype=float), 4).tolist() == [1, 1, 2, 2, 3, 3, 4, 4]
    assert difficulty_stages(np.array([5.0, 1.0, 1.0, 1.0, 9.0, 7.0]), 3).tolist() == [2, 1, 1, 1, 3, 3]


def test_easy_first_orders_by_stage_and_numbers_training_steps() -> None:
    table = rows()
    result = curriculum(table, table.column("score"), stages=4)
    stages = result.column("stage").to_pylist()
    assert stages == sorted(stages) and set(stages) == {1, 2, 3, 4}
    assert result.column("train_order").to_pylist() == list(range(1, 21))
    scores = {s: [r["score"] for r in result.to_pylist() if r["stage"] == s] for s in (1, 2, 3, 4)}
    assert all(max(scores[s]) < min(scores[s + 1]) for s in (1, 2, 3))
    assert sorted(result.column("id").to_pylist()) == list(range(20))


def test_within_stage_order_is_seeded() -> None:
    table = rows(40)
    first = curriculum(table, table.column("score"), seed=1).column("id").to_pylist()
    assert first == curriculum(table, table.column("score"), seed=1).column("id").to_pylist()
    assert first != curriculum(table, table.column("score"), seed=2).column("id").to_pylist()


def test_hard_first_and_interleaved() -> None:
    table = rows(12)
    hard = curriculum(table, table.column("score"), stages=3, order="hard_first").column("stage").to_pylist()
    assert hard == [3] * 4 + [2] * 4 + [1] * 4
    mixed = curriculum(table, table.column("score"), stages=3, order="interleaved").column("stage").to_pylist()
    assert mixed == [1, 2, 3] * 4


def test_bad_arguments() -> None:
    table = rows(4)
    with pytest.raises(ProgrammingError, match="stages must be a positive integer, got 0"):
        curriculum(table, table.column("score"), stages=0)
    with pytest.raises(ProgrammingError, match="order must be one of"):
        curriculum(table, table.column("score"), order="random")
    with pytest.raises(ProgrammingError, match="difficulty must be numeric"):
        curriculum(table, pa.array(["a", "b", "c", "d"]))
    with pytest.raises(DataError, match="difficulty is NULL .* for 1 rows, e.g. row 3"):
        curriculum(table, pa.array([1.0, 2.0, None, 4.0]))


def test_curriculum_in_sql_with_an_expression(con) -> None:
    con.execute("CREATE TABLE sft AS SELECT range AS id, repeat('x ', (range % 10)::INT) AS response FROM range(40)")
    rows = con.execute(
        "SELECT stage, min(length(response)), max(length(response)) FROM curriculum(sft, difficulty := length(response), stages := 2) "
        "GROUP BY stage ORDER BY stage"
    ).fetchall()
    assert rows == [(1, 0, 8), (2, 10, 18)]
    columns = [r[0] for r in con.execute("DESCRIBE SELECT * FROM curriculum(sft, difficulty := length(response))").fetchall()]
    assert columns == ["id", "response", "stage", "train_order"]
