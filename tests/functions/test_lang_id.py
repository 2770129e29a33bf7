"""lang_id(text [, model]): the bundled py3langid model and fastText language-ID models registered with CREATE MODEL."""

from __future__ import annotations

import random

import pytest

import aidb
from language_samples import man_page_paragraphs  # tests/language_samples.py

LANGUAGES = ["en", "de", "es", "fr", "it", "nl", "pl", "pt", "ru", "sv", "ja", "tr"]


@pytest.fixture(scope="module")
def samples() -> dict[str, list[str]]:
    found = {lang: man_page_paragraphs(lang, 40) for lang in LANGUAGES}
    found = {lang: paragraphs for lang, paragraphs in found.items() if len(paragraphs) >= 12}
    if len(found) < 4:
        pytest.skip("this machine has translated man pages in fewer than 4 languages")
    return found


@pytest.fixture(scope="module")
def con():
    connection = aidb.connect(autocommit=True)
    yield connection
    connection.close()


def _accuracy(con, samples: dict[str, list[str]], model: str | None) -> float:
    rows = [(lang, text) for lang, texts in samples.items() for text in texts]
    con.execute("CREATE OR REPLACE TEMP TABLE known (lang VARCHAR, text VARCHAR)")
    con.executemany("INSERT INTO known VALUES (?, ?)", rows)
    call = "lang_id(text)" if model is None else f"lang_id(text, '{model}')"
    return con.execute(f"SELECT avg((({call}).lang = lang)::INTEGER) FROM known").fetchone()[0]


def test_builtin_model_names_the_language_of_man_pages(con, samples):
    assert _accuracy(con, samples, None) >= 0.95


def test_result_is_a_struct_with_a_probability_and_null_gives_null(con):
    lang, score = con.execute("SELECT r.lang, r.score FROM (SELECT lang_id('Der Hund läuft schnell über die Wiese.') AS r)").fetchone()
    assert lang == "de" and 0.5 < score <= 1.0
    assert con.execute("SELECT lang_id(NULL) IS NULL").fetchone()[0] is True
    assert con.execute("SELECT lang_id('') .lang IS NOT NULL").fetchone()[0] is True


def test_fasttext_language_id_model_registered_with_create_model(con, samples, tmp_path):
    fasttext = pytest.importorskip("fasttext")
    train, held_out = {}, {}
    for lang, texts in samples.items():
        train[lang], held_out[lang] = texts[: len(texts) // 2], texts[len(texts) // 2 :]
    lines = [f"__label__{lang} {' '.join(t.split())}\n" for lang, texts in train.items() for t in texts]
    random.Random(0).shuffle(lines)  # SGD over one language after another would forget the first ones
    examples = tmp_path / "train.txt"
    examples.write_text("".join(lines))
    model = fasttext.train_supervised(input=str(examples), epoch=100, lr=1.0, minn=1, maxn=3, dim=32, bucket=100_000, thread=1, seed=1, verbose=0)
    model.save_model(str(tmp_path / "lid.tiny.bin"))
    con.execute(f"CREATE MODEL lid_tiny TYPE language_id FROM '{tmp_path / 'lid.tiny.bin'}'")
    assert _accuracy(con, held_out, "lid_tiny") >= 0.9
    lang, score = con.execute("SELECT r.lang, r.score FROM (SELECT lang_id(?, 'lid_tiny') AS r)", [held_out["de"][0]]).fetchone()
    assert lang == "de" and 0 < score <= 1


def test_a_file_that_is_not_a_fasttext_model_is_refused(con, tmp_path):
    bogus = tmp_path / "lid.bin"
    bogus.write_bytes(b"not a model")
    with pytest.raises(aidb.OperationalError, match="lid.bin"):
        con.execute(f"CREATE MODEL bogus_lid TYPE language_id FROM '{bogus}'")
    with pytest.raises(aidb.OperationalError, match="does not exist"):
        con.execute(f"CREATE MODEL missing_lid TYPE language_id FROM '{tmp_path / 'nope.bin'}'")


def test_unknown_model_is_a_programming_error(con):
    with pytest.raises(aidb.ProgrammingError, match="unknown model"):
        con.execute("SELECT lang_id('hello', 'no_such_lid')").fetchall()
