"""The one tokenisation KenLM models see, at training and at scoring: CCNet normalisation, then word tokens per line.

CCNet (Wenzek et al. 2020, `cc_net/text_normalizer.py`) lower-cases, strips accents, maps digits to 0 and
drops non-printing characters, then splits each line into sentencepiece pieces. No sentencepiece model
is available offline, so aidb splits the normalised line into words (Python `re` ``\\w+``: letters, digits,
``_``) and single other non-space characters, joined by one space: ``"Héllo, World 42!"`` -> ``"hello , world 00 !"``.
Lines are the text's ``\\n``-separated lines; blank lines are dropped. With ``normalise=False`` (models whose
text was tokenised elsewhere, e.g. CCNet's sentencepiece models) lines are scored as given, split on whitespace.
Python's `re` runs this about twice as fast as Arrow's RE2 kernels with Unicode classes (measured in bench/perplexity.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

_TOKEN = re.compile(r"\w+|[^\w\s]")
# One-to-one ASCII table (CPython's fast translate path): digits to 0, control characters to spaces.
_ASCII_TABLE = str.maketrans({**{d: "0" for d in "123456789"}, **{chr(c): " " for c in (*range(32), 127)}})


def tokenise_line(line: str) -> list[str]:
    """The tokens of one line after CCNet normalisation (lower case, no accents, digits as 0, no control characters)."""
    line = line.lower()
    if not line.isascii():
        decomposed = unicodedata.normalize("NFD", line)
        line = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in decomposed if unicodedata.category(c) != "Mn")
        line = re.sub(r"\d", "0", line)
    return _TOKEN.findall(line.translate(_ASCII_TABLE))


@dataclass(frozen=True)
class TokenisedChunk:
    """The non-blank tokenised lines of a chunk of documents, and which document each line came from."""

    lines: list[str]
    document: np.ndarray  # int64 index into the chunk, one per line
    tokens: np.ndarray  # int64 token count per line (without </s>)
    valid: np.ndarray  # bool per document: False for NULL


def tokenise_documents(texts: pa.Array | pa.ChunkedArray, normalise: bool = True) -> TokenisedChunk:
    """Split every document into non-blank lines of space-separated tokens; NULL documents have none and valid=False."""
    lines: list[str] = []
    document: list[int] = []
    tokens: list[int] = []
    values = texts.to_pylist()
    for index, text in enumerate(values):
        if text is None:
            continue
        for line in text.split("\n"):
            words = tokenise_line(line) if normalise else line.split()
            if words:
                lines.append(" ".join(words))
                document.append(index)
                tokens.append(len(words))
    valid = np.fromiter((text is not None for text in values), dtype=bool, count=len(values))
    return TokenisedChunk(lines, np.array(document, dtype=np.int64), np.array(tokens, dtype=np.int64), valid)


def tokenised_lines(texts: pa.Array | pa.ChunkedArray) -> list[str]:
    """The non-blank tokenised lines of the documents, in order (what a model is trained on)."""
    return tokenise_documents(texts).lines
