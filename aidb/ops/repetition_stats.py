"""Compiled repetition statistics of the Gopher rules (Rae et al. 2021, table A1) for a batch of documents.

Duplicate paragraphs/lines and n-grams are compared by 64-bit hashes of their code points (a collision
between two different strings of one document is about as likely as 1 in 10^15).
"""

from __future__ import annotations

import numba
import numpy as np

from aidb.ops.char_classes import SPACE

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_POLY = np.uint64(0x9E3779B97F4A7C15)


@numba.njit(cache=True, inline="always")
def _mix(h: np.uint64, value: np.uint64) -> np.uint64:
    return (h ^ value) * _FNV_PRIME


@numba.njit(cache=True)
def span_hash(cps: np.ndarray, s: int, e: int) -> np.uint64:
    h = _FNV_OFFSET
    for j in range(s, e):
        h = _mix(h, np.uint64(cps[j]))
    return _mix(h, np.uint64(e - s) + np.uint64(0x1000000))


@numba.njit(cache=True)
def duplicates(hashes: np.ndarray, lengths: np.ndarray, count: int) -> tuple[int, int]:
    """(elements equal to an earlier one, their characters) among the first `count` entries, as datatrove counts."""
    if count == 0:
        return 0, 0
    order = np.argsort(hashes[:count])
    dup, chars = 0, 0
    for i in range(1, count):
        if hashes[order[i]] == hashes[order[i - 1]]:
            dup += 1
            chars += lengths[order[i]]
    return dup, chars


@numba.njit(cache=True)
def _split_at_newline_runs(cps, s, e, min_run, hashes, lengths):
    """Hash the pieces of [s, e) between runs of at least `min_run` '\\n' (re.split); returns how many."""
    count, start, i = 0, s, s
    while i < e:
        j = i
        while j < e and cps[j] == 10:
            j += 1
        if j - i >= min_run:
            hashes[count], lengths[count] = span_hash(cps, start, i), i - start
            count += 1
            start = i = j
        else:
            i = max(j, i + 1)
    hashes[count], lengths[count] = span_hash(cps, start, e), e - start
    return count + 1


@numba.njit(cache=True)
def _paragraph_and_line_dups(cps, cls, s, e, hashes, lengths, out):
    """Fill out[0:6] with duplicate paragraphs, their chars, duplicate lines, their chars, paragraphs, lines."""
    a, b = s, e  # paragraphs: text.strip() split at runs of two or more '\n'
    while a < b and cls[cps[a]] & SPACE:
        a += 1
    while b > a and cls[cps[b - 1]] & SPACE:
        b -= 1
    out[4] = _split_at_newline_runs(cps, a, b, 2, hashes, lengths)
    out[0], out[1] = duplicates(hashes, lengths, out[4])
    out[5] = _split_at_newline_runs(cps, s, e, 1, hashes, lengths)  # lines: the raw text split at runs of '\n'
    out[2], out[3] = duplicates(hashes, lengths, out[5])


@numba.njit(cache=True)
def _top_ngram_chars(token_hash, token_len, first, last, n, scratch):
    """Characters of the most frequent word n-gram (joined by spaces) times its count; first seen wins ties."""
    m = last - first - n + 1
    if m <= 0:
        return -1
    for i in range(m):
        h = _FNV_OFFSET
        for j in range(n):
            h = _mix(h, token_hash[first + i + j])
        scratch[i] = h
    order = np.argsort(scratch[:m], kind="mergesort")
    best_count, best_first, best_chars = 0, m, 0
    i = 0
    while i < m:
        j = i
        while j < m and scratch[order[j]] == scratch[order[i]]:
            j += 1
        count, first_seen = j - i, order[i]
        if count > best_count or (count == best_count and first_seen < best_first):
            chars = n - 1
            for t in range(n):
                chars += token_len[first + first_seen + t]
            best_count, best_first, best_chars = count, first_seen, chars
        i = j
    return best_count * best_chars


@numba.njit(cache=True)
def _duplicated_ngram_chars(prefix, char_pos, pow_table, first, last, n, table):
    """datatrove's find_all_duplicate: characters in n-grams (joined without spaces) seen before, skipping n after each."""
    n_tokens = last - first
    size = len(table)
    table[:] = 0
    repeated, idx = 0, 0
    while idx < n_tokens - n + 1:
        a, b = first + idx, first + idx + n
        chars = char_pos[b] - char_pos[a]
        key = prefix[b] - prefix[a] * pow_table[chars]
        key = _mix(key, np.uint64(chars)) | np.uint64(1)  # 0 marks an empty slot
        slot = np.int64(key & np.uint64(size - 1))
        found = False
        while table[slot] != 0:
            if table[slot] == key:
                found = True
                break
            slot = (slot + np.int64(1)) & np.int64(size - 1)
        if found:
            repeated += chars
            idx += n
        else:
            table[slot] = key
            idx += 1
    return repeated


@numba.njit(cache=True, nogil=True)
def repetition_stats(offsets, cps, cls, tok_offsets, tok_starts, tok_ends, top_ns, dup_ns):
    """Per document: [dup paragraphs, their chars, dup lines, their chars, paragraphs, lines, top n-gram chars
    for each n of top_ns (-1 without n-grams), duplicated n-gram chars for each n of dup_ns]."""
    n_docs = len(offsets) - 1
    out = np.zeros((n_docs, 6 + len(top_ns) + len(dup_ns)), dtype=np.int64)
    longest = 1
    for d in range(n_docs):
        longest = max(longest, offsets[d + 1] - offsets[d] + 2, tok_offsets[d + 1] - tok_offsets[d] + 2)
    hashes = np.empty(longest, dtype=np.uint64)
    lengths = np.empty(longest, dtype=np.int64)
    pow_table = np.empty(longest, dtype=np.uint64)
    pow_table[0] = 1
    for i in range(1, longest):
        pow_table[i] = pow_table[i - 1] * _POLY
    for d in range(n_docs):
        s, e = offsets[d], offsets[d + 1]
        if s == e:
            continue
        _paragraph_and_line_dups(cps, cls, s, e, hashes, lengths, out[d])
        first, last = tok_offsets[d], tok_offsets[d + 1]
        n_tokens = last - first
        token_hash = np.empty(n_tokens, dtype=np.uint64)
        token_len = np.empty(n_tokens, dtype=np.int64)
        prefix = np.zeros(n_tokens + 1, dtype=np.uint64)
        char_pos = np.zeros(n_tokens + 1, dtype=np.int64)
        for t in range(n_tokens):
            a, b = tok_starts[first + t], tok_ends[first + t]
            token_hash[t] = span_hash(cps, a, b)
            token_len[t] = b - a
            h = prefix[t]
            for j in range(a, b):
                h = h * _POLY + np.uint64(cps[j])
            prefix[t + 1] = h
            char_pos[t + 1] = char_pos[t] + b - a
        for q in range(len(top_ns)):
            out[d, 6 + q] = _top_ngram_chars(token_hash, token_len, 0, n_tokens, top_ns[q], hashes)
        size = 16
        while size < 2 * n_tokens + 2:
            size *= 2
        table = np.zeros(size, dtype=np.uint64)
        for q in range(len(dup_ns)):
            out[d, 6 + len(top_ns) + q] = _duplicated_ngram_chars(prefix, char_pos, pow_table, 0, n_tokens, dup_ns[q], table)
    return out
