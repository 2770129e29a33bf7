"""domain_weights(): DoReMi's group-DRO weights from bigram proxy and reference models; a noise domain loses weight."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

import aidb
from dedup_corpus import real_paragraphs
from language_samples import man_page_paragraphs


@pytest.fixture(scope="module")
def texts() -> dict[str, list[str]]:
    rng = random.Random(0)
    letters = "abcdefghijklmnopqrstuvwxyz"
    noise = [" ".join("".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(60)) for _ in range(150)]
    return {"docs": real_paragraphs(150), "man": man_page_paragraphs("en", 150), "noise": noise}


@pytest.fixture
def corpus(con, texts):
    rows = [(domain, text) for domain, items in texts.items() for text in items]
    con.session.duck.register("rows", pa.table({"id": list(range(len(rows))), "domain": [r[0] for r in rows], "text": [r[1] for r in rows]}))
    con.execute("CREATE TABLE corpus AS SELECT * FROM rows")
    con.session.duck.unregister("rows")
    return con


def test_noise_falls_below_its_uniform_share_and_weights_feed_mix_sample(corpus):
    weights = dict(corpus.execute("SELECT domain, weight FROM domain_weights(corpus, domain, text)").fetchall())
    assert sum(weights.values()) == pytest.approx(1.0)
    assert weights["noise"] < min(1 / 3, weights["docs"], weights["man"])
    again = dict(corpus.execute("SELECT domain, weight FROM domain_weights(corpus, domain, text)").fetchall())
    assert again == weights  # deterministic for a seed
    report = corpus.execute("SELECT domain, reference_weight, rows FROM domain_weights(corpus, domain, text, steps := 10) ORDER BY domain").fetchall()
    assert report == [("docs", pytest.approx(1 / 3), 150), ("man", pytest.approx(1 / 3), 150), ("noise", pytest.approx(1 / 3), 150)]
    mixed = dict(corpus.execute(
        "SELECT domain, count(*) FROM mix_sample(corpus, domain, n := 100, "
        "weights_from := (SELECT domain, weight FROM domain_weights(corpus, domain, text))) GROUP BY domain"
    ).fetchall())
    assert sum(mixed.values()) == 100 and mixed["noise"] == round(100 * weights["noise"])


def test_reference_weights_shift_the_reference_model(corpus):
    skewed = dict(corpus.execute(
        "SELECT domain, reference_weight FROM domain_weights(corpus, domain, text, steps := 5, "
        "reference_weights := {'docs': 2, 'man': 1, 'noise': 1})"
    ).fetchall())
    assert skewed == {"docs": 0.5, "man": 0.25, "noise": 0.25}


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ("method := 'odm'", aidb.ProgrammingError, "argument method must be one of \\['doremi'\\]"),
        ("steps := 0", aidb.ProgrammingError, "argument steps must be a positive integer"),
        ("reference_weights := {'docs': 1}", aidb.ProgrammingError, "must name every domain once: missing"),
        ("reference_weights := {'docs': 1, 'man': -1, 'noise': 1}", aidb.ProgrammingError, "must be non-negative numbers"),
    ],
)
def test_bad_arguments(corpus, arguments, error, message):
    with pytest.raises(error, match=message):
        corpus.execute(f"SELECT * FROM domain_weights(corpus, domain, text, {arguments})")


def test_one_domain_or_a_tiny_domain_is_refused(con):
    con.execute("CREATE TABLE one AS SELECT i AS id, 'web' AS domain, 'some words here' AS text FROM range(5) t(i)")
    with pytest.raises(aidb.DataError, match="needs at least 2"):
        con.execute("SELECT * FROM domain_weights(one, domain, text)")
    con.execute("INSERT INTO one VALUES (9, 'code', 'x = 1')")
    with pytest.raises(aidb.DataError, match="domain 'code' has 1 rows with text"):
        con.execute("SELECT * FROM domain_weights(one, domain, text)")
