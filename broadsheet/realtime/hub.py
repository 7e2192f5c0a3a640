"""The fan-out inside one process that holds streams itself (the embedded engine).

One listener per process and event loop reads the back-end; each stream owns a bounded
queue on its channels. A reader too slow to keep up loses its stream (it reconnects and
resumes from the history), never the process its memory.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from broadsheet.realtime.backends import get_backend
from broadsheet.realtime.backends.base import Backend
from broadsheet.realtime.wire import WireEvent

QUEUE_SIZE = 256


class Subscription:
    def __init__(self, hub: Hub, channels: list[str]) -> None:
        self.hub = hub
        self.channels = channels
        self.queue: asyncio.Queue[WireEvent | None] = asyncio.Queue(QUEUE_SIZE)

    def offer(self, event: WireEvent) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.hub.drop(self)
            self.queue.get_nowait()
            self.queue.put_nowait(None)  # tells the stream to end

    def close(self) -> None:
        self.hub.drop(self)


class Hub:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.subscribers: dict[str, set[Subscription]] = defaultdict(set)
        self.task: asyncio.Task[None] | None = None

    def subscribe(self, channels: list[str]) -> Subscription:
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self.backend.listen(self.deliver))
        subscription = Subscription(self, channels)
        for channel in channels:
            self.subscribers[channel].add(subscription)
        return subscription

    def drop(self, subscription: Subscription) -> None:
        for channel in subscription.channels:
            members = self.subscribers.get(channel)
            if members is not None:
                members.discard(subscription)
                if not members:
                    del self.subscribers[channel]

    def deliver(self, event: WireEvent) -> None:
        for subscription in list(self.subscribers.get(event.channel, ())):
            subscription.offer(event)

    @property
    def connections(self) -> int:
        return len({s for members in self.subscribers.values() for s in members})


_hubs: dict[tuple[int, int], Hub] = {}


def hub_for_loop() -> Hub:
    """This event loop's hub on the configured back-end."""
    backend = get_backend()
    key = (id(asyncio.get_running_loop()), id(backend))
    hub = _hubs.get(key)
    if hub is None:
        hub = _hubs[key] = Hub(backend)
    return hub
