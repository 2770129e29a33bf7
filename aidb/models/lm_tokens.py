"""The one tokenisation KenLM models see, at training and at scoring: CCNet normalisation, then word tokens per line.

CCNet (Wenzek et al. 2020, `cc_net/text_normalizer.py`) lower-cases, strips accents, maps digits to 0 and
drops non-printing characters, then splits each line into sentencepiece pieces. No sentencepiece model is
available offline, so aidb puts spaces around every character that is not a letter, digit, ``_`` or space
and splits the normalised line on whitespace: tokens are words and single punctuation characters,
``"Héllo, World 42!"`` -> ``hello , world 00 !``. Lines are the text's ``\\n``-separated lines; blank lines
are dropped. With ``normalise=False`` (models whose text was tokenised elsewhere, e.g. CCNet's sentencepiece
models) lines are scored as given. Tokens are split on ASCII whitespace, as KenLM's `score` splits them.
Every step runs over the whole chunk: Arrow kernels, and numpy byte tables for ASCII lines (3x faster than RE2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from aidb.utf8_buffers import offsets_and_bytes

# RE2 (Arrow's regex engine) has ASCII-only \s and \d, so Unicode classes are spelled out where they matter.
_NOT_WORD_OR_SPACE = r"([^\p{L}\p{N}_\s])"

# Byte tables for ASCII lines: digits to 0, control characters to spaces; which bytes are punctuation tokens.
_ASCII_MAP = np.arange(256, dtype=np.uint8)
_ASCII_MAP[list(b"123456789")] = ord("0")
_ASCII_MAP[[*range(32), 127]] = ord(" ")
_ASCII_PUNCTUATION = np.zeros(256, dtype=bool)
_ASCII_PUNCTUATION[[c for c in range(33, 127) if not (chr(c).isalnum() or chr(c) == "_")]] = True


def normalise_lines(lines: pa.Array) -> pa.Array:
    """Each line (no NULLs) lower-cased, without accents or control characters, digits as 0, punctuation spaced out."""
    lowered = pc.utf8_lower(lines).cast(pa.large_string())
    is_ascii = pc.string_is_ascii(lowered).to_numpy(zero_copy_only=False)
    if is_ascii.all():
        return _normalise_ascii(lowered)
    # Most lines are ASCII: they take the byte-table path, the others RE2's Unicode classes (4x slower).
    positions = np.concatenate((np.flatnonzero(is_ascii), np.flatnonzero(~is_ascii)))
    parts = pa.concat_arrays([_normalise_ascii(lowered.filter(is_ascii)), _normalise_unicode(lowered.filter(~is_ascii))])
    order = np.empty_like(positions)
    order[positions] = np.arange(len(positions))
    return parts.take(pa.array(order))


def _normalise_unicode(lines: pa.Array) -> pa.Array:
    out = pc.utf8_normalize(lines, form="NFD")
    out = pc.replace_substring_regex(out, pattern=r"\p{Mn}+", replacement="")
    out = pc.replace_substring_regex(out, pattern=r"[\p{C}\p{Z}]", replacement=" ")  # KenLM splits on ASCII spaces only
    out = pc.replace_substring_regex(out, pattern=r"\p{Nd}", replacement="0")
    return pc.replace_substring_regex(out, pattern=_NOT_WORD_OR_SPACE, replacement=r" \1 ").cast(pa.large_string())


def _normalise_ascii(lines: pa.Array) -> pa.Array:
    """The same steps on ASCII bytes with numpy: map each byte, and write punctuation as ' p '."""
    offsets, data = offsets_and_bytes(lines)
    punctuation = _ASCII_PUNCTUATION[data]
    out = np.repeat(np.take(_ASCII_MAP, data), 1 + 2 * punctuation.astype(np.int64))  # 'p' -> 'ppp' ...
    where = np.flatnonzero(punctuation)
    first = where + 2 * np.arange(len(where))
    out[first] = out[first + 2] = ord(" ")  # ... -> ' p '
    new_offsets = offsets + 2 * np.searchsorted(where, offsets)
    return pa.LargeStringArray.from_buffers(len(lines), pa.py_buffer(new_offsets.astype(np.int64)), pa.py_buffer(out))


def count_tokens(lines: pa.Array, spaces_only: bool = False) -> np.ndarray:
    """Tokens per line as Python's bytes.split() (and so KenLM's `score`) counts them, in a few numpy passes over the bytes.

    `spaces_only`: the lines hold no whitespace but " " (normalised lines), which saves passes.
    """
    lines = lines if pa.types.is_large_string(lines.type) else lines.cast(pa.large_string())
    offsets, data = offsets_and_bytes(lines)
    counts = np.zeros(len(lines), dtype=np.int64)
    if len(data) == 0:
        return counts
    space = data == 32
    if not spaces_only:
        space |= (data >= 9) & (data <= 13)  # \t \n \v \f \r
    token_start = ~space
    token_start[1:] &= space[:-1]
    filled = np.diff(offsets) > 0
    line_starts = offsets[:-1][filled]
    token_start[line_starts] = ~space[line_starts]  # a line's first byte starts a token unless it is a space
    # reduceat over the non-empty lines only: each one's segment then ends where the next non-empty line starts
    counts[filled] = np.add.reduceat(token_start.view(np.uint8), line_starts, dtype=np.int64)
    return counts


@dataclass(frozen=True)
class TokenisedChunk:
    """The non-blank lines of a chunk of documents (tokens separated by whitespace) and where they came from."""

    lines: list[str] | list[bytes]
    document: np.ndarray  # int64 index into the chunk, one per line
    tokens: np.ndarray  # int64 token count per line (without </s>)
    valid: np.ndarray  # bool per document: False for NULL


def tokenise_documents(texts: pa.Array | pa.ChunkedArray, normalise: bool = True, utf8: bool = False) -> TokenisedChunk:
    """Split every document into non-blank tokenised lines; NULL documents have none and valid=False.

    `utf8`: lines as UTF-8 `bytes` instead of `str` (KenLM's `score` encodes every `str` it gets; bytes skip that).
    """
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    if not (pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)):
        texts = texts.cast(pa.large_string())
    split = pc.split_pattern(texts, pattern="\n")
    lines = split.flatten()
    if normalise:
        lines = normalise_lines(lines)
    tokens = count_tokens(lines, spaces_only=normalise)
    keep = tokens > 0
    document = pc.list_parent_indices(split).to_numpy(zero_copy_only=False)
    kept = lines.filter(pa.array(keep))
    return TokenisedChunk(
        lines=(kept.cast(pa.large_binary()) if utf8 else kept).to_pylist(),
        document=document[keep].astype(np.int64),
        tokens=tokens[keep].astype(np.int64),
        valid=texts.is_valid().to_numpy(zero_copy_only=False),
    )


def tokenised_lines(texts: pa.Array | pa.ChunkedArray) -> list[str]:
    """The non-blank tokenised lines, tokens joined by single spaces (kaldingram splits on spaces only)."""
    return [" ".join(line.split()) for line in tokenise_documents(texts).lines]
