"""Querysets compiled to SQL once per shape, run straight through a cursor.

On a discussion page Django spends more time building the SQL of a queryset (and model
instances from its rows) than the database spends answering it. A selector whose query
has a fixed shape builds it once with the ORM, with unique sentinel values where the
per-call values go, and keeps the SQL, the positions of those values among the params,
and the ORM's own converters for each column (dates on SQLite, booleans, ...). A call is
then a cursor.execute() and a loop over tuples. The SQL is the ORM's, quoted and
parameterised for the connection's backend, so it runs on SQLite and PostgreSQL alike,
and goes through the connection's cursor (query logging and counting see it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connections
from django.db.models import QuerySet

# Parameter values that no real query uses: ids below any primary key, and a string no
# reader id can be. Each slot of a shape gets its own.
_SENTINEL_BASE = -(2**40)


def sentinel_int(slot: int) -> int:
    return _SENTINEL_BASE - slot


def sentinel_str(slot: int) -> str:
    return f"\x00sentinel-{slot}\x00"


def sentinel_datetime(slot: int) -> datetime:
    """A moment no row has (the first second of year 1, the slot in its microseconds).
    The ORM adapts datetime params for the backend while compiling (SQLite: a string),
    so the slot remembers to adapt the value given at each call the same way."""
    return datetime(1, 1, 1, 0, 0, 0, slot + 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    alias: str
    sql: str
    params: tuple[Any, ...]
    # (param position, slot number, adapt the value as a datetime field's)
    slots: tuple[tuple[int, int, bool], ...]
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]

    def rows(self, values: Sequence[Any]) -> Iterator[tuple[Any, ...] | list[Any]]:
        """Run with `values[slot]` in each slot; rows converted as the ORM would."""
        connection = connections[self.alias]
        params = list(self.params)
        for position, slot, adapt in self.slots:
            value = values[slot]
            params[position] = connection.ops.adapt_datetimefield_value(value) if adapt else value
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        if not self.converters:
            yield from fetched
            return
        for row in fetched:
            out = list(row)
            for position, functions, expression in self.converters:
                value = out[position]
                for function in functions:
                    value = function(value, expression, connection)
                out[position] = value
            yield out


def compile_query(queryset: QuerySet[Any], sentinels: dict[Hashable, int]) -> CompiledQuery:
    """The SQL of `queryset` (a values_list() one) with the params equal to a key of
    `sentinels` marked as the slot it maps to."""
    alias = queryset.db
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    ops = connections[alias].ops
    # Datetime sentinels reach the params adapted for the backend (or as they are).
    adapted: dict[Any, int] = {
        ops.adapt_datetimefield_value(value): slot
        for value, slot in sentinels.items()
        if isinstance(value, datetime)
    }
    slots = []
    for position, value in enumerate(params):
        if isinstance(value, bool) or not isinstance(value, int | str | datetime):
            continue
        if value in sentinels:
            slots.append((position, sentinels[value], isinstance(value, datetime)))
        elif value in adapted:
            slots.append((position, adapted[value], True))
    if len({slot for _, slot, _ in slots}) != len(set(sentinels.values())):
        raise ValueError("a sentinel value did not reach the SQL params")
    columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
    converters = tuple(
        (position, tuple(functions), expression)
        for position, (functions, expression) in compiler.get_converters(columns).items()
    )
    return CompiledQuery(alias, sql, tuple(params), tuple(slots), converters)


class CompiledQueries:
    """Compiled queries by shape key, built on first use (thread-safe, bounded)."""

    def __init__(self, max_entries: int = 512) -> None:
        self.max_entries = max_entries
        self._entries: dict[Hashable, CompiledQuery] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], CompiledQuery]) -> CompiledQuery:
        compiled = self._entries.get(key)
        if compiled is None:
            compiled = build()
            with self._lock:
                if len(self._entries) >= self.max_entries:
                    self._entries.clear()
                self._entries[key] = compiled
        return compiled

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
