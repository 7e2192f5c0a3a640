"""One process only: the history in memory, delivery by a call into each listening loop.

Enough for tests and for a server of one process; several processes need the database,
PostgreSQL or Redis back-end.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque

from broadsheet.realtime import conf
from broadsheet.realtime.backends.base import Backend, Deliver, Ready, _nothing
from broadsheet.realtime.wire import WireEvent


class MemoryBackend(Backend):
    name = "memory"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, int] = {}
        self._kept: dict[str, deque[WireEvent]] = {}
        self._listeners: list[tuple[asyncio.AbstractEventLoop, Deliver]] = []

    def publish(self, channel: str, event: WireEvent) -> WireEvent:
        with self._lock:
            seq = self._last.get(channel, 0) + 1
            self._last[channel] = seq
            published = event.on(channel, seq, time.time())
            kept = self._kept.setdefault(channel, deque(maxlen=conf.history()))
            kept.append(published)
            listeners = list(self._listeners)
        for loop, deliver in listeners:
            if not loop.is_closed():
                loop.call_soon_threadsafe(deliver, published)
        return published

    def history(self, channel: str) -> tuple[int, list[WireEvent]]:
        with self._lock:
            return self._last.get(channel, 0), list(self._kept.get(channel, ()))

    async def listen(self, deliver: Deliver, ready: Ready = _nothing) -> None:
        entry = (asyncio.get_running_loop(), deliver)
        with self._lock:
            self._listeners.append(entry)
        ready()
        try:
            await asyncio.Event().wait()
        finally:
            with self._lock:
                self._listeners.remove(entry)
