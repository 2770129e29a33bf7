"""Compiled per-document statistics of the Gopher quality and FineWeb quality rules for a batch of documents.

Each kernel takes the batch as code points (`word_tokens.code_points`), the character classes and the
word tokens (`word_tokens.tokenize_words`) and returns a matrix of counts; the SQL functions in
`aidb.functions.quality_filters` turn counts into ratios and keep/reason decisions.
"""

from __future__ import annotations

import numba
import numpy as np

from aidb.ops.char_classes import ALPHA, SPACE, SYMBOL_PUNCT, TERMINAL
from aidb.ops.repetition_stats import duplicates, span_hash

@numba.njit(cache=True, inline="always")
def is_line_break(c: np.uint32) -> bool:
    """A str.splitlines() boundary: \\n \\v \\f \\r \\x1c-\\x1e \\x85 \\u2028 \\u2029 ('\\r\\n' counts once)."""
    return (10 <= c <= 13) or (0x1C <= c <= 0x1E) or c == 0x85 or c == 0x2028 or c == 0x2029


@numba.njit(cache=True)
def _line_shape(cps, cls, a, b, out_row):
    """Count one splitlines() line [a, b): bullet start (after lstrip) in out_row[6], ellipsis end in out_row[7]."""
    i = a
    while i < b and cls[cps[i]] & SPACE:
        i += 1
    if i < b and (cps[i] == 0x2022 or cps[i] == 45):  # '•' or '-'
        out_row[6] += 1
    j = b
    while j > a and cls[cps[j - 1]] & SPACE:
        j -= 1
    if j > a and cps[j - 1] == 0x2026:
        out_row[7] += 1
    elif j - a >= 3 and cps[j - 1] == 46 and cps[j - 2] == 46 and cps[j - 3] == 46:
        out_row[7] += 1


@numba.njit(cache=True, nogil=True)
def gopher_quality_counts(offsets, cps, cls, tok_offsets, tok_starts, tok_ends, stop_hashes):
    """Per document: [tokens, non-symbol words, their chars, '#', ellipses, lines, bullet lines, ellipsis lines,
    tokens with a letter, distinct stop words present]."""
    n_docs = len(offsets) - 1
    out = np.zeros((n_docs, 10), dtype=np.int64)
    seen = np.zeros(len(stop_hashes), dtype=np.bool_)
    for d in range(n_docs):
        s, e = offsets[d], offsets[d + 1]
        row = out[d]
        row[0] = tok_offsets[d + 1] - tok_offsets[d]
        seen[:] = False
        for t in range(tok_offsets[d], tok_offsets[d + 1]):
            a, b = tok_starts[t], tok_ends[t]
            symbol_only, has_alpha = True, False
            for j in range(a, b):
                bits = cls[cps[j]]
                if not bits & SYMBOL_PUNCT:
                    symbol_only = False
                if bits & ALPHA:
                    has_alpha = True
            if not symbol_only:
                row[1] += 1
                row[2] += b - a
            if has_alpha:
                row[8] += 1
            if b - a <= 32 and len(stop_hashes):
                h = span_hash(cps, a, b)
                for w in range(len(stop_hashes)):
                    if stop_hashes[w] == h:
                        seen[w] = True
        row[9] = seen.sum()
        i = s
        while i < e:
            c = cps[i]
            if c == 35:
                row[3] += 1
            elif c == 0x2026:
                row[4] += 1
            elif c == 46 and i + 2 < e and cps[i + 1] == 46 and cps[i + 2] == 46:
                row[4] += 1
                i += 2
            i += 1
        start, i = s, s
        while i < e:
            if is_line_break(cps[i]):
                _line_shape(cps, cls, start, i, row)
                row[5] += 1
                if cps[i] == 13 and i + 1 < e and cps[i + 1] == 10:
                    i += 1
                start = i + 1
            i += 1
        if start < e:
            _line_shape(cps, cls, start, e, row)
            row[5] += 1
    return out


@numba.njit(cache=True, nogil=True)
def fineweb_counts(offsets, cps, cls, tok_offsets, short_line_length, stop_codes):
    """Per document: [non-blank lines, those ending in a stop character, those of <= short_line_length chars,
    characters in lines equal to an earlier one, characters but '\\n', '\\n' count, tokens]. The stop characters
    are `stop_codes`, or when it is empty Unicode's terminal punctuation (datatrove's default)."""
    n_docs = len(offsets) - 1
    out = np.zeros((n_docs, 7), dtype=np.int64)
    longest = 1
    for d in range(n_docs):
        longest = max(longest, offsets[d + 1] - offsets[d] + 1)
    hashes = np.empty(longest, dtype=np.uint64)
    lengths = np.empty(longest, dtype=np.int64)
    for d in range(n_docs):
        s, e = offsets[d], offsets[d + 1]
        row = out[d]
        count, start = 0, s
        for i in range(s, e + 1):
            if i < e and cps[i] != 10:
                continue
            if i < e:
                row[5] += 1
            blank = True
            for j in range(start, i):
                if not cls[cps[j]] & SPACE:
                    blank = False
                    break
            if not blank:
                last = cps[i - 1]
                if len(stop_codes) == 0:
                    stops = (cls[last] & TERMINAL) != 0
                else:
                    stops = False
                    for code in stop_codes:
                        stops = stops or last == code
                if stops:
                    row[1] += 1
                if i - start <= short_line_length:
                    row[2] += 1
                hashes[count], lengths[count] = span_hash(cps, start, i), i - start
                count += 1
            start = i + 1
        row[0] = count
        row[3] = duplicates(hashes, lengths, count)[1]
        row[4] = (e - s) - row[5]
        row[6] = tok_offsets[d + 1] - tok_offsets[d]
    return out
