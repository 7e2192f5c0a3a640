"""Querysets compiled to SQL once per shape, run straight through a cursor.

On the hot paths (a discussion page's two queries, posting, voting) Django spends more
time building the SQL of a queryset, and model instances from its rows, than the
database spends answering it. A query whose shape is fixed is built once with the ORM,
with a unique stand-in value (a placeholder) where each per-call value goes; the SQL,
where those values sit among the params, and the ORM's own converters for each column
are kept. A call is then a cursor.execute() and a loop over tuples. The SQL is the ORM's,
quoted and parameterised for the connection's backend, so it runs on SQLite and
PostgreSQL alike, through the connection's cursor (query logging and counting see it).

The contract, so that nobody counts slots: per-call values are *named* (``p.number("thread_id")``
while building, ``rows(thread_id=...)`` when running; a missing or unknown name is a
TypeError), rows come back as named tuples whose fields are the names given to
``values_list()`` (``author__username`` is read as ``row.author_username``),
``LIMIT``/``OFFSET`` are parameters (``paged=True``: one compilation serves every page),
and every cached shape is keyed by its database alias (``CompiledQueries.get``).

Only the rooms named in ``ROOMS`` use this module (a test holds it, and
docs/decisions/compiled-reads.md says why each needs it); elsewhere the ORM's public API
is fast enough.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet

from broadsheet.core.lru import BoundedLRU, setting_bytes

# The modules allowed to import this one: the hot paths that measurably need it.
ROOMS = frozenset(
    {
        "broadsheet.discussion.page_rows",  # the discussion page's two queries
        "broadsheet.discussion.comment_writes",  # posting's and voting's statements
        "broadsheet.moderation.hot_queries",  # the rules that read on every comment posted
        "broadsheet.notifications.hot_queries",  # the fan-out check after every comment
        "broadsheet.realtime.hot_queries",  # a comment's state for its live event
    }
)

# Parameter values that no real query uses: ids below any primary key, a string no
# reader id can be, the first second of year 1. Each placeholder gets its own.
_SENTINEL_BASE = -(2**40)


class Placeholders:
    """The named per-call values of one query shape, handed to the ORM as stand-ins."""

    def __init__(self) -> None:
        self._next = 0
        # name -> the stand-ins in order ([one] for a scalar, [n] for a list), is_datetime
        self.names: dict[str, tuple[tuple[Any, ...], bool, bool]] = {}

    def _take(self) -> int:
        self._next += 1
        return self._next

    def _add(self, name: str, values: tuple[Any, ...], *, many: bool, moment: bool) -> None:
        if name in self.names:
            raise ValueError(f"placeholder {name!r} named twice")
        self.names[name] = (values, many, moment)

    def number(self, name: str) -> int:
        value = _SENTINEL_BASE - self._take()
        self._add(name, (value,), many=False, moment=False)
        return value

    def text(self, name: str) -> str:
        value = f"\x00placeholder-{self._take()}\x00"
        self._add(name, (value,), many=False, moment=False)
        return value

    def moment(self, name: str) -> datetime:
        """A moment no row has. The ORM adapts datetime params for the backend while
        compiling (SQLite: a string), so the value given at each call is adapted too."""
        value = datetime(1, 1, 1, 0, 0, 0, self._take(), tzinfo=UTC)
        self._add(name, (value,), many=False, moment=True)
        return value

    def numbers(self, name: str, count: int) -> list[int]:
        """`count` ids (an IN list): the call gives a sequence of exactly that length."""
        values = tuple(_SENTINEL_BASE - self._take() for _ in range(count))
        self._add(name, values, many=True, moment=False)
        return list(values)


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    alias: str
    sql: str
    params: tuple[Any, ...]
    # name -> (((index among its values, param position), ...), how many values a list
    # takes (0: one value, not a list), is a datetime)
    slots: dict[str, tuple[tuple[tuple[int, int], ...], int, bool]]
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]
    fields: tuple[str, ...]
    row: Callable[[Sequence[Any]], tuple[Any, ...]]

    def rows(self, **values: Any) -> Iterator[Any]:
        """Run with each named value in its place; rows converted as the ORM would, as
        named tuples (fields: the names given to values_list, ``__`` as ``_``)."""
        if values.keys() != self.slots.keys():
            missing = sorted(self.slots.keys() - values.keys())
            unknown = sorted(values.keys() - self.slots.keys())
            raise TypeError(f"query values: missing {missing}, unknown {unknown}")
        connection = connections[self.alias]
        params = list(self.params)
        for name, (positions, many, moment) in self.slots.items():
            given = values[name]
            if not many:
                given = (given,)
            elif len(given) != many:
                raise TypeError(f"{name}: {many} values expected, {len(given)} given")
            for index, position in positions:
                value = given[index]
                params[position] = (
                    connection.ops.adapt_datetimefield_value(value) if moment else value
                )
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        make = self.row
        if not self.converters:
            for found in fetched:
                yield make(found)
            return
        for found in fetched:
            out = list(found)
            for position, functions, expression in self.converters:
                value = out[position]
                for function in functions:
                    value = function(value, expression, connection)
                out[position] = value
            yield make(out)


def compile_query(
    queryset: QuerySet[Any], placeholders: Placeholders, *, paged: bool = False
) -> CompiledQuery:
    """The SQL of `queryset` (a values_list() one, built with `placeholders`' stand-ins),
    each stand-in's position remembered under its name. With `paged`, the queryset is
    unsliced and the SQL ends with ``LIMIT %s OFFSET %s``: the values ``limit`` and
    ``offset`` of each call."""
    alias = queryset.db
    query = queryset.query
    if paged and (query.low_mark or query.high_mark is not None):
        raise ValueError("a paged query takes its limit and offset per call: do not slice it")
    compiler = query.get_compiler(using=alias)
    sql, sql_params = compiler.as_sql()
    params = list(sql_params)
    ops = connections[alias].ops
    where: dict[Any, tuple[str, int]] = {}
    for name, (stand_ins, _, moment) in placeholders.names.items():
        for index, value in enumerate(stand_ins):
            where[value] = (name, index)
            if moment:  # it reaches the params adapted for the backend (or as it is)
                where[ops.adapt_datetimefield_value(value)] = (name, index)
    found: dict[str, list[tuple[int, int]]] = {name: [] for name in placeholders.names}
    for position, value in enumerate(params):
        if isinstance(value, bool) or not isinstance(value, int | str | datetime):
            continue
        if value in where:
            name, index = where[value]
            found[name].append((index, position))
    slots: dict[str, tuple[tuple[tuple[int, int], ...], int, bool]] = {}
    for name, (stand_ins, many, moment) in placeholders.names.items():
        if len({index for index, _ in found[name]}) != len(stand_ins):
            raise ValueError(f"placeholder {name!r} did not reach the SQL params")
        slots[name] = (tuple(found[name]), len(stand_ins) if many else 0, moment)
    if paged:
        sql = f"{sql} LIMIT %s OFFSET %s"
        slots["limit"] = (((0, len(params)),), 0, False)
        slots["offset"] = (((0, len(params) + 1),), 0, False)
        params += [None, None]
    columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
    converters = tuple(
        (position, tuple(_lighter(function, ops) for function in functions), expression)
        for position, (functions, expression) in compiler.get_converters(columns).items()
    )
    fields = tuple(getattr(queryset, "_fields", ()) or ())
    if len(fields) != compiler.col_count:
        raise ValueError("compile a values_list() queryset that names its fields")
    row_type = namedtuple("Row", [name.replace("__", "_") for name in fields])  # type: ignore[misc]
    return CompiledQuery(alias, sql, tuple(params), slots, converters, fields, row_type._make)


def _sqlite_moment(value: Any, expression: Any, connection: Any) -> Any:
    """SQLite's datetime converter (DatabaseOperations.convert_datetimefield_value) for
    the value it nearly always gets: a naive datetime that the sqlite3 module has already
    parsed, made aware in the connection's time zone, as make_aware does with it (a
    `replace`). Anything else goes to Django's own. It was a third of the time of a
    discussion page's rows on SQLite, in settings and time-zone checks per value; a test
    holds the two to the same answers."""
    if type(value) is datetime and value.tzinfo is None:
        return value.replace(tzinfo=connection.timezone)
    return connection.ops.convert_datetimefield_value(value, expression, connection)


def _lighter(function: Callable[..., Any], ops: Any) -> Callable[..., Any]:
    """The converter to keep for `function`: _sqlite_moment in place of SQLite's datetime
    converter when time zones are on, otherwise `function` itself."""
    own = getattr(function, "__func__", None)
    sqlite_moment = getattr(type(ops), "convert_datetimefield_value", None)
    if (
        ops.connection.vendor == "sqlite"
        and settings.USE_TZ
        and own is not None
        and own is sqlite_moment
        and getattr(function, "__self__", None) is ops
    ):
        return _sqlite_moment
    return function


class CompiledQueries:
    """Compiled queries by (database alias, shape key), built on first use (a bounded,
    locked LRU, each instance within BROADSHEET_COMPILED_QUERIES_BYTES). The alias is part
    of every key: one shape compiles per database."""

    def __init__(self) -> None:
        self._entries: BoundedLRU[tuple[str, Hashable], CompiledQuery] = BoundedLRU(
            setting_bytes("BROADSHEET_COMPILED_QUERIES_BYTES", 1024 * 1024)
        )

    def get(
        self, alias: str, key: Hashable, build: Callable[[str], CompiledQuery]
    ) -> CompiledQuery:
        compiled = self._entries.get((alias, key))
        if compiled is None:
            compiled = build(alias)
            self._entries.put((alias, key), compiled)
        return compiled

    def clear(self) -> None:
        self._entries.clear()
