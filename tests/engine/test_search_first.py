"""Searches whose query vector is a parameter run before DuckDB: same rows, parameters kept, fallbacks."""

from __future__ import annotations

import numpy as np
import pytest

from pylance_docs import DIM, open_pylance_docs, plan_of, vectors  # tests/pylance_docs.py

from aidb.engine import search_first
from aidb.errors import DataError


@pytest.fixture
def docs(tmp_path):
    cur = open_pylance_docs(tmp_path)
    yield cur
    cur.connection.close()


@pytest.fixture
def first_searches(monkeypatch) -> list[str]:
    """The columns of each search run before DuckDB (the in-DuckDB function does not pass through here)."""
    calls: list[str] = []
    real = search_first.run_search

    def counting(dataset, search, vector):
        calls.append(",".join(search.columns))
        return real(dataset, search, vector)

    monkeypatch.setattr(search_first, "run_search", counting)
    return calls


def literal(vector: np.ndarray) -> str:
    return "[" + ", ".join(repr(float(v)) for v in vector) + f"]::FLOAT[{DIM}]"


def test_a_parameter_vector_is_searched_first_and_gives_the_rows_of_the_function(docs, first_searches):
    query = vectors(docs)[40] + 0.05
    sql = "SELECT id, lang, \"Year Made\", distance(emb, {v}) AS d FROM docs WHERE lang = 'en' ORDER BY d LIMIT 7"
    in_duckdb = docs.execute(sql.format(v=literal(query))).fetchall()
    described = docs.description
    assert first_searches == []
    first = docs.execute(sql.format(v="?"), [query.tolist()]).fetchall()
    assert first_searches == ["id,lang,Year Made"]
    assert docs.description == described
    # the literal's decimals reach DuckDB's FLOAT cast by another rounding: distances agree to float precision
    assert [r[:3] for r in first] == [r[:3] for r in in_duckdb]
    assert [r[3] for r in first] == pytest.approx([r[3] for r in in_duckdb], rel=1e-6)
    assert len(first) == 7 and {r[1] for r in first} == {"en"}


def test_explain_shows_the_statement_duckdb_runs_when_the_vector_is_bound(docs):
    sql = "SELECT id FROM docs ORDER BY distance(emb, ?) LIMIT 3"
    variant = plan_of(docs, sql, "duckdb, search first")
    assert "__aidb_ann_" not in variant and 'unnest(cast($1 as bigint[])) as "id"' in variant
    assert 'unnest(cast($2 as real[])) as "_distance"' in variant


def test_other_parameters_keep_their_values_and_are_renumbered(docs, first_searches):
    data = vectors(docs)
    query = data[5] + 0.01
    sql = "SELECT id, ? AS tag, lang FROM docs WHERE lang = ? ORDER BY distance(emb, ?) LIMIT 5"
    variant = plan_of(docs, sql, "duckdb, search first")
    assert "$1 as tag" in variant and "lang = $2" in variant and "$5" in variant  # the vector ($3) is gone
    rows = docs.execute(sql, ["t", "en", query.tolist()]).fetchall()
    assert len(first_searches) == 1
    english = np.arange(len(data)) % 3 != 0
    exact = np.argsort(np.where(english, np.linalg.norm(data - query, axis=1), np.inf))[:5]
    assert rows == [(int(i), "t", "en") for i in exact]


def test_named_parameters(docs, first_searches):
    data = vectors(docs)
    query = data[9]
    sql = "SELECT id FROM docs WHERE \"Year Made\" >= $year ORDER BY distance(emb, $q) LIMIT 4"
    rows = docs.execute(sql, {"q": query.tolist(), "year": 2010}).fetchall()
    assert len(first_searches) == 1
    ids = np.arange(len(data))
    exact = np.argsort(np.where(2000 + ids % 20 >= 2010, np.linalg.norm(data - query, axis=1), np.inf))[:4]
    assert [r[0] for r in rows] == exact.tolist()


def test_two_searches_in_one_statement(docs, first_searches):
    data = vectors(docs)
    sql = (
        "SELECT 'a' AS q, id FROM vector_search(docs, emb, ?, k := 2) "
        "UNION ALL SELECT 'b', id FROM vector_search(docs, emb, ?, k := 3) ORDER BY q, id"
    )
    rows = docs.execute(sql, [data[1].tolist(), data[2].tolist()]).fetchall()
    assert first_searches == ["id", "id"]  # vector_search fetches only the columns read
    for name, row, k in (("a", 1, 2), ("b", 2, 3)):
        exact = np.argsort(np.linalg.norm(data - data[row], axis=1))[:k]
        assert sorted(r[1] for r in rows if r[0] == name) == sorted(exact.tolist())


def test_rows_written_since_the_plan_are_found(docs, first_searches):
    sql = "SELECT id FROM docs ORDER BY distance(emb, ?) LIMIT 1"
    target = [7.0] * DIM
    before = docs.execute(sql, [target]).fetchone()
    docs.execute(f"INSERT INTO docs VALUES (99999, 'en', 2024, {target}::FLOAT[{DIM}])")
    assert docs.execute(sql, [target]).fetchone() == (99999,)
    docs.execute("DELETE FROM docs WHERE id = 99999")
    assert docs.execute(sql, [target]).fetchone() == before
    assert len(first_searches) == 3


