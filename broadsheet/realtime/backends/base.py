"""What every back-end provides, and the resume rule they share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from broadsheet.realtime.wire import WireEvent

Deliver = Callable[[WireEvent], None]
Ready = Callable[[], None]


def _nothing() -> None:
    return None


class Backend(ABC):
    name = ""

    @property
    def records_in_transaction(self) -> bool:
        """True: `publish` is called inside the publishing action's transaction (an
        outbox: the event commits with the change). False: after the commit."""
        return False

    @abstractmethod
    def publish(self, channel: str, event: WireEvent) -> WireEvent:
        """Give `event` the channel's next sequence number, keep it in the channel's
        history and tell every process. Returns the event as published."""

    @abstractmethod
    def history(self, channel: str) -> tuple[int, list[WireEvent]]:
        """(the channel's last sequence number, the events still kept, oldest first)."""

    @abstractmethod
    async def listen(self, deliver: Deliver, ready: Ready = _nothing) -> None:
        """Call `deliver` (in the running event loop) with every event published from now
        on, by any process, in each channel's order; `ready` once listening. Runs until
        cancelled."""

    def replay(
        self, channel: str, *, after: int | None, since: float | None
    ) -> list[WireEvent] | None:
        """What a reader missed on `channel`: after sequence number `after`, or else since
        Unix time `since`; None when the history no longer reaches back that far (the
        reader must refetch). With neither, nothing: the reader starts from now."""
        if after is None and since is None:
            return []
        last, kept = self.history(channel)
        if after is not None:
            if after > last:
                return None  # the history was lost (a new Redis, a wiped table)
            if after == last:
                return []
            if not kept or kept[0].seq > after + 1:
                return None
            return [event for event in kept if event.seq > after]
        assert since is not None
        newer = [event for event in kept if event.at >= since]
        if newer and newer[0] is kept[0] and kept[0].seq > 1:
            return None  # events older than what is kept may be newer than `since`
        return newer
