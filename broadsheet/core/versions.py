"""Scope versions: what tells every app process that a cached page went stale.

A cached page records the version of each scope it shows (`thread:article-12`,
`listings`, `site`); an action bumps a scope after its commit; a page whose versions
moved on is rendered again. Every cache hit reads the versions of its scopes, so the
read must cost next to nothing:

- `CacheScopeVersions` keeps them in the shared cache: with `REDIS_URL`, one MGET for
  every app process on every machine.
- `SharedMemoryScopeVersions` keeps them in a small memory-mapped file under var/,
  shared by the processes of one machine (the SQLite default): a read is a slice of
  shared memory, far cheaper than a disk-cache read per key (docs/performance.md).

A version is a random value, never a counter: a scope that is unknown, evicted,
flushed or reset gets a value no stored page can carry, so a stale page never comes
back (tested).
"""

from __future__ import annotations

import mmap
import os
import secrets
from collections.abc import Iterable, Sequence
from functools import lru_cache
from hashlib import blake2b
from pathlib import Path
from typing import Any, Protocol

from django.core.cache import cache

SCOPE_PREFIX = "pcv:"


class ScopeVersions(Protocol):
    def read(self, scopes: Sequence[str]) -> tuple[str, ...]: ...

    def bump(self, scopes: Iterable[str]) -> None: ...

    def reset(self) -> None: ...


class CacheScopeVersions:
    """Versions in the shared cache (Redis with REDIS_URL)."""

    def read(self, scopes: Sequence[str]) -> tuple[str, ...]:
        keys = [SCOPE_PREFIX + scope for scope in scopes]
        found = cache.get_many(keys)
        missing = [key for key in keys if key not in found]
        if missing:
            for key in missing:
                cache.add(key, secrets.token_hex(6), None)
            found.update(cache.get_many(missing))
        return tuple(found.get(key) or secrets.token_hex(6) for key in keys)

    def bump(self, scopes: Iterable[str]) -> None:
        cache.set_many({SCOPE_PREFIX + scope: secrets.token_hex(6) for scope in scopes}, None)

    def reset(self) -> None:
        """Nothing of its own to reset: clearing the cache drops every version (and a
        missing version reads as a new random one)."""


class SharedMemoryScopeVersions:
    """Versions in a memory-mapped file of SLOTS 8-byte slots, one machine's processes.

    A scope's slot is a stable hash of its name; two scopes that share a slot are
    invalidated together (harmless: one more render). A bump writes 8 random bytes into
    the slot; a read that races with it sees a value that matches no stored page, which
    is a miss, never a stale hit. The file starts (and restarts) filled with random
    bytes, so pages stored before it existed never match.
    """

    SLOTS = 1 << 16
    WIDTH = 8

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._map: mmap.mmap | None = None
        self._pid = 0

    def _memory(self) -> mmap.mmap:
        # Opened per process, lazily: the server forks its workers after import.
        if self._map is None or self._pid != os.getpid():
            self._map = self._open()
            self._pid = os.getpid()
        return self._map

    def _open(self) -> mmap.mmap:
        size = self.SLOTS * self.WIDTH
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists() or self.path.stat().st_size != size:
            self._create(size)
        with open(self.path, "r+b") as handle:
            return mmap.mmap(handle.fileno(), size)

    def _create(self, size: int) -> None:
        # Filled completely before it takes the name, so no process maps a half-made file.
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        temporary.write_bytes(os.urandom(size))
        os.replace(temporary, self.path)

    def read(self, scopes: Sequence[str]) -> tuple[str, ...]:
        memory = self._memory()
        return tuple(memory[_offset(scope) : _offset(scope) + self.WIDTH].hex() for scope in scopes)

    def bump(self, scopes: Iterable[str]) -> None:
        memory = self._memory()
        for scope in scopes:
            offset = _offset(scope)
            memory[offset : offset + self.WIDTH] = os.urandom(self.WIDTH)

    def reset(self) -> None:
        memory = self._memory()
        memory[:] = os.urandom(len(memory))


@lru_cache(maxsize=8192)
def _offset(scope: str) -> int:
    digest = blake2b(scope.encode(), digest_size=8).digest()
    slot = int.from_bytes(digest, "little") % SharedMemoryScopeVersions.SLOTS
    return slot * SharedMemoryScopeVersions.WIDTH


@lru_cache(maxsize=1)
def scope_versions() -> ScopeVersions:
    """The store the settings choose (BROADSHEET_PAGE_CACHE_VERSIONS)."""
    from django.conf import settings

    location = settings.BROADSHEET_PAGE_CACHE_VERSIONS
    if location == "cache":
        return CacheScopeVersions()
    return SharedMemoryScopeVersions(Path(location))


def versions_for_request(request: Any, scopes: Sequence[str]) -> tuple[str, ...]:
    """`scope_versions().read(scopes)`, read once per request (kept on the request).

    Several parts of one request ask for the `site` version (the interface language,
    the discussion policy, an article's own discussion settings); with Redis each read is
    a round trip. Within a request they all see the version first read: a bump during
    the request is seen by the next one, as it would be had the request been quicker.
    Nothing remembered this way outlives the request. Without a request (a task, a
    command), a plain read.
    """
    if request is None:
        return scope_versions().read(scopes)
    kept: dict[tuple[str, ...], tuple[str, ...]] | None = request.__dict__.get(_REQUEST_KEPT)
    if kept is None:
        kept = request.__dict__[_REQUEST_KEPT] = {}
    key = tuple(scopes)
    found = kept.get(key)
    if found is None:
        found = kept[key] = scope_versions().read(key)
    return found


_REQUEST_KEPT = "_broadsheet_scope_versions"
