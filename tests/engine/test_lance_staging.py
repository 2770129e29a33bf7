"""One transaction over DuckDB and Lance tables: read-your-own-writes, rollback, atomic commit, DML the extension refuses."""

from __future__ import annotations

import lance
import pytest

import aidb

DIM = 4


def _vector(i: int) -> str:
    return f"[{i}, {i}, {i}, {i}]::FLOAT[{DIM}]"


@pytest.fixture
def pep(db_path):
    """A PEP 249 connection (autocommit off) with a 3-row Lance table `docs` and an empty DuckDB table `notes`."""
    con = aidb.connect(str(db_path))
    con.execute(f"CREATE TABLE docs (id BIGINT, text VARCHAR, emb FLOAT[{DIM}]) WITH (storage = 'lance')")
    con.execute(f"INSERT INTO docs VALUES (1, 'a', {_vector(1)}), (2, 'b', {_vector(2)}), (3, 'c', {_vector(3)})")
    con.execute("CREATE TABLE notes (id BIGINT, note VARCHAR)")
    con.commit()
    yield con
    con.close()


def _dataset(db_path) -> lance.LanceDataset:
    return lance.dataset(str(db_path.parent / (db_path.name + ".lance") / "docs.lance"))


def _rows(con) -> list[tuple]:
    return con.execute("SELECT id, text, emb IS NULL FROM docs ORDER BY id").fetchall()


def test_a_transaction_reads_its_own_lance_writes_and_others_do_not(pep, db_path):
    pep.execute(f"INSERT INTO docs VALUES (4, 'd', {_vector(4)}), (5, 'e', NULL)")
    assert pep.execute("SELECT count(*) FROM docs").fetchone() == (5,)
    assert pep.execute("UPDATE docs SET text = upper(text) WHERE id IN (2, 4)").rowcount == 2
    assert pep.execute("DELETE FROM docs WHERE id = 5 OR text = 'c'").rowcount == 2
    assert _rows(pep) == [(1, "a", False), (2, "B", False), (4, "D", False)]
    assert _dataset(db_path).count_rows() == 3  # what other connections read: unchanged until COMMIT
    pep.commit()
    assert _rows(pep) == [(1, "a", False), (2, "B", False), (4, "D", False)]
    assert sorted(_dataset(db_path).to_table(columns=["id"]).column("id").to_pylist()) == [1, 2, 4]


def test_rollback_discards_lance_writes(pep, db_path):
    version = _dataset(db_path).latest_version
    pep.execute(f"INSERT INTO docs VALUES (9, 'z', {_vector(9)})")
    pep.execute("UPDATE docs SET emb = NULL WHERE id = 1")
    pep.execute("DELETE FROM docs WHERE id = 2")
    pep.rollback()
    assert _rows(pep) == [(1, "a", False), (2, "b", False), (3, "c", False)]
    assert _dataset(db_path).latest_version == version
    assert pep.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'lance_stage_%'").fetchone() == (0,)


def test_lance_and_duckdb_tables_commit_together(pep, db_path):
    pep.execute(f"INSERT INTO docs VALUES (4, 'd', {_vector(4)})")
    pep.execute("INSERT INTO notes SELECT id, 'added ' || text FROM docs WHERE id = 4")
    pep.commit()
    pep.close()
    reopened = aidb.connect(str(db_path))
    assert reopened.execute("SELECT d.id, n.note FROM docs d JOIN notes n USING (id)").fetchall() == [(4, "added d")]
    assert reopened.execute("SELECT count(*) FROM aidb.lance_commits").fetchone() == (0,)
    reopened.close()


def test_lance_and_duckdb_tables_roll_back_together(pep):
    pep.execute("INSERT INTO notes VALUES (1, 'x')")
    pep.execute(f"INSERT INTO docs VALUES (4, 'd', {_vector(4)})")
    pep.rollback()
    assert pep.execute("SELECT (SELECT count(*) FROM notes), (SELECT count(*) FROM docs)").fetchone() == (0, 3)


