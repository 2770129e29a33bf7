"""The constants of aidb's MinHash scheme, shared by the Python kernel (minhash_kernel) and the compiled one (minhash_numba)."""

from __future__ import annotations

MASK64 = (1 << 64) - 1
EMPTY_SLOT = 0xFFFFFFFF
# Odd multipliers of the two polynomial hashes (the 64-bit golden ratio and MurmurHash3's c1 constant, both with
# well-spread bits).
P = 0x9E3779B97F4A7C15
Q = 0x87C37B91114253D5
