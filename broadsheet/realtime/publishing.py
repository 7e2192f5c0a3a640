"""Publishing: discussion events and article reactions, to the back-end and, when
Pushpin holds the streams, to every Pushpin (from a thread of its own, never holding the
request that made the change).

A back-end in the site's database records a discussion event inside the action's
transaction (discussion.events.subscribe_in_transaction: the outbox commits with the
change); the others publish after the commit (discussion.events.subscribe). Pushpin is
always told after the commit: a reader it tells fetches what the event names.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import threading
import time
import urllib.request
from functools import partial

from django.db import transaction

from broadsheet.discussion.events import DiscussionEvent
from broadsheet.discussion.models import Thread
from broadsheet.realtime import conf
from broadsheet.realtime.backends import get_backend
from broadsheet.realtime.mapping import Outgoing, article_reactions, wire_events_for
from broadsheet.realtime.wire import WireEvent

logger = logging.getLogger(__name__)


def record_discussion_event(event: DiscussionEvent) -> None:
    """The discussion recorder, inside the action's transaction: with a back-end that keeps
    its history in the site's database, the wire events are written with the change (an
    outbox; backends/database.py), and only Pushpin is told after the commit."""
    if not conf.enabled():
        return
    backend = get_backend()
    if not backend.records_in_transaction:
        return
    for outgoing in wire_events_for(event):
        published = [backend.publish(channel, outgoing.event) for channel in outgoing.channels]
        if conf.engine() == "pushpin":
            transaction.on_commit(partial(_to_pushpin, published))


def on_discussion_event(event: DiscussionEvent) -> None:
    """The discussion listener, after commit: back-ends outside the site's database
    (memory, Redis) publish here."""
    if not conf.enabled() or get_backend().records_in_transaction:
        return
    for outgoing in wire_events_for(event):
        send(outgoing)


def send(outgoing: Outgoing) -> list[WireEvent]:
    backend = get_backend()
    published = [backend.publish(channel, outgoing.event) for channel in outgoing.channels]
    if conf.engine() == "pushpin":
        _to_pushpin(published)
    return published


def _to_pushpin(published: list[WireEvent]) -> None:
    for event in published:
        publish_to_pushpin(event)


def publish_reactions(*, thread_key: str, up: int, down: int) -> None:
    """An article's reaction tally changed: tell its discussion's readers, after commit."""
    if not conf.enabled():
        return

    def after_commit() -> None:
        thread_id = Thread.objects.filter(key=thread_key).values_list("pk", flat=True).first()
        if thread_id is not None:
            for outgoing in article_reactions(thread_id=thread_id, up=up, down=down):
                send(outgoing)

    transaction.on_commit(after_commit)


def publish_to_pushpin(event: WireEvent) -> None:
    """Hand one event to every Pushpin, without waiting: each Pushpin's publisher thread
    posts it (requests of readers never wait for a Pushpin)."""
    for url in conf.pushpin_publish_urls():
        pushpin_publisher(url).put(event)


def grip_items(events: list[WireEvent]) -> bytes:
    """The GRIP publish body ("http-stream" format): Pushpin writes each item to every
    stream held on its channel."""
    items = [
        {
            "channel": event.channel,
            "id": event.id,
            "formats": {"http-stream": {"content": event.frame()}},
        }
        for event in events
    ]
    return json.dumps({"items": items}).encode()


def check_publish_url(url: str) -> None:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"BROADSHEET_LIVE_PUSHPIN_PUBLISH_URLS: not an http(s) URL: {url!r}")


def post_to_pushpin(url: str, body: bytes, timeout: float) -> None:
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked on creation
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(  # noqa: S310  # nosec B310 - http(s) only, checked on creation
        request, timeout=timeout
    ) as response:
        response.read()


class PushpinPublisher:
    """A thread (per process and Pushpin) that posts events to one Pushpin in publish
    order, so the request or task that made a change never waits for a Pushpin, and a
    Pushpin that is slow or gone delays no other. Events waiting together go in one
    request. A failed post is tried again (`ATTEMPTS` in all, `TIMEOUT` seconds each),
    then its events are logged as not delivered there: that Pushpin's readers get them
    from the history when they reconnect (live.js does when the keep-alive stops). The
    queue is bounded: past `QUEUE_SIZE` waiting events a new one is logged and dropped,
    never held without end. At exit the queue is drained for up to `DRAIN_SECONDS`."""

    QUEUE_SIZE = 10_000
    BATCH = 100
    TIMEOUT = 2.0
    ATTEMPTS = 2
    DRAIN_SECONDS = 5.0

    def __init__(self, url: str) -> None:
        check_publish_url(url)  # a mistake in the settings shows where it is made
        self.url = url
        self.queue: queue.Queue[WireEvent] = queue.Queue(self.QUEUE_SIZE)
        self.thread = threading.Thread(target=self._run, name=f"live-pushpin {url}", daemon=True)
        self.thread.start()

    def put(self, event: WireEvent) -> None:
        try:
            self.queue.put_nowait(event)
        except queue.Full:
            logger.error(
                "Pushpin publisher for %s is %d events behind; %s not published there",
                self.url,
                self.QUEUE_SIZE,
                event.id,
            )

    def _run(self) -> None:
        while True:
            batch = [self.queue.get()]
            while len(batch) < self.BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._post(batch)
            finally:
                for _ in batch:
                    self.queue.task_done()

    def _post(self, events: list[WireEvent]) -> None:
        body = grip_items(events)
        for attempt in range(1, self.ATTEMPTS + 1):
            try:
                post_to_pushpin(self.url, body, self.TIMEOUT)
                return
            except OSError as error:
                if attempt == self.ATTEMPTS:
                    logger.error(
                        "Publishing %s to Pushpin at %s failed (%s); its readers get them "
                        "from the history when they reconnect",
                        ", ".join(event.id for event in events),
                        self.url,
                        error,
                    )

    def drain(self, seconds: float) -> bool:
        """Wait until every queued event was tried, or `seconds` passed; True if done."""
        deadline = time.monotonic() + seconds
        while self.queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True


_publishers: dict[tuple[int, str], PushpinPublisher] = {}
_publishers_lock = threading.Lock()


def pushpin_publisher(url: str) -> PushpinPublisher:
    """This process's publisher for `url` (a forked worker starts its own thread)."""
    key = (os.getpid(), url)
    with _publishers_lock:
        publisher = _publishers.get(key)
        if publisher is None:
            publisher = _publishers[key] = PushpinPublisher(url)
        return publisher


@atexit.register
def drain_pushpin_publishers() -> None:
    """Events still waiting when the process ends are posted first (or logged)."""
    for (pid, url), publisher in list(_publishers.items()):
        if pid == os.getpid() and not publisher.drain(publisher.DRAIN_SECONDS):
            logger.error(
                "%d events not published to Pushpin at %s at exit",
                publisher.queue.unfinished_tasks,
                url,
            )
