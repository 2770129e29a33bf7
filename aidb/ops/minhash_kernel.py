"""MinHash signatures of text, vectorised over a whole Arrow batch: shingling, shingle hashing, permutation minima.

The scheme (stable; a signature computed today compares with one computed tomorrow):

1. **Normalisation.** The text is lower-cased (Arrow's `utf8_lower`: Unicode simple case mapping). A *word*
   is a maximal run of bytes of the lower-cased UTF-8 text that are ASCII letters/digits or belong to a
   non-ASCII character; every other ASCII byte (space, punctuation, `_`, symbols, controls) separates words,
   and so do U+00A0 (no-break space) and the General Punctuation block U+2000-U+206F (typographic spaces,
   dashes, quotes, ellipsis).
2. **Shingles.** Word n-grams: the ``k - n + 1`` runs of ``n`` consecutive words. A text with
   ``0 < k < n`` words is one shingle of all its words; a text with no words has no shingles, and its
   signature is that of the empty set (every slot 0xFFFFFFFF, like datasketch's and rensa's empty sketch).
3. **Shingle hash** (64-bit, arithmetic mod 2**64): ``word_hash(w) = fmix64(sum_j w[j] * P**j)`` over the
   word's bytes, and ``shingle_hash(w_0..w_{m-1}) = fmix64(sum_t word_hash(w_t) * Q**t)``. ``fmix64`` is
   MurmurHash3's 64-bit finaliser; the polynomial is evaluated for all words at once from prefix sums.
4. **Permutations.** With ``x`` the high 32 bits of the shingle hash,
   ``slot_i = min over shingles of (A_i * x + B_i) mod 2**32`` where ``A_i`` (forced odd) and ``B_i`` are the
   high 32 bits of the ``2i``-th and ``2i+1``-th outputs of SplitMix64 (Steele, Lea & Flood 2014) started at
   ``seed``. Each map is a bijection of 32-bit keys; because the keys are already outputs of a strong hash,
   such a simple family behaves like truly random permutations (Mitzenmacher & Vadhan 2008, "Why simple hash
   functions work"). Measured: the error against exact Jaccard matches datasketch's and the theoretical
   sqrt(J(1-J)/num_perm) (tests/functions/test_minhash.py). 32-bit arithmetic is twice as fast as 64-bit here.
   A signature is ``num_perm`` unsigned 32-bit ints.

Two texts' Jaccard similarity of shingle sets is estimated by the fraction of equal slots.
`reference_signature` restates the scheme in plain Python, one text at a time, to pin the fast path.
"""

from __future__ import annotations

import functools
import threading

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MASK64 = (1 << 64) - 1
EMPTY_SLOT = 0xFFFFFFFF
# Odd multipliers of the two polynomial hashes; odd makes them invertible mod 2**64, which lets a word's
# (a shingle's) hash be read off prefix sums over the whole batch (divide by P**start). Values: the 64-bit
# golden ratio and MurmurHash3's c1 constant, both with well-spread bits.
P = 0x9E3779B97F4A7C15
Q = 0x87C37B91114253D5

# Bytes that can be part of a word in lower-cased UTF-8: ASCII a-z, 0-9, and every byte of a non-ASCII character.
_WORD_BYTE = np.zeros(256, dtype=bool)
_WORD_BYTE[ord("a") : ord("z") + 1] = True
_WORD_BYTE[ord("0") : ord("9") + 1] = True
_WORD_BYTE[0x80:] = True

# Shingle blocks are sized so the (num_perm x shingles) uint32 intermediate stays near 4 MiB (fastest measured).
_BLOCK_VALUES = 1 << 20


def fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser (Appleby 2011), applied element-wise mod 2**64."""
    h = h ^ (h >> np.uint64(33))
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


class _PowerTable:
    """base**i and base**-i mod 2**64 for i below a length that grows on demand (shared, thread-safe)."""

    def __init__(self, base: int) -> None:
        self._base = base
        self._lock = threading.Lock()
        self._tables = (np.ones(0, np.uint64), np.ones(0, np.uint64))

    def get(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        powers, inverses = self._tables
        if len(powers) < n:
            with self._lock:
                size = max(n, 2 * len(self._tables[0]), 1 << 16)
                inverse = pow(self._base, -1, 1 << 64)
                self._tables = (_cumulative_powers(self._base, size), _cumulative_powers(inverse, size))
                powers, inverses = self._tables
        return powers[:n], inverses[:n]


def _cumulative_powers(base: int, n: int) -> np.ndarray:
    factors = np.full(n, base, dtype=np.uint64)
    factors[0] = 1
    return np.cumprod(factors, dtype=np.uint64)  # uint64 products wrap: exactly mod 2**64


_BYTE_POWERS = _PowerTable(P)
_WORD_POWERS = _PowerTable(Q)


def _polynomial_spans(symbols: np.ndarray, start: np.ndarray, end: np.ndarray, table: _PowerTable) -> np.ndarray:
    """sum_j symbols[start + j] * base**j mod 2**64 for every [start, end), from one prefix sum over `symbols`."""
    powers, inverses = table.get(len(symbols))
    prefix = np.zeros(len(symbols) + 1, dtype=np.uint64)
    np.cumsum(symbols.astype(np.uint64) * powers, out=prefix[1:])
    return (prefix[end] - prefix[start]) * inverses[start]


def shingle_hashes(text: pa.Array, ngram: int) -> tuple[np.ndarray, np.ndarray]:
    """The 64-bit hashes of every text's shingles, concatenated, and the row offsets into them (NULL = no shingles)."""
    lowered = pc.utf8_lower(text.cast(pa.large_string()))
    if isinstance(lowered, pa.ChunkedArray):
        lowered = lowered.combine_chunks()
    lowered = pc.fill_null(lowered, "")
    offsets = np.frombuffer(lowered.buffers()[1], dtype=np.int64)[lowered.offset : lowered.offset + len(lowered) + 1]
    data = lowered.buffers()[2]
    start = int(offsets[0])
    buffer = np.frombuffer(data, dtype=np.uint8)[start : offsets[-1]] if data is not None else np.zeros(0, np.uint8)
    offsets = offsets - start

    word_start, word_end = _word_spans(buffer, offsets)
    word_hash = fmix64(_polynomial_spans(buffer, word_start, word_end, _BYTE_POWERS))
    words_before = np.searchsorted(word_start, offsets)
    words = np.diff(words_before)
    shingles = np.where(words >= ngram, words - ngram + 1, np.minimum(words, 1))
    row_offsets = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum(shingles, out=row_offsets[1:])
    hashes = _shingle_hashes_of_words(word_hash, words_before[:-1], np.minimum(words, ngram), shingles, row_offsets)
    return hashes, row_offsets


