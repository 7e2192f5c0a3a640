"""One bounded, thread-safe least-recently-used map for every per-process cache, bounded
in bytes.

Per-process caches (rendered comment fragments, compiled queries, stored pages, the
parts of article pages) live in granian's worker threads: every read and write takes the
lock, a read refreshes the entry, and a write past the budget drops the least recently
used entries (never the whole cache at once). The budget counts bytes, not entries: an
entry's size varies a hundredfold (a one-line comment and a 5,000-comment page), so a
count of entries bounds nothing. Each cache's budget is a setting
(docs/settings.md, "Memory").

An entry's size is `deep_size` of its key and value: what the objects themselves take
(sys.getsizeof), followed into containers, instances and slots, each object counted once.
Not followed: classes, functions, modules and code, which the program holds anyway. An
entry bigger than the whole budget is not kept at all.
"""

from __future__ import annotations

import sys
import threading
import types
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.conf import settings

# Held by the program whatever the caches hold: counted as nothing.
_NOT_FOLLOWED = (
    type,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.ModuleType,
    types.CodeType,
    types.MethodWrapperType,
    types.WrapperDescriptorType,
)
_ATOMS = (str, bytes, bytearray, int, float, complex, bool, type(None))


def deep_size(value: object) -> int:
    """The bytes `value` takes with everything it holds (see the module docstring)."""
    seen: set[int] = set()
    pending: list[object] = [value]
    total = 0
    while pending:
        item = pending.pop()
        if id(item) in seen or isinstance(item, _NOT_FOLLOWED):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, _ATOMS):
            continue
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, tuple | list | set | frozenset):
            pending.extend(item)
        elif isinstance(item, memoryview):
            continue
        else:
            attributes = getattr(item, "__dict__", None)
            if attributes is not None:
                pending.append(attributes)
            for cls in type(item).__mro__:
                for name in cls.__dict__.get("__slots__", ()):
                    slot = getattr(item, name, None)
                    if slot is not None:
                        pending.append(slot)
    return total


class BoundedLRU[K: Hashable, V]:
    def __init__(
        self,
        max_bytes: int | Callable[[], int],
        *,
        size_of: Callable[[K, V], int] | None = None,
    ) -> None:
        """`max_bytes`: the budget, or a function that reads it (a setting, read on
        every write so that a test or an operator's change applies at once).
        `size_of(key, value)`: an entry's bytes, `deep_size` of both by default."""
        if not callable(max_bytes) and max_bytes < 1:
            raise ValueError("an LRU's budget is at least one byte")
        self._budget = max_bytes if callable(max_bytes) else (lambda: max_bytes)
        self._size_of = size_of or (lambda key, value: deep_size(key) + deep_size(value))
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def max_bytes(self) -> int:
        return self._budget()

    @property
    def bytes(self) -> int:
        """What the entries take now (by size_of); never more than max_bytes."""
        return self._bytes

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V) -> bool:
        """Keep `value` under `key`; False when it alone is over the budget (then any
        older value of `key` is dropped, and nothing is kept)."""
        size = self._size_of(key, value)
        budget = self._budget()
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if size > budget:
                return False
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > budget:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
            return True

    def pop(self, key: K) -> V | None:
        with self._lock:
            found = self._entries.pop(key, None)
            if found is None:
                return None
            self._bytes -= found[1]
            return found[0]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries


def setting_bytes(name: str, default: int) -> Callable[[], int]:
    """A budget read from the setting `name` (`default` when unset) on every write:
    BoundedLRU's max_bytes."""
    return lambda: int(getattr(settings, name, default))
