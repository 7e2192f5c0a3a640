"""Fixed-window rate limits kept in the shared cache (Redis or the file cache)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.utils.functional import Promise

from broadsheet.core.errors import RateLimited


def hit(bucket: str, key: str, *, limit: int, window: int) -> bool:
    """Count one event; True while the caller is within `limit` events per `window` s."""
    slot = int(time.time() // window)
    cache_key = f"rl:{bucket}:{key}:{slot}"
    # The counter usually exists (a reader votes and posts more than once a window):
    # increment first, one cache operation; create it on the first event.
    for _ in range(2):
        try:
            return cache.incr(cache_key) <= limit
        except ValueError:
            if cache.add(cache_key, 1, timeout=window + 1):
                return True
            # Another request created it in between: count on it.
    # It was created and expired again between our calls: this is a first event again.
    cache.set(cache_key, 1, timeout=window + 1)
    return True


def enforce(bucket: str, key: str, *, limit: int, window: int, message: str | Promise) -> None:
    if not hit(bucket, key, limit=limit, window=window):
        raise RateLimited(message)
