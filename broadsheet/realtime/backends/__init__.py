"""Publishing back-ends: where events get their sequence numbers, their bounded history,
and how every process hears of them. Chosen by BROADSHEET_LIVE_BACKEND (conf.backend_name).
"""

from __future__ import annotations

from broadsheet.realtime import conf
from broadsheet.realtime.backends.base import Backend

_backends: dict[tuple[str, str], Backend] = {}


def get_backend() -> Backend:
    """The configured back-end, one instance per process (and per Redis prefix, so tests
    that change it get their own)."""
    name = conf.backend_name()
    key = (name, conf.redis_prefix() if name == "redis" else "")
    backend = _backends.get(key)
    if backend is None:
        backend = _backends[key] = make_backend(name)
    return backend


def make_backend(name: str) -> Backend:
    if name == "memory":
        from broadsheet.realtime.backends.memory import MemoryBackend

        return MemoryBackend()
    if name == "database":
        from broadsheet.realtime.backends.database import DatabaseBackend

        return DatabaseBackend()
    if name == "postgres":
        from broadsheet.realtime.backends.postgres import PostgresBackend

        return PostgresBackend()
    if name == "redis":
        from broadsheet.realtime.backends.redis import RedisBackend

        return RedisBackend()
    raise ValueError(
        f"BROADSHEET_LIVE_BACKEND must be memory, database, postgres or redis: {name!r}"
    )
