"""Fixtures for model tests: a tiny GPT-2-like causal LM directory built offline (word-level tokenizer, 2 layers of width 32)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tiny_causal_lm import build_tiny_causal_lm


@pytest.fixture(scope="session")
def tiny_hf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved tiny causal LM (positions limited to 16 tokens) and its tokenizer."""
    return build_tiny_causal_lm(tmp_path_factory.mktemp("hf") / "tiny-gpt2")
