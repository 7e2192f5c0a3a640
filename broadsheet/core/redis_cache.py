"""Django's Redis cache that keeps the site serving while Redis is out of reach (the
cache backend with REDIS_URL). A module of its own: a site without Redis never imports
the Redis client (docs/performance.md, Memory)."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, with one `redis.Redis` per connection pool instead of
    a new one per operation. Building a `redis.Redis` fills its table of ~170 response
    callbacks, which cost more CPU than the round trip it wraps; every page-cache hit,
    session read and rate-limit count paid it (docs/performance.md, PostgreSQL + Redis).
    A `redis.Redis` is safe to share between threads (each command borrows a connection
    from the pool), and the pool itself starts afresh in a forked process."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own helpers, which django-stubs does not declare.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._client(connection_pool=pool)  # type: ignore[attr-defined]
            self._clients[id(pool)] = client
        return client


class TolerantRedisCache(RedisCache):
    """Django's Redis cache that keeps the site serving while Redis is out of reach:
    every operation that cannot reach it logs a warning (at most one per WARN_EVERY
    seconds per process) and answers as an empty cache would. Pages render from the
    database, sessions start empty (signed-in readers are asked to sign in again), rate
    limits count nothing (they fail open rather than lock every reader out), the page
    cache stores nothing it could not invalidate. Whatever comes back is used at once."""

    WARN_EVERY = 30.0
    _warned_at = 0.0

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def _unreachable(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - TolerantRedisCache._warned_at >= self.WARN_EVERY:
            TolerantRedisCache._warned_at = now
            logger.warning(
                "Redis unreachable (%s: %s); serving from the database meanwhile.",
                operation,
                error,
            )

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except REDIS_DOWN as error:
            self._unreachable("get", error)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except REDIS_DOWN as error:
            self._unreachable("get_many", error)
            return {}

    def has_key(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except REDIS_DOWN as error:
            self._unreachable("has_key", error)
            return False

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except REDIS_DOWN as error:
            self._unreachable("add", error)
            return True  # as if stored: a caller counting first events goes on

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except REDIS_DOWN as error:
            self._unreachable("set", error)

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except REDIS_DOWN as error:
            self._unreachable("set_many", error)
            return list(data)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except REDIS_DOWN as error:
            self._unreachable("touch", error)
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except REDIS_DOWN as error:
            self._unreachable("delete", error)
            return False

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except REDIS_DOWN as error:
            self._unreachable("delete_many", error)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except REDIS_DOWN as error:
            self._unreachable("incr", error)
            return delta  # a first event: limits fail open

    def clear(self) -> None:
        try:
            super().clear()
        except REDIS_DOWN as error:
            self._unreachable("clear", error)
