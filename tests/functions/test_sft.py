"""instruction_length and response_length: regex-token lengths of SFT records; ifd_score against the reference computation."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import aidb
from tiny_causal_lm import build_tiny_causal_lm


def test_lengths(con) -> None:
    row = con.execute(
        "SELECT instruction_length('Add the numbers:', '2, 3'), instruction_length('Say hi.'), instruction_length(NULL, 'x'), "
        "response_length('5.'), response_length(NULL)"
    ).fetchone()
    assert row == (7, 3, None, 2, None)


def test_lengths_filter_a_table(con) -> None:
    con.execute(
        "CREATE TABLE sft AS SELECT * FROM (VALUES (1, 'Explain recursion in detail please', 'No.'), "
        "(2, 'Hi', 'A long and careful answer with several words in it.')) v(id, instruction, output)"
    )
    kept = con.execute("SELECT id FROM sft WHERE response_length(output) >= 2 * instruction_length(instruction)").fetchall()
    assert kept == [(2,)]


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory) -> Path:
    return build_tiny_causal_lm(tmp_path_factory.mktemp("ifd") / "tiny-gpt2")


def _reference_ifd(directory: Path, instruction: str, response: str) -> float:
    """IFD as Li et al.'s code computes it: mean NLL of the response's tokens after the instruction, and alone."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(directory)
    model = AutoModelForCausalLM.from_pretrained(directory).eval()
    bos = [tokenizer.bos_token_id]
    prompt = tokenizer(instruction, add_special_tokens=False)["input_ids"]
    answer = tokenizer(response, add_special_tokens=False)["input_ids"]

    def answer_loss(context: list[int]) -> float:
        ids = torch.tensor([context + answer])
        labels = ids.clone()
        labels[0, : len(context)] = -100  # only the answer's tokens are scored
        with torch.inference_mode():
            return float(model(input_ids=ids, labels=labels).loss)

    return math.exp(answer_loss(bos + prompt)) / math.exp(answer_loss(bos))


def test_ifd_score_matches_the_reference_computation(con, tiny_lm: Path) -> None:
    con.execute(f"CREATE MODEL tiny TYPE language FROM 'hf:{tiny_lm}'")
    pairs = [("the cat sat on", "the mat"), ("a dog and a cat", "are friends"), ("the mat is", "on the floor")]
    con.execute("CREATE TABLE sft (instruction VARCHAR, output VARCHAR)")
    con.executemany("INSERT INTO sft VALUES (?, ?)", pairs + [(None, "the mat"), ("the cat", None), ("the cat", "")])
    scores = [row[0] for row in con.execute("SELECT ifd_score(instruction, output, 'tiny') FROM sft").fetchall()]
    expected = [_reference_ifd(tiny_lm, i, r) for i, r in pairs]
    assert scores[:3] == pytest.approx(expected, rel=1e-5) and scores[3:] == [None, None, None]
    assert all(s > 0 for s in scores[:3])


def test_ifd_score_needs_a_causal_lm(con) -> None:
    with pytest.raises(aidb.ProgrammingError, match="must be a Hugging Face causal LM"):
        con.execute("SELECT ifd_score('say hi', 'hi')").fetchall()