def test_a_failed_statement_discards_the_staged_writes(pep):
    pep.execute(f"INSERT INTO docs VALUES (4, 'd', {_vector(4)})")
    with pytest.raises(aidb.ProgrammingError, match="rolled back"):
        pep.execute("SELECT no_such_column FROM docs")
    assert pep.execute("SELECT count(*) FROM docs").fetchone() == (3,)


def test_dml_the_extension_refuses_works_in_autocommit(db_path):
    con = aidb.connect(str(db_path), autocommit=True)
    con.execute(f"CREATE TABLE docs (id BIGINT, text VARCHAR, emb FLOAT[{DIM}]) WITH (storage = 'lance')")
    con.execute(f"INSERT INTO docs VALUES (1, 'a', {_vector(1)}), (2, 'b', {_vector(2)}), (3, 'c', NULL)")
    assert con.execute("UPDATE docs SET emb = NULL WHERE id IN (1, 2)").rowcount == 2
    assert con.execute(f"UPDATE docs SET emb = {_vector(7)}, text = text || '!' WHERE id = 3").rowcount == 1
    assert con.execute("DELETE FROM docs WHERE text IN (SELECT 'b')").rowcount == 1
    assert con.execute("INSERT INTO docs VALUES (8, 'h', NULL) RETURNING id * 10").fetchall() == [(80,)]
    assert con.execute("UPDATE docs SET text = ? WHERE id = ?", ["p", 8]).rowcount == 1
    assert con.execute("SELECT id, text, emb[1] FROM docs ORDER BY id").fetchall() == [(1, "a", None), (3, "c!", 7.0), (8, "p", None)]
    con.close()


def test_update_and_delete_with_from_or_returning_are_refused_clearly(pep):
    with pytest.raises(aidb.NotSupportedError, match="FROM/USING"):
        pep.execute("UPDATE docs SET text = n.note FROM notes n WHERE n.id = docs.id")
    with pytest.raises(aidb.NotSupportedError, match="RETURNING"):
        pep.execute("DELETE FROM docs WHERE id = 1 RETURNING id")


def test_vector_search_in_a_transaction_sees_staged_rows(pep):
    pep.execute(f"INSERT INTO docs VALUES (7, 'g', {_vector(7)})")
    found = pep.execute(f"SELECT id FROM docs ORDER BY distance(emb, {_vector(7)}, 'l2') LIMIT 1").fetchall()
    assert found == [(7,)]


def test_a_vector_index_on_a_table_the_transaction_wrote_commits_it_first(pep, db_path):
    pep.execute(f"INSERT INTO docs VALUES (4, 'd', {_vector(4)})")
    pep.execute("CREATE VECTOR INDEX docs_emb ON docs (emb) USING IVF_FLAT WITH (num_partitions = 1, metric = 'l2')")
    assert _dataset(db_path).count_rows() == 4
    pep.rollback()
    assert pep.execute("SELECT count(*) FROM docs").fetchone() == (4,)
    assert [row[0] for row in pep.execute("SHOW VECTOR INDEXES").fetchall()] == ["docs_emb"]


def test_text_search_on_a_table_the_transaction_wrote_says_to_commit_first(pep):
    pep.execute("CREATE VECTOR INDEX docs_text ON docs (text) USING INVERTED")
    pep.commit()
    pep.execute(f"INSERT INTO docs VALUES (8, 'h', {_vector(8)})")
    with pytest.raises(aidb.ProgrammingError, match="staged in the open transaction.*COMMIT first"):
        pep.execute("SELECT id FROM text_search(docs, text, 'h', k := 3)")
    pep.execute(f"INSERT INTO docs VALUES (8, 'h', {_vector(8)})")  # the failed statement rolled the transaction back
    pep.commit()
    assert pep.execute("SELECT id FROM text_search(docs, text, 'h', k := 3)").fetchall() == [(8,)]
