"""Default index parameters: what CREATE VECTOR INDEX records when the user gives none (bench/RESULTS.md has the measurements)."""

from __future__ import annotations

import pytest

from aidb.engine.vector_index_commands import default_build_options, default_search_options


@pytest.mark.parametrize(
    ("rows", "refine_factor"),
    [(500, 20), (100_000, 20), (250_000, 25), (1_000_000, 100), (2_000_000, 200), (50_000_000, 200)],
)
def test_pq_re_ranks_about_a_thousandth_of_the_table(rows, refine_factor):
    partitions = default_build_options("IVF_PQ", rows, 384)["num_partitions"]
    assert default_search_options("IVF_PQ", partitions, rows)["refine_factor"] == refine_factor


def test_probes_five_percent_of_partitions_but_never_fewer_than_twenty():
    assert default_search_options("IVF_PQ", 24, 100_000)["nprobes"] == 20
    assert default_search_options("IVF_PQ", 4096, 16_000_000)["nprobes"] == 205


def test_scalar_quantised_and_flat_indexes_need_less_re_ranking():
    assert default_search_options("IVF_HNSW_SQ", 244, 1_000_000) == {"nprobes": 20, "refine_factor": 10}
    assert "refine_factor" not in default_search_options("IVF_FLAT", 244, 1_000_000)


def test_pq_codes_use_eight_dimensions_per_sub_vector_at_384_dimensions():
    assert default_build_options("IVF_PQ", 1_000_000, 384) == {"num_partitions": 244, "num_sub_vectors": 48}
