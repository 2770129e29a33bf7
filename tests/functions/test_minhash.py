"""minhash() and jaccard() through SQL: exact to the documented scheme, as accurate as datasketch, NULLs, errors."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
from datasketch import MinHash

import aidb
from aidb.ops.minhash_kernel import EMPTY_SLOT, reference_shingles, reference_signature

EDGE_CASES = [
    "",
    "   ",
    "!!! ... ???",
    "one",
    "two words",
    "exactly five words right here",
    "Hello,\u00a0World\u2014it\u2019s \u201cquoted\u201d: na\u00efve caf\u00e9 \u5317\u4eac,",
    "ÄÖÜ \u0130stanbul stra\u00dfe ΣΑΣ",
    "snake_case and kebab-case and CamelCase 3.14159 x2",
]


@pytest.fixture(scope="module")
def paragraphs() -> list[str]:
    """Real English paragraphs: the Python reference manual's topics shipped with the standard library."""
    from pydoc_data.topics import topics

    found = []
    for key in sorted(topics):
        for block in re.split(r"\n\s*\n", topics[key]):
            text = " ".join(block.split())
            if len(text.split()) >= 12:
                found.append(text)
    return list(dict.fromkeys(found))


@pytest.fixture
def texts_table(con, paragraphs):
    def create(texts: list[str | None]) -> None:
        con.execute("CREATE OR REPLACE TABLE t (id INTEGER, text VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(texts)))

    return create


def signatures(con, sql: str) -> list[list[int] | None]:
    return [row[0] for row in con.execute(sql).fetchall()]


@pytest.mark.parametrize(("num_perm", "ngram", "seed"), [(128, 5, 1), (64, 3, 7), (16, 1, -5)])
def test_signatures_are_exact_to_the_documented_scheme(con, texts_table, paragraphs, num_perm, ngram, seed):
    texts = EDGE_CASES + paragraphs[:150]
    texts_table(texts)
    got = signatures(
        con, f"SELECT minhash(text, num_perm := {num_perm}, ngram := {ngram}, seed := {seed}) FROM t ORDER BY id"
    )
    assert got == [reference_signature(text, num_perm, ngram, seed) for text in texts]


def test_defaults_are_128_permutations_5_word_shingles_seed_1(con, texts_table, paragraphs):
    texts_table(paragraphs[:20])
    default = signatures(con, "SELECT minhash(text) FROM t ORDER BY id")
    assert default == signatures(con, "SELECT minhash(text, 128, 5, 1) FROM t ORDER BY id")
    assert all(len(sig) == 128 for sig in default)
    assert default != signatures(con, "SELECT minhash(text, seed := 2) FROM t ORDER BY id")
    assert default != signatures(con, "SELECT minhash(text, ngram := 3) FROM t ORDER BY id")
    short = signatures(con, "SELECT minhash(text, num_perm := 64) FROM t ORDER BY id")
    assert all(len(sig) == 64 for sig in short)
    assert con.execute("SELECT typeof(minhash('a b c'))").fetchone() == ("UINTEGER[]",)


def _mutated_pairs(paragraphs: list[str]) -> list[tuple[str, str]]:
    """Each long paragraph with a copy whose words were replaced at one of several rates: similarity 0 to 1."""
    rng = random.Random(0)
    pairs = []
    for text in [p for p in paragraphs if len(p.split()) >= 40][:240]:
        rate = rng.choice([0.0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.6, 0.9])
        words = [w if rng.random() >= rate else f"w{rng.randint(0, 10**6)}" for w in text.split()]
        pairs.append((text, " ".join(words)))
    return pairs


def _exact_jaccard(a: str, b: str) -> float:
    sa = {" ".join(s) for s in reference_shingles(a)}
    sb = {" ".join(s) for s in reference_shingles(b)}
    return len(sa & sb) / len(sa | sb)


def test_jaccard_estimates_are_as_accurate_as_datasketch(con, paragraphs):
    pairs = _mutated_pairs(paragraphs)
    exact = np.array([_exact_jaccard(a, b) for a, b in pairs])
    assert exact.min() < 0.1 and exact.max() == 1.0 and ((exact > 0.3) & (exact < 0.7)).sum() >= 20
    con.execute("CREATE TABLE pairs (id INTEGER, a VARCHAR, b VARCHAR)")
    con.executemany("INSERT INTO pairs VALUES (?, ?, ?)", [(i, a, b) for i, (a, b) in enumerate(pairs)])
    seeds = range(1, 6)
    aidb_errors, datasketch_errors = [], []
    for seed in seeds:
        rows = con.execute(
            f"SELECT jaccard(minhash(a, seed := {seed}), minhash(b, seed := {seed})) FROM pairs ORDER BY id"
        ).fetchall()
        aidb_errors.append(np.array([r[0] for r in rows]) - exact)
        datasketch_errors.append(np.array([_datasketch_jaccard(a, b, seed) for a, b in pairs]) - exact)
    aidb_err, peer_err = np.concatenate(aidb_errors), np.concatenate(datasketch_errors)
    rmse, peer_rmse = np.sqrt(np.mean(aidb_err**2)), np.sqrt(np.mean(peer_err**2))
    theory = np.sqrt(np.mean(exact * (1 - exact) / 128))  # variance of the MinHash estimator (Broder 1997)
    assert rmse <= 1.15 * peer_rmse and rmse <= 1.2 * theory, (rmse, peer_rmse, theory)
    assert abs(aidb_err.mean()) < 0.005
    # No bias at any similarity level.
    for low, high in [(0, 0.2), (0.2, 0.5), (0.5, 0.8), (0.8, 1.01)]:
        in_band = np.tile((exact >= low) & (exact < high), len(seeds))
        assert abs(aidb_err[in_band].mean()) < 0.02, (low, high)


def _datasketch_jaccard(a: str, b: str, seed: int) -> float:
    sketches = []
    for text in (a, b):
        sketch = MinHash(num_perm=128, seed=seed)
        sketch.update_batch([" ".join(s).encode("utf-8") for s in reference_shingles(text)])
        sketches.append(sketch)
    return sketches[0].jaccard(sketches[1])


def test_null_text_gives_null_and_null_signature_gives_null_jaccard(con, texts_table):
    texts_table(["some words to hash here and there", None, "more words to hash"])
    rows = con.execute("SELECT minhash(text) IS NULL, jaccard(minhash(text), minhash('x')) FROM t ORDER BY id")
    assert [(flag, est is None) for flag, est in rows.fetchall()] == [(False, False), (True, True), (False, False)]
    assert con.execute("SELECT jaccard(NULL, minhash('a'))").fetchone() == (None,)


def test_text_without_words_is_the_empty_set_and_short_text_one_shingle(con):
    empty = con.execute("SELECT minhash(''), minhash(' ?! '), jaccard(minhash(''), minhash('...'))").fetchone()
    assert empty[0] == empty[1] == [EMPTY_SLOT] * 128
    assert empty[2] == 1.0
    short = con.execute("SELECT minhash('Two words'), jaccard(minhash('two WORDS!'), minhash('two words'))").fetchone()
    assert short[0] == reference_signature("two words") and short[1] == 1.0
    assert con.execute("SELECT jaccard(minhash('two words'), minhash(''))").fetchone() == (0.0,)


def test_signatures_do_not_depend_on_chunk_boundaries(con, texts_table, paragraphs):
    # 5000 rows: DuckDB hands the UDF several chunks (2048 rows each), with NULLs and empties in between.
    texts_table(paragraphs[:300])
    con.execute(
        "CREATE TABLE big AS SELECT i AS id, CASE WHEN i % 97 = 0 THEN NULL WHEN i % 89 = 0 THEN '' ELSE t.text END"
        " AS text FROM range(5000) r(i) JOIN t ON t.id = i % 300"
    )
    got = signatures(con, "SELECT minhash(text, num_perm := 32) FROM big ORDER BY id")
    expected = [reference_signature(text, 32) for text in paragraphs[:300]]
    for row, signature in enumerate(got):
        if row % 97 == 0:
            assert signature is None
        elif row % 89 == 0:
            assert signature == [EMPTY_SLOT] * 32
        else:
            assert signature == expected[row % 300], row


def test_jaccard_is_the_fraction_of_equal_slots(con):
    rows = con.execute(
        "SELECT jaccard([1, 2, 3, 4]::UINTEGER[], [1, 2, 0, 0]::UINTEGER[]),"
        " jaccard([7, 7]::UINTEGER[], [7, 7]::UINTEGER[]), jaccard([5]::UINTEGER[], [6]::UINTEGER[])"
    ).fetchone()
    assert rows == (0.5, 1.0, 0.0)
    similar = con.execute(
        "SELECT jaccard(minhash('the quick brown fox jumps over the lazy dog today'),"
        " minhash('the quick brown fox jumps over the lazy dog tomorrow'))"
    ).fetchone()[0]
    assert 0.5 < similar < 1.0  # exact Jaccard 5/7


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("minhash(text, num_perm := 0)", "num_perm must be between 1 and"),
        ("minhash(text, num_perm := -3)", "num_perm must be between 1 and"),
        ("minhash(text, ngram := 0)", "ngram must be between 1 and"),
        ("minhash(text, num_perm := NULL)", "num_perm must be one constant non-NULL integer"),
        ("minhash(text, num_perm := 4 + id)", "num_perm must be one constant non-NULL integer"),
        ("jaccard(minhash(text, num_perm := 64), minhash(text))", "signatures of 64 and 128 slots"),
        ("jaccard([]::UINTEGER[], []::UINTEGER[])", "cannot be compared"),
    ],
)
def test_bad_arguments_raise_data_errors(con, texts_table, call, message):
    texts_table(["a few words of text", "and a few more words"])
    with pytest.raises(aidb.DataError, match=re.escape(message)):
        con.execute(f"SELECT {call} FROM t").fetchall()


def test_unknown_parameter_is_a_programming_error(con):
    with pytest.raises(aidb.ProgrammingError, match="Did you mean: num_perm"):
        con.execute("SELECT minhash('text', nperm := 3)")


def test_densest_texts_and_groups_of_rows(con):
    # The kernel sizes its word scratch from bytes and rows: one-letter texts and 'a b c ...' texts are the most
    # words per byte; 1,000 rows span several of its row groups, and one long text follows many tiny ones.
    texts = ["a"] * 300 + ["x y"] * 300 + [" ".join("abcdefghij") * 50] * 5 + ["é"] * 300 + [" ".join(["w"] * 5000)]
    con.execute("CREATE TABLE dense AS SELECT * FROM unnest(?) WITH ORDINALITY AS u(text, id)", [texts])
    got = signatures(con, "SELECT minhash(text, num_perm := 16, ngram := 2) FROM dense ORDER BY id")
    distinct = {text: reference_signature(text, 16, 2) for text in set(texts)}
    assert got == [distinct[text] for text in texts]
