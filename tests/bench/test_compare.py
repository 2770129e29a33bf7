"""bench/compare.py: old vs new figures of two results files."""

from __future__ import annotations

import json

import pytest

from bench.compare import compare, load, main, numbers


def test_numbers_flattens_figures_and_skips_lists_and_booleans() -> None:
    tree = {"sides": {"aidb": {"best_wall_s": 2, "wall_s": [1, 2], "ok": True}}, "items": 10}
    assert numbers(tree) == {"sides.aidb.best_wall_s": 2.0, "items": 10.0}


def test_compare_prints_ratio_new_over_old(tmp_path, capsys) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps({"figures": {"ratio": {"wall": 2.0}, "gone": 1}}))
    new.write_text(json.dumps({"figures": {"ratio": {"wall": 3.0}, "added": 5}}))
    assert main([str(old), str(new)]) == 0
    rows = {line.split()[0]: line.split()[1:] for line in capsys.readouterr().out.splitlines()[3:]}
    assert rows["ratio.wall"] == ["2", "3", "1.500"]
    assert rows["gone"][1] == "(absent)" and rows["added"][0] == "(absent)"
    assert len(compare(load(str(old)), load(str(new)))) == 6


def test_unreadable_file_is_a_clear_exit(tmp_path) -> None:
    with pytest.raises(SystemExit, match="cannot read"):
        load(str(tmp_path / "missing.json"))
