"""Per-document perplexity under a Hugging Face causal language model directory (`hf:/path/to/dir`).

perplexity = exp(mean negative log-likelihood of the document's tokens). The tokenizer's BOS token is put in
front when it defines one and does not add it itself, so the first token is predicted too; a document with no
token to predict (empty text, or no BOS and a single token) gives NULL. Texts are truncated to the model's
maximum length (`max_position_embeddings` / `n_positions`, or the tokenizer's `model_max_length`).
Batches are padded on the right with an attention mask, so results do not depend on the batch.
`response_perplexities(prompts, responses)` scores only a response's tokens, with its prompt as context and
without it (the IFD score of Li et al. 2024).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pyarrow as pa

from aidb.errors import OperationalError
from aidb.models.loaders import ModelDescription
from aidb.models.model_directory import fingerprint

HF_PREFIX = "hf:"
DEFAULT_BATCH_SIZE = 16
_FALLBACK_MAX_LENGTH = 1024  # GPT-2's context; used when neither config nor tokenizer states a limit


def hf_directory(source: str) -> Path:
    path = Path(source.removeprefix(HF_PREFIX)).expanduser().resolve()
    if not path.is_dir():
        raise OperationalError(f"Hugging Face language model directory not found: {path}")
    if not (path / "config.json").is_file():
        raise OperationalError(f"Hugging Face language model directory {path} has no config.json")
    return path


def describe_hf(source: str) -> ModelDescription:
    path = hf_directory(source)
    try:
        json.loads((path / "config.json").read_text(encoding="utf-8"))
    except ValueError as error:
        raise OperationalError(f"Hugging Face language model config {path / 'config.json'} is not valid JSON: {error}") from error
    return ModelDescription(fingerprint=fingerprint(path), source=HF_PREFIX + str(path))


class HuggingFaceCausalLM:
    def __init__(self, model, tokenizer, max_length: int, batch_size: int) -> None:
        self.model, self.tokenizer = model, tokenizer
        self.max_length, self.batch_size = max_length, batch_size

    def perplexity(self, texts: pa.Array) -> pa.Array:
        values = texts.to_pylist()
        result: list[float | None] = [None] * len(values)
        present = [i for i, text in enumerate(values) if text is not None]
        for start in range(0, len(present), self.batch_size):
            rows = present[start : start + self.batch_size]
            for row, value in zip(rows, self._batch([values[i] for i in rows])):
                result[row] = value
        return pa.array(result, type=pa.float64())

    def response_perplexities(self, prompts: pa.Array, responses: pa.Array) -> tuple[pa.Array, pa.Array]:
        """(perplexity of each response after BOS and its prompt, perplexity of the response after BOS alone): the IFD
        score's numerator and denominator (Li et al. 2024). NULL when the prompt or the response is NULL or empty.

        Prompt and response are tokenised apart (no special tokens), so both score the same response tokens (without a
        BOS token the response's first token has no context alone and is not scored). Past the model's length the
        prompt loses its beginning, then the response its end.
        """
        pairs = list(zip(prompts.to_pylist(), responses.to_pylist()))
        present = [i for i, (p, r) in enumerate(pairs) if p is not None and r]
        conditioned: list[float | None] = [None] * len(pairs)
        alone: list[float | None] = [None] * len(pairs)
        bos = [] if self.tokenizer.bos_token_id is None else [self.tokenizer.bos_token_id]
        for start in range(0, len(present), self.batch_size):
            rows = present[start : start + self.batch_size]
            prompt_ids = self.tokenizer([pairs[i][0] for i in rows], add_special_tokens=False)["input_ids"]
            response_ids = self.tokenizer([pairs[i][1] for i in rows], add_special_tokens=False)["input_ids"]
            with_prompt, without, scored_rows = [], [], []
            for row, context, target in zip(rows, prompt_ids, response_ids):
                if not target:  # a response of whitespace only: nothing to score
                    continue
                target = target[: self.max_length - len(bos) - 1]
                context = (bos + context)[-(self.max_length - len(target)) :]
                with_prompt.append((context + target, len(context)))
                without.append((bos + target, max(len(bos), 1)))
                scored_rows.append(row)
            if scored_rows:
                for row, value in zip(scored_rows, self._scored(with_prompt)):
                    conditioned[row] = value
                for row, value in zip(scored_rows, self._scored(without)):
                    alone[row] = value
        return pa.array(conditioned, type=pa.float64()), pa.array(alone, type=pa.float64())

    def _token_ids(self, texts: list[str]) -> list[list[int]]:
        encoded = self.tokenizer(texts, add_special_tokens=True, truncation=True, max_length=self.max_length)["input_ids"]
        bos = self.tokenizer.bos_token_id
        if bos is None:
            return encoded
        return [(ids if ids[:1] == [bos] else [bos, *ids])[: self.max_length] for ids in encoded]

    def _batch(self, texts: list[str]) -> list[float | None]:
        return self._scored([(ids, 1) for ids in self._token_ids(texts)])

    def _scored(self, sequences: list[tuple[list[int], int]]) -> list[float | None]:
        """exp(mean NLL) of the tokens of each sequence from its given position on (>= 1: the first has no context)."""
        import torch

        ids = [row for row, _ in sequences]
        width = max(len(row) for row in ids)
        input_ids = torch.zeros((len(ids), width), dtype=torch.long)
        mask = torch.zeros((len(ids), width), dtype=torch.long)
        for i, row in enumerate(ids):
            input_ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
            mask[i, : len(row)] = 1
        with torch.inference_mode():
            logits = self.model(input_ids=input_ids, attention_mask=mask).logits.float()
        log_probs = torch.log_softmax(logits[:, :-1], dim=-1)
        nll = -log_probs.gather(-1, input_ids[:, 1:].unsqueeze(-1)).squeeze(-1)
        predicted = mask[:, 1:].float()
        for i, (_, first) in enumerate(sequences):
            predicted[i, : max(first, 1) - 1] = 0.0  # tokens before `first` are context, not scored
        counts = predicted.sum(dim=1)
        totals = (nll * predicted).sum(dim=1)
        return [math.exp(t / c) if c > 0 else None for t, c in zip(totals.tolist(), counts.tolist())]


def load_hf_causal_lm(source: str, options: dict[str, object]) -> HuggingFaceCausalLM:
    path = hf_directory(source)
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(str(path), local_files_only=True, dtype=torch.float32)
    except (OSError, ValueError, RuntimeError, KeyError) as error:
        raise OperationalError(f"cannot load Hugging Face language model from {path}: {error}") from error
    model.eval()
    batch_size = int(options.get("batch_size", DEFAULT_BATCH_SIZE))
    return HuggingFaceCausalLM(model, tokenizer, _max_length(model.config, tokenizer), batch_size)


def _max_length(config, tokenizer) -> int:
    for key in ("max_position_embeddings", "n_positions"):
        value = getattr(config, key, None)
        if isinstance(value, int) and value > 0:
            return value
    limit = getattr(tokenizer, "model_max_length", None)
    return limit if isinstance(limit, int) and 0 < limit < 1_000_000 else _FALLBACK_MAX_LENGTH