@pytest.mark.parametrize(
    "vector, message",
    [([1.0, 2.0, 3.0], r"query vector has 3 dimensions \(FLOAT\[8\] expected\)"), ([float("nan")] * DIM, "NaN or infinite")],
)
def test_a_bad_vector_parameter_is_a_data_error(docs, vector, message):
    with pytest.raises(DataError, match=message):
        docs.execute("SELECT id FROM docs ORDER BY distance(emb, ?) LIMIT 3", [vector])
    assert docs.execute("SELECT count(*) FROM docs").fetchone() == (3000,)


def test_values_that_do_not_suit_run_the_statement_as_planned(docs, first_searches):
    sql = "SELECT id FROM docs ORDER BY distance(emb, ?) LIMIT 3"
    assert docs.execute(sql, [None]).fetchall() == []
    query = vectors(docs)[3]
    as_text = "[" + ", ".join(str(float(v)) for v in query) + "]"  # DuckDB casts the text to FLOAT[8]
    assert docs.execute(sql, [as_text]).fetchall()[0] == (3,)
    assert first_searches == []


def test_struct_and_list_columns_stay_one_column_each(docs, first_searches):
    docs.execute(
        f"CREATE TABLE tagged (id BIGINT, tag STRUCT(k VARCHAR, v INTEGER), words VARCHAR[], emb FLOAT[{DIM}]) WITH (storage = 'lance')"
    )
    docs.execute("INSERT INTO tagged SELECT id, {'k': lang, 'v': id}, [lang, 'w'], emb FROM docs")
    docs.execute("CREATE VECTOR INDEX tagged_emb ON tagged (emb) USING IVF_FLAT WITH (metric = 'l2', num_partitions = 4)")
    query = vectors(docs)[6].tolist()
    with_struct = "SELECT id, tag, words FROM tagged ORDER BY distance(emb, ?) LIMIT 2"
    # a STRUCT does not survive the trip through Python values: that search stays inside DuckDB
    assert "duckdb, search first" not in dict(docs.execute("EXPLAIN AIDB " + with_struct).fetchall())
    assert docs.execute(with_struct, [query]).fetchall()[0] == (6, {"k": "fr", "v": 6}, ["fr", "w"])
    assert first_searches == []
    assert docs.execute("SELECT id, words FROM tagged ORDER BY distance(emb, ?) LIMIT 2", [query]).fetchall()[0] == (6, ["fr", "w"])
    assert first_searches == ["id,words"]


def add_rare_rows(docs) -> None:
    """30 rows in German, far from the rows near data[0]: an over-fetch of the nearest rows finds none of them."""
    docs.execute(f"INSERT INTO docs SELECT 5000 + range, 'de', 2024, [-3 - range * 0.01 FOR i IN range({DIM})]::FLOAT[{DIM}] FROM range(30)")


def test_a_filter_with_parameters_runs_inside_lance_once_bound_and_returns_k_rows(docs, first_searches):
    add_rare_rows(docs)
    data = vectors(docs)
    sql = "SELECT id, lang FROM docs WHERE lang = ? ORDER BY distance(emb, ?) LIMIT 5"
    plan = plan_of(docs, sql)
    assert "ann_postfilter" in plan and "once the parameters are bound, the filter runs inside lance" in plan
    query = data[0]
    rows = docs.execute(sql, ["de", query.tolist()]).fetchall()
    ids = np.array(docs.execute("SELECT id FROM docs ORDER BY id").fetchall())[:, 0]
    german = ids >= 5000
    exact = ids[np.argsort(np.where(german, np.linalg.norm(data - query, axis=1), np.inf))[:5]]
    assert rows == [(int(i), "de") for i in exact]
    # inside DuckDB (the vector as text is cast there) the search can only over-fetch: it comes back short
    as_text = "[" + ", ".join(str(float(v)) for v in query) + "]"
    assert len(docs.execute(sql, ["de", as_text]).fetchall()) < 5


def test_a_bound_value_without_a_lance_literal_over_fetches(docs, first_searches):
    data = vectors(docs)
    sql = "SELECT id, lang FROM docs WHERE lang = ? ORDER BY distance(emb, ?) LIMIT 5"
    assert docs.execute(sql, [None, data[0].tolist()]).fetchall() == []  # NULL: no literal, DuckDB filters
    assert len(first_searches) == 1


def test_a_bound_filter_lance_refuses_falls_back_to_over_fetching(docs, monkeypatch):
    from aidb.errors import ProgrammingError

    real = search_first.run_search
    seen: list[str | None] = []

    def refusing(dataset, search, vector):
        seen.append(search.filter)
        if search.filter is not None:
            raise ProgrammingError("refused")
        return real(dataset, search, vector)

    monkeypatch.setattr(search_first, "run_search", refusing)
    data = vectors(docs)
    rows = docs.execute("SELECT id FROM docs WHERE lang = ? ORDER BY distance(emb, ?) LIMIT 3", ["fr", data[3].tolist()]).fetchall()
    assert seen == ["lang = 'fr'", None] and rows[0] == (3,)
