"""Language models in the catalog: trained FROM (SELECT ...), loaded from KenLM files or `hf:` dirs, and their errors."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

import aidb
from aidb.models.kenlm_training import UNK, log10_unknown_probability

COOKING = [
    "whisk the eggs with sugar until pale and fluffy",
    "fold the flour gently into the whisked eggs",
    "bake the cake in a hot oven for thirty minutes",
    "melt the butter and stir it into the batter",
    "let the cake cool before you slice it",
    "season the soup with salt and pepper to taste",
    "simmer the soup gently for twenty minutes",
    "chop the onions and fry them in butter until golden",
]
HELD_OUT_COOKING = "whisk the butter with sugar until golden, then bake the cake in the oven"
OUT_OF_DOMAIN = "the central bank raised interest rates to curb inflation across the economy"


@pytest.fixture(scope="module")
def recipes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[aidb.dbapi.Connection]:
    """A file database with a 3-gram model trained on a cooking table."""
    path = tmp_path_factory.mktemp("lm") / "recipes.aidb"
    connection = aidb.connect(path, autocommit=True)
    cursor = connection.cursor()
    cursor.execute("CREATE TABLE recipes (id INTEGER, text VARCHAR)")
    cursor.executemany("INSERT INTO recipes VALUES (?, ?)", [[i, s] for i, s in enumerate(COOKING)])
    cursor.execute("CREATE LANGUAGE MODEL cooking FROM (SELECT text FROM recipes WHERE id >= 0) WITH (order := 3)")
    yield connection
    connection.close()


def _source(connection: aidb.dbapi.Connection, name: str) -> Path:
    cursor = connection.cursor()
    cursor.execute("SELECT source FROM aidb.models WHERE name = ?", [name])
    return Path(cursor.fetchone()[0])


def _perplexity(connection: aidb.dbapi.Connection, text: str | None, model: str) -> float | None:
    cursor = connection.cursor()
    cursor.execute("SELECT perplexity(?, ?)", [text, model])
    return cursor.fetchone()[0]


def test_trained_model_is_stored_beside_the_database_with_its_fingerprint(recipes) -> None:
    source = _source(recipes, "cooking")
    assert source.parent.name == "recipes.aidb.models"
    cursor = recipes.cursor()
    cursor.execute("SELECT fingerprint, options FROM aidb.models WHERE name = 'cooking'")
    fingerprint, options = cursor.fetchone()
    assert source.name == f"cooking.{fingerprint[:16]}.arpa"  # the naming of aidb.storage.model_files
    assert '"order": 3' in options
    assert log10_unknown_probability(source) < 0  # <unk> gets the Good-Turing mass, not KenLM's -100


def test_trained_model_prefers_held_out_in_domain_text(recipes) -> None:
    in_domain = _perplexity(recipes, HELD_OUT_COOKING, "cooking")
    out_of_domain = _perplexity(recipes, OUT_OF_DOMAIN, "cooking")
    assert in_domain * 2 < out_of_domain


def _ccnet_tokens(line: str) -> str:
    """An independent re-implementation of the documented tokenisation (aidb.models.lm_tokens)."""
    line = unicodedata.normalize("NFD", line.lower())
    line = "".join(c for c in line if unicodedata.category(c) != "Mn")
    line = re.sub(r"[0-9]", "0", line)
    return " ".join(re.findall(r"\w+|[^\w\s]", line))


def test_values_match_kenlm_with_the_ccnet_formula(recipes) -> None:
    import kenlm

    document = "Whisk 3 Eggs, then BAKE the cake!\n\nCrème brûlée is served cold.\nunseenword here"
    model = kenlm.Model(str(_source(recipes, "cooking")))
    lines = [_ccnet_tokens(line) for line in document.split("\n") if _ccnet_tokens(line)]
    assert lines[0] == "whisk 0 eggs , then bake the cake !"
    assert lines[1] == "creme brulee is served cold ."
    log_score = sum(model.score(line) for line in lines)
    length = sum(len(line.split()) + 1 for line in lines)
    expected = 10.0 ** (-log_score / length)
    assert _perplexity(recipes, document, "cooking") == pytest.approx(expected, rel=1e-9)
    assert _perplexity(recipes, "", "cooking") == pytest.approx(10.0 ** -model.score(""), rel=1e-9)
    assert _perplexity(recipes, None, "cooking") is None


def test_model_loads_from_an_existing_arpa_file(recipes, tmp_path: Path) -> None:
    copy = tmp_path / "copy.arpa"
    copy.write_bytes(_source(recipes, "cooking").read_bytes())
    cursor = recipes.cursor()
    cursor.execute(f"CREATE OR REPLACE LANGUAGE MODEL copied FROM '{copy}'")
    assert _perplexity(recipes, HELD_OUT_COOKING, "copied") == pytest.approx(_perplexity(recipes, HELD_OUT_COOKING, "cooking"))
    assert UNK in copy.read_text()


def test_normalise_false_scores_pre_tokenised_lines_as_given(recipes) -> None:
    import kenlm

    path = _source(recipes, "cooking")
    cursor = recipes.cursor()
    cursor.execute(f"CREATE OR REPLACE LANGUAGE MODEL raw FROM '{path}' WITH (normalise = false)")
    document = "Whisk the EGGS ,  then bake\n\nthe cake"
    model = kenlm.Model(str(path))
    lines = ["Whisk the EGGS ,  then bake", "the cake"]
    expected = 10.0 ** (-sum(model.score(line) for line in lines) / (6 + 1 + 2 + 1))
    assert _perplexity(recipes, document, "raw") == pytest.approx(expected, rel=1e-9)
    assert _perplexity(recipes, document, "cooking") < _perplexity(recipes, document, "raw")  # 'Whisk' is unknown unless lower-cased
    with pytest.raises(aidb.ProgrammingError, match="normalise must be true or false"):
        cursor.execute(f"CREATE LANGUAGE MODEL bad FROM '{path}' WITH (normalise = 'maybe')")


@pytest.mark.parametrize("content", [None, "this is not an ARPA file\n"])
def test_missing_or_corrupt_file_fails_at_create_and_leaves_the_catalog_unchanged(con, tmp_path: Path, content) -> None:
    path = tmp_path / "model.arpa"
    if content is not None:
        path.write_text(content)
    cursor = con.cursor()
    with pytest.raises(aidb.OperationalError, match=re.escape(str(path))):
        cursor.execute(f"CREATE LANGUAGE MODEL broken FROM '{path}'")
    cursor.execute("SELECT count(*) FROM aidb.models")
    assert cursor.fetchone() == (0,)


def test_training_errors_name_the_problem(con) -> None:
    cursor = con.cursor()
    with pytest.raises(aidb.ProgrammingError, match="one text column"):
        cursor.execute("CREATE LANGUAGE MODEL m FROM (SELECT 1 AS n)")
    with pytest.raises(aidb.ProgrammingError, match="order must be an integer from 2 to 5"):
        cursor.execute("CREATE LANGUAGE MODEL m FROM (SELECT 'a b c' AS text) WITH (order := 9)")
    with pytest.raises(aidb.DataError, match="no non-blank lines"):
        cursor.execute("CREATE LANGUAGE MODEL m FROM (SELECT '  ' AS text)")


def test_in_memory_database_trains_into_a_session_folder(con) -> None:
    cursor = con.cursor()
    cursor.execute("CREATE LANGUAGE MODEL tiny FROM (SELECT 'one two three' AS text)")
    source = _source(con, "tiny")
    assert source.is_file() and source.parent == con.session.scratch_dir() / "models"


def test_training_query_may_use_aidb_functions(con) -> None:
    cursor = con.cursor()
    cursor.execute("CREATE TABLE docs AS SELECT unnest(?) AS text", [COOKING + ["zzq xxv qwpl vvbn"]])
    cursor.execute("CREATE LANGUAGE MODEL base FROM (SELECT text FROM docs WHERE text LIKE '%the%') WITH (default = true)")
    # perplexity(text) needs its default model argument filled in by the rewriter: base, made the default
    cursor.execute("CREATE LANGUAGE MODEL clean FROM (SELECT text FROM docs WHERE perplexity(text) < 1000)")
    cursor.execute("SELECT perplexity('zzq xxv qwpl vvbn', 'clean') > perplexity('whisk the eggs with sugar', 'clean')")
    assert cursor.fetchone() == (True,)


def test_hugging_face_causal_lm_is_deterministic_and_batch_independent(con, tiny_hf: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    cursor = con.cursor()
    cursor.execute(f"CREATE MODEL tiny TYPE language FROM 'hf:{tiny_hf}'")
    texts = ["the cat sat on the mat", None, "", "a dog", "the mat is on the floor the cat sat"]
    cursor.execute("SELECT perplexity(t, 'tiny') FROM unnest(?) AS u(t)", [texts])
    together = [row[0] for row in cursor.fetchall()]
    alone = [_perplexity(con, text, "tiny") for text in texts]
    assert together[1] is None and together[2] is None  # NULL, and nothing to predict in ''
    assert alone[1] is None and alone[2] is None
    scored = [0, 3, 4]
    assert [together[i] for i in scored] == pytest.approx([alone[i] for i in scored], rel=1e-5)

    tokenizer = AutoTokenizer.from_pretrained(tiny_hf)
    model = AutoModelForCausalLM.from_pretrained(tiny_hf).eval()
    ids = torch.tensor([[tokenizer.bos_token_id, *tokenizer("the cat sat on the mat")["input_ids"]]])
    with torch.no_grad():
        loss = model(input_ids=ids, labels=ids).loss  # mean NLL of every token after BOS
    assert together[0] == pytest.approx(float(torch.exp(loss)), rel=1e-5)


def test_hugging_face_directory_without_config_is_rejected(con, tmp_path: Path) -> None:
    with pytest.raises(aidb.OperationalError, match="no config.json"):
        con.cursor().execute(f"CREATE MODEL x TYPE language FROM 'hf:{tmp_path}'")
