"""bench/measure.py: alternation order, per-side figures and the JSON document benchmarks write."""

from __future__ import annotations

import json

from bench.measure import alternate, ratio, summarise, write_results


def test_alternate_rotates_the_order_and_keeps_every_round() -> None:
    calls: list[str] = []
    runs = alternate({"a": lambda: calls.append("a") or 1, "b": lambda: calls.append("b") or 2}, repeat=3, verbose=False)
    assert calls == ["a", "b", "a", "b", "b", "a", "a", "b"]  # warm-up a b, then rounds a-b, b-a, a-b
    assert [len(runs[s].wall) for s in "ab"] == [3, 3] and [len(runs[s].cpu) for s in "ab"] == [3, 3]
    assert runs["a"].result == 1 and runs["b"].result == 2


def test_summary_and_ratio_use_the_best_round() -> None:
    runs = alternate({"slow": lambda: sum(range(200_000)), "fast": lambda: 0}, repeat=2, warm_up=False, verbose=False)
    runs["slow"].wall, runs["fast"].wall = [4.0, 2.0], [1.0, 0.5]
    runs["slow"].cpu, runs["fast"].cpu = [3.0, 3.0], [1.5, 1.0]
    figures = summarise(runs, items=10)
    assert figures["fast"]["best_wall_s"] == 0.5 and figures["fast"]["items_per_s"] == 20.0
    assert ratio(runs, "slow", "fast") == {"wall": 4.0, "cpu": 3.0}


def test_write_results_records_command_and_load(tmp_path) -> None:
    path = write_results("demo", {"sides": {"aidb": {"best_wall_s": 1.5}}}, directory=tmp_path)
    document = json.loads(path.read_text())
    assert path.name == "demo.json" and document["benchmark"] == "demo"
    assert document["figures"]["sides"]["aidb"]["best_wall_s"] == 1.5
    assert len(document["machine"]["load_average_after"]) == 3 and document["command"]
