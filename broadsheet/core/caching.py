"""The cache backends of one machine: the shared cache (no REDIS_URL), python-diskcache,
kept open; and a per-process memory cache bounded in bytes (BoundedMemoryCache). Redis
that tolerates an outage is in broadsheet.core.redis_cache: a site without Redis never
imports the Redis client.

Django closes every cache at the end of each request (`close_caches` on
request_finished). For diskcache that closes its SQLite connections, and the next
request opens them again with a dozen PRAGMAs on every request: more than a whole
page-cache hit should cost (docs/performance.md). Like Django's Redis and local
memory backends, this one keeps its connections for the life of the process (diskcache
itself opens new ones in a forked child: it checks the process id on every use).
"""

from __future__ import annotations

import pickle
import time
from typing import Any

from diskcache import DjangoCache
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

from broadsheet.core.lru import BoundedLRU


class SharedDiskCache(DjangoCache):  # type: ignore[misc]
    def close(self, **kwargs: Any) -> None:
        """Keep the connections: see the module docstring."""

    def close_connections(self) -> None:
        """Close this thread's connections for real (what `close` skips): before a fork,
        so that no process forked from this one inherits an open SQLite database
        (config.granian_server)."""
        super().close()


class BoundedMemoryCache(BaseCache):
    """A cache in this process's memory, like Django's LocMemCache (values pickled, a
    timeout per entry), bounded in bytes instead of entries: OPTIONS["MAX_BYTES"]
    (broadsheet.core.lru). Past it, the least recently used entries go."""

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", 4 * 1024 * 1024))
        # key -> (pickled value, expiry time or None)
        self._entries: BoundedLRU[str, tuple[bytes, float | None]] = BoundedLRU(max_bytes)

    def _live(self, key: str) -> tuple[bytes, float | None] | None:
        found = self._entries.get(key)
        if found is not None and found[1] is not None and found[1] <= time.time():
            self._entries.pop(key)
            return None
        return found

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        found = self._live(self.make_and_validate_key(key, version=version))
        if found is None:
            return default
        # Our own pickles, never out of this process's memory (as LocMemCache's).
        return pickle.loads(found[0])  # noqa: S301  # nosec B301 - our own, in memory only

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        pickled = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        expiry = self.get_backend_timeout(timeout)
        self._entries.put(self.make_and_validate_key(key, version=version), (pickled, expiry))

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        if self._live(self.make_and_validate_key(key, version=version)) is not None:
            return False
        self.set(key, value, timeout, version)
        return True

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        made = self.make_and_validate_key(key, version=version)
        found = self._live(made)
        if found is None:
            return False
        self._entries.put(made, (found[0], self.get_backend_timeout(timeout)))
        return True

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._entries.pop(self.make_and_validate_key(key, version=version)) is not None

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._live(self.make_and_validate_key(key, version=version)) is not None

    def clear(self) -> None:
        self._entries.clear()
