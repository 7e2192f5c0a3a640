"""The history in a table of the site's database; every process polls it for new rows.

The default on SQLite (`make demo`): several server processes on one machine, no other
service. Each process reads new rows once per BROADSHEET_LIVE_POLL_INTERVAL, however
many readers it holds. SQLite has one writer at a time, so row ids follow commit order.
"""

from __future__ import annotations

import asyncio
import time

from django.db import close_old_connections, connection, transaction

from broadsheet.realtime import conf
from broadsheet.realtime.backends.base import Backend, Deliver, Ready, _nothing
from broadsheet.realtime.models import LiveChannel, LiveEvent
from broadsheet.realtime.wire import WireEvent


class DatabaseBackend(Backend):
    name = "database"

    def publish(self, channel: str, event: WireEvent) -> WireEvent:
        with transaction.atomic():
            seq = self._next_seq(channel)
            published = event.on(channel, seq, time.time())
            LiveEvent.objects.create(
                channel=channel, seq=seq, at=published.at, payload=published.to_json()
            )
            LiveEvent.objects.filter(channel=channel, seq__lte=seq - conf.history()).delete()
            self._announce(published)
        return published

    def _next_seq(self, channel: str) -> int:
        # UPDATE … RETURNING takes the channel's row lock until commit: numbers of one
        # channel follow commit order (SQLite ≥ 3.35 and PostgreSQL both have RETURNING).
        table = LiveChannel._meta.db_table
        sql = f"UPDATE {table} SET last_seq = last_seq + 1 WHERE name = %s RETURNING last_seq"  # noqa: S608 - our own table name
        with connection.cursor() as cursor:
            cursor.execute(sql, [channel])
            row = cursor.fetchone()
            if row is None:
                LiveChannel.objects.get_or_create(name=channel)
                cursor.execute(sql, [channel])
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
