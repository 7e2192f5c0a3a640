"""The shared cache of one machine (no REDIS_URL): python-diskcache, kept open.

Django closes every cache at the end of each request (`close_caches` on
request_finished). For diskcache that closes its SQLite connections, and the next
request opens them again with a dozen PRAGMAs on every request: more than a whole
page-cache hit should cost (docs/performance.md). Like Django's Redis and local
memory backends, this one keeps its connections for the life of the process (diskcache
itself opens new ones in a forked child: it checks the process id on every use).
"""

from __future__ import annotations

from typing import Any

from diskcache import DjangoCache


class SharedDiskCache(DjangoCache):  # type: ignore[misc]
    def close(self, **kwargs: Any) -> None:
        """Keep the connections: see the module docstring."""
