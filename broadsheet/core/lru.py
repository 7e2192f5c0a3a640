"""One bounded, thread-safe least-recently-used map for every per-process cache.

Per-process caches (rendered comment fragments, compiled queries, stored pages, related
articles) live in granian's worker threads: every read and write takes the lock, a read
refreshes the entry, and a write past the bound drops the least recently used entries
(never the whole cache at once).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class BoundedLRU[K: Hashable, V]:
    def __init__(self, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError("an LRU holds at least one entry")
        self.max_entries = max_entries
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def pop(self, key: K) -> V | None:
        with self._lock:
            return self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries
