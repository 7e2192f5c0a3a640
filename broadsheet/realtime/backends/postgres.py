"""PostgreSQL: the history in the same table as the "database" back-end, delivery by
LISTEN/NOTIFY. The NOTIFY is sent inside the publishing transaction (after the action's
commit, database.py says why), so it reaches the listeners at that commit, in commit
order; each process holds one listening connection.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections, router

from broadsheet.realtime.backends.base import Deliver, Ready, _nothing
from broadsheet.realtime.backends.database import DatabaseBackend
from broadsheet.realtime.models import LiveEvent
from broadsheet.realtime.wire import WireEvent

logger = logging.getLogger(__name__)

NOTIFY_CHANNEL = "broadsheet_live"
# NOTIFY payloads must stay under 8000 bytes; a bigger event is sent as a reference.
MAX_PAYLOAD = 7000


def connection_kwargs() -> dict[str, Any]:
    db: dict[str, Any] = settings.DATABASES["default"]
    kwargs: dict[str, Any] = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        **{k: v for k, v in (db.get("OPTIONS") or {}).items() if isinstance(v, str | int)},
    }
    return {key: value for key, value in kwargs.items() if value is not None}


class PostgresBackend(DatabaseBackend):
    name = "postgres"

    def _announce(self, event: WireEvent) -> None:
        payload = event.to_json()
        if len(payload.encode()) > MAX_PAYLOAD:
            payload = f"ref {event.channel} {event.seq}"
        with connections[router.db_for_write(LiveEvent)].cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, payload])

    async def listen(self, deliver: Deliver, ready: Ready = _nothing) -> None:
        delay = 0.5
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(autocommit=True, **connection_kwargs())
                async with conn:
                    await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    ready()
                    delay = 0.5
                    async for notify in conn.notifies():
                        deliver(await self._decode(notify.payload))
            except asyncio.CancelledError:
                raise
            except Exception:
                # A restarted database: listen again; readers resume from the history.
                logger.exception("LISTEN %s failed; retrying in %.1f s", NOTIFY_CHANNEL, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)

    @staticmethod
    async def _decode(payload: str) -> WireEvent:
        if not payload.startswith("ref "):
            return WireEvent.from_json(payload)
        _, channel, seq = payload.split(" ")
        row = await LiveEvent.objects.filter(channel=channel, seq=int(seq)).afirst()
        assert row is not None
        return WireEvent.from_json(row.payload)
