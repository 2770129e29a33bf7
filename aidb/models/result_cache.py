"""A bounded in-process LRU cache of model function results, keyed by (model fingerprint, input hash).

Re-running a query over the same texts with the same model version then skips the forward pass;
a changed model has a new fingerprint, so stale results are never returned.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

# 100k MiniLM rows (384 float32) are ~150 MiB: a full re-run of a mid-sized table stays cached
# without letting a long session grow without bound.
DEFAULT_MAX_ENTRIES = 100_000


def input_key(text: str) -> bytes:
    """The hash a result is cached under; sha1 is fast and collisions are irrelevant at these sizes."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()


class ResultCache:
    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str, bytes], Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_many(self, fingerprint: str, keys: list[bytes]) -> list[Any]:
        """Cached results for `keys` (None where absent), marking the found ones recently used."""
        found: list[Any] = []
        with self._lock:
            for key in keys:
                value = self._entries.get((fingerprint, key))
                if value is not None:
                    self._entries.move_to_end((fingerprint, key))
                    self.hits += 1
                else:
                    self.misses += 1
                found.append(value)
        return found

    def put_many(self, fingerprint: str, keys: list[bytes], values: list[Any]) -> None:
        with self._lock:
            for key, value in zip(keys, values):
                self._entries[(fingerprint, key)] = value
                self._entries.move_to_end((fingerprint, key))
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


# One per process, shared by every connection: results depend only on the model and the input.
RESULT_CACHE = ResultCache()
