"""The history in a table of the site's database; every process polls it for new rows.

The default on SQLite (`make demo`): several server processes on one machine, no other
service. Each process reads new rows once per BROADSHEET_LIVE_POLL_INTERVAL, however
many readers it holds. SQLite has one writer at a time, so row ids follow commit order.

On SQLite, an outbox: a discussion event's rows are written inside the action's own
transaction (``records_in_transaction``; realtime.publishing.record_discussion_event), so
they commit with the change or not at all, and readers see them once committed. No second
write transaction follows the action's (each one queues for SQLite's one write lock).

Every hand-written statement of the realtime app is here, with discussion's convention
(docs/decisions/raw-writes.md): the router's alias, names from the model's meta quoted
by the connection, each statement built once per alias, run through the cursor.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from functools import cache

from django.db import close_old_connections, connections, router, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Field

from broadsheet.realtime import conf
from broadsheet.realtime.backends.base import Backend, Deliver, Ready, _nothing
from broadsheet.realtime.models import LiveChannel, LiveEvent
from broadsheet.realtime.wire import WireEvent


@dataclass(frozen=True)
class _Statements:
    next_seq: str
    insert_event: str
    trim_history: str


@cache
def _statements(alias: str) -> _Statements:
    quote = connections[alias].ops.quote_name

    def column(model: type[LiveChannel] | type[LiveEvent], name: str) -> str:
        field = model._meta.get_field(name)
        assert isinstance(field, Field)
        return quote(str(field.column))

    channels = quote(LiveChannel._meta.db_table)
    events = quote(LiveEvent._meta.db_table)
    name, last_seq = column(LiveChannel, "name"), column(LiveChannel, "last_seq")
    channel, seq = column(LiveEvent, "channel"), column(LiveEvent, "seq")
    at, payload = column(LiveEvent, "at"), column(LiveEvent, "payload")
    # Table and column names from our own models' meta, quoted: no outside text.
    return _Statements(
        # UPDATE … RETURNING takes the channel's row lock until commit: numbers of one
        # channel follow commit order (SQLite ≥ 3.35 and PostgreSQL both have RETURNING).
        next_seq=f"UPDATE {channels} SET {last_seq} = {last_seq} + 1 "  # noqa: S608
        f"WHERE {name} = %s RETURNING {last_seq}",
        insert_event=f"INSERT INTO {events} ({channel}, {seq}, {at}, {payload}) "  # noqa: S608
        "VALUES (%s, %s, %s, %s)",
        trim_history=f"DELETE FROM {events} WHERE {channel} = %s AND {seq} <= %s",  # noqa: S608
    )


class DatabaseBackend(Backend):
    name = "database"

    @property
    def records_in_transaction(self) -> bool:
        """On SQLite, which has one writer at a time and no row locks: an outbox. On
        PostgreSQL the channel's row lock, held from the event to the end of the action,
        would wait in a cycle with rows the action locks afterwards (a ban rejecting
        several comments of a thread, against a vote on one of them): there each event is
        written after the commit in a short transaction of its own, which queues behind
        no other writer."""
        return connections[router.db_for_write(LiveEvent)].vendor == "sqlite"

    def publish(self, channel: str, event: WireEvent) -> WireEvent:
        """Inside the caller's transaction when there is one (an action's: the outbox),
        else in one of its own."""
        alias = router.db_for_write(LiveEvent)
        sql = _statements(alias)
        with transaction.atomic(using=alias, savepoint=False):
            cursor = connections[alias].cursor()
            with cursor:
                seq = self._next_seq(cursor, sql, channel)
                published = event.on(channel, seq, time.time())
                cursor.execute(sql.insert_event, [channel, seq, published.at, published.to_json()])
                cursor.execute(sql.trim_history, [channel, seq - conf.history()])
            self._announce(published)
        return published

    @staticmethod
    def _next_seq(cursor: CursorWrapper, sql: _Statements, channel: str) -> int:
        cursor.execute(sql.next_seq, [channel])
        row = cursor.fetchone()
        if row is None:  # the channel's first event
            LiveChannel.objects.get_or_create(name=channel)
            cursor.execute(sql.next_seq, [channel])
            row = cursor.fetchone()
        return int(row[0])

    def _announce(self, event: WireEvent) -> None:
        """Nothing to do: listeners poll the table (PostgreSQL notifies instead)."""

    def history(self, channel: str) -> tuple[int, list[WireEvent]]:
        last = LiveChannel.objects.filter(name=channel).values_list("last_seq", flat=True).first()
        rows = LiveEvent.objects.filter(channel=channel).order_by("seq")
        return last or 0, [WireEvent.from_json(row.payload) for row in rows]

    async def listen(self, deliver: Deliver, ready: Ready = _nothing) -> None:
        last_id = await asyncio.to_thread(self._newest_id)
        ready()
        while True:
            await asyncio.sleep(conf.poll_interval())
            events, last_id = await asyncio.to_thread(self._read_after, last_id)
            for event in events:
                deliver(event)

    @staticmethod
    def _newest_id() -> int:
        close_old_connections()
        return LiveEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    @staticmethod
    def _read_after(last_id: int) -> tuple[list[WireEvent], int]:
        close_old_connections()
        rows = list(
            LiveEvent.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", "payload")
        )
        if not rows:
            return [], last_id
        return [WireEvent.from_json(payload) for _, payload in rows], rows[-1][0]
