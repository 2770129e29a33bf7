"""mix_sample (largest-remainder proportions, seeded, epochs when up-sampling, token budgets) and mixture_report."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import aidb
from aidb.errors import DataError, ProgrammingError
from aidb.ops.mixing import largest_remainder, mix_sample, mixture_report


def corpus(sizes: dict[str, int]) -> pa.Table:
    domains = [d for d, size in sizes.items() for _ in range(size)]
    return pa.table({"id": list(range(len(domains))), "domain": domains, "tokens": [10 + i % 7 for i in range(len(domains))]})


def counts(table: pa.Table) -> dict[str, int]:
    values, frequency = np.unique(table.column("domain").to_numpy(zero_copy_only=False), return_counts=True)
    return dict(zip(values.tolist(), frequency.tolist()))


def test_largest_remainder_is_exact_and_sums_to_total() -> None:
    assert largest_remainder(10, {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}) == {"a": 4, "b": 3, "c": 3}
    assert largest_remainder(7, {"web": 0.5, "books": 0.3, "code": 0.2}) == {"web": 4, "books": 2, "code": 1}
    split = largest_remainder(1001, {"x": 0.123, "y": 0.456, "z": 0.421})
    assert sum(split.values()) == 1001 and split == {"x": 123, "y": 457, "z": 421}


def test_exact_proportions_without_repeats() -> None:
    sample = mix_sample(corpus({"web": 500, "books": 300, "code": 200}), "domain", {"web": 0.5, "books": 0.3, "code": 0.2}, n=101)
    assert counts(sample) == {"web": 51, "books": 30, "code": 20}  # 50.5 -> 51: the largest remainder
    assert sample.column("epoch").to_pylist() == [0] * 101
    assert len(set(sample.column("id").to_pylist())) == 101


def test_same_seed_same_sample_other_seed_other_sample() -> None:
    table = corpus({"web": 400, "code": 400})
    first = mix_sample(table, "domain", {"web": 0.7, "code": 0.3}, n=100, seed=7).column("id").to_pylist()
    again = mix_sample(table, "domain", {"web": 0.7, "code": 0.3}, n=100, seed=7).column("id").to_pylist()
    other = mix_sample(table, "domain", {"web": 0.7, "code": 0.3}, n=100, seed=8).column("id").to_pylist()
    assert first == again and first != other


def test_weights_are_normalised_and_unlisted_domains_excluded() -> None:
    sample = mix_sample(corpus({"web": 100, "code": 100, "spam": 100}), "domain", {"web": 3, "code": 1}, n=40)
    assert counts(sample) == {"web": 30, "code": 10}
    report = mixture_report(sample, "domain", {"web": 3, "code": 1})
    assert report.column("requested_share").to_pylist() == [0.25, 0.75]
    assert report.column("normalised").to_pylist() == [True, True]


def test_small_domain_is_an_error_naming_it_unless_replace() -> None:
    table = corpus({"web": 100, "books": 5})
    with pytest.raises(DataError, match=r"domain 'books' has 5 rows but its share needs 20.*replace := true"):
        mix_sample(table, "domain", {"web": 0.6, "books": 0.4}, n=50)
    sample = mix_sample(table, "domain", {"web": 0.6, "books": 0.4}, n=50, replace=True)
    books = sample.filter(pa.compute.equal(sample.column("domain"), "books"))
    assert books.num_rows == 20
    epochs = books.column("epoch").to_pylist()
    assert sorted(epochs) == [0] * 5 + [1] * 5 + [2] * 5 + [3] * 5  # four whole epochs
    by_id = {}
    for row_id, epoch in zip(books.column("id").to_pylist(), epochs):
        by_id.setdefault(row_id, []).append(epoch)
    assert all(sorted(e) == [0, 1, 2, 3] for e in by_id.values())


def test_partial_epoch_takes_distinct_rows() -> None:
    sample = mix_sample(corpus({"a": 4}), "domain", {"a": 1}, n=10, replace=True)
    epochs = sample.column("epoch").to_pylist()
    assert sorted(epochs) == [0] * 4 + [1] * 4 + [2] * 2
    last = [i for i, e in zip(sample.column("id").to_pylist(), epochs) if e == 2]
    assert len(set(last)) == 2


@pytest.mark.parametrize(
    "weights, message",
    [
        ({"web": 0.5, "video": 0.5}, r"unknown domain 'video'"),
        ({"web": -0.1, "books": 1.1}, r"domain 'web' is negative"),
        ({"web": 0, "books": 0}, r"all weights are 0"),
        ({"web": "half"}, r"domain 'web' must be a finite number"),
        ({}, r"weights must map each domain"),
    ],
)
def test_bad_weights_name_the_problem(weights, message: str) -> None:
    with pytest.raises(ProgrammingError, match=message):
        mix_sample(corpus({"web": 10, "books": 10}), "domain", weights, n=5)


def test_bad_arguments_are_programming_errors() -> None:
    table = corpus({"web": 10})
    with pytest.raises(ProgrammingError, match="domain column 'lang'"):
        mix_sample(table, "lang", {"web": 1}, n=5)
    with pytest.raises(ProgrammingError, match="n must be a positive integer"):
        mix_sample(table, "domain", {"web": 1}, n=0)
    with pytest.raises(ProgrammingError, match="by must be one of"):
        mix_sample(table, "domain", {"web": 1}, n=5, by="bytes")
    with pytest.raises(ProgrammingError, match="needs tokens :="):
        mix_sample(table, "domain", {"web": 1}, n=5, by="tokens")


def test_token_budget_per_domain() -> None:
    table = corpus({"web": 300, "code": 300})
    sample = mix_sample(table, "domain", {"web": 0.75, "code": 0.25}, n=2000, by="tokens", token_col="tokens")
    report = {r["domain"]: r for r in mixture_report(sample, "domain", {"web": 0.75, "code": 0.25}, token_col="tokens").to_pylist()}
    # each domain stops at the first row reaching its budget: at most one row (16 tokens) over
    assert 1500 <= report["web"]["tokens"] < 1500 + 16
    assert 500 <= report["code"]["tokens"] < 500 + 16
    assert report["web"]["token_share"] == pytest.approx(0.75, abs=0.01)


def test_token_budget_up_samples_in_epochs() -> None:
    table = corpus({"a": 3})  # 10 + 11 + 12 = 33 tokens
    sample = mix_sample(table, "domain", {"a": 1}, n=80, by="tokens", token_col="tokens", replace=True)
    assert sorted(sample.column("epoch").to_pylist()) == [0, 0, 0, 1, 1, 1, 2, 2]  # 66 tokens, then two rows
    assert 80 <= sum(sample.column("tokens").to_pylist()) < 80 + 12


def test_weight_column_prefers_heavy_rows() -> None:
    table = corpus({"web": 1000}).append_column("quality", pa.array([10.0 if i < 100 else 0.1 for i in range(1000)]))
    sample = mix_sample(table, "domain", {"web": 1}, n=100, weight_col="quality", seed=3)
    heavy = sum(1 for i in sample.column("id").to_pylist() if i < 100)
    assert heavy > 80  # 100 x 10 of weight against 900 x 0.1


def test_report_without_weights_counts_rows() -> None:
    report = mixture_report(corpus({"a": 3, "b": 1}), "domain")
    assert report.select(["domain", "rows", "row_share"]).to_pylist() == [
        {"domain": "a", "rows": 3, "row_share": 0.75},
        {"domain": "b", "rows": 1, "row_share": 0.25},
    ]
    assert report.column("requested_share").null_count == 2


@pytest.fixture
def corpus_table(con):
    con.execute(
        "CREATE TABLE corpus AS SELECT range AS id, ['web', 'code', 'books'][(range % 3)::INT + 1] AS domain, "
        "repeat('word ', (range % 7)::INT + 1) AS text FROM range(300)"
    )
    return con


def test_mix_sample_in_sql(corpus_table) -> None:
    con = corpus_table
    rows = con.execute(
        "SELECT domain, count(*), max(epoch) FROM mix_sample(corpus, domain, weights := {'web': 0.5, 'code': 0.3, 'books': 0.2}, n := 101) "
        "GROUP BY domain ORDER BY domain"
    ).fetchall()
    assert rows == [("books", 20, 0), ("code", 30, 0), ("web", 51, 0)]
    con.execute("CREATE TABLE up AS SELECT * FROM mix_sample(corpus, domain, weights := {'books': 1}, n := 250, replace := true, seed := 2)")
    assert con.execute("SELECT max(epoch), count(DISTINCT id) FROM up").fetchone() == (2, 100)
    assert [r[0] for r in con.execute("DESCRIBE up").fetchall()] == ["id", "domain", "text", "epoch"]


def test_mix_sample_by_tokens_and_report_in_sql(corpus_table) -> None:
    con = corpus_table
    con.execute(
        "CREATE TABLE mix AS SELECT * FROM mix_sample(corpus, domain, weights := {'web': 5, 'code': 3, 'books': 2}, n := 600, "
        "by := 'tokens', tokens := regex_token_count(text), seed := 3)"
    )
    report = con.execute(
        "SELECT domain, requested_share, token_share, normalised FROM mixture_report(mix, domain, "
        "weights := {'web': 5, 'code': 3, 'books': 2}, tokens := regex_token_count(text)) ORDER BY domain"
    ).fetchall()
    assert [(d, share, normalised) for d, share, _, normalised in report] == [("books", 0.2, True), ("code", 0.3, True), ("web", 0.5, True)]
    assert all(abs(achieved - share) < 0.02 for _, share, achieved, _ in report)
    assert "aidb_expression_tokens" not in [r[0] for r in con.execute("DESCRIBE mix").fetchall()]


def test_mix_sample_errors_in_sql(corpus_table) -> None:
    con = corpus_table
    with pytest.raises(aidb.ProgrammingError, match="unknown domain 'video'"):
        con.execute("SELECT * FROM mix_sample(corpus, domain, weights := {'web': 0.5, 'video': 0.5}, n := 10)")
    with pytest.raises(aidb.DataError, match="domain 'web' has 100 rows but its share needs 500"):
        con.execute("SELECT * FROM mix_sample(corpus, domain, weights := {'web': 1}, n := 500)")
    with pytest.raises(aidb.ProgrammingError, match="argument domain_col: corpus has no column 'lang'"):
        con.execute("SELECT * FROM mix_sample(corpus, lang, weights := {'web': 1}, n := 5)")
    with pytest.raises(aidb.ProgrammingError, match="argument weights must be a map"):
        con.execute("SELECT * FROM mix_sample(corpus, domain, weights := 0.5, n := 5)")
