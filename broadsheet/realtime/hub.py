"""The fan-out inside one process that holds streams itself (the embedded engine).

Pages and streams are served by the same WSGI workers (docs/decisions/0001-live-delivery.md):
each stream holds one of the server's threads, blocked on its own bounded queue. One
background thread per process runs the back-end's listener (an asyncio loop) and puts
each event into the queues of the streams on its channel. A reader too slow to keep up
loses its stream (it reconnects and resumes from the history), never the process its
memory; past BROADSHEET_LIVE_MAX_STREAMS a process refuses new streams, so pages always
keep threads.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections import defaultdict

from broadsheet.realtime import conf
from broadsheet.realtime.backends import get_backend
from broadsheet.realtime.backends.base import Backend
from broadsheet.realtime.wire import WireEvent

logger = logging.getLogger(__name__)

QUEUE_SIZE = 256
LISTEN_TIMEOUT = 5.0


class Subscription:
    def __init__(self, hub: Hub, channels: list[str]) -> None:
        self.hub = hub
        self.channels = channels
        self.queue: queue.Queue[WireEvent | None] = queue.Queue(QUEUE_SIZE)

    def offer(self, event: WireEvent) -> None:
        try:
            self.queue.put_nowait(event)
        except queue.Full:
            self.hub.drop(self)
            self.queue.get_nowait()
            self.queue.put_nowait(None)  # tells the stream to end

    def close(self) -> None:
        self.hub.drop(self)


class Busy(Exception):
    """This process holds as many streams as it may."""


class Hub:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.subscribers: dict[str, set[Subscription]] = defaultdict(set)
        self.count = 0
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def _ensure_listener(self) -> None:
        with self.lock:
            if self.thread is not None and self.thread.is_alive():
                return
            listening = threading.Event()
            self.thread = threading.Thread(
                target=self._listen,
                args=(listening,),
                name=f"live-{self.backend.name}",
                daemon=True,
            )
            self.thread.start()
        # The first stream of a process waits until the listener hears everything, so
        # nothing published after its backlog was read can slip past it.
        if not listening.wait(LISTEN_TIMEOUT):
            logger.warning("Live listener on %s is slow to start", self.backend.name)

    def _listen(self, listening: threading.Event) -> None:
        try:
            asyncio.run(self.backend.listen(self.deliver, listening.set))
        except Exception:
            # The next stream starts a new listener; readers resume from the history.
            logger.exception("Live listener on %s stopped", self.backend.name)

    def subscribe(self, channels: list[str]) -> Subscription:
        subscription = Subscription(self, channels)
        with self.lock:
            if self.count >= conf.max_streams():
                raise Busy
            self.count += 1
            for channel in channels:
                self.subscribers[channel].add(subscription)
        self._ensure_listener()
        return subscription

    def drop(self, subscription: Subscription) -> None:
        with self.lock:
            removed = False
            for channel in subscription.channels:
                members = self.subscribers.get(channel)
                if members is not None and subscription in members:
                    members.discard(subscription)
                    removed = True
                    if not members:
                        del self.subscribers[channel]
            if removed:
                self.count -= 1

    def deliver(self, event: WireEvent) -> None:
        with self.lock:
            members = list(self.subscribers.get(event.channel, ()))
        for subscription in members:
            subscription.offer(event)


_hubs: dict[Backend, Hub] = {}
_hubs_lock = threading.Lock()


def current_hub() -> Hub:
    """This process's hub on the configured back-end."""
    backend = get_backend()
    with _hubs_lock:
        hub = _hubs.get(backend)
        if hub is None:
            hub = _hubs[backend] = Hub(backend)
        return hub
