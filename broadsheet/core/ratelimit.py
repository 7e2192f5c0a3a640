"""Fixed-window rate limits kept in the shared cache (Redis or the file cache)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.utils.functional import Promise

from broadsheet.core.errors import RateLimited


def hit(bucket: str, key: str, *, limit: int, window: int, first_is_likely: bool = False) -> bool:
    """Count one event; True while the caller is within `limit` events per `window` s.

    The counter of a window is created by its first event and incremented by the others.
    Creating a cache entry costs several times an increment, and asking for one that is
    not there costs as much again: a bucket whose events usually come one a window (a
    reader's comments) says `first_is_likely` and tries to create first; the others (votes
    come in bursts) increment first."""
    slot = int(time.time() // window)
    cache_key = f"rl:{bucket}:{key}:{slot}"
    if first_is_likely and cache.add(cache_key, 1, timeout=window + 1):
        return True
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


def enforce(
    bucket: str,
    key: str,
    *,
    limit: int,
    window: int,
    message: str | Promise,
    first_is_likely: bool = False,
) -> None:
    if not hit(bucket, key, limit=limit, window=window, first_is_likely=first_is_likely):
        raise RateLimited(message)
