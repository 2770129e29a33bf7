"""The compiled MinHash kernel (numba): the scheme of `aidb.ops.minhash_kernel` over a chunk's bytes, no GIL held.

Imported only when minhash() first runs (numba costs ~0.3 s to import and a few seconds to compile once;
`cache=True` keeps the machine code on disk for later processes).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from aidb.ops import minhash_scheme

P = np.uint64(minhash_scheme.P)
Q = np.uint64(minhash_scheme.Q)
EMPTY_SLOT = np.uint32(minhash_scheme.EMPTY_SLOT)

# Byte classes of lower-cased UTF-8: separator, word byte, and the lead bytes of the separators that are not ASCII.
SEPARATOR, WORD, LEAD_C2, LEAD_E2 = 0, 1, 2, 3
BYTE_CLASS = np.full(256, SEPARATOR, dtype=np.uint8)
BYTE_CLASS[ord("a") : ord("z") + 1] = WORD
BYTE_CLASS[ord("0") : ord("9") + 1] = WORD
BYTE_CLASS[0x80:] = WORD
BYTE_CLASS[0xC2] = LEAD_C2  # U+00A0 no-break space is C2 A0
BYTE_CLASS[0xE2] = LEAD_E2  # U+2000-U+206F are E2 80 xx and E2 81 xx


@njit(inline="always")
def _fmix64(h):
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


@njit(inline="always")
def _shingle_hash(words, first, span):
    """fmix64 of sum_t words[first + t] * Q**t: the hash of the shingle of `span` words starting at `first`."""
    shingle = np.uint64(0)
    power = np.uint64(1)
    for t in range(span):
        shingle += words[first + t] * power
        power *= Q
    return _fmix64(shingle)


@njit(nogil=True, cache=True, boundscheck=False)
def _word_hashes(data, offsets, first_row, last_row, words, word_offsets):
    """Hash the words of rows [first_row, last_row) into `words`; word_offsets[r - first_row] = first word of r.

    `words` must hold (bytes + rows) // 2 + 1 hashes: a text of n bytes has at most (n + 1) // 2 words.
    """
    count = 0
    for r in range(first_row, last_row):
        word_offsets[r - first_row] = count
        end = offsets[r + 1]
        h = np.uint64(0)
        power = np.uint64(1)
        in_word = False
        i = offsets[r]
        while i < end:
            c = data[i]
            kind = BYTE_CLASS[c]
            width = 1
            if kind == LEAD_C2:
                kind = WORD
                if i + 1 < end and data[i + 1] == 0xA0:
                    kind = SEPARATOR
                    width = 2
            elif kind == LEAD_E2:
                kind = WORD
                if i + 2 < end and (data[i + 1] == 0x80 or data[i + 1] == 0x81):
                    kind = SEPARATOR
                    width = 3
            if kind == WORD:
                h += np.uint64(c) * power
                power *= P
                in_word = True
            elif in_word:
                words[count] = _fmix64(h)
                count += 1
                h = np.uint64(0)
                power = np.uint64(1)
                in_word = False
            i += width
        if in_word:
            words[count] = _fmix64(h)
            count += 1
    word_offsets[last_row - first_row] = count


@njit(nogil=True, cache=True, boundscheck=False)
def _minima(words, word_offsets, first_row, ngram, a, b, out, minima):
    for local in range(word_offsets.shape[0] - 1):
        first_word = word_offsets[local]
        count = word_offsets[local + 1] - first_word
        for i in range(minima.shape[0]):
            minima[i] = EMPTY_SLOT
        span = min(ngram, count)
        for first in range(first_word, first_word + (count - span + 1 if count > 0 else 0)):
            _permute_min(minima, a, b, np.uint32(_shingle_hash(words, first, span) >> np.uint64(32)))
        for i in range(minima.shape[0]):
            out[first_row + local, i] = minima[i]


@njit(nogil=True, cache=True, boundscheck=False)
def _permute_min(minima, a, b, key):
    """minima[i] = min(minima[i], (a[i] * key + b[i]) mod 2**32) for every permutation i (a loop LLVM vectorises)."""
    for i in range(minima.shape[0]):
        minima[i] = min(minima[i], np.uint32(a[i] * key + b[i]))  # a 64-bit product; the cast keeps it mod 2**32


ROWS_PER_GROUP = 256


@njit(nogil=True, cache=True, boundscheck=False)
def signatures(data, offsets, ngram, a, b, out):
    """out[r] = the MinHash signature of the text data[offsets[r]:offsets[r+1]] (a, b contiguous uint32).

    Rows go in groups of ROWS_PER_GROUP: first all their word hashes, then their shingles and minima (two tight
    loops run ~2x faster than one interleaved loop), with scratch memory bounded by the group's words.
    """
    minima = np.empty(out.shape[1], dtype=np.uint32)
    words = np.empty(4096, dtype=np.uint64)
    word_offsets = np.empty(ROWS_PER_GROUP + 1, dtype=np.int64)
    rows = out.shape[0]
    for first_row in range(0, rows, ROWS_PER_GROUP):
        last_row = min(first_row + ROWS_PER_GROUP, rows)
        most_words = (offsets[last_row] - offsets[first_row] + last_row - first_row) // 2 + 1
        if most_words > words.shape[0]:
            words = np.empty(most_words, dtype=np.uint64)
        group_offsets = word_offsets[: last_row - first_row + 1]
        _word_hashes(data, offsets, first_row, last_row, words, group_offsets)
        _minima(words, group_offsets, first_row, ngram, a, b, out, minima)


@njit(nogil=True, cache=True, boundscheck=False)
def shingle_hashes(data, offsets, ngram):
    """(keys, key_offsets): each row's distinct 64-bit shingle hashes, sorted, as in the signature scheme.

    The same words and shingles as `signatures` (so exact Jaccard of these sets is what a signature estimates).
    """
    rows = offsets.shape[0] - 1
    key_offsets = np.zeros(rows + 1, dtype=np.int64)
    keys = np.empty((offsets[rows] - offsets[0] + rows) // 2 + 1, dtype=np.uint64)
    words = np.empty(keys.shape[0], dtype=np.uint64)
    word_offsets = np.empty(rows + 1, dtype=np.int64)
    _word_hashes(data, offsets, 0, rows, words, word_offsets)
    count = 0
    for r in range(rows):
        first_word = word_offsets[r]
        n_words = word_offsets[r + 1] - first_word
        span = min(ngram, n_words)
        start = count
        for first in range(first_word, first_word + (n_words - span + 1 if n_words > 0 else 0)):
            keys[count] = _shingle_hash(words, first, span)
            count += 1
        keys[start:count].sort()
        distinct = start
        for i in range(start, count):  # drop repeats in place
            if i == start or keys[i] != keys[distinct - 1]:
                keys[distinct] = keys[i]
                distinct += 1
        count = distinct
        key_offsets[r + 1] = count
    return keys[:count].copy(), key_offsets


@njit(nogil=True, cache=True, boundscheck=False)
def pair_jaccard(keys, key_offsets, left, right, out):
    """out[p] = |A & B| / |A | B| of the sorted key sets of rows left[p] and right[p] (0 when both are empty)."""
    for p in range(left.shape[0]):
        i, i_end = key_offsets[left[p]], key_offsets[left[p] + 1]
        j, j_end = key_offsets[right[p]], key_offsets[right[p] + 1]
        size = (i_end - i) + (j_end - j)
        shared = 0
        while i < i_end and j < j_end:
            if keys[i] == keys[j]:
                shared += 1
                i += 1
                j += 1
            elif keys[i] < keys[j]:
                i += 1
            else:
                j += 1
        union = size - shared
        out[p] = shared / union if union > 0 else 0.0
