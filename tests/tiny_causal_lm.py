"""A tiny GPT-2-like causal LM directory built offline (word-level tokenizer, 2 layers of width 32), for tests."""

from __future__ import annotations

from pathlib import Path

SENTENCES = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "a cat and a dog are friends",
    "the mat is on the floor",
]


def build_tiny_causal_lm(directory: Path) -> Path:
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(SENTENCES, trainers.WordLevelTrainer(special_tokens=["<unk>", "<pad>", "<|endoftext|>"]))
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="<unk>", pad_token="<pad>", bos_token="<|endoftext|>", eos_token="<|endoftext|>"
    )
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=wrapped.vocab_size, n_positions=16, n_embd=32, n_layer=2, n_head=2,
        bos_token_id=wrapped.bos_token_id, eos_token_id=wrapped.eos_token_id, pad_token_id=wrapped.pad_token_id,
    )
    GPT2LMHeadModel(config).save_pretrained(directory)
    wrapped.save_pretrained(directory)
    return directory