def _word_spans(buffer: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Byte [start, end) of every word in the concatenated texts; words never cross a text boundary."""
    in_word = _WORD_BYTE[buffer]
    _mark_unicode_separators(buffer, in_word)
    size = len(buffer)
    previous = np.zeros(size, dtype=bool)
    previous[1:] = in_word[:-1]
    following = np.zeros(size, dtype=bool)
    following[:-1] = in_word[1:]
    bounded = offsets[:-1][offsets[:-1] < offsets[1:]]
    previous[bounded] = False
    following[offsets[1:][offsets[:-1] < offsets[1:]] - 1] = False
    return np.flatnonzero(in_word & ~previous), np.flatnonzero(in_word & ~following) + 1


def _mark_unicode_separators(buffer: np.ndarray, in_word: np.ndarray) -> None:
    # U+00A0 is C2 A0; U+2000-U+206F are E2 80 xx and E2 81 xx.
    lead = buffer[:-1]
    nbsp = np.flatnonzero((lead == 0xC2) & (buffer[1:] == 0xA0))
    in_word[nbsp] = in_word[nbsp + 1] = False
    punct = np.flatnonzero((buffer[:-2] == 0xE2) & ((buffer[1:-1] == 0x80) | (buffer[1:-1] == 0x81)))
    in_word[punct] = in_word[punct + 1] = in_word[punct + 2] = False


def _shingle_hashes_of_words(
    word_hash: np.ndarray, first_word: np.ndarray, span: np.ndarray, shingles: np.ndarray, row_offsets: np.ndarray
) -> np.ndarray:
    first = np.arange(int(row_offsets[-1]), dtype=np.int64) - np.repeat(row_offsets[:-1] - first_word, shingles)
    return fmix64(_polynomial_spans(word_hash, first, first + np.repeat(span, shingles), _WORD_POWERS))


@functools.lru_cache(maxsize=32)
def permutation_parameters(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(A, B) of the num_perm multiply-add permutations mod 2**32: high halves of SplitMix64 outputs, A odd."""
    stream = (splitmix64(seed, 2 * num_perm) >> np.uint64(32)).astype(np.uint32)
    return stream[0::2] | np.uint32(1), stream[1::2]


def splitmix64(seed: int, count: int) -> np.ndarray:
    """The first `count` outputs of SplitMix64 (Steele, Lea & Flood 2014) with its state started at `seed`."""
    state = (np.arange(1, count + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)) + np.uint64(seed & MASK64)
    z = (state ^ (state >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def signatures(hashes: np.ndarray, row_offsets: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """The (rows x num_perm) uint32 MinHash signatures of the shingle hashes grouped by `row_offsets`."""
    a, b = permutation_parameters(num_perm, seed)
    keys = (hashes >> np.uint64(32)).astype(np.uint32)
    out = np.full((len(row_offsets) - 1, num_perm), EMPTY_SLOT, dtype=np.uint32)
    filled = np.flatnonzero(np.diff(row_offsets) > 0)
    starts = row_offsets[filled]
    # Slots are rows (num_perm x shingles) so each text's shingles are contiguous for reduceat: ~9x faster.
    minima = np.full((num_perm, len(filled)), EMPTY_SLOT, dtype=np.uint32)
    column_a, column_b = a[:, None], b[:, None]
    block = max(1, _BLOCK_VALUES // num_perm)
    scratch = np.empty((num_perm, min(block, len(keys))), dtype=np.uint32)  # reused: fresh pages per block cost ~25%
    for low in range(0, len(keys), block):
        high = min(low + block, len(keys))
        values = scratch[:, : high - low]
        np.multiply(column_a, keys[None, low:high], out=values)  # uint32 products wrap: exactly mod 2**32
        np.add(values, column_b, out=values)
        # Texts overlapping this block; the first may have begun in an earlier one, hence the running minimum.
        first = int(np.searchsorted(starts, low, side="right")) - 1
        last = int(np.searchsorted(starts, high, side="left"))
        local = np.maximum(starts[first:last], low) - low
        np.minimum(minima[:, first:last], np.minimum.reduceat(values, local, axis=1), out=minima[:, first:last])
    out[filled] = minima.T
    return out


def reference_shingles(text: str, ngram: int = 5) -> list[list[str]]:
    """The shingles (each a list of words) of `text` under steps 1-2 above, in plain Python."""
    separators = {"\u00a0"} | {chr(c) for c in range(0x2000, 0x2070)}
    lowered = pc.utf8_lower(pa.scalar(text)).as_py()  # the same Unicode simple case mapping as the fast path
    cleaned = "".join(
        ch if (ch.isascii() and ch.isalnum()) or (not ch.isascii() and ch not in separators) else " "
        for ch in lowered
    )
    words = cleaned.split()
    if len(words) < ngram:
        return [words] if words else []
    return [words[i : i + ngram] for i in range(len(words) - ngram + 1)]


def reference_signature(text: str, num_perm: int = 128, ngram: int = 5, seed: int = 1) -> list[int]:
    """The scheme above for one text in plain Python: slow, obviously faithful, for tests and other tools."""
    keys = [_reference_shingle_hash(shingle) >> 32 for shingle in reference_shingles(text, ngram)]
    a, b = permutation_parameters(num_perm, seed)
    return [min(((int(ai) * x + int(bi)) & EMPTY_SLOT for x in keys), default=EMPTY_SLOT) for ai, bi in zip(a, b)]


def _reference_shingle_hash(words: list[str]) -> int:
    total = 0
    for t, word in enumerate(words):
        poly = sum(byte * pow(P, j, 1 << 64) for j, byte in enumerate(word.encode("utf-8"))) & MASK64
        total = (total + _reference_fmix64(poly) * pow(Q, t, 1 << 64)) & MASK64
    return _reference_fmix64(total)


def _reference_fmix64(h: int) -> int:
    h ^= h >> 33
    h = h * 0xFF51AFD7ED558CCD & MASK64
    h ^= h >> 33
    h = h * 0xC4CEB9FE1A85EC53 & MASK64
    return h ^ (h >> 33)
