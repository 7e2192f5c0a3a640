"""Fixed-window rate limits kept in the shared cache (Redis or the file cache)."""

from __future__ import annotations

import time

from django.core.cache import cache

from broadsheet.core.errors import RateLimited


def hit(bucket: str, key: str, *, limit: int, window: int) -> bool:
    """Count one event; True while the caller is within `limit` events per `window` s."""
    slot = int(time.time() // window)
    cache_key = f"rl:{bucket}:{key}:{slot}"
    if cache.add(cache_key, 1, timeout=window + 1):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The window expired between add() and incr(): this is the first event again.
        cache.set(cache_key, 1, timeout=window + 1)
        return True
    return count <= limit


def enforce(bucket: str, key: str, *, limit: int, window: int, message: str) -> None:
    if not hit(bucket, key, limit=limit, window=window):
        raise RateLimited(message)
